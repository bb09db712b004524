//! The wire types of the backend API (`/v1`) and the admin API (`/admin/v1`): every request
//! and response body, with its OpenAPI schema. The api crate turns its database rows
//! and store rows into these; the frontends read them back through the HTTP client. Nothing
//! here touches a database, so a table can change without changing the wire. [`client`] is
//! the one piece of the HTTP edge both sides read: the browser's address.

pub mod admin;
pub mod auth;
pub mod client;
pub mod error;
pub mod jobs;
pub mod records;
pub mod system;
