//! The common face of every tabular format: headers plus numbered rows.

use std::collections::HashSet;

use super::csv::CsvTable;
use super::distinct::Distinct;
use super::encoding::{Doubt, TextEncoding};
use super::error::{ErrorKind, ReadError};
use super::export::{Entry, Export, Format};
use super::json::{JsonTable, JsonlTable};
use super::xlsx::SheetTable;

/// Limits that keep memory bounded whatever the input.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// A field longer than this is reported and skipped (default 1 MiB).
    pub max_field_bytes: usize,
    /// Fields kept per row; more is reported as a ragged row (default 16,384).
    pub max_fields: usize,
    /// A JSON object (array element or JSONL line) larger than this is reported and
    /// skipped (default 16 MiB).
    pub max_object_bytes: usize,
    /// Distinct column names collected from a JSON/JSONL file (default 4,096).
    pub max_json_columns: usize,
    /// The text encoding to read in, as the mapping or `--encoding` pins it; `None`: detect.
    pub encoding: Option<TextEncoding>,
    /// Read a file whose detected encoding is in doubt with the likelier one (to propose a
    /// mapping, which then asks) instead of refusing it.
    pub guess_encoding: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_field_bytes: 1 << 20,
            max_fields: 16 * 1024,
            max_object_bytes: 16 << 20,
            max_json_columns: 4096,
            encoding: None,
            guess_encoding: false,
        }
    }
}

/// One data row. `row` is the spreadsheet row number (the header is row 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRow {
    pub row: u64,
    pub values: Vec<String>,
}

/// Renames blank and duplicate header cells so every column has a unique name, and reports
/// each rename.
pub(crate) fn normalize_headers(raw: Vec<String>, file: &str) -> (Vec<String>, Vec<ReadError>) {
    let mut issues = Vec::new();
    let mut seen: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut out = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let name = name.strip_suffix('\r').map(str::to_string).unwrap_or(name);
        let mut chosen = if name.trim().is_empty() {
            let given = format!("column {}", i + 1);
            issues.push(
                ReadError::new(
                    ErrorKind::BlankHeader,
                    file,
                    format!(
                        "column {} has no header name; it was named \"{given}\"",
                        i + 1
                    ),
                )
                .at_row(1)
                .in_field(given.clone()),
            );
            given
        } else {
            name
        };
        if seen.contains(&chosen) {
            let original = chosen.clone();
            let mut n = 2;
            while seen.contains(&format!("{original} ({n})")) {
                n += 1;
            }
            chosen = format!("{original} ({n})");
            issues.push(
                ReadError::new(
                    ErrorKind::DuplicateHeader,
                    file,
                    format!(
                        "the header \"{original}\" appears more than once; column {} was \
                         renamed \"{chosen}\"",
                        i + 1
                    ),
                )
                .at_row(1)
                .in_field(original),
            );
        }
        seen.insert(chosen.clone());
        out.push(chosen);
    }
    (out, issues)
}

enum Inner {
    // Boxed: the CSV reader carries its parse buffers inline.
    Csv(Box<CsvTable>),
    Sheet(SheetTable),
    Json(JsonTable),
    Jsonl(JsonlTable),
    Distinct(Box<Distinct>),
}

/// A table being read: headers, then rows one at a time.
pub struct TableReader {
    inner: Inner,
}

impl TableReader {
    /// This table's rows as the distinct records the columns at `columns` write, keyed by
    /// the columns at `key` (see [`super::distinct`]). Reads the table whole.
    pub fn distinct(self, columns: &[usize], key: &[usize]) -> TableReader {
        TableReader {
            inner: Inner::Distinct(Box::new(Distinct::read(self, columns, key))),
        }
    }

    /// File name (relative to the export root); for a worksheet "file.xlsx#Sheet".
    pub fn name(&self) -> &str {
        match &self.inner {
            Inner::Csv(t) => t.name(),
            Inner::Sheet(t) => t.name(),
            Inner::Json(t) => t.name(),
            Inner::Jsonl(t) => t.name(),
            Inner::Distinct(d) => d.source.name(),
        }
    }

    /// Column names, unique and non-blank (see [`TableReader::header_issues`]).
    pub fn headers(&self) -> &[String] {
        match &self.inner {
            Inner::Csv(t) => t.headers(),
            Inner::Sheet(t) => t.headers(),
            Inner::Json(t) => t.headers(),
            Inner::Jsonl(t) => t.headers(),
            Inner::Distinct(d) => d.source.headers(),
        }
    }

    /// Blank or duplicate header names that were renamed.
    pub fn header_issues(&self) -> &[ReadError] {
        match &self.inner {
            Inner::Csv(t) => t.header_issues(),
            Inner::Sheet(t) => t.header_issues(),
            // The source table's own reading reports its header.
            Inner::Json(_) | Inner::Jsonl(_) | Inner::Distinct(_) => &[],
        }
    }

