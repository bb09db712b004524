//! `bench tfp --gb N`: a synthetic export of N GB (large CSV tables and many document
//! files, zipped and streamed to disk as it is made), uploaded to the blob store, then
//! through the tfp path: fetch, unpack, detect, profile and propose; start; fetch, unpack,
//! split into batches and copy the documents to the blob store. Prints wall time, MB/s,
//! peak RSS and peak disk use; asserts nothing about time.
use crate::output::say;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use migrationai_api::db::plans::PlanRequest;
use migrationai_api::state::Settings;
use migrationai_api::tfp;
use migrationai_api::workflow::upload::blob_prefix;
use migrationai_domain::DraftStatus;
use migrationai_host::Config;
use migrationai_pipeline::memory::peak_rss_kib;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const TENANT: &str = "bench";
const JOB: &str = "bench-tfp";
/// Share of the export that is document files; the rest is tables.
const DOCUMENT_SHARE: f64 = 0.6;
const DOCUMENT_BYTES: usize = 256 * 1024;
const MB: f64 = 1_000_000.0;

/// What the synthetic export holds.
struct Made {
    /// Bytes of the files inside the export (what is unpacked).
    unpacked: u64,
    zipped: u64,
    rows: u64,
    documents: u64,
}

pub fn tfp(gb: f64, dir: &Path) -> anyhow::Result<ExitCode> {
    if gb.is_nan() || gb <= 0.0 {
        anyhow::bail!("--gb must be above 0");
    }
    super::bench::fresh_dir(dir)?;
    let zip_path = dir.join("export.zip");
    let started = Instant::now();
    let made = make_export(&zip_path, (gb * 1e9) as u64)?;
    say!(
        "tfp: synthetic export {:.0} MB unpacked ({} table rows, {} documents), {:.0} MB zipped, made in {:.1} s",
        made.unpacked as f64 / MB,
        made.rows,
        made.documents,
        made.zipped as f64 / MB,
        started.elapsed().as_secs_f64()
    );
    let data = dir.join("data");
    let rt = super::embedded::runtime()?;
    rt.block_on(run(&zip_path, &data, &made))
}

