//! Every file of an export appears in the report: each table with its loaded and rejected
//! rows, each document, each file that could not be read with the reason, each table cut
//! short with the row it stopped at. Any of the last two fails the verdict.

mod common;

use common::migrate;
use migrationai_pipeline::report::files::FileRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_and_cut_short_tables_are_named_and_fail_the_verdict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    std::fs::create_dir_all(export.join("docs")).expect("folder");
    let write = |name: &str, bytes: &[u8]| std::fs::write(export.join(name), bytes).expect("write");
    write(
        "contacts.csv",
        b"Contact ID,First Name,Last Name,Email\nC1,Ann,Lee,ann@example.com\nC2,Bo,Ng,bo@example.com\n",
    );
    // A workbook cut off in the middle of its zip.
    write(
        "Matters.xlsx",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00truncated",
    );
    // Mac Roman: "\x81" is Å there and undefined in Windows-1252.
    write("Tasks.csv", b"Task ID,Title\nT1,\x81ngstr\x9am review\n");
    // A quote that never closes: the rows after it are not read.
    write(
        "notes.csv",
        b"Note ID,Contact,Body\nN1,C1,fine\nN2,C1,\"never closed\nN3,C1,lost\n",
    );
    write("docs/letter.pdf", b"%PDF-1.4 a letter");
    // Windows-1252: "\xe9" is é, and the file reads, in a single-byte encoding.
    write(
        "people.csv",
        b"Contact ID,First Name,Last Name,Email\nC5,Ren\xe9,Dupr\xe9,rd@example.com\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"Clients \xE9t\xE9.csv");
        std::fs::write(
            export.join(name),
            b"Contact ID,First Name,Last Name,Email\nC9,Cy,Do,cy@example.com\n",
        )
        .expect("non-UTF-8 name");
    }
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(
        &mapping,
        r#"
[[file]]
path = "contacts.csv"
kind = "contacts"
[file.columns]
"Contact ID" = "contact_id"
"First Name" = "first_name"
"Last Name" = "last_name"
"Email" = "email"

[[file]]
path = "people.csv"
kind = "contacts"
[file.columns]
"Contact ID" = "contact_id"
"First Name" = "first_name"
"Last Name" = "last_name"
"Email" = "email"

[[file]]
path = "notes.csv"
kind = "notes"
[file.columns]
"Note ID" = "note_id"
"Contact" = "contact_id"
"Body" = "body"

[[file]]
path = "Tasks.csv"
kind = "tasks"
[file.columns]
"Task ID" = "task_id"
"Title" = "title"
"#,
    )
    .expect("mapping");
    let data = tempfile::tempdir().expect("tempdir");
    let report = migrate(
        &export,
        Some(&mapping),
        Some("hostile".into()),
        &common::config(data.path()),
        &|_| {},
    )
    .await
    .expect("migrate runs to its report");

    let line = |path: &str| {
        report
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is not in the report: {:#?}", report.files))
    };
    let contacts = line("contacts.csv");
    assert_eq!(
        (contacts.role, contacts.loaded, contacts.rejected),
        (FileRole::Table, 2, 0)
    );
    assert_eq!(line("docs/letter.pdf").role, FileRole::Document);
    let book = line("Matters.xlsx");
    assert_eq!(book.role, FileRole::Unreadable);
    assert!(
        book.reason
            .as_deref()
            .unwrap_or_default()
            .contains("damaged"),
        "{book:?}"
    );
    let tasks = line("Tasks.csv");
    assert_eq!(tasks.role, FileRole::Unreadable, "{tasks:?}");
    assert!(
        tasks
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("encoding"),
        "{tasks:?}"
    );
    let notes = line("notes.csv");
    assert_eq!(notes.stopped_at, Some(3), "{notes:?}");
    assert_eq!((notes.loaded, notes.rejected), (1, 1));
    #[cfg(unix)]
    {
        // Its name is not UTF-8, but it is read like any other table the mapping does not
        // name: its row is counted, and nobody decided to leave it out.
        let odd = line("Clients \u{FFFD}t\u{FFFD}.csv");
        assert_eq!((odd.role, odd.rows), (FileRole::Unmapped, 1), "{odd:?}");
    }

    assert!(
        !report.verdict.migrated,
        "an unreadable table fails the verdict"
    );
    let problems = report.problems();
    for needle in [
        "Matters.xlsx: could not be read",
        "Tasks.csv: could not be read",
        "notes.csv: reading stopped at row 3",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(needle)),
            "{needle}: {problems:#?}"
        );
    }

    // The HTML report names every file and the single-byte encoding a table was read in
    // (the summary `migrate` prints is the CLI's, tested there from the same lines).
    let people = line("people.csv");
    let encoding = people.encoding.clone().expect("an encoding for a table");
    assert!(!encoding.starts_with("UTF-8"), "{people:?}");
    let html = migrationai_pipeline::report::html::render(&report);
    assert!(html.contains("Files of the export (7)"), "{html}");
    assert!(
        html.contains(&format!(
            "<td>people.csv</td><td>table</td><td>contacts</td><td>{encoding}</td><td>1</td><td>0</td><td>read</td>"
        )),
        "{html}"
    );
    assert!(html.contains("Matters.xlsx: could not be read"), "{html}");
}

