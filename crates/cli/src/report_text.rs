//! A report as the operator commands print it (`migrate`, `push`, `report`): the verdict,
//! its causes and problems, the export's files, and the counts per kind. The pipeline keeps
//! the report as data; how it reads on a terminal is this binary's concern.

use std::collections::BTreeMap;
use std::fmt::Write;

use migrationai_pipeline::report::files::FileRole;
use migrationai_pipeline::Report;

/// `report JOB`: the job, its verdict, its counts per kind and per kind of finding.
pub fn summary(r: &Report) -> String {
    let mut out = format!("job {} ({})\n", r.job_name, r.job);
    out.push_str(&verdict(r, usize::MAX));
    out.push_str("kind              source  loaded  rejected\n");
    for (k, c) in &r.kinds {
        let _ = writeln!(
            out,
            "{k:<16} {:>7} {:>7} {:>9}",
            c.source_rows, c.loaded, c.rejected
        );
    }
    let _ = writeln!(
        out,
        "duplicate contact groups: {}; suspicious groups: {}; trust mismatches: {}; invoice mismatches: {}; document problems: {}",
        r.duplicate_groups.len(),
        r.suspicious_groups.len(),
        r.trust_mismatches.len(),
        r.invoice_mismatches.len(),
        r.document_problems.len()
    );
    out
}

/// The verdict as text: its headline, why not, the top causes with their fix, and up to
/// `limit` of the report's problems.
pub fn verdict(r: &Report, limit: usize) -> String {
    let v = &r.verdict;
    let mut out = format!("{}\n", v.headline());
    for f in &v.failures {
        let _ = writeln!(out, "  x {f}");
    }
    if !v.causes.is_empty() {
        out.push_str("top causes of rejected rows, with their fix:\n");
        for (i, c) in v.causes.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, c.line());
        }
    }
    out.push_str(&files_line(r));
    out.push_str(&source_findings(r));
    let problems = r.problems();
    if !problems.is_empty() {
        let _ = writeln!(out, "{} problems:", problems.len());
        for p in problems.iter().take(limit) {
            let _ = writeln!(out, "  - {p}");
        }
        if problems.len() > limit {
            let _ = writeln!(
                out,
                "  ... and {} more in the report",
                problems.len() - limit
            );
        }
    }
    out
}

/// What the source itself holds that a firm must look at, migrated as written: a client
/// trust account below zero is overdrawn, which no rule allows, whatever the migration did.
fn source_findings(r: &Report) -> String {
    let Some(first) = r.negative_trust.first() else {
        return String::new();
    };
    format!(
        "to check in the source (migrated as written): {} trust balance(s) end below zero, \
         the first {} {} at {}\n",
        r.negative_trust.len(),
        first.scope,
        first.id,
        first.balance
    )
}

/// One line on the export's files by role, and the tables not read as UTF-8 by encoding, so
/// a file read in a guessed encoding is visible without opening the report.
fn files_line(r: &Report) -> String {
    if r.files.is_empty() {
        return String::new();
    }
    let count = |role: FileRole| r.files.iter().filter(|f| f.role == role).count();
    let mut out = format!(
        "files: {} tables, {} left out, {} not mapped, {} documents, {} emails, {} unreadable\n",
        count(FileRole::Table),
        count(FileRole::Ignored),
        count(FileRole::Unmapped),
        count(FileRole::Document),
        count(FileRole::Email),
        count(FileRole::Unreadable)
    );
    let mut by_encoding: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in &r.files {
        if let Some(e) = f.encoding.as_deref().filter(|e| !e.starts_with("UTF-8")) {
            by_encoding.entry(e).or_default().push(&f.path);
        }
    }
    for (encoding, paths) in by_encoding {
        let _ = writeln!(out, "  read as {encoding}: {}", paths.join(", "));
    }
    let undecided: Vec<String> = r
        .files
        .iter()
        .flat_map(|f| {
            f.undecided
                .iter()
                .map(move |c| format!("{} \"{}\" ({} values)", f.path, c.header, c.values))
        })
        .collect();
    for f in &r.files {
        for note in &f.notes {
            let _ = writeln!(out, "  {}: {note}", f.path);
        }
    }
    if !undecided.is_empty() {
        let _ = writeln!(
            out,
            "  columns no field takes (not carried; \"ignore\" in the mapping if on purpose): {}",
            undecided.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_pipeline::report::files::FileLine;

    fn file(path: &str, role: FileRole, encoding: Option<&str>) -> FileLine {
        FileLine {
            encoding: encoding.map(Into::into),
            ..FileLine::new(path, role)
        }
    }

    #[test]
    fn the_files_line_counts_roles_and_names_tables_read_in_a_guessed_encoding() {
        let r = Report {
            files: vec![
                file("people.csv", FileRole::Table, Some("windows-1252")),
                file("matters.csv", FileRole::Table, Some("UTF-8")),
                file("old.csv", FileRole::Ignored, None),
                file("scan.pdf", FileRole::Document, None),
                file("Tasks.csv", FileRole::Unreadable, None),
            ],
            ..Report::default()
        };
        let text = verdict(&r, 20);
        assert!(
            text.contains(
                "files: 2 tables, 1 left out, 0 not mapped, 1 documents, 0 emails, 1 unreadable"
            ),
            "{text}"
        );
        assert!(
            text.contains("read as windows-1252: people.csv\n"),
            "{text}"
        );
        assert!(!text.contains("matters.csv"), "{text}");
    }

    #[test]
    fn trust_balances_below_zero_are_named_for_the_firm_to_check() {
        let overdrawn =
            serde_json::json!({"scope": "project", "id": "01-0002", "balance": "-200.00"});
        let r = Report {
            negative_trust: vec![serde_json::from_value(overdrawn).expect("a balance")],
            ..Report::default()
        };
        assert!(
            verdict(&r, 20).contains(
                "1 trust balance(s) end below zero, the first project 01-0002 at -200.00"
            ),
            "{}",
            verdict(&r, 20)
        );
        assert!(!verdict(&Report::default(), 20).contains("below zero"));
    }

    #[test]
    fn an_export_without_files_prints_no_files_line() {
        assert!(!verdict(&Report::default(), 20).contains("files:"));
    }
}
