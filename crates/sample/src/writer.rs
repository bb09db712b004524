//! Table writers for the export's files: CSV in the encodings and delimiters legacy systems
//! use, XLSX, and JSON lines. Each writes a row as soon as it is given one.

use crate::error::SampleError;
use migrationai_domain::Kind;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Format {
    Csv {
        delimiter: u8,
        encoding: TextEncoding,
        /// Windows exports end lines with CR LF.
        crlf: bool,
    },
    Xlsx {
        sheet: &'static str,
    },
    Jsonl,
}

/// One column of a file: the vendor's header and the canonical field it holds, or `None` for
/// a vendor column that maps to nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub header: &'static str,
    pub field: Option<&'static str>,
}

pub(crate) const fn col(header: &'static str, field: &'static str) -> Column {
    Column {
        header,
        field: Some(field),
    }
}

pub(crate) const fn extra(header: &'static str) -> Column {
    Column {
        header,
        field: None,
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct FileSpec {
    pub path: &'static str,
    pub kind: Kind,
    pub format: Format,
    pub columns: &'static [Column],
    /// Whether dates are written month first (US), which the reader must be told or infer.
    pub us_dates: bool,
}

impl FileSpec {
    pub fn encoding_label(&self) -> Option<&'static str> {
        match self.format {
            Format::Csv { encoding, .. } => Some(encoding.label()),
            Format::Jsonl => Some(TextEncoding::Utf8.label()),
            Format::Xlsx { .. } => None,
        }
    }

    pub fn delimiter_label(&self) -> Option<String> {
        match self.format {
            Format::Csv { delimiter, .. } => Some((delimiter as char).to_string()),
            _ => None,
        }
    }

    /// The row number a spreadsheet shows for the `index`-th data row (0-based): the header
    /// is row 1. JSON lines have no header, so a record's row is its line number.
    pub fn row_number(&self, index: usize) -> usize {
        match self.format {
            Format::Jsonl => index + 1,
            _ => index + 2,
        }
    }
}

/// Transcodes the UTF-8 the CSV writer produces into Windows-1252 as it passes through.
struct Win1252<W: Write> {
    inner: W,
    /// The start of a character split across two writes.
    pending: Vec<u8>,
}

impl<W: Write> Write for Win1252<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let text = std::str::from_utf8(&self.pending[..valid])
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        if unmappable {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("text not representable in Windows-1252: {text:?}"),
            ));
        }
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

enum Inner {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Xlsx {
        workbook: Box<Workbook>,
        path: PathBuf,
        next_row: u32,
    },
    Jsonl(BufWriter<File>),
}

pub(crate) struct TableWriter {
    spec: FileSpec,
    inner: Inner,
    rows: usize,
    /// The row number of the next row (see [`TableWriter::next_row_number`]).
    next_line: usize,
    line: String,
}

impl TableWriter {
    pub fn create(root: &Path, spec: FileSpec) -> Result<TableWriter, SampleError> {
        let path = root.join(spec.path);
        let headers: Vec<&str> = spec.columns.iter().map(|c| c.header).collect();
        let inner = match spec.format {
            Format::Csv {
                delimiter,
                encoding,
                crlf,
            } => {
                let mut file = BufWriter::with_capacity(1 << 16, File::create(&path)?);
                let sink: Box<dyn Write> = match encoding {
                    TextEncoding::Utf8 => Box::new(file),
                    TextEncoding::Utf8Bom => {
                        file.write_all(b"\xEF\xBB\xBF")?;
                        Box::new(file)
                    }
                    TextEncoding::Windows1252 => Box::new(Win1252 {
                        inner: file,
                        pending: Vec::new(),
                    }),
                };
                let mut w = csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .terminator(if crlf {
                        csv::Terminator::CRLF
                    } else {
                        csv::Terminator::Any(b'\n')
                    })
                    .from_writer(sink);
                w.write_record(&headers)?;
                Inner::Csv(Box::new(w))
            }
            Format::Xlsx { sheet } => {
                let mut workbook = Box::new(Workbook::new());
                // A fixed creation date keeps the file byte-identical between runs.
                let created = ExcelDateTime::from_ymd(2024, 12, 31)?;
                workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
                let ws = workbook.add_worksheet_with_constant_memory();
                ws.set_name(sheet)?;
                for (i, h) in headers.iter().enumerate() {
                    ws.write_string(0, col_num(i)?, *h)?;
                }
                Inner::Xlsx {
                    workbook,
                    path,
                    next_row: 1,
                }
            }
            Format::Jsonl => Inner::Jsonl(BufWriter::with_capacity(1 << 16, File::create(&path)?)),
        };
        Ok(TableWriter {
            spec,
            inner,
            rows: 0,
            next_line: spec.row_number(0),
            line: String::new(),
        })
    }

    /// The row number the next row will have: its physical line in a text file (a value
    /// with line breaks takes several), its sheet row in a workbook.
    pub fn next_row_number(&self) -> usize {
        self.next_line
    }

    pub fn spec(&self) -> &FileSpec {
        &self.spec
    }

    pub fn write(&mut self, cells: &[String]) -> Result<(), SampleError> {
        if cells.len() != self.spec.columns.len() {
            return Err(SampleError::Internal(format!(
                "{}: {} cells for {} columns",
                self.spec.path,
                cells.len(),
                self.spec.columns.len()
            )));
        }
        match &mut self.inner {
            Inner::Csv(w) => {
                w.write_record(cells)?;
                // A quoted value keeps its line breaks, and each one starts a new line.
                self.next_line += cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
            }
            Inner::Xlsx {
                workbook, next_row, ..
            } => {
                let ws = workbook.worksheet_from_index(0)?;
                for (i, cell) in cells.iter().enumerate() {
                    if !cell.is_empty() {
                        ws.write_string(*next_row, col_num(i)?, cell.as_str())?;
                    }
                }
                *next_row += 1;
            }
            Inner::Jsonl(w) => {
                self.line.clear();
                self.line.push('{');
                for (i, (c, v)) in self.spec.columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        self.line.push(',');
                    }
                    self.line.push_str(&serde_json::to_string(c.header)?);
                    self.line.push(':');
                    self.line.push_str(&serde_json::to_string(v)?);
                }
                self.line.push_str("}\n");
                w.write_all(self.line.as_bytes())?;
            }
        }
        self.rows += 1;
        self.next_line += 1;
        Ok(())
    }

    /// Flushes and closes the file; returns the number of data rows written.
    pub fn finish(self) -> Result<usize, SampleError> {
        match self.inner {
            Inner::Csv(mut w) => w.flush()?,
            Inner::Xlsx {
                mut workbook, path, ..
            } => workbook.save(&path)?,
            Inner::Jsonl(mut w) => w.flush()?,
        }
        Ok(self.rows)
    }
}

fn col_num(i: usize) -> Result<u16, SampleError> {
    u16::try_from(i).map_err(|_| SampleError::Internal("too many columns".into()))
}