async fn run(zip_path: &Path, data: &Path, made: &Made) -> anyhow::Result<ExitCode> {
    let config = Config::embedded(data);
    let settings = Settings {
        upload_limit: u64::MAX,
        ..Settings::default()
    };
    let state = migrationai_host::open::state(&config, settings).await?;
    state.db.create_draft(TENANT, JOB, JOB).await?;

    // The upload: what the API streams into the blob store.
    let started = Instant::now();
    let name = "export.zip";
    let key = format!("{}{name}", blob_prefix(TENANT, JOB));
    let stored = state.app.services.blobs.put_file(&key, zip_path).await?;
    state
        .db
        .add_file(TENANT, JOB, name, stored.size as i64, &stored.sha256)
        .await?;
    std::fs::remove_file(zip_path)?;
    say!(
        "tfp: upload into the blob store {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // From here on, disk use beyond the stored upload is tfp's doing.
    let sampler = DiskSampler::start(vec![data.to_path_buf()]);
    let before = sampler.peak();
    // What tfp itself puts on its disk (fetched and unpacked copies), blob store aside.
    let local = DiskSampler::start(vec![data.join("work"), data.join("exports")]);
    let started = Instant::now();
    let moved = state
        .db
        .set_draft_status(
            TENANT,
            JOB,
            &[DraftStatus::Created],
            DraftStatus::Analysing,
            None,
        )
        .await?;
    anyhow::ensure!(moved, "the bench job is not waiting for analysis");
    let draft = state
        .db
        .draft(TENANT, JOB)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bench job is gone"))?;
    tfp::analyse(&state, &draft).await?;
    let analysed = started.elapsed().as_secs_f64();
    say!("tfp: analyse (fetch, unpack, detect, profile, propose) {analysed:.1} s");
    let analyse_rss = peak_rss_kib();
    // Linux resets the peak (VmHWM) on "5", so the split's own peak can be read after it.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

    let started = Instant::now();
    migrationai_api::workflow::run::start(&state, TENANT, JOB, false)
        .await
        .map_err(|e| anyhow::anyhow!("start: {e}"))?;
    let req = PlanRequest {
        tenant: TENANT.into(),
        id: JOB.into(),
    };
    let split = tfp::split::split_request(&state, &req)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the job was not waiting to be split"))?;
    let splitting = started.elapsed().as_secs_f64();
    say!(
        "tfp: split (fetch, unpack, {} batches, {} files copied to the blob store, {:.0} MB) {splitting:.1} s",
        split.batches,
        split.staged_files,
        split.staged_bytes as f64 / MB
    );
    let peak_disk = sampler.stop();
    let peak_local = local.stop();
    let split_rss = peak_rss_kib();
    let total = analysed + splitting;
    say!(
        "tfp: {:.1} s for {:.0} MB: {:.1} MB/s",
        total,
        made.unpacked as f64 / MB,
        made.unpacked as f64 / MB / total
    );
    let mib = |kib: Option<u64>| kib.map(|k| k as f64 / 1024.0).unwrap_or(f64::NAN);
    if reset {
        say!(
            "tfp: RSS peaks: analysing {:.1} MiB, splitting {:.1} MiB",
            mib(analyse_rss),
            mib(split_rss)
        );
    }
    if let Some(kib) = analyse_rss.max(split_rss) {
        say!("tfp: peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    say!(
        "tfp: peak disk of tfp's own copies (fetched and unpacked) {:.0} MB",
        peak_local as f64 / MB
    );
    say!(
        "tfp: peak extra disk {:.0} MB (beyond the {:.0} MB upload in the blob store; includes the batches and document copies it stores)",
        peak_disk.saturating_sub(before) as f64 / MB,
        stored.size as f64 / MB
    );
    let left = count_files(&data.join("work")) + count_files(&data.join("exports"));
    say!("tfp: disk left: {left} files in work and exports");
    Ok(ExitCode::SUCCESS)
}

/// Files (not folders) below `dir`; 0 when it does not exist.
fn count_files(dir: &Path) -> u64 {
    let Ok(items) = std::fs::read_dir(dir) else {
        return 0;
    };
    items
        .flatten()
        .map(|i| match i.file_type() {
            Ok(t) if t.is_dir() => count_files(&i.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

fn bytes_below(dir: &Path) -> u64 {
    let Ok(items) = std::fs::read_dir(dir) else {
        return 0;
    };
    items
        .flatten()
        .map(|i| match i.metadata() {
            Ok(m) if m.is_dir() => bytes_below(&i.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Samples the bytes below some folders twice a second, keeping the largest total.
struct DiskSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
    dirs: Vec<PathBuf>,
}

fn bytes_below_all(dirs: &[PathBuf]) -> u64 {
    dirs.iter().map(|d| bytes_below(d)).sum()
}

impl DiskSampler {
    fn start(dirs: Vec<PathBuf>) -> DiskSampler {
        let peak = Arc::new(AtomicU64::new(bytes_below_all(&dirs)));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s, d) = (peak.clone(), stop.clone(), dirs.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(bytes_below_all(&d), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        DiskSampler {
            peak,
            stop,
            thread,
            dirs,
        }
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak
            .fetch_max(bytes_below_all(&self.dirs), Ordering::Relaxed);
        self.peak.load(Ordering::Relaxed)
    }
}

/// A cheap deterministic byte source: documents are incompressible, like real PDFs.
struct Noise(u64);

impl Noise {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            // xorshift64
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let bytes = self.0.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Counts what passes into the zip for one entry.
struct Counting<'a, W: Write> {
    inner: &'a mut W,
    written: u64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the export zip entry by entry; nothing larger than a line or a document is ever
/// held in memory.
fn make_export(path: &Path, target: u64) -> anyhow::Result<Made> {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(path)?));
    let tables = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    let documents = ((target as f64 * DOCUMENT_SHARE) as usize / DOCUMENT_BYTES).max(1) as u64;
    let table_bytes = target.saturating_sub(documents * DOCUMENT_BYTES as u64);
    let mut made = Made {
        unpacked: 0,
        zipped: 0,
        rows: 0,
        documents,
    };

    // Documents.csv: one row per document file.
    zip.start_file("Documents.csv", tables)?;
    let mut out = Counting {
        inner: &mut zip,
        written: 0,
    };
    writeln!(
        out,
        "Doc ID,Matter,Relative Path,Document Name,MIME Type,File Size"
    )?;
    for n in 0..documents {
        writeln!(
            out,
            "D{n},M{},docs/{:03}/doc{n}.pdf,Document {n},application/pdf,{DOCUMENT_BYTES}",
            n % 5000,
            n % 1000
        )?;
    }
    made.rows += documents;
    made.unpacked += out.written;
    let left = table_bytes.saturating_sub(out.written);

    // Contacts.csv and Matters.csv share the rest of the table budget.
    zip.start_file("Contacts.csv", tables)?;
    let mut out = Counting {
        inner: &mut zip,
        written: 0,
    };
    writeln!(
        out,
        "Contact No,Given Name,Surname,Email Address,Phone Number,Town,Zip Code"
    )?;
    let budget = left * 3 / 5;
    let mut n: u64 = 0;
    while out.written < budget {
        writeln!(
            out,
            "C{n},Given{},Surname{},person{n}@example.com,+1 555 {:03} {:04},Springfield {},{:05}",
            n % 997,
            n % 1009,
            n % 1000,
            n % 10_000,
            n % 50,
            n % 100_000
        )?;
        n += 1;
    }
    made.rows += n;
    made.unpacked += out.written;

    zip.start_file("Matters.csv", tables)?;
    let mut out = Counting {
        inner: &mut zip,
        written: 0,
    };
    writeln!(
        out,
        "Matter ID,Display Number,Matter Description,Primary Client,Practice Area,Matter Status,Open Date"
    )?;
    let budget = left - left * 3 / 5;
    let mut m: u64 = 0;
    while out.written < budget {
        writeln!(
            out,
            "M{m},{:05}-{:03},Smith v. Jones matter number {m} about a contract dispute,C{},Litigation,Open,2024-{:02}-{:02}",
            m % 100_000,
            m % 1000,
            m % 250_000,
            m % 12 + 1,
            m % 28 + 1
        )?;
        m += 1;
    }
    made.rows += m;
    made.unpacked += out.written;

    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut buf = vec![0u8; DOCUMENT_BYTES];
    for n in 0..documents {
        zip.start_file(format!("docs/{:03}/doc{n}.pdf", n % 1000), stored)?;
        noise.fill(&mut buf);
        zip.write_all(&buf)?;
        made.unpacked += buf.len() as u64;
    }
    let mut inner = zip.finish()?;
    inner.flush()?;
    drop(inner);
    made.zipped = std::fs::metadata(path)?.len();
    Ok(made)
}