    /// Source text encoding: "UTF-8", "UTF-8 with BOM", "UTF-16LE with BOM",
    /// "UTF-16BE with BOM", "UTF-16LE", "UTF-16BE", "windows-1252". XLSX reports "UTF-8".
    pub fn encoding(&self) -> &'static str {
        match &self.inner {
            Inner::Csv(t) => t.encoding().label(),
            Inner::Sheet(_) => "UTF-8",
            Inner::Json(t) => t.encoding().label(),
            Inner::Jsonl(t) => t.encoding().label(),
            Inner::Distinct(d) => d.source.encoding(),
        }
    }

    /// The encoding read in, as a value (see [`TableReader::encoding`] for its label).
    pub fn encoding_kind(&self) -> TextEncoding {
        match &self.inner {
            Inner::Csv(t) => t.encoding(),
            Inner::Sheet(_) => TextEncoding::Utf8,
            Inner::Json(t) => t.encoding(),
            Inner::Jsonl(t) => t.encoding(),
            Inner::Distinct(d) => d.source.encoding_kind(),
        }
    }

    /// Why the encoding read in is uncertain, when the table was opened with
    /// [`ReadOptions::guess_encoding`] and the evidence did not settle it.
    pub fn encoding_doubt(&self) -> Option<&Doubt> {
        match &self.inner {
            Inner::Csv(t) => t.encoding_doubt(),
            Inner::Json(t) => t.encoding_doubt(),
            Inner::Jsonl(t) => t.encoding_doubt(),
            Inner::Sheet(_) => None,
            Inner::Distinct(d) => d.source.encoding_doubt(),
        }
    }

    /// The field delimiter of a delimited text file.
    pub fn delimiter(&self) -> Option<u8> {
        match &self.inner {
            Inner::Csv(t) => Some(t.delimiter()),
            Inner::Distinct(d) => d.source.delimiter(),
            _ => None,
        }
    }

    /// False for a header-only table (zero data rows). Known as soon as the table opens.
    pub fn has_rows(&self) -> bool {
        match &self.inner {
            Inner::Csv(t) => t.has_rows(),
            Inner::Sheet(t) => t.has_rows(),
            Inner::Json(t) => t.has_rows(),
            Inner::Jsonl(t) => t.has_rows(),
            Inner::Distinct(d) => d.has_rows(),
        }
    }

    /// Reads the next row into `row`, reusing its allocations. `None` at the end.
    /// An `Err` concerns that row only unless its kind is not row-level, in which case it
    /// is the last item.
    pub fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        match &mut self.inner {
            Inner::Csv(t) => t.read_into(row),
            Inner::Sheet(t) => t.read_into(row),
            Inner::Json(t) => t.read_into(row),
            Inner::Jsonl(t) => t.read_into(row),
            Inner::Distinct(d) => d.read_into(row),
        }
    }

    /// Reads the next row as a fresh value.
    pub fn next_row(&mut self) -> Option<Result<SourceRow, ReadError>> {
        let mut row = SourceRow::default();
        self.read_into(&mut row).map(|r| r.map(|()| row))
    }
}

impl Iterator for TableReader {
    type Item = Result<SourceRow, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row()
    }
}

/// Opens a table entry with default limits. For a workbook, this is its first sheet.
pub fn open_table(export: &Export, entry: &Entry) -> Result<TableReader, ReadError> {
    open_table_with(export, entry, &ReadOptions::default())
}

/// Opens a table entry with explicit limits. For a workbook, this is its first sheet.
pub fn open_table_with(
    export: &Export,
    entry: &Entry,
    opts: &ReadOptions,
) -> Result<TableReader, ReadError> {
    let path = export.entry_path(entry);
    let name = entry.path.as_str();
    let inner = match entry.format {
        Format::Csv => Inner::Csv(Box::new(CsvTable::open(
            &path,
            name,
            opts,
            name.to_ascii_lowercase().ends_with(".tsv"),
        )?)),
        Format::Xlsx => {
            let sheets = super::xlsx::sheet_names(&path, name)?;
            let first = sheets.first().ok_or_else(|| {
                ReadError::new(
                    ErrorKind::CorruptXlsx,
                    name,
                    "the workbook has no worksheets",
                )
            })?;
            Inner::Sheet(SheetTable::open(&path, name, first, opts)?)
        }
        Format::Json => Inner::Json(JsonTable::open(&path, name, opts)?),
        Format::Jsonl => Inner::Jsonl(JsonlTable::open(&path, name, opts)?),
        Format::Eml | Format::Other => {
            return Err(ReadError::new(
                ErrorKind::UnsupportedFormat,
                name,
                "this file is not a table (CSV, XLSX, JSON or JSONL)",
            ))
        }
    };
    Ok(TableReader { inner })
}

/// Worksheet names of a workbook entry, in workbook order.
pub fn sheet_names(export: &Export, entry: &Entry) -> Result<Vec<String>, ReadError> {
    if entry.format != Format::Xlsx {
        return Err(ReadError::new(
            ErrorKind::UnsupportedFormat,
            entry.path.as_str(),
            "only XLSX workbooks have sheets",
        ));
    }
    super::xlsx::sheet_names(&export.entry_path(entry), &entry.path)
}

/// The sheets of a workbook entry in workbook order, each with whether it is hidden.
pub fn sheets(export: &Export, entry: &Entry) -> Result<Vec<(String, bool)>, ReadError> {
    if entry.format != Format::Xlsx {
        return Err(ReadError::new(
            ErrorKind::UnsupportedFormat,
            entry.path.as_str(),
            "only XLSX workbooks have sheets",
        ));
    }
    super::xlsx::sheets(&export.entry_path(entry), &entry.path)
}

/// Opens one worksheet of a workbook entry as a table named "file.xlsx#Sheet".
pub fn open_sheet(
    export: &Export,
    entry: &Entry,
    sheet: &str,
    opts: &ReadOptions,
) -> Result<TableReader, ReadError> {
    if entry.format != Format::Xlsx {
        return Err(ReadError::new(
            ErrorKind::UnsupportedFormat,
            entry.path.as_str(),
            "only XLSX workbooks have sheets",
        ));
    }
    let path = export.entry_path(entry);
    Ok(TableReader {
        inner: Inner::Sheet(SheetTable::open(&path, &entry.path, sheet, opts)?),
    })
}
