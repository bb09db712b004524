//! A second `migrate` under a job's name: the same export and mapping resume (or find
//! finished) that job; a different export or mapping never reuses it; a mapping file that
//! is missing or invalid is an error, and so is an export with nothing to migrate.

mod common;

use std::path::{Path, PathBuf};

use common::migrate;
use migrationai_pipeline::{ProcessingError, Start};

const CONTACTS: &str =
    "contact_id,first_name,last_name,email\nC1,Ann,Lee,ann@example.com\nC2,Bo,Ng,bo@example.com\n";

/// `<parent>/export/contacts.csv` with the given text: every export here is called "export".
fn export_in(parent: &Path, contacts: &str) -> PathBuf {
    let dir = parent.join("export");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("contacts.csv"), contacts).expect("write");
    dir
}

const MAPPING: &str = r#"currency = "USD"

[[file]]
path = "contacts.csv"
kind = "contacts"

[file.columns]
contact_id = "contact_id"
first_name = "first_name"
last_name = "last_name"
email = "email"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_is_reused_only_for_the_same_export_and_mapping() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    let app = common::open(&common::config(&data)).await.expect("open");
    let first = export_in(&root.path().join("a"), CONTACTS);

    let s = app.submit(&first, None, None).await.expect("submit");
    assert_eq!((s.job.name.as_str(), s.start), ("export", Start::New));
    assert_eq!(s.renamed_from, None);

    // The same export again: the same job, resumed (it has not run yet).
    let again = app.submit(&first, None, None).await.expect("again");
    assert_eq!(
        (again.job.id.as_str(), again.start),
        (s.job.id.as_str(), Start::Resumed)
    );

    // Another export in a folder of the same name: a job of its own, and it says why.
    let other = export_in(&root.path().join("b"), &CONTACTS.replace("Ann", "Anne"));
    let second = app.submit(&other, None, None).await.expect("other export");
    assert_eq!(
        (second.job.name.as_str(), second.start),
        ("export (2)", Start::New)
    );
    assert_eq!(second.renamed_from.as_deref(), Some("export"));
    assert_ne!(second.job.id, s.job.id);
    // ...found again under its own name when it is run again.
    let second_again = app.submit(&other, None, None).await.expect("again");
    assert_eq!(second_again.job.id, second.job.id);
    assert_eq!(second_again.start, Start::Resumed);

    // A name the caller chose, held by another export: refused, naming that export.
    let err = app
        .submit(&other, None, Some("export".into()))
        .await
        .expect_err("the name belongs to the first export");
    assert!(matches!(err, ProcessingError::NameTaken { .. }), "{err}");
    assert!(
        err.to_string().contains(&first.display().to_string()),
        "{err}"
    );

    // A mapping changes the source: the first export with a reviewed mapping is a new job.
    let mapping = root.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).expect("mapping");
    let mapped = app
        .submit(&first, Some(&mapping), None)
        .await
        .expect("with mapping");
    assert_eq!(
        (mapped.job.name.as_str(), mapped.start),
        ("export (3)", Start::New)
    );
    assert!(
        mapped.job.mapping.contains("first_name"),
        "{}",
        mapped.job.mapping
    );
    // Edited (a column left out), it is another source again.
    std::fs::write(
        &mapping,
        MAPPING.replace("email = \"email\"", "email = \"\""),
    )
    .expect("edit");
    let edited = app
        .submit(&first, Some(&mapping), None)
        .await
        .expect("edited mapping");
    assert_eq!(
        (edited.job.name.as_str(), edited.start),
        ("export (4)", Start::New)
    );
    // Only comments and spacing changed: the same source, resumed.
    std::fs::write(
        &mapping,
        format!(
            "# reviewed by J. Doe\n{}",
            MAPPING.replace("email = \"email\"", "email   =   \"\"")
        ),
    )
    .expect("comments");
    let same = app
        .submit(&first, Some(&mapping), None)
        .await
        .expect("same mapping");
    assert_eq!(
        (same.job.id.as_str(), same.start),
        (edited.job.id.as_str(), Start::Resumed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_invalid_mapping_is_an_error_never_ignored() {
    let root = tempfile::tempdir().expect("tempdir");
    let app = common::open(&common::config(&root.path().join("data")))
        .await
        .expect("open");
    let export = export_in(root.path(), CONTACTS);
    app.submit(&export, None, None).await.expect("first run");

    let missing = root.path().join("nope.toml");
    let err = app
        .submit(&export, Some(&missing), None)
        .await
        .expect_err("missing mapping");
    assert!(matches!(err, ProcessingError::Mapping(_)), "{err}");
    assert!(err.to_string().contains("nope.toml"), "{err}");

    let invalid = root.path().join("invalid.toml");
    std::fs::write(&invalid, MAPPING.replace("\"contacts\"", "\"contactz\"")).expect("write");
    let err = app
        .submit(&export, Some(&invalid), None)
        .await
        .expect_err("invalid mapping");
    assert!(err.to_string().contains("invalid.toml:5"), "{err}");

    let stranger = root.path().join("stranger.toml");
    std::fs::write(&stranger, MAPPING.replace("contacts.csv", "people.csv")).expect("write");
    let err = app
        .submit(&export, Some(&stranger), None)
        .await
        .expect_err("a table the export lacks");
    assert!(err.to_string().contains("people.csv"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_with_nothing_to_migrate_says_where_it_looked() {
    let root = tempfile::tempdir().expect("tempdir");
    let app = common::open(&common::config(&root.path().join("data")))
        .await
        .expect("open");
    let empty = root.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let err = app.submit(&empty, None, None).await.expect_err("empty");
    assert!(matches!(err, ProcessingError::NothingToMigrate(_)), "{err}");
    let text = err.to_string();
    assert!(text.contains("found no table"), "{text}");
    assert!(
        text.contains(
            &std::fs::canonicalize(&empty)
                .expect("path")
                .display()
                .to_string()
        ),
        "{text}"
    );

    // Files, but none a table of a known kind once the mapping leaves them out.
    let export = export_in(root.path(), CONTACTS);
    let mapping = root.path().join("ignore.toml");
    std::fs::write(
        &mapping,
        "[[file]]\npath = \"contacts.csv\"\nkind = \"ignore\"\n",
    )
    .expect("write");
    let err = app
        .submit(&export, Some(&mapping), None)
        .await
        .expect_err("nothing mapped");
    assert!(err.to_string().contains("none of the 1 tables"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_job_is_found_finished_not_run_again() {
    let root = tempfile::tempdir().expect("tempdir");
    let config = common::config(&root.path().join("data"));
    let export = export_in(root.path(), CONTACTS);
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrate");
    assert_eq!(report.kinds["contacts"].loaded, 2);
    let app = common::open(&config).await.expect("open");
    let again = app.submit(&export, None, None).await.expect("again");
    assert_eq!(
        (again.job.name.as_str(), again.start),
        ("export", Start::Finished)
    );
}
