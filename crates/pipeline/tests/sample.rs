//! Every kind loads from the small sample and the report matches its ground truth exactly.

mod common;

use std::collections::BTreeSet;

use common::migrate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_matches_ground_truth() {
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let report = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("migrate");
    let truth = &sample.truth;
    // Every comparison is made and all differences are reported at once.
    let mut failures: Vec<String> = Vec::new();
    macro_rules! check_eq {
        ($got:expr, $want:expr, $($what:tt)+) => {
            if $got != $want {
                failures.push(format!("{}: got {:?}, want {:?}", format!($($what)+), $got, $want));
            }
        };
    }

    for (kind, counts) in &truth.kinds {
        let got = report.kinds.get(kind.as_str()).cloned().unwrap_or_default();
        check_eq!(
            (got.source_rows, got.loaded, got.rejected),
            (
                counts.source_rows as u64,
                counts.loaded as u64,
                counts.rejected as u64
            ),
            "counts of {kind}"
        );
    }
    let got: BTreeSet<(String, u64, String, String)> = report
        .rejects
        .iter()
        .map(|r| {
            (
                common::file_of(&r.file),
                r.row,
                r.field.clone(),
                r.code.clone(),
            )
        })
        .collect();
    let want: BTreeSet<(String, u64, String, String)> = truth
        .rejects
        .iter()
        .map(|r| {
            (
                r.file.clone(),
                r.row as u64,
                r.field.clone(),
                r.code.clone(),
            )
        })
        .collect();
    check_eq!(
        got.difference(&want).collect::<Vec<_>>(),
        Vec::<&(String, u64, String, String)>::new(),
        "unexpected rejects"
    );
    check_eq!(
        want.difference(&got).collect::<Vec<_>>(),
        Vec::<&(String, u64, String, String)>::new(),
        "missing rejects"
    );

    check_eq!(
        report.duplicate_groups,
        truth.duplicate_groups,
        "duplicate groups"
    );
    check_eq!(
        report.trust_by_project,
        truth.trust_by_project,
        "trust per matter"
    );
    check_eq!(
        report.trust_by_client,
        truth.trust_by_client,
        "trust per client"
    );
    // Each drifted ledger is named at the row where its running balance first breaks.
    let got: BTreeSet<_> = report
        .trust_mismatches
        .iter()
        .map(|m| {
            let at = m.at.as_ref();
            (
                m.project_id.clone(),
                m.source_balance,
                m.computed_balance,
                at.map(|b| common::file_of(&b.file)),
                at.map(|b| b.row),
                at.map(|b| b.transaction_id.clone()),
            )
        })
        .collect();
    let want: BTreeSet<_> = truth
        .trust_mismatches
        .iter()
        .map(|m| {
            (
                m.project_id.clone(),
                m.source_balance,
                m.computed_balance,
                Some(m.file.clone()),
                Some(m.row as u64),
                Some(m.transaction_id.clone()),
            )
        })
        .collect();
    check_eq!(got, want, "trust mismatches");
    check_eq!(
        report.invoice_balance,
        truth.invoice_balance,
        "invoice balances"
    );
    check_eq!(
        report.receivable_by_project,
        truth.receivable_by_project,
        "receivables"
    );
    let got: BTreeSet<_> = report
        .invoice_mismatches
        .iter()
        .map(|m| {
            (
                m.invoice_id.clone(),
                m.source_balance_due,
                m.computed_balance,
            )
        })
        .collect();
    let want: BTreeSet<_> = truth
        .invoice_mismatches
        .iter()
        .map(|m| {
            (
                m.invoice_id.clone(),
                m.source_balance_due,
                m.computed_balance,
            )
        })
        .collect();
    check_eq!(got, want, "invoice mismatches");
    check_eq!(report.documents, truth.documents, "document checksums");
    check_eq!(
        report.email_attachments,
        truth.email_attachments,
        "email attachments"
    );
    // The sample is dirty on purpose: every row is accounted for, yet it does not migrate:
    // it rejects more than 1% of most kinds, and it has exactly the truth's problems
    // (drifted ledgers, wrong balances due).
    let v = &report.verdict;
    check_eq!(v.accounted_for, true, "accounted for");
    check_eq!(v.migrated, false, "migrated");
    check_eq!(
        report.problems().len(),
        truth.trust_mismatches.len() + truth.invoice_mismatches.len(),
        "problems"
    );
    let problems = format!(
        "{} balance, ledger, document or file problems",
        report.problems().len()
    );
    check_eq!(
        v.failures.iter().any(|f| f.starts_with(&problems)),
        true,
        "the problems fail the verdict: {:?}",
        v.failures
    );
    check_eq!(
        report.suspicious_groups,
        Vec::<Vec<String>>::new(),
        "suspicious groups"
    );
    assert!(
        report.document_problems.is_empty(),
        "{:?}",
        report.document_problems
    );
    for (kind, counts) in &truth.kinds {
        if counts.loaded > 0 {
            assert!(
                report
                    .kinds
                    .get(kind.as_str())
                    .is_some_and(|c| c.loaded > 0),
                "{kind} loads"
            );
        }
    }
    eprintln!(
        "kinds in the sample: {:?}",
        truth.kinds.keys().collect::<Vec<_>>()
    );
    // The files a person reads and corrects were written.
    let dir = data.path().join("reports").join("sample");
    assert!(dir.join("report.html").exists());
    assert!(dir.join("report.json").exists());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
