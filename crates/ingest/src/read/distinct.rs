//! One table's rows read as the distinct records some of its columns write: a matter list
//! whose every row carries its client's name, email and phone holds each client once, on
//! the first row that names it (see [`crate::derive`]).
//!
//! Rows are grouped by their key. A later row of a group is merged into the group's first
//! when the two agree wherever both have a value; it may fill what the first left empty. A
//! row that disagrees (another email for the same client) stays a row of its own, so the
//! load rejects it as a second record with the same id and the report shows its values:
//! nothing is dropped or changed silently. A row that names no record (its key is empty)
//! writes none: its own table's mapping reads it.

use std::collections::HashMap;

use super::{ReadError, SourceRow, TableReader};

/// The rows of a table, each record once.
pub(super) struct Distinct {
    pub(super) source: TableReader,
    rows: std::vec::IntoIter<SourceRow>,
    /// A problem that ended the source: given after the rows read before it.
    stopped: Option<ReadError>,
}

impl Distinct {
    /// Reads `source` whole. `columns` are the positions of the columns the records are
    /// made of, `key` those of the key among them (empty: every column is the key).
    pub(super) fn read(mut source: TableReader, columns: &[usize], key: &[usize]) -> Distinct {
        let mut rows: Vec<SourceRow> = Vec::new();
        let mut firsts: HashMap<Vec<String>, usize> = HashMap::new();
        let mut stopped = None;
        let mut row = SourceRow::default();
        while let Some(read) = source.read_into(&mut row) {
            match read {
                Ok(()) => {}
                // The source table's own reading reports the rows it cannot read.
                Err(e) if e.kind.is_row_level() => continue,
                Err(e) => {
                    stopped = Some(e);
                    break;
                }
            }
            let cell = |i: usize| row.values.get(i).map_or(String::new(), |v| plain(v));
            let key_of: Vec<String> = if key.is_empty() { columns } else { key }
                .iter()
                .map(|&i| cell(i))
                .collect();
            // A row that names no record writes none: its own table's mapping reads it.
            if key_of.iter().all(String::is_empty) {
                continue;
            }
            // A record named in part cannot be merged with anything: the load says why.
            let keyless = key_of.iter().any(String::is_empty);
            if let Some(&first) = firsts.get(&key_of).filter(|_| !keyless) {
                if let Some(kept) = rows.get_mut(first) {
                    if merge(kept, &row.values, columns) {
                        continue;
                    }
                }
            }
            // Only the columns records are made of are kept: a row of a wide file costs
            // no more than its record.
            let values = (0..row.values.len())
                .map(|i| match columns.contains(&i) {
                    true => row.values.get(i).cloned().unwrap_or_default(),
                    false => String::new(),
                })
                .collect();
            if !keyless {
                firsts.entry(key_of).or_insert(rows.len());
            }
            rows.push(SourceRow {
                row: row.row,
                values,
            });
        }
        Distinct {
            source,
            rows: rows.into_iter(),
            stopped,
        }
    }

    pub(super) fn has_rows(&self) -> bool {
        self.rows.len() > 0
    }

    pub(super) fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        match self.rows.next() {
            Some(next) => {
                *row = next;
                Some(Ok(()))
            }
            None => self.stopped.take().map(Err),
        }
    }
}

/// A value as records compare: trimmed, runs of spaces as one.
fn plain(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value as two rows of one record compare it: its letters and digits, in lower case
/// ("617.943.7178" is "(617) 943-7178").
pub(crate) fn comparable(v: &str) -> String {
    v.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Merges `row` into `kept` when they agree wherever both have a value, filling what
/// `kept` left empty; false, and `kept` unchanged, when they disagree.
fn merge(kept: &mut SourceRow, row: &[String], columns: &[usize]) -> bool {
    let value =
        |values: &[String], i: usize| values.get(i).map_or(String::new(), |v| comparable(v));
    let agree = columns.iter().all(|&i| {
        let (a, b) = (value(&kept.values, i), value(row, i));
        a.is_empty() || b.is_empty() || a == b
    });
    if agree {
        for &i in columns {
            let empty = kept.values.get(i).is_none_or(|v| v.trim().is_empty());
            if let (true, Some(v)) = (empty, row.get(i)) {
                if kept.values.len() <= i {
                    kept.values.resize(i + 1, String::new());
                }
                kept.values[i] = v.clone();
            }
        }
    }
    agree
}
