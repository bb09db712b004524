//! The canonical store over SQL, through sqlx's `Any` driver: the same code and the same
//! migrations serve SQLite (embedded default) and PostgreSQL (a connection string away).

pub mod migrations;
mod packed;
mod store;

pub use store::SqlStore;
