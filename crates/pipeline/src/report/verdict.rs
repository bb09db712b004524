//! The verdict: two separate results, and what to fix first.
//!
//! - Accounted for: every source row was loaded or rejected with a reason, and every table
//!   with rows was either mapped or left out on purpose.
//! - Migrated: accounted for, something was loaded, every kind loaded at or above the job's
//!   threshold, no kind that others depend on is empty, and no balance, ledger, document or
//!   file problem (every entry of `Report::problems`) stands.
//!
//! A job that rejected most of its rows is accounted for and not migrated; the causes say
//! why, grouped by (kind, file, field, code), each with the rows it cost directly and the
//! rows rejected as orphans because of them (a cascade follows an orphan to the reject of
//! the record it names, and on to that record's own cause).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use migrationai_domain::Kind;
use migrationai_ingest::mapping::Mapping;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::files::{FileLine, FileRole};
use super::{RejectEntry, Report};
use crate::orphan::orphan_target;

/// The share of each kind's rows that must load, in percent (99 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Threshold(Decimal);

impl Default for Threshold {
    fn default() -> Self {
        Threshold(Decimal::from(99))
    }
}

impl Threshold {
    pub fn percent(self) -> Decimal {
        self.0
    }

    /// True when `loaded` of `rows` reaches the threshold (exactly, no rounding).
    fn met(self, loaded: u64, rows: u64) -> bool {
        Decimal::from(loaded) * Decimal::from(100) >= self.0 * Decimal::from(rows)
    }
}

impl FromStr for Threshold {
    type Err = String;

    /// "99", "99.5" or "99.5%"; between 0 and 100.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_end_matches('%').trim();
        let d: Decimal = t
            .parse()
            .map_err(|_| format!("threshold \"{s}\" is not a percentage"))?;
        if d < Decimal::ZERO || d > Decimal::from(100) {
            return Err(format!("threshold {s} is not between 0 and 100"));
        }
        Ok(Threshold(d))
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

/// Rows rejected for one reason, and the rows that fell with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    pub kind: Kind,
    pub file: String,
    pub field: String,
    pub code: String,
    /// Rows rejected for this reason.
    pub rows: u64,
    /// Rows rejected as orphans because these were (transitively).
    pub cascade: u64,
    /// Every source row of the kind was rejected for this one reason.
    pub every_row: bool,
    /// One of the rejects' own words.
    pub example: String,
    /// What a person should do about it.
    pub fix: String,
}

