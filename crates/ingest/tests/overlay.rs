//! Corrected rejects laid over a real CSV table, read back with the same readers.

use std::path::Path;

use migrationai_ingest::overlay::{overlay, OverlayError};
use migrationai_ingest::{open_table, Export, Limits, SourceRow, TableReader};

fn table(dir: &Path, name: &str, text: &str) -> (Export, String) {
    std::fs::write(dir.join(name), text).expect("write");
    (
        Export::open(dir, &Limits::default()).expect("export"),
        name.to_string(),
    )
}

fn reader(export: &Export, name: &str) -> TableReader {
    let entry = export.entry(name).expect("entry");
    open_table(export, entry).expect("open")
}

fn rows(r: &mut TableReader) -> Vec<Result<SourceRow, String>> {
    std::iter::from_fn(|| r.next_row())
        .map(|x| x.map_err(|e| format!("{:?}", e.kind)))
        .collect()
}

const ORIGINAL: &str = "id,email,amount\r\n\
    C1,a@x.test,1.00\r\n\
    C2,broken@,2.00\r\n\
    C3,only two\r\n\
    C4,d@x.test,-4.00\r\n";

#[test]
fn corrected_rows_replace_theirs_and_everything_else_is_kept_in_place() {
    let src = tempfile::tempdir().expect("dir");
    let (export, name) = table(src.path(), "contacts.csv", ORIGINAL);
    // Row 3 fixed; row 5 sent back unchanged (its amount neutralised as the rejects file
    // does); row 4, unreadable, not corrected.
    let fixes = tempfile::tempdir().expect("dir");
    let (fix_export, fix_name) = table(
        fixes.path(),
        "fixes.csv",
        "id,email,amount,source_row,field,code,reason\r\n\
         C2,b@x.test,2.00,3,email,invalid_email,no domain\r\n\
         C4,d@x.test,'-4.00,5,amount,whatever,x\r\n",
    );
    let mut out = Vec::new();
    let summary = overlay(
        &mut reader(&export, &name),
        &mut reader(&fix_export, &fix_name),
        b',',
        &mut out,
    )
    .expect("overlay");
    assert_eq!(summary.rows, 4);
    assert_eq!(summary.corrected, vec![3]);
    assert_eq!(summary.unchanged, vec![5]);

    let done = tempfile::tempdir().expect("dir");
    std::fs::write(done.path().join("contacts.csv"), &out).expect("write");
    let export = Export::open(done.path(), &Limits::default()).expect("export");
    let mut r = reader(&export, "contacts.csv");
    assert_eq!(r.headers(), ["id", "email", "amount"]);
    let got = rows(&mut r);
    let ok = |row: u64, v: [&str; 3]| {
        Ok(SourceRow {
            row,
            values: v.iter().map(|s| s.to_string()).collect(),
        })
    };
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], ok(2, ["C1", "a@x.test", "1.00"]));
    assert_eq!(got[1], ok(3, ["C2", "b@x.test", "2.00"]));
    // Still unreadable, still at row 4.
    assert_eq!(got[2], Err("TooFewFields".to_string()));
    assert_eq!(got[3], ok(5, ["C4", "d@x.test", "-4.00"]));
}

#[test]
fn corrections_naming_unknown_rows_or_columns_are_refused() {
    let src = tempfile::tempdir().expect("dir");
    let (export, name) = table(src.path(), "contacts.csv", ORIGINAL);
    for (fix, expect) in [
        (
            "id,email,amount,source_row\r\nC9,x@y.test,1,99\r\n",
            "source row 99 is not a row",
        ),
        (
            "id,mail,amount,source_row\r\nC2,x@y.test,1,3\r\n",
            "column \"mail\" is not a column",
        ),
        (
            "id,email,amount\r\nC2,x@y.test,1\r\n",
            "no source_row column",
        ),
        (
            "id,email,amount,source_row\r\nC2,x@y.test,1,three\r\n",
            "is not a row number",
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let (fix_export, fix_name) = table(dir.path(), "fixes.csv", fix);
        let err = overlay(
            &mut reader(&export, &name),
            &mut reader(&fix_export, &fix_name),
            b',',
            Vec::new(),
        )
        .expect_err(expect);
        assert!(matches!(err, OverlayError::Corrections(_)), "{err}");
        assert!(err.to_string().contains(expect), "{err}");
    }
}
