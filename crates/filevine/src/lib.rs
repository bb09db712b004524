//! Filevine API v2 as a delivery target: the gateway client (PAT exchange, bearer token
//! refresh, per-tenant concurrency, 429/5xx handling, typed refusals), the wire types of
//! the operations used, idempotent pushes of each canonical kind, dry runs, and the
//! read-back reconciliation that proves a delivery.
//!
//! Wiring (settings from the environment or a secret, the id map in the store, the push
//! messages through the queues) belongs to whoever hosts it; this crate only needs a
//! [`Transport`], an [`IdMap`] and canonical records.

mod auth;
pub mod dry_run;
pub mod error;
pub mod gateway;
pub mod idmap;
pub mod layout;
pub mod ops;
pub mod paging;
pub mod partner;
pub mod push;
pub mod readback;
mod retry;
pub mod settings;
pub mod transport;
pub mod wire;

pub use dry_run::DryRun;
pub use error::{Disposition, FvError, Refusal};
pub use gateway::{Gateway, GatewayStats};
pub use idmap::{FvId, IdEntry, IdKey, IdMap, IdMapError, JobRef, MemoryIdMap};
pub use layout::{LayoutGap, ProjectTypeChoice, Wanted};
pub use ops::{Call, Op};
pub use push::{
    pages_in_sequence, turns, Action, Delivered, FileContent, FileRole, ItemHolders, Parents,
    PushConfig, PushRecord, Pusher, Taken,
};
pub use readback::{Delivery, Expected, ReadBack};
pub use secrecy::{ExposeSecret, SecretString};
pub use settings::Settings;
pub use transport::Transport;
