//! The host: the roles one `migrationai` process can run ([`Role`]), what each needs opened
//! ([`Plan`]), and the one function that wires a process ([`run`]). The CLI's role commands
//! are clap → [`Settings`] → [`run`].

pub mod plan;
pub mod role;
pub mod wire;

pub use plan::{Need, Plan};
pub use role::{Role, RoleError, Roles};
pub use wire::{addresses, run, run_blocking, start, Running, Settings};
