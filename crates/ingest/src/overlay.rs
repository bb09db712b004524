//! Corrected rejects laid over a source table: the table written again as CSV with the
//! same headers and the same rows in the same order (so every row keeps its row number),
//! where each row the person corrected is replaced by its corrected cells.
//!
//! The corrections file is the rejects CSV of the table (`report::csv::rejects_csv`): the
//! table's columns, then `source_row`, `field`, `code`, `reason`. Those four are dropped;
//! `source_row` says which row a line replaces. A line whose cells equal the original row
//! is not a correction and changes nothing, so a person may send the whole file back
//! having fixed only some lines. Cells the rejects file neutralised against spreadsheet
//! formulas (a `'` before `=`, `+`, `-`, `@`) are read back without the `'`.
//!
//! A row the reader could not read at all (too few fields, a NUL byte...) has no cells to
//! copy; unless corrected it is written as a one-cell row, which the reader refuses again,
//! so it stays rejected.

use std::collections::BTreeMap;
use std::io::Write;

use crate::read::{ReadError, SourceRow, TableReader};

/// The extra columns of a rejects file, after the table's own.
pub const REJECT_COLUMNS: [&str; 4] = ["source_row", "field", "code", "reason"];

#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("corrections file: {0}")]
    Corrections(String),
    #[error("writing the corrected table: {0}")]
    Write(String),
}

/// What an overlay did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverlaySummary {
    /// Data rows written (the same as the original's).
    pub rows: u64,
    /// Source rows replaced by a correction.
    pub corrected: Vec<u64>,
    /// Lines of the corrections file equal to the original row (not corrections).
    pub unchanged: Vec<u64>,
}

/// Undoes the rejects file's formula neutralisation.
fn restore(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// Reads the corrections: source row → cells in the order of `headers`.
fn read_corrections(
    corrections: &mut TableReader,
    headers: &[String],
) -> Result<BTreeMap<u64, Vec<String>>, OverlayError> {
    let name = corrections.name().to_string();
    let columns = corrections.headers().to_vec();
    let find = |h: &str| columns.iter().position(|c| c == h);
    let row_col = find(REJECT_COLUMNS[0]).ok_or_else(|| {
        OverlayError::Corrections(format!(
            "{name} has no source_row column; send the rejects file of one table back with its columns"
        ))
    })?;
    for c in &columns {
        if !headers.contains(c) && !REJECT_COLUMNS.contains(&c.as_str()) {
            return Err(OverlayError::Corrections(format!(
                "{name}: column \"{c}\" is not a column of the table (its columns are {})",
                headers.join(", ")
            )));
        }
    }
    let positions: Vec<Option<usize>> = headers.iter().map(|h| find(h)).collect();
    let mut out = BTreeMap::new();
    while let Some(line) = corrections.next_row() {
        let line = line?;
        let cell = |i: usize| line.values.get(i).map(String::as_str).unwrap_or("");
        let source_row: u64 = cell(row_col).trim().parse().map_err(|_| {
            OverlayError::Corrections(format!(
                "{name} row {}: source_row {:?} is not a row number",
                line.row,
                cell(row_col)
            ))
        })?;
        let cells = positions
            .iter()
            .map(|p| p.map(|i| restore(cell(i))).unwrap_or_default())
            .collect();
        if out.insert(source_row, cells).is_some() {
            return Err(OverlayError::Corrections(format!(
                "{name} row {}: source row {source_row} is corrected twice",
                line.row
            )));
        }
    }
    Ok(out)
}

/// Writes CSV records, padding with blank lines so that each row starts on the line its row
/// number names, as it did in the original (row numbers are physical lines).
struct Lines<W: Write> {
    out: W,
    delimiter: u8,
    /// The line the next record starts on.
    next: u64,
}

impl<W: Write> Lines<W> {
    fn write<I, T>(&mut self, at: Option<u64>, cells: I) -> Result<(), OverlayError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let werr = |e: std::io::Error| OverlayError::Write(e.to_string());
        if let Some(at) = at {
            while self.next < at {
                self.out.write_all(b"\n").map_err(werr)?;
                self.next += 1;
            }
        }
        let mut w = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .from_writer(Vec::new());
        w.write_record(cells)
            .map_err(|e| OverlayError::Write(e.to_string()))?;
        let bytes = w
            .into_inner()
            .map_err(|e| OverlayError::Write(e.to_string()))?;
        self.next += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        self.out.write_all(&bytes).map_err(werr)
    }
}

/// Writes `original` to `out` as CSV (`delimiter` between cells) with each corrected row
/// substituted. Every source row named by a correction must exist in the original.
pub fn overlay<W: Write>(
    original: &mut TableReader,
    corrections: &mut TableReader,
    delimiter: u8,
    out: W,
) -> Result<OverlaySummary, OverlayError> {
    let headers = original.headers().to_vec();
    let mut fixes = read_corrections(corrections, &headers)?;
    let mut w = Lines {
        out,
        delimiter,
        next: 1,
    };
    w.write(None, &headers)?;
    let mut summary = OverlaySummary::default();
    let mut row = SourceRow::default();
    let mut next_row = 2;
    loop {
        let read = match original.read_into(&mut row) {
            None => break,
            Some(r) => r,
        };
        // A refused row's number comes with its error; a read row's in `row`.
        let (number, values) = match read {
            Ok(()) => (row.row, Some(&row.values)),
            Err(e) => (e.row.unwrap_or(next_row), None),
        };
        next_row = number + 1;
        summary.rows += 1;
        let at = Some(number);
        match (fixes.remove(&number), values) {
            (Some(cells), Some(v)) if cells == *v => {
                summary.unchanged.push(number);
                w.write(at, v)?;
            }
            (Some(cells), None) if cells.iter().all(|c| c.is_empty()) => {
                summary.unchanged.push(number);
                w.write(at, [""])?;
            }
            (Some(cells), _) => {
                summary.corrected.push(number);
                w.write(at, &cells)?;
            }
            (None, Some(v)) => w.write(at, v)?,
            (None, None) => w.write(at, [""])?,
        }
    }
    if let Some((row, _)) = fixes.into_iter().next() {
        return Err(OverlayError::Corrections(format!(
            "source row {row} is not a row of {} (it has {} data rows)",
            original.name(),
            summary.rows
        )));
    }
    w.out
        .flush()
        .map_err(|e| OverlayError::Write(e.to_string()))?;
    Ok(summary)
}
