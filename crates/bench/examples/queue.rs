//! Measures the embedded queue: `cargo run --release -p migrationai-bench
//! --example queue [messages] [data_dir]`.

use migrationai_adapters::embedded::EmbeddedQueue;
use migrationai_bench::bench_queue;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let messages: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let scratch = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let queue = EmbeddedQueue::open_in_dir(&dir).await?;
    let figures = bench_queue(&queue, messages).await?;
    println!(
        "{} messages sent, received and deleted in {:.2} s: {:.0} messages/s (sending done at {:.2} s, {} receive calls)",
        figures.messages,
        figures.elapsed.as_secs_f64(),
        figures.messages_per_sec,
        figures.send_elapsed.as_secs_f64(),
        figures.receive_calls
    );
    queue.close().await?;
    Ok(())
}