impl Cause {
    /// One line: "EVERY row … / fix: N rows and everything that refers to them (M rows)".
    pub fn line(&self) -> String {
        let mut s = String::new();
        if self.every_row {
            s.push_str(&format!(
                "EVERY row of {} ({}) was rejected for this one reason. ",
                self.file, self.kind
            ));
        }
        s.push_str(&format!("{}: {} rows", self.fix, self.rows));
        if self.cascade > 0 {
            s.push_str(&format!(
                " and everything that refers to them ({} rows)",
                self.cascade
            ));
        }
        s.push_str(&format!(
            " [{} {} {}: {}]",
            self.file, self.field, self.code, self.example
        ));
        s
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Every source row was loaded or rejected with a reason.
    pub accounted_for: bool,
    /// The job migrated: see the module's rules.
    pub migrated: bool,
    pub threshold: Threshold,
    /// Why the job did not migrate, one line each; empty when it did.
    pub failures: Vec<String>,
    /// Reject causes, most rows (with their cascades) first; at most `TOP_CAUSES`.
    pub causes: Vec<Cause>,
}

/// Causes kept in the verdict; the rejects themselves are all in the report.
pub const TOP_CAUSES: usize = 10;

impl Verdict {
    /// The one line a person reads first.
    pub fn headline(&self) -> String {
        match (self.migrated, self.accounted_for) {
            (true, _) => format!(
                "MIGRATED: every source row is loaded or rejected with a reason, every kind loaded at or above {}, and every balance and document agrees",
                self.threshold
            ),
            (false, true) => "does NOT migrate (every source row is accounted for: loaded or rejected with a reason)".into(),
            (false, false) => "does NOT migrate, and not every source row is accounted for".into(),
        }
    }
}

/// Judges a built report (its problems included).
pub fn judge(report: &Report, threshold: Threshold, mapping: Option<&Mapping>) -> Verdict {
    // Tables nobody mapped or left out come first: their rows are in no kind, so nothing
    // below would count them.
    let unmapped: Vec<String> = report
        .files
        .iter()
        .filter(|f| f.role == FileRole::Unmapped)
        .filter_map(FileLine::problem)
        .collect();
    let mut failures = unmapped.clone();
    let accounted_for = unmapped.is_empty()
        && report
            .kinds
            .values()
            .all(|c| c.source_rows == c.loaded + c.rejected);
    if report
        .kinds
        .values()
        .any(|c| c.source_rows != c.loaded + c.rejected)
    {
        failures.push("not every source row is loaded or rejected with a reason".to_string());
    }
    let rows: u64 = report.kinds.values().map(|c| c.source_rows).sum();
    let loaded: u64 = report.kinds.values().map(|c| c.loaded).sum();
    if rows == 0 {
        failures.push("the export holds no rows to migrate".to_string());
    } else if loaded == 0 {
        failures.push(format!(
            "nothing was loaded: all {rows} source rows were rejected"
        ));
    }
    for (kind, c) in &report.kinds {
        if c.source_rows > 0 && !threshold.met(c.loaded, c.source_rows) {
            let share = (Decimal::from(c.loaded) * Decimal::from(100)
                / Decimal::from(c.source_rows))
            .round_dp(1);
            failures.push(format!(
                "{kind}: {} of {} rows loaded ({share}%), below {threshold}",
                c.loaded, c.source_rows
            ));
        }
    }
    let loaded_of = |k: Kind| report.kinds.get(k.as_str()).map_or(0, |c| c.loaded);
    for (name, c) in &report.kinds {
        let Ok(kind) = name.parse::<Kind>() else {
            continue;
        };
        if c.source_rows == 0 {
            continue;
        }
        // Only a parent every record must name: invoices need no billing items (a flat fee
        // lists none), and rows naming an optional parent that never loaded are rejected
        // as orphans, which the load shares above count.
        let required = |parent: Kind| {
            migrationai_domain::catalogue::kind_def(kind)
                .fields
                .iter()
                .any(|f| {
                    f.required && f.ty == migrationai_domain::catalogue::FieldType::Ref(parent)
                })
        };
        for &parent in kind.depends_on() {
            if loaded_of(parent) == 0 && required(parent) {
                failures.push(format!("no {parent} loaded, and {name} depend on them"));
            }
        }
    }
    // problems() lists the kinds whose rows do not add up first (counted above), then the
    // balance, ledger, document and file problems.
    let problems: Vec<String> = report
        .problems()
        .into_iter()
        .filter(|p| !unmapped.contains(p))
        .collect();
    let unbalanced = report
        .kinds
        .values()
        .filter(|c| c.source_rows != c.loaded + c.rejected)
        .count();
    if let Some(first) = problems.get(unbalanced) {
        failures.push(format!(
            "{} balance, ledger, document or file problems (the first: {first})",
            problems.len() - unbalanced
        ));
    }
    Verdict {
        accounted_for,
        migrated: failures.is_empty(),
        threshold,
        failures,
        causes: causes(report, mapping),
    }
}

type Key = (Kind, String, String, String);

fn key(r: &RejectEntry) -> Key {
    (r.kind, r.file.clone(), r.field.clone(), r.code.clone())
}

/// The kind a reference field of `kind` points at.
fn target_of(kind: Kind, field: &str) -> Option<Kind> {
    crate::batch_blob::ref_target(kind, field).map(|(_, target)| target)
}

/// Reject causes with their cascades, biggest first.
pub fn causes(report: &Report, mapping: Option<&Mapping>) -> Vec<Cause> {
    let rejects = &report.rejects;
    let mut by_id: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in rejects.iter().enumerate() {
        if let Some(id) = &r.source_id {
            by_id.entry((r.kind.as_str(), id.as_str())).or_insert(i);
        }
    }
    // root[i]: the reject whose own cause explains reject i.
    let parent = |i: usize| -> Option<usize> {
        let r = &rejects[i];
        if r.code != "orphan_reference" {
            return None;
        }
        let (id, target) = orphan_target(&r.reason)
            .map(|(id, k)| (id, Some(k)))
            .unwrap_or_default();
        let target = target.or_else(|| target_of(r.kind, &r.field))?;
        by_id.get(&(target.as_str(), id.as_str())).copied()
    };
    let mut root: Vec<Option<usize>> = vec![None; rejects.len()];
    for i in 0..rejects.len() {
        let mut chain = vec![i];
        let mut at = i;
        // Bounded: a chain cannot be longer than the kinds' dependency depth, but bad data
        // must not loop.
        while let Some(p) = parent(at) {
            if let Some(r) = root[p] {
                at = r;
                break;
            }
            if chain.len() > 32 || chain.contains(&p) {
                break;
            }
            chain.push(p);
            at = p;
        }
        for c in chain {
            root[c] = Some(at);
        }
    }
    let mut groups: BTreeMap<Key, (u64, u64, usize)> = BTreeMap::new();
    for (i, r) in root.iter().enumerate() {
        let r = r.unwrap_or(i);
        let g = groups.entry(key(&rejects[r])).or_insert((0, 0, r));
        if r == i {
            g.0 += 1;
        } else {
            g.1 += 1;
        }
    }
    // Orphan groups fully explained by their parents' causes have no rows of their own.
    let mut out: Vec<Cause> = groups
        .into_iter()
        .filter(|(_, (rows, _, _))| *rows > 0)
        .map(|((kind, file, field, code), (rows, cascade, example))| {
            let every_row = report
                .kinds
                .get(kind.as_str())
                .is_some_and(|c| c.source_rows > 0 && rows == c.source_rows);
            let example = &rejects[example];
            let fix = fix(kind, &file, &field, &code, example, mapping);
            Cause {
                kind,
                file,
                field,
                code,
                rows,
                cascade,
                every_row,
                example: example.reason.clone(),
                fix,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.every_row, b.rows + b.cascade)
            .cmp(&(a.every_row, a.rows + a.cascade))
            .then_with(|| {
                (a.kind.as_str(), &a.file, &a.field).cmp(&(b.kind.as_str(), &b.file, &b.field))
            })
    });
    out.truncate(TOP_CAUSES);
    out
}

/// What to do about one cause, naming the column where the mapping knows it.
fn fix(
    kind: Kind,
    file: &str,
    field: &str,
    code: &str,
    example: &RejectEntry,
    mapping: Option<&Mapping>,
) -> String {
    let column = mapping
        .and_then(|m| m.file(file))
        .and_then(|f| f.columns.iter().find(|(_, to)| *to == Some(field)))
        .map(|(header, _)| header.clone());
    match (code, column) {
        ("required", None) => format!("map a column of {file} to {field} (none is mapped)"),
        ("required", Some(c)) => {
            format!("fill column '{c}' (mapped to {field}), empty on these rows")
        }
        ("duplicate_id", Some(c)) => format!(
            "column '{c}' (mapped to {field}) repeats values: map a unique column to {field}"
        ),
        ("orphan_reference", c) => {
            let target = orphan_target(&example.reason)
                .map(|(_, k)| k)
                .or_else(|| target_of(kind, field))
                .map_or_else(|| "records".to_string(), |k| k.to_string());
            let column = c.map_or_else(String::new, |c| format!(" (column '{c}')"));
            format!(
                "these rows name {target} that are not in the export{column}: add their file, or map {field} to the column that holds their ids"
            )
        }
        ("missing_file", _) => {
            "add the files these rows name to the export, or correct their paths".to_string()
        }
        (_, Some(c)) => {
            format!("correct column '{c}' (mapped to {field}), in the export or in the rejects CSV")
        }
        (_, None) => format!("correct {field} of {file}, in the export or in the rejects CSV"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orphan::orphan_reason;
    use crate::report::KindCounts;

    fn counts(source_rows: u64, loaded: u64) -> KindCounts {
        KindCounts {
            source_rows,
            loaded,
            rejected: source_rows - loaded,
        }
    }

    fn reject(
        kind: Kind,
        file: &str,
        row: u64,
        id: &str,
        field: &str,
        code: &str,
        reason: &str,
    ) -> RejectEntry {
        RejectEntry {
            kind,
            file: file.into(),
            row,
            source_id: Some(id.into()),
            field: field.into(),
            code: code.into(),
            reason: reason.into(),
        }
    }

    /// The export: every matter rejected for want of an id, and everything that
    /// names a matter rejected as an orphan.
    fn twelve_percent() -> Report {
        let mut r = Report::default();
        r.kinds.insert("contacts".into(), counts(62, 62));
        r.kinds.insert("projects".into(), counts(25, 0));
        r.kinds.insert("notes".into(), counts(40, 0));
        for n in 0..25 {
            r.rejects.push(reject(
                Kind::Projects,
                "Matters.csv",
                n + 2,
                &format!("{}", 100 + n),
                "project_id",
                "required",
                "project_id is required",
            ));
        }
        for n in 0..40 {
            let matter = format!("{}", 100 + n % 25);
            r.rejects.push(reject(
                Kind::Notes,
                "Notes.csv",
                n + 2,
                &format!("N{n}"),
                "project_id",
                "orphan_reference",
                &orphan_reason("project_id", &matter, Kind::Projects),
            ));
        }
        r
    }

    #[test]
    fn a_job_that_loaded_a_fraction_does_not_migrate_and_says_why() {
        let r = twelve_percent();
        let v = judge(&r, Threshold::default(), None);
        assert!(v.accounted_for);
        assert!(!v.migrated);
        assert!(
            v.failures
                .iter()
                .any(|f| f.starts_with("projects: 0 of 25 rows loaded")),
            "{:?}",
            v.failures
        );
        // A note's matter is optional (a note may be kept on a contact alone): the notes
        // that name the missing matters fail as orphans, not as a dependency.
        assert!(
            v.failures
                .iter()
                .any(|f| f.starts_with("notes: 0 of 40 rows loaded")),
            "{:?}",
            v.failures
        );
        assert!(
            !v.failures.iter().any(|f| f.contains("depend on them")),
            "{:?}",
            v.failures
        );
        // One cause, every matter row, with the notes that fell with them.
        assert_eq!(v.causes.len(), 1, "{:?}", v.causes);
        let c = &v.causes[0];
        assert_eq!(
            (
                c.kind.as_str(),
                c.field.as_str(),
                c.rows,
                c.cascade,
                c.every_row
            ),
            ("projects", "project_id", 25, 40, true)
        );
        assert!(
            c.line().starts_with("EVERY row of Matters.csv"),
            "{}",
            c.line()
        );
        assert!(c.line().contains("map a column of Matters.csv to project_id (none is mapped): 25 rows and everything that refers to them (40 rows)"), "{}", c.line());
    }

    #[test]
    fn an_orphan_of_a_parent_not_in_the_export_is_its_own_cause() {
        let mut r = Report::default();
        r.kinds.insert("projects".into(), counts(10, 9));
        r.rejects.push(reject(
            Kind::Projects,
            "Matters.csv",
            3,
            "M1",
            "client_id",
            "orphan_reference",
            &orphan_reason("client_id", "C404", Kind::Contacts),
        ));
        let v = judge(&r, Threshold::default(), None);
        assert_eq!(v.causes.len(), 1);
        assert_eq!((v.causes[0].rows, v.causes[0].cascade), (1, 0));
        assert!(
            v.causes[0]
                .fix
                .contains("contacts that are not in the export"),
            "{}",
            v.causes[0].fix
        );
        // 9 of 10 is below 99%, and no contacts were loaded though projects need them.
        assert!(!v.migrated);
    }

    /// A parent every record must name and none loaded fails the run by itself: payments
    /// with no invoice loaded.
    #[test]
    fn a_required_parent_that_never_loaded_is_named() {
        let mut r = Report::default();
        r.kinds.insert("contacts".into(), counts(5, 5));
        r.kinds.insert("projects".into(), counts(5, 5));
        r.kinds.insert("billing-invoice".into(), counts(3, 0));
        r.kinds.insert("payment".into(), counts(2, 2));
        let v = judge(&r, Threshold::default(), None);
        assert!(
            v.failures
                .iter()
                .any(|f| f == "no billing-invoice loaded, and payment depend on them"),
            "{:?}",
            v.failures
        );
    }

    #[test]
    fn empty_and_nothing_loaded_never_migrate() {
        let v = judge(&Report::default(), Threshold::default(), None);
        assert!(!v.migrated && v.accounted_for);
        assert_eq!(
            v.failures,
            vec!["the export holds no rows to migrate".to_string()]
        );
        let mut r = Report::default();
        r.kinds.insert("contacts".into(), counts(3, 0));
        assert!(!judge(&r, Threshold::default(), None).migrated);
    }

    #[test]
    fn the_threshold_and_every_problem_decide() {
        let mut r = Report::default();
        r.kinds.insert("contacts".into(), counts(1000, 995));
        assert!(judge(&r, Threshold::default(), None).migrated);
        assert!(!judge(&r, "99.6".parse().expect("threshold"), None).migrated);
        r.invoice_mismatches.push(crate::report::InvoiceMismatch {
            invoice_id: "I1".into(),
            source_balance_due: Decimal::ONE,
            computed_balance: Decimal::ZERO,
        });
        let v = judge(&r, Threshold::default(), None);
        assert!(!v.migrated && v.accounted_for);
        r.invoice_mismatches.clear();
        r.kinds.insert(
            "notes".into(),
            KindCounts {
                source_rows: 5,
                loaded: 3,
                rejected: 1,
            },
        );
        let v = judge(&r, "50".parse().expect("threshold"), None);
        assert!(!v.accounted_for && !v.migrated, "{v:?}");
        assert!("101".parse::<Threshold>().is_err() && "x".parse::<Threshold>().is_err());
        assert_eq!(
            "99.5%".parse::<Threshold>().map(|t| t.to_string()),
            Ok("99.5%".to_string())
        );
    }
}
