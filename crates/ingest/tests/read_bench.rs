//! Reading throughput. Ignored by default; run with
//! `cargo test --release -p migrationai-ingest --test read_bench -- --ignored --nocapture`.

mod common;

use std::io::Write;
use std::time::Instant;

use migrationai_ingest::read::{open_table, Export, Limits, SourceRow};

#[test]
#[ignore]
fn csv_rows_per_second() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("Time.csv");
    let rows = 2_000_000u64;
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        writeln!(
            f,
            "Id,Date,Matter,User,Hours,Rate,Amount,Billed,Activity,Note"
        )
        .expect("w");
        for i in 0..rows {
            writeln!(
                f,
                "{i},2021-03-{:02},M-{},jdoe,1.25,250.00,312.50,true,Drafting,\"Call, client\"",
                i % 28 + 1,
                i % 5000
            )
            .expect("w");
        }
    }
    let size = std::fs::metadata(&path).expect("meta").len();
    let export = Export::open(dir.path(), &Limits::default()).expect("export");
    let entry = export.entry("Time.csv").expect("entry").clone();
    let start = Instant::now();
    let mut reader = open_table(&export, &entry).expect("open");
    let mut row = SourceRow::default();
    let mut n = 0u64;
    while let Some(r) = reader.read_into(&mut row) {
        r.expect("row");
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(n, rows);
    println!(
        "{n} rows, {:.1} MB in {secs:.2}s: {:.0} rows/s, {:.0} MB/s (includes encoding scan)",
        size as f64 / 1e6,
        n as f64 / secs,
        size as f64 / 1e6 / secs
    );
}