/// An export whose second table no kind fits: two contacts and five rows of opaque codes,
/// and a table with a header and no rows.
fn export_with_an_unknown_table(dir: &std::path::Path) -> std::path::PathBuf {
    let export = dir.join("export");
    std::fs::create_dir_all(&export).expect("folder");
    std::fs::write(
        export.join("contacts.csv"),
        "Contact ID,First Name,Last Name,Email\nC1,Ann,Lee,ann@example.com\nC2,Bo,Ng,bo@example.com\n",
    )
    .expect("contacts");
    std::fs::write(
        export.join("widgets.csv"),
        "Qx,Zz\n7,9\n3,1\n5,5\n8,2\n6,4\n",
    )
    .expect("widgets");
    std::fs::write(export.join("blank.csv"), "Aa,Bb\n").expect("blank");
    export
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_nobody_mapped_fails_the_verdict_until_a_person_leaves_it_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = export_with_an_unknown_table(dir.path());
    let run = |mapping: Option<std::path::PathBuf>, name: &'static str| {
        let export = export.clone();
        async move {
            let data = tempfile::tempdir().expect("tempdir");
            migrate(
                &export,
                mapping.as_deref(),
                Some(name.into()),
                &common::config(data.path()),
                &|_| {},
            )
            .await
            .expect("migrate runs to its report")
        }
    };
    let role_of = |r: &migrationai_pipeline::Report, path: &str| {
        r.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| (f.role, f.rows))
            .unwrap_or_else(|| panic!("{path} is not in the report: {:#?}", r.files))
    };

    // The proposal: the contacts load, and the five rows nobody recognised fail the run.
    let proposed = run(None, "proposed").await;
    assert_eq!(role_of(&proposed, "widgets.csv"), (FileRole::Unmapped, 5));
    assert_eq!(proposed.kinds["contacts"].loaded, 2, "{:?}", proposed.kinds);
    assert!(!proposed.verdict.migrated, "{:?}", proposed.verdict);
    assert!(!proposed.verdict.accounted_for, "{:?}", proposed.verdict);
    assert!(
        proposed.verdict.failures[0].starts_with("widgets.csv: 5 rows not migrated"),
        "the first failure names the file and its rows: {:?}",
        proposed.verdict.failures
    );
    // A table with no rows loses nothing.
    assert_eq!(role_of(&proposed, "blank.csv"), (FileRole::Unmapped, 0));
    assert_eq!(proposed.verdict.failures.len(), 1, "{:?}", proposed.verdict);

    // The proposal written out and passed back unchanged decides nothing either.
    let opened = migrationai_ingest::Export::open_tables_in(
        &export,
        &migrationai_ingest::Limits::default(),
        dir.path(),
    )
    .expect("export opens");
    let (tables, _) = migrationai_ingest::tables::list_tables(&opened);
    let (suggestions, _, _) = migrationai_ingest::inspect::propose(
        &opened,
        &tables,
        &migrationai_ingest::inspect::InspectOptions::default(),
    );
    let text =
        migrationai_ingest::mapping::Mapping::from_suggestions(&suggestions).to_toml(&suggestions);
    let written = dir.path().join("proposal.toml");
    std::fs::write(&written, &text).expect("proposal");
    let unchanged = run(Some(written.clone()), "unchanged").await;
    assert_eq!(role_of(&unchanged, "widgets.csv"), (FileRole::Unmapped, 5));
    assert!(!unchanged.verdict.migrated, "{:?}", unchanged.verdict);

    // A person leaves it out: the run migrates, and the report still says what was left.
    let decided = dir.path().join("decided.toml");
    let edited = text.replace(
        "path = \"widgets.csv\"\n# not recognised: give it a kind, or \"ignore\" to leave it out\nkind = \"\"",
        "path = \"widgets.csv\"\nkind = \"ignore\"",
    );
    assert_ne!(
        edited, text,
        "the proposal marks widgets.csv undecided:\n{text}"
    );
    std::fs::write(&decided, edited).expect("decided");
    let left_out = run(Some(decided), "decided").await;
    assert_eq!(role_of(&left_out, "widgets.csv"), (FileRole::Ignored, 5));
    assert!(left_out.verdict.accounted_for, "{:?}", left_out.verdict);
    assert!(left_out.verdict.migrated, "{:?}", left_out.verdict);
}
