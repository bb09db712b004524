//! Error values of the reader layer.
//!
//! Every problem is a value that names where it happened (file, row, field) so that the
//! migration ledger can show a person exactly which cell to fix. None of these are panics.

use std::fmt;

/// What went wrong while reading a table. Row-level kinds leave the rest of the file
/// readable; see [`ErrorKind::is_row_level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The operating system refused a read.
    Io,
    /// The file holds no data at all (not even a header row).
    EmptyFile,
    /// The bytes are text, but in an encoding we cannot identify with confidence.
    UnknownEncoding,
    /// The file is not text (an image, an archive, random bytes...).
    BinaryContent,
    /// Bytes that are invalid in the file's detected encoding.
    InvalidEncoding,
    /// A NUL byte inside a field.
    NulByte,
    /// A byte-order mark in the middle of the file, usually two exports glued together.
    MidFileBom,
    /// A field longer than the configured limit.
    FieldTooLarge,
    /// A row with fewer fields than the header.
    TooFewFields,
    /// A row with more fields than the header.
    TooManyFields,
    /// A quoted field that is still open when the file ends.
    UnterminatedQuote,
    /// A header cell with no name; the column was given one (reported, not fatal).
    BlankHeader,
    /// A header name used twice; the later column was renamed (reported, not fatal).
    DuplicateHeader,
    /// Title lines above the header (a report's name, when it was printed), skipped
    /// (reported, not fatal).
    Preamble,
    /// An XLSX workbook that cannot be opened or parsed.
    CorruptXlsx,
    /// The requested worksheet does not exist.
    SheetNotFound,
    /// Malformed JSON.
    InvalidJson,
    /// JSON whose top level is not an array of objects.
    NotArrayOfObjects,
    /// A JSON array element or JSONL line that is not an object.
    NotAnObject,
    /// A JSON object bigger than the configured limit.
    ObjectTooLarge,
    /// A JSON object nested deeper than the reader follows.
    TooDeep,
    /// A JSON object with the same key twice, holding different values.
    DuplicateKey,
    /// The entry is not a table (a document, an email...).
    UnsupportedFormat,
}

impl ErrorKind {
    /// True when the problem concerns one row and the rows after it can still be read.
    pub fn is_row_level(self) -> bool {
        matches!(
            self,
            ErrorKind::InvalidEncoding
                | ErrorKind::NulByte
                | ErrorKind::MidFileBom
                | ErrorKind::FieldTooLarge
                | ErrorKind::TooFewFields
                | ErrorKind::TooManyFields
                | ErrorKind::NotAnObject
                | ErrorKind::ObjectTooLarge
                | ErrorKind::TooDeep
                | ErrorKind::DuplicateKey
                | ErrorKind::InvalidJson
        )
    }
}

/// A reading problem with its location. Used for file-level failures (opening a table)
/// and for row-level failures (yielded in place of a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub kind: ErrorKind,
    /// Path of the file relative to the export root (with `#Sheet` for a worksheet).
    pub file: String,
    /// Spreadsheet row number: the header is row 1.
    pub row: Option<u64>,
    /// Column header of the field concerned, when one applies.
    pub field: Option<String>,
    /// Plain-English explanation meant for the person fixing the export.
    pub message: String,
}

/// Row-level problems use the same shape as file-level ones.
pub type RowError = ReadError;

impl ReadError {
    pub fn new(kind: ErrorKind, file: impl Into<String>, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            file: file.into(),
            row: None,
            field: None,
            message: message.into(),
        }
    }

    pub fn at_row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn io(file: &str, err: &std::io::Error) -> Self {
        ReadError::new(
            ErrorKind::Io,
            file,
            format!("could not read the file: {err}"),
        )
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field \"{field}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ReadError {}

/// Why an export (folder or zip) could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportErrorKind {
    Io,
    /// The path is neither a folder nor a zip archive.
    NotAnExport,
    /// The zip archive is truncated or malformed.
    CorruptZip,
    /// An entry name that would land outside the working folder (`..`, absolute, drive).
    UnsafeEntryPath,
    /// A symbolic link inside the archive.
    SymlinkEntry,
    /// Two entries with the same name.
    DuplicateEntry,
    /// An encrypted entry we cannot read.
    EncryptedEntry,
    TooManyEntries,
    /// One entry unpacks to more than `max_entry_bytes`.
    EntryTooLarge,
    /// The archive unpacks to more than `max_total_bytes`.
    TotalTooLarge,
    /// The archive expands far more than real exports do (a zip bomb).
    CompressionRatio,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub kind: ExportErrorKind,
    /// The export's file or folder name as given.
    pub export: String,
    /// The archive entry concerned, when one applies.
    pub entry: Option<String>,
    pub message: String,
}

impl ExportError {
    pub(crate) fn new(
        kind: ExportErrorKind,
        export: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ExportError {
            kind,
            export: export.into(),
            entry: None,
            message: message.into(),
        }
    }

    pub(crate) fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into());
        self
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.export)?;
        if let Some(entry) = &self.entry {
            write!(f, ", entry \"{entry}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ExportError {}

/// Why a document or email path named in a row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("the reference is empty")]
    Empty,
    #[error("\"{0}\" is an absolute path; references must be relative to the export folder")]
    Absolute(String),
    #[error(
        "\"{0}\" starts with a drive letter; references must be relative to the export folder"
    )]
    DriveLetter(String),
    #[error("\"{0}\" uses \"..\" to leave the export folder")]
    Traversal(String),
    #[error("\"{0}\" contains a NUL byte")]
    InvalidCharacter(String),
    #[error("\"{0}\" is not in the export")]
    Missing(String),
    #[error("\"{0}\" is a folder, not a file")]
    NotAFile(String),
    #[error("\"{0}\" leads outside the export folder through a link")]
    EscapesExport(String),
}
