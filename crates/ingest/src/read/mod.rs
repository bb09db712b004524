//! Readers for what law firms actually export: a folder or zip of CSV/XLSX/JSON/JSONL
//! tables plus document and email files.
//!
//! Everything streams: rows are read one at a time into reused buffers, and every
//! problem comes back as a value naming the file, row and field.

mod csv;
mod distinct;
pub mod encoding;
pub mod error;
mod export;
mod json;
mod table;
mod xlsx;
mod zip;

pub(crate) use distinct::comparable;
pub use encoding::{detect_encoding, Detected, Doubt, TextEncoding};
pub use error::{ErrorKind, ExportError, ExportErrorKind, ReadError, RefError, RowError};
pub use export::{reference_parts, Entry, Export, Format};
pub use table::{
    open_sheet, open_table, open_table_with, sheet_names, sheets, ReadOptions, SourceRow,
    TableReader,
};
pub use zip::Limits;

/// Title lines a report-style table (a CSV or a sheet) may print above its header.
const MOST_PREAMBLE: usize = 10;
