//! Generates a sample and prints how fast: `cargo run --release -p migrationai-sample
//! --example sample -- medium 42 /tmp/sample [--zip]`.

use migrationai_sample::{generate, SampleOptions, Size};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: Size = args.first().map_or(Ok(Size::Small), |s| s.parse())?;
    let seed: u64 = args.get(1).map_or(Ok(42), |s| s.parse())?;
    let out = args
        .get(2)
        .map_or("target/sample".into(), std::path::PathBuf::from);
    let zip = args.iter().any(|a| a == "--zip");
    let s = generate(&SampleOptions {
        size,
        seed,
        out,
        zip,
    })?;
    let secs = s.elapsed.as_secs_f64();
    println!(
        "{size}: {} rows ({} rejected) in {secs:.2} s = {:.0} rows/s -> {}",
        s.total_rows,
        s.rejected,
        s.total_rows as f64 / secs.max(1e-9),
        s.export.display()
    );
    for (kind, rows) in &s.rows_by_kind {
        println!("  {kind:16} {rows}");
    }
    for line in s.surprises.iter().take(20) {
        println!("surprise: {line}");
    }
    Ok(())
}
