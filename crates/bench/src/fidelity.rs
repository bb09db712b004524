//! Fidelity on exports the product was not shaped on: each style of the corpus is written,
//! inspected and migrated with no mapping file, and what came out is scored against the
//! style's ground truth (kinds, keys, column mapping, rows loaded and rejected,
//! reconciliation problems the truth does not have, and duplicate contacts).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use migrationai_domain::catalogue::kind_def;
use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
use migrationai_ingest::mapping::Key;
use migrationai_sample::styles::{self, Style, StyleTruth};

use migrationai_ingest::ExportError;
use migrationai_pipeline::ProcessingError;

/// Why a style could not be scored (a style that migrates badly scores badly; this is for
/// the run itself failing).
#[derive(Debug, thiserror::Error)]
pub enum FidelityError {
    #[error("writing sample style {style}")]
    Sample {
        style: String,
        #[source]
        source: migrationai_sample::SampleError,
    },
    #[error("inspecting style {style}")]
    Inspect {
        style: String,
        #[source]
        source: ExportError,
    },
    #[error("clearing {}", path.display())]
    Clear {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Open(#[from] migrationai_host::OpenError),
    #[error("the inspection task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Migrate(#[from] ProcessingError),
}

/// How one style fared.
#[derive(Debug, Clone, Default)]
pub struct StyleScore {
    pub style: String,
    pub modelled_on: String,
    pub files: usize,
    pub kinds_right: usize,
    pub keys_right: usize,
    /// Columns the proposal mapped to a field, and how many of those are the true field.
    pub mapped: usize,
    pub mapped_right: usize,
    /// Columns the truth maps to a field.
    pub truth_mapped: usize,
    pub loaded: u64,
    pub rejected: u64,
    pub truth_loaded: u64,
    pub truth_rejected: u64,
    /// Per kind: (loaded, rejected) got and wanted, where they differ.
    pub count_errors: Vec<String>,
    /// Reconciliation problems the report lists that the truth does not have.
    pub false_problems: Vec<String>,
    /// Every wrong kind, key or column, one line each.
    pub wrong: Vec<String>,
    /// Tables without a source key that the report does not say got derived ids.
    pub unreported_keys: Vec<String>,
    /// Pairs of contacts the report groups as one, how many of those the truth groups too,
    /// and the pairs the truth groups.
    pub duplicates_found: usize,
    pub duplicates_right: usize,
    pub duplicates_truth: usize,
    /// Every pair grouped wrongly or missed, one line each.
    pub duplicate_errors: Vec<String>,
}

impl StyleScore {
    pub fn precision(&self) -> f64 {
        ratio(self.mapped_right, self.mapped)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.mapped_right, self.truth_mapped)
    }

    pub fn duplicate_precision(&self) -> f64 {
        ratio(self.duplicates_right, self.duplicates_found)
    }

    pub fn duplicate_recall(&self) -> f64 {
        ratio(self.duplicates_right, self.duplicates_truth)
    }

    /// Every kind and key right, every count equal, no false problem, the duplicates as the
    /// truth groups them.
    pub fn perfect(&self) -> bool {
        self.kinds_right == self.files
            && self.keys_right == self.files
            && self.count_errors.is_empty()
            && self.false_problems.is_empty()
            && self.duplicate_errors.is_empty()
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Writes the style under `dir`, inspects and migrates it there with no mapping file, and
/// scores the outcome.
pub async fn score_style(style: &Style, dir: &Path) -> Result<StyleScore, FidelityError> {
    let truth = styles::write(style, dir).map_err(|source| FidelityError::Sample {
        style: style.name.into(),
        source,
    })?;
    let export = dir.join("export");
    let mut score = StyleScore {
        style: style.name.into(),
        modelled_on: style.modelled_on.into(),
        ..StyleScore::default()
    };
    let report = {
        let export = export.clone();
        tokio::task::spawn_blocking(move || {
            inspect(&export, &InspectOptions::default(), &NoProgress)
        })
        .await?
        .map_err(|source| FidelityError::Inspect {
            style: style.name.into(),
            source,
        })?
    };
    score_inspection(&truth, &report, &mut score);
    let data = dir.join("data");
    if data.exists() {
        std::fs::remove_dir_all(&data).map_err(|source| FidelityError::Clear {
            path: data.clone(),
            source,
        })?;
    }
    let app = migrationai_host::open::app(&migrationai_host::Config::embedded(data)).await?;
    let migrated = app
        .migrate(&export, None, Some(style.name.into()), &|_| {})
        .await?;
    score_migration(&truth, &migrated, &mut score);
    Ok(score)
}

fn score_inspection(
    truth: &StyleTruth,
    report: &migrationai_ingest::inspect::InspectReport,
    score: &mut StyleScore,
) {
    for (path, file) in &truth.files {
        score.files += 1;
        let Some(got) = report.files.iter().find(|f| f.file == *path) else {
            score.wrong.push(format!("{path}: not read"));
            continue;
        };
        if got.kind == Some(file.kind) {
            score.kinds_right += 1;
        } else {
            score.wrong.push(format!(
                "{path}: kind {} (truth {})",
                got.kind.map(|k| k.to_string()).unwrap_or("none".into()),
                file.kind
            ));
        }
        let mapping = report.mapping.file(path);
        let key_columns: Vec<String> = match mapping.map(|m| &m.key) {
            Some(Key::Columns(c)) => c.clone(),
            Some(Key::Derived) => Vec::new(),
            _ => {
                let id = Some(kind_def(file.kind).id_field().name);
                mapping
                    .and_then(|m| m.columns.iter().find(|(_, f)| *f == id && id.is_some()))
                    .map(|(h, _)| vec![h.clone()])
                    .unwrap_or_else(|| vec!["(none)".into()])
            }
        };
        let mut want = file.key.clone();
        let mut have = key_columns.clone();
        want.sort();
        have.sort();
        if got.kind == Some(file.kind) && want == have {
            score.keys_right += 1;
        } else {
            score
                .wrong
                .push(format!("{path}: key {have:?} (truth {want:?})"));
        }
        let id = Some(kind_def(file.kind).id_field().name);
        for c in &file.columns {
            let predicted = mapping
                .and_then(|m| m.columns.iter().find(|(h, _)| *h == c.header))
                .and_then(|(_, f)| *f);
            // A lone key column that is the table's number serves as its id as well: either
            // field is right for it.
            let lone_key = file.key.len() == 1 && file.key[0] == c.header;
            let truth_field = match (c.field.as_deref(), predicted) {
                (Some(t), Some(p)) if lone_key && Some(p) == id && t.ends_with("number") => Some(p),
                (t, _) => t,
            };
            if truth_field.is_some() {
                score.truth_mapped += 1;
            }
            if let Some(p) = predicted {
                score.mapped += 1;
                if Some(p) == truth_field && got.kind == Some(file.kind) {
                    score.mapped_right += 1;
                    continue;
                }
            }
            if predicted != truth_field {
                score.wrong.push(format!(
                    "{path}: \"{}\" → {} (truth {})",
                    c.header,
                    predicted.unwrap_or("nothing"),
                    truth_field.unwrap_or("nothing")
                ));
            }
        }
    }
}

fn score_migration(
    truth: &StyleTruth,
    report: &migrationai_pipeline::Report,
    score: &mut StyleScore,
) {
    for (path, file) in &truth.files {
        let said = report
            .keys
            .get(path)
            .is_some_and(|k| k.starts_with("derived"));
        if file.key.is_empty() && !said {
            score.unreported_keys.push(path.clone());
        }
    }
    for (kind, want) in &truth.kinds {
        let got = report.kinds.get(kind.as_str()).cloned().unwrap_or_default();
        score.loaded += got.loaded;
        score.rejected += got.rejected;
        score.truth_loaded += want.loaded as u64;
        score.truth_rejected += want.rejected as u64;
        if (got.loaded, got.rejected) != (want.loaded as u64, want.rejected as u64) {
            score.count_errors.push(format!(
                "{kind}: {} loaded, {} rejected (truth {} and {})",
                got.loaded, got.rejected, want.loaded, want.rejected
            ));
        }
    }
    let mut rejected_by: BTreeMap<String, u64> = BTreeMap::new();
    for r in &report.rejects {
        *rejected_by
            .entry(format!("{} {}: {}", r.kind, r.field, r.code))
            .or_default() += 1;
    }
    if !score.count_errors.is_empty() {
        for (why, n) in rejected_by {
            score.wrong.push(format!("rejected {n}: {why}"));
        }
    }
    // The corpus's ledgers and invoices are consistent: every mismatch is a false problem.
    for m in &report.trust_mismatches {
        score.false_problems.push(format!(
            "trust of {}: source {} but the ledger sums to {}",
            m.project_id, m.source_balance, m.computed_balance
        ));
    }
    for m in &report.invoice_mismatches {
        score.false_problems.push(format!(
            "invoice {}: balance due {} but total minus payments is {}",
            m.invoice_id, m.source_balance_due, m.computed_balance
        ));
    }
    for p in &report.document_problems {
        score.false_problems.push(format!("document: {p:?}"));
    }
    score
        .false_problems
        .retain(|p| !truth.reconciliation_problems.contains(p));
    score_duplicates(truth, report, score);
}

/// Every pair within each group.
fn pairs(groups: &[Vec<String>]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for g in groups {
        for (n, a) in g.iter().enumerate() {
            for b in &g[n + 1..] {
                out.insert(if a < b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                });
            }
        }
    }
    out
}

fn score_duplicates(
    truth: &StyleTruth,
    report: &migrationai_pipeline::Report,
    score: &mut StyleScore,
) {
    let got = pairs(&report.duplicate_groups);
    let want = pairs(&truth.duplicate_groups);
    score.duplicates_found = got.len();
    score.duplicates_truth = want.len();
    score.duplicates_right = got.intersection(&want).count();
    for (a, b) in got.difference(&want) {
        score
            .duplicate_errors
            .push(format!("contacts {a} and {b} grouped as one (truth: two)"));
    }
    for (a, b) in want.difference(&got) {
        score
            .duplicate_errors
            .push(format!("contacts {a} and {b} not grouped (truth: one)"));
    }
    for g in &report.suspicious_groups {
        score.duplicate_errors.push(format!(
            "a suspicious group of {} contacts: {}",
            g.len(),
            g.join(", ")
        ));
    }
}
