//! XLSX workbooks: each worksheet is its own table named "file.xlsx#Sheet".
//!
//! calamine loads one worksheet's cells at a time. That is bounded by Excel's own sheet
//! limits, unlike CSV, and keeps this reader simple.

use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};

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

/// Reader over one worksheet.
pub struct SheetTable {
    name: String,
    headers: Vec<String>,
    header_issues: Vec<ReadError>,
    range: Range<Data>,
    /// Sheet row number of the range's first row.
    first_row: u64,
    /// Index (within the range) of the next row to read.
    next: usize,
    has_rows: bool,
}

impl SheetTable {
    pub(crate) fn open(
        path: &Path,
        file: &str,
        sheet: &str,
        _opts: &ReadOptions,
    ) -> Result<SheetTable, ReadError> {
        let name = format!("{file}#{sheet}");
        let mut book: Xlsx<_> = open_workbook(path).map_err(|e| corrupt(file, e))?;
        if !book.sheet_names().iter().any(|s| s == sheet) {
            return Err(ReadError::new(
                ErrorKind::SheetNotFound,
                file,
                format!("the workbook has no sheet named \"{sheet}\""),
            ));
        }
        let range = book.worksheet_range(sheet).map_err(|e| corrupt(&name, e))?;
        let first_row = range.start().map(|(r, _)| u64::from(r) + 1).unwrap_or(1);
        let mut rows = range.rows();
        let header_cells = rows.next().ok_or_else(|| {
            ReadError::new(ErrorKind::EmptyFile, name.clone(), "the sheet is empty")
        })?;
        let mut text = String::new();
        let raw: Vec<String> = header_cells
            .iter()
            .map(|c| {
                cell_text(c, &mut text);
                text.clone()
            })
            .collect();
        let (headers, header_issues) = normalize_headers(raw, &name);
        let has_rows = rows.any(|r| r.iter().any(|c| *c != Data::Empty));
        Ok(SheetTable {
            name,
            headers,
            header_issues,
            range,
            first_row,
            next: 1,
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
        loop {
            let index = self.next;
            if index >= self.range.height() {
                return None;
            }
            self.next += 1;
            // Cells by position: `rows().nth(i)` walks from the top each time (quadratic).
            let width = self.range.width();
            let empty = (0..width).all(|c| matches!(self.range.get((index, c)), None | Some(Data::Empty)));
            // Rows with nothing in them are spacing, not records.
            if empty {
                continue;
            }
            row.row = self.first_row + index as u64;
            row.values.truncate(width);
            while row.values.len() < width {
                row.values.push(String::new());
            }
            for (c, value) in row.values.iter_mut().enumerate() {
                match self.range.get((index, c)) {
                    Some(cell) => cell_text(cell, value),
                    None => value.clear(),
                }
            }
            return Some(Ok(()));
        }
    }
}
