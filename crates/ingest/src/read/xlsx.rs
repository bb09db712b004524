//! XLSX workbooks: each worksheet is its own table named "file.xlsx#Sheet".
//!
//! Sheets are streamed cell by cell (calamine's cell reader), so a workbook of a million rows
//! never sits in memory whole.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::{open_workbook, Data, Reader, Xlsx};

use super::error::{ErrorKind, ReadError};
use super::table::{normalize_headers, ReadOptions, SourceRow};

fn corrupt(file: &str, err: impl std::fmt::Display) -> ReadError {
    ReadError::new(
        ErrorKind::CorruptXlsx,
        file,
        format!("the workbook is damaged or not a real XLSX file: {err}"),
    )
}

pub(crate) fn sheet_names(path: &Path, file: &str) -> Result<Vec<String>, ReadError> {
    let book: Xlsx<_> = open_workbook(path).map_err(|e| corrupt(file, e))?;
    Ok(book.sheet_names())
}

/// The workbook's sheets in order, each with whether it is hidden (or very hidden) in Excel.
pub(crate) fn sheets(path: &Path, file: &str) -> Result<Vec<(String, bool)>, ReadError> {
    let book: Xlsx<_> = open_workbook(path).map_err(|e| corrupt(file, e))?;
    Ok(book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != calamine::SheetVisible::Visible))
        .collect())
}

/// Cell text as a person sees it, without the float noise of Excel's storage.
fn cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let _ = match cell {
        Data::Empty => Ok(()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Int(i) => write!(out, "{i}"),
        Data::Float(f) => write_number(out, *f),
        Data::Bool(b) => {
            out.push_str(if *b { "TRUE" } else { "FALSE" });
            Ok(())
        }
        Data::Error(e) => write!(out, "{e}"),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                let secs = (dt.as_f64() * 86_400.0).round() as i64;
                write!(
                    out,
                    "{}:{:02}:{:02}",
                    secs / 3600,
                    (secs / 60).rem_euclid(60),
                    secs.rem_euclid(60)
                )
            } else {
                match dt.as_datetime() {
                    Some(ndt) => {
                        use chrono::{Datelike, Timelike};
                        let (y, mo, d) = (ndt.year(), ndt.month(), ndt.day());
                        let (h, mi, s) = (ndt.hour(), ndt.minute(), ndt.second());
                        // Dates without a time stay dates; the domain layer decides zones.
                        if (h, mi, s) == (0, 0, 0) {
                            write!(out, "{y:04}-{mo:02}-{d:02}")
                        } else {
                            write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
                        }
                    }
                    None => write_number(out, dt.as_f64()),
                }
            }
        }
    };
}

fn write_number(out: &mut String, f: f64) -> std::fmt::Result {
    use std::fmt::Write;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        write!(out, "{}", f as i64)
    } else {
        write!(out, "{f}")
    }
}

/// Rows a worksheet's reading thread may run ahead of its consumer.
const ROWS_AHEAD: usize = 256;

type RowMessage = Result<(u64, Vec<String>), ReadError>;

/// Rows read to find the header below any title rows.
const SNIFF_ROWS: usize = 20;

/// How many rows come before the header, by their filled cells: the header is the first
/// row filled over more than half the widest row's cells, and every row above it must be
/// filled over at most half (a title in a cell or two) for them to be skipped.
fn preamble(filled: &[usize]) -> usize {
    let widest = filled.iter().copied().max().unwrap_or(0);
    match filled.iter().position(|f| f * 2 > widest) {
        Some(at) if at <= super::MOST_PREAMBLE && widest >= 2 => at,
        _ => 0,
    }
}

/// Reader over one worksheet, streamed: a thread walks the sheet's cells in order and hands
/// over one row at a time, so memory stays bounded by the shared strings, not the sheet.
pub struct SheetTable {
    name: String,
    headers: Vec<String>,
    header_issues: Vec<ReadError>,
    rows: Receiver<RowMessage>,
    /// Data rows read ahead: the first, to know whether there is one, and any read while
    /// looking for the header below title rows.
    ahead: VecDeque<RowMessage>,
    width: usize,
    has_rows: bool,
}

