//! MigrationAI's frontends: the firm web app (`firm`, the `web` role) and the admin console
//! (`console`, the `admin-web` role), with the kit they share (`kit`: backend client,
//! session, rendering, sign-in). A frontend holds no data and opens no database: it reads
//! and writes everything through the backend or admin API, as `migrationai_api_types`
//! values.

pub mod console;
pub mod error;
pub mod firm;
pub mod kit;

pub use error::WebError;
