//! The host: the process's configuration ([`settings`], [`Config`]), the adapters of its
//! profile ([`profile`], [`open`]), the roles one `migrationai` process can run ([`Role`]),
//! what each needs opened ([`Plan`]), the one function that wires a process ([`run`]), and
//! the shutdown signal every role stops on ([`shutdown`]).
//! The CLI's role commands are clap → [`Settings`] → [`run`]; its operator commands open
//! what they use through [`open`].

pub mod config;
pub mod dbsetup;
pub mod error;
pub mod lambda;
pub mod open;
pub mod plan;
pub mod profile;
pub mod role;
pub mod settings;
pub mod shutdown;
pub mod wire;

pub use config::{Config, PoolRole};
pub use error::OpenError;
pub use plan::{Need, Plan};
pub use role::{Role, RoleError, Roles};
pub use wire::{addresses, run, run_blocking, start, Running, Settings};
