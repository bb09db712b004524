//! The canonical model of law-firm practice data, shaped like Filevine's: the 13 kinds, the
//! value types, the field catalogue and row validation. Pure: no I/O.

pub mod catalogue;
pub mod ids;
pub mod kind;
pub mod record;
pub mod status;
pub mod value;

pub use catalogue::{kind_def, FieldDef, FieldType, KindDef, CATALOGUE};
pub use kind::{Kind, QueueKind};
pub use record::{CanonicalRecord, FieldError, RowContext, Value};
pub use status::{CheckStatus, DraftStatus, JobStatus, PushStatus, UnknownStatus};
