//! MigrationAI's HTTP roles and tfp: the backend API (`api`), the admin API (`admin-api`),
//! the transform and file processor (`tfp`). The frontends are `migrationai-web`; the host
//! crate (`migrationai-host`) wires them into processes.

pub mod admin;
pub mod api;
pub mod auth;
pub mod db;
pub mod error;
pub mod memo;
pub mod metrics;
pub mod records;
pub mod seed;
pub mod serve;
pub mod state;
pub mod tfp;
pub mod throughput;
pub mod workflow;
pub mod writes;

pub use error::{ApiError, ApiResult};
pub use state::{Admin, AppState, Settings};