/// Walks the sheet's cells and sends each non-empty row with its sheet row number.
fn stream_rows(path: PathBuf, sheet: String, name: String, tx: SyncSender<RowMessage>) {
    let send_err = |e: ReadError| {
        let _ = tx.send(Err(e));
    };
    let mut book: Xlsx<_> = match open_workbook(&path) {
        Ok(b) => b,
        Err(e) => return send_err(corrupt(&name, e)),
    };
    let mut reader = match book.worksheet_cells_reader(&sheet) {
        Ok(r) => r,
        Err(e) => return send_err(corrupt(&name, e)),
    };
    let dims = reader.dimensions();
    let first_col = dims.start.1;
    // The sheet's own claim of its last row (1-based), to say how much a damaged sheet loses.
    let declared_last = u64::from(dims.end.0) + 1;
    let mut current: Option<u32> = None;
    let mut values: Vec<String> = Vec::new();
    let mut text = String::new();
    let flush = |row: u32, values: &mut Vec<String>| -> bool {
        if values.iter().all(|v| v.is_empty()) {
            values.clear();
            return true;
        }
        tx.send(Ok((u64::from(row) + 1, std::mem::take(values))))
            .is_ok()
    };
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                // Reading stops here: the error names the first row not read, and how many
                // the sheet says it had, so nothing after it goes missing without a word.
                // The row being read when the error came was never handed over.
                let from = current.map_or(1, |r| u64::from(r) + 1);
                let lost = if declared_last >= from {
                    format!(
                        "; the sheet declares {declared_last} rows, so rows {from} to \
                         {declared_last} ({} rows) were not read",
                        declared_last - from + 1
                    )
                } else {
                    format!("; no row from {from} on was read")
                };
                let mut e = corrupt(&name, e);
                e.message.push_str(&lost);
                return send_err(e.at_row(from));
            }
        };
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(r) = current {
                if !flush(r, &mut values) {
                    return;
                }
            }
            current = Some(row);
        }
        let index = col.saturating_sub(first_col) as usize;
        if values.len() <= index {
            values.resize(index + 1, String::new());
        }
        cell_text(&Data::from(cell.get_value().clone()), &mut text);
        values[index].clone_from(&text);
    }
    if let Some(r) = current {
        flush(r, &mut values);
    }
}

impl SheetTable {
    pub(crate) fn open(
        path: &Path,
        file: &str,
        sheet: &str,
        _opts: &ReadOptions,
    ) -> Result<SheetTable, ReadError> {
        let name = format!("{file}#{sheet}");
        let book: Xlsx<_> = open_workbook(path).map_err(|e| corrupt(file, e))?;
        if !book.sheet_names().iter().any(|s| s == sheet) {
            return Err(ReadError::new(
                ErrorKind::SheetNotFound,
                file,
                format!("the workbook has no sheet named \"{sheet}\""),
            ));
        }
        drop(book);
        let (tx, rows) = sync_channel(ROWS_AHEAD);
        let (p, s, n) = (path.to_path_buf(), sheet.to_string(), name.clone());
        std::thread::Builder::new()
            .name("xlsx-rows".into())
            .spawn(move || stream_rows(p, s, n, tx))
            .map_err(|e| {
                ReadError::new(ErrorKind::Io, file, format!("could not start reading: {e}"))
            })?;
        let mut ahead: VecDeque<RowMessage> = VecDeque::new();
        while ahead.len() < SNIFF_ROWS {
            match rows.recv() {
                Ok(Ok(row)) => ahead.push_back(Ok(row)),
                Ok(Err(e)) => {
                    ahead.push_back(Err(e));
                    break;
                }
                Err(_) => break,
            }
        }
        let filled: Vec<usize> = ahead
            .iter()
            .map_while(|m| m.as_ref().ok())
            .map(|(_, cells)| cells.iter().filter(|c| !c.trim().is_empty()).count())
            .collect();
        let preamble = preamble(&filled);
        let skipped: Vec<(u64, Vec<String>)> =
            ahead.drain(..preamble).filter_map(Result::ok).collect();
        let (header_row, raw) = match ahead.pop_front() {
            Some(first) => first?,
            None => {
                return Err(ReadError::new(
                    ErrorKind::EmptyFile,
                    name,
                    "the sheet is empty",
                ));
            }
        };
        let width = raw.len();
        let (headers, mut header_issues) = normalize_headers(raw, &name);
        if let Some((first, _)) = skipped.first() {
            let shown: Vec<String> = skipped
                .iter()
                .take(3)
                .map(|(_, cells)| {
                    let line: Vec<&str> = cells
                        .iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .collect();
                    format!(
                        "\"{}\"",
                        line.join(" ").chars().take(60).collect::<String>()
                    )
                })
                .collect();
            header_issues.push(
                ReadError::new(
                    ErrorKind::Preamble,
                    name.clone(),
                    format!(
                        "rows {first} to {} above the header hold no table ({}): skipped; the \
                         header is row {header_row}",
                        header_row - 1,
                        shown.join(", ")
                    ),
                )
                .at_row(header_row),
            );
        }
        if ahead.is_empty() {
            if let Ok(next) = rows.recv() {
                ahead.push_back(next);
            }
        }
        let has_rows = matches!(ahead.front(), Some(Ok(_)));
        Ok(SheetTable {
            name,
            headers,
            header_issues,
            rows,
            ahead,
            width,
            has_rows,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn headers(&self) -> &[String] {
        &self.headers
    }
    pub fn header_issues(&self) -> &[ReadError] {
        &self.header_issues
    }
    pub fn has_rows(&self) -> bool {
        self.has_rows
    }

    pub fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        let next = match self.ahead.pop_front() {
            Some(m) => m,
            None => self.rows.recv().ok()?,
        };
        let (number, mut values) = match next {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        row.row = number;
        if values.len() > self.width {
            let extra = values.len();
            return Some(Err(ReadError::new(
                ErrorKind::TooManyFields,
                self.name.clone(),
                format!(
                    "the row has cells in {extra} columns but the header has {}",
                    self.width
                ),
            )
            .at_row(number)
            .in_field(format!("column {extra}"))));
        }
        values.resize(self.width, String::new());
        row.values = values;
        Some(Ok(()))
    }
}
