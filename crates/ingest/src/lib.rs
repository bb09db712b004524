//! Ingestion: reading exports (CSV, XLSX, JSON, ZIP), detecting encodings and, later,
//! profiling columns and proposing mappings. Pure over files and byte streams.

pub mod arithmetic;
pub mod by_name;
mod by_values;
pub mod clock;
pub mod columns;
pub mod country;
pub mod currency;
pub mod derive;
pub mod header;
pub mod inspect;
pub mod keys;
pub mod mapping;
pub mod minor_units;
pub mod overlay;
pub mod parallel;
pub mod question;
pub mod read;
pub mod separators;
pub mod serial_dates;
pub mod suggest;
pub mod tables;
pub mod transform;
pub mod undecided;
pub mod units;
pub mod years;

pub use read::{
    open_sheet, open_table, open_table_with, reference_parts, sheet_names, Entry, ErrorKind,
    Export, ExportError, ExportErrorKind, Format, Limits, ReadError, ReadOptions, RefError,
    RowError, SourceRow, TableReader, TextEncoding,
};
