//! The process's configuration: every `MIGRATIONAI_*` variable is declared once in [`vars`]
//! and read only through [`Env`], which parses it to its type and names the variable (never a
//! secret's value) when it does not parse. [`load`] turns them into the typed settings.

mod env;
pub mod load;
pub mod markdown;
pub mod reader;
pub mod vars;

pub use env::{Env, SettingsError};
pub use reader::Reader;
pub use secrecy::{ExposeSecret, SecretString};

#[cfg(test)]
mod tests;
