//! The ground truth: what a correct migration of the sample must report. It is computed by
//! applying the migration's rules to the cells exactly as written, not from what the
//! generator meant to write, so accidental collisions and faults are counted too.

use crate::options::Size;
use crate::writer::{FileSpec, Format, TableWriter};
use migrationai_domain::record::{validate_row, RowContext};
use migrationai_domain::value::DateOrder;
use migrationai_domain::{kind_def, CanonicalRecord, FieldType, Kind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub size: Size,
    pub currency: String,
    /// Data files of the export by path relative to the export root.
    pub files: BTreeMap<String, FileTruth>,
    pub kinds: BTreeMap<Kind, KindCounts>,
    /// In processing order: by kind phase, then file row.
    pub rejects: Vec<Reject>,
    /// Loaded contacts that are one contact entered more than once, as the generator made
    /// them (an original and its re-entries); each group's ids sorted, the groups sorted.
    pub duplicate_groups: Vec<Vec<String>>,
    pub trust_by_project: BTreeMap<String, Decimal>,
    pub trust_by_client: BTreeMap<String, Decimal>,
    pub trust_mismatches: Vec<TrustMismatch>,
    pub invoice_balance: BTreeMap<String, Decimal>,
    pub receivable_by_project: BTreeMap<String, Decimal>,
    pub invoice_mismatches: Vec<InvoiceMismatch>,
    /// Loaded document source id → SHA-256 (hex) of its file.
    pub documents: BTreeMap<String, String>,
    /// Loaded email source id → SHA-256 (hex) of each attachment's decoded bytes, in order.
    pub email_attachments: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTruth {
    pub kind: Kind,
    /// "csv", "xlsx" or "jsonl".
    pub format: String,
    pub data_rows: usize,
    /// "utf-8", "utf-8-bom" or "windows-1252"; none for XLSX.
    pub encoding: Option<String>,
    /// The CSV delimiter; none for XLSX and JSON lines.
    pub delimiter: Option<String>,
    /// "mdy" when dates are written month first; none when they are ISO.
    pub date_order: Option<String>,
    /// Every column in file order with the canonical field it holds (none: a vendor column
    /// that maps to nothing). The correct mapping, for scoring mapping suggestions.
    pub columns: Vec<ColumnTruth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnTruth {
    pub header: String,
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub source_rows: usize,
    pub loaded: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub file: String,
    pub row: usize,
    pub kind: Kind,
    pub source_id: String,
    pub field: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustMismatch {
    pub project_id: String,
    /// The running balance the export states at the first row where it breaks.
    pub source_balance: Decimal,
    /// What the loaded amounts add up to at that row.
    pub computed_balance: Decimal,
    pub file: String,
    pub row: usize,
    pub transaction_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceMismatch {
    pub invoice_id: String,
    pub source_balance_due: Decimal,
    pub computed_balance: Decimal,
}

/// What the generator meant a row to be; compared with the simulated outcome to catch
/// generator bugs (a "clean" row that fails, a fault that reads as a different fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// Valid on its own; may still be rejected as an orphan of a rejected parent.
    Clean,
    Fault(&'static str, &'static str),
}

/// A set of source ids; ids of the generator's own shape live in a bitmap so millions of
/// them stay cheap.
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    prefix: &'static str,
    width: usize,
    bits: Vec<u64>,
    other: BTreeSet<String>,
}

impl IdSet {
    pub fn new(prefix: &'static str, width: usize) -> IdSet {
        IdSet {
            prefix,
            width,
            ..IdSet::default()
        }
    }

    fn index(&self, id: &str) -> Option<usize> {
        let digits = id.strip_prefix(self.prefix)?;
        if digits.len() != self.width || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// Adds an id; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        match self.index(id) {
            Some(i) => {
                let (w, b) = (i / 64, i % 64);
                if self.bits.len() <= w {
                    self.bits.resize(w + 1, 0);
                }
                let had = self.bits[w] & (1 << b) != 0;
                self.bits[w] |= 1 << b;
                !had
            }
            None => self.other.insert(id.to_string()),
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        match self.index(id) {
            Some(i) => self
                .bits
                .get(i / 64)
                .is_some_and(|w| w & (1 << (i % 64)) != 0),
            None => self.other.contains(id),
        }
    }
}

/// Applies the migration's row rules in processing order and keeps the ledger.
pub(crate) struct Simulator {
    seen: BTreeMap<Kind, IdSet>,
    loaded: BTreeMap<Kind, IdSet>,
    pub counts: BTreeMap<Kind, KindCounts>,
    pub rejects: Vec<Reject>,
    pub files: BTreeMap<String, FileTruth>,
    /// Rows whose outcome differs from the generator's intent; empty unless the generator
    /// has a bug.
    pub surprises: Vec<String>,
    us: RowContext,
    iso: RowContext,
    values: Vec<(&'static str, String)>,
}

impl Simulator {
    pub fn new() -> Simulator {
        let mut seen = BTreeMap::new();
        let mut loaded = BTreeMap::new();
        for kind in Kind::ALL {
            let (prefix, width) = crate::ids::shape(kind);
            seen.insert(kind, IdSet::new(prefix, width));
            loaded.insert(kind, IdSet::new(prefix, width));
        }
        let us = RowContext {
            date_order: Some(DateOrder::Mdy),
            ..RowContext::default()
        };
        Simulator {
            seen,
            loaded,
            counts: BTreeMap::new(),
            rejects: Vec::new(),
            files: BTreeMap::new(),
            surprises: Vec::new(),
            us,
            iso: RowContext::default(),
            values: Vec::new(),
        }
    }

    pub fn is_loaded(&self, kind: Kind, id: &str) -> bool {
        self.loaded.get(&kind).is_some_and(|s| s.contains(id))
    }

    /// Runs one written row through validation, duplicate-id, reference and file checks.
    /// `missing_file` is set by the caller for a document whose file is not in the export.
    pub fn row(
        &mut self,
        w: &TableWriter,
        row: usize,
        cells: &[String],
        intent: Intent,
        missing_file: bool,
    ) -> Option<CanonicalRecord> {
        let spec = *w.spec();
        let def = kind_def(spec.kind);
        self.counts.entry(spec.kind).or_default().source_rows += 1;
        self.values.clear();
        for (c, v) in spec.columns.iter().zip(cells) {
            if let Some(f) = c.field {
                self.values.push((f, v.clone()));
            }
        }
        let pairs: Vec<(&'static str, &str)> =
            self.values.iter().map(|(f, v)| (*f, v.as_str())).collect();
        let id_field = def.id_field().name;
        let source_id = pairs
            .iter()
            .find(|(f, _)| *f == id_field)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        let ctx = if spec.us_dates { &self.us } else { &self.iso };
        let outcome: Result<CanonicalRecord, (String, String)> =
            match validate_row(def, &pairs, ctx) {
                Err(errors) => Err(errors
                    .into_iter()
                    .next()
                    .map(|e| (e.field, e.code))
                    .unwrap_or_else(|| (id_field.to_string(), "invalid".to_string()))),
                Ok(record) => self.after_validation(record, missing_file),
            };
        let row_level = matches!(&outcome, Err((_, code)) if code != "orphan_reference");
        match (intent, &outcome) {
            (Intent::Clean, Err((f, c))) if row_level => self.surprises.push(format!(
                "{} row {row}: meant clean, rejected {f}/{c}",
                spec.path
            )),
            (Intent::Fault(f, c), Err((of, oc))) if (f, c) != (of.as_str(), oc.as_str()) => {
                self.surprises.push(format!(
                    "{} row {row}: meant {f}/{c}, rejected {of}/{oc}",
                    spec.path
                ))
            }
            (Intent::Fault(f, c), Ok(_)) => self
                .surprises
                .push(format!("{} row {row}: meant {f}/{c}, loaded", spec.path)),
            _ => {}
        }
        let counts = self.counts.entry(spec.kind).or_default();
        match outcome {
            Ok(record) => {
                counts.loaded += 1;
                Some(record)
            }
            Err((field, code)) => {
                counts.rejected += 1;
                self.rejects.push(Reject {
                    file: spec.path.to_string(),
                    row,
                    kind: spec.kind,
                    source_id,
                    field,
                    code,
                });
                None
            }
        }
    }

    fn after_validation(
        &mut self,
        record: CanonicalRecord,
        missing_file: bool,
    ) -> Result<CanonicalRecord, (String, String)> {
        let def = kind_def(record.kind);
        let id_field = def.id_field().name.to_string();
        let fresh = self
            .seen
            .get_mut(&record.kind)
            .is_some_and(|s| s.insert(&record.source_id));
        if !fresh {
            return Err((id_field, "duplicate_id".into()));
        }
        for fd in def.fields {
            let (target, ids): (Kind, Vec<&str>) = match (fd.ty, record.get(fd.name)) {
                (FieldType::Ref(k), Some(migrationai_domain::Value::Ref(id))) => {
                    (k, vec![id.as_str()])
                }
                (FieldType::RefList(k), Some(migrationai_domain::Value::RefList(ids))) => {
                    (k, ids.iter().map(String::as_str).collect())
                }
                _ => continue,
            };
            if ids.iter().any(|id| !self.is_loaded(target, id)) {
                return Err((fd.name.to_string(), "orphan_reference".into()));
            }
        }
        if missing_file {
            return Err(("file_path".into(), "missing_file".into()));
        }
        if let Some(set) = self.loaded.get_mut(&record.kind) {
            set.insert(&record.source_id);
        }
        Ok(record)
    }

    /// Records a finished file.
    pub fn file(&mut self, spec: &FileSpec, data_rows: usize) {
        let format = match spec.format {
            Format::Csv { .. } => "csv",
            Format::Xlsx { .. } => "xlsx",
            Format::Jsonl => "jsonl",
        };
        self.files.insert(
            spec.path.to_string(),
            FileTruth {
                kind: spec.kind,
                format: format.into(),
                data_rows,
                encoding: spec.encoding_label().map(str::to_string),
                delimiter: spec.delimiter_label(),
                date_order: spec.us_dates.then(|| "mdy".to_string()),
                columns: spec
                    .columns
                    .iter()
                    .map(|c| ColumnTruth {
                        header: c.header.to_string(),
                        field: c.field.map(str::to_string),
                    })
                    .collect(),
            },
        );
    }
}
