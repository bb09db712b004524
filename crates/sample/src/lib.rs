//! A deterministic synthetic law-firm export, the way a legacy practice-management system
//! writes one, together with its ground truth: what a correct migration must load, reject and
//! reconcile. The same seed and size always give byte-identical files.
//!
//! ```no_run
//! use migrationai_sample::{generate, SampleOptions, Size};
//! let summary = generate(&SampleOptions {
//!     size: Size::Small,
//!     seed: 7,
//!     out: "target/sample".into(),
//!     zip: false,
//! })?;
//! println!("{} rows", summary.total_rows);
//! # Ok::<(), migrationai_sample::SampleError>(())
//! ```

mod archive;
mod error;
mod faults;
mod ids;
mod kinds;
mod options;
mod people;
pub mod styles;
mod truth;
mod writer;

pub use error::SampleError;
pub use options::{SampleOptions, Size};
pub use truth::{
    ColumnTruth, FileTruth, GroundTruth, InvoiceMismatch, KindCounts, Reject, TrustMismatch,
};

use migrationai_domain::Kind;
use options::Plan;
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) type Rng = rand_chacha::ChaCha8Rng;

/// The extra vendor columns the export carries that map to no canonical field.
pub const EXTRA_COLUMNS: &[&str] = &[
    "Legacy Flag",
    "Row Version",
    "Conflict Check",
    "Sync Status",
    "Source System",
    "Pinned",
    "Reminder Sent",
    "Import Batch",
    "Bank Account",
    "Reconciled",
    "Printed",
    "Deposited To",
    "Has Attachments",
    "Mailbox Folder",
    "Storage Tier",
    "Color",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Where the export is: the `export` folder or `export.zip`.
    pub export: PathBuf,
    pub ground_truth: PathBuf,
    pub rows_by_kind: BTreeMap<Kind, usize>,
    pub total_rows: usize,
    pub rejected: usize,
    pub documents: usize,
    pub emails: usize,
    pub elapsed: Duration,
    /// Rows whose simulated outcome differs from what the generator meant; always empty
    /// unless the generator has a bug (tests check it).
    pub surprises: Vec<String>,
}

/// Writes the export and `ground_truth.json` under `opts.out`.
pub fn generate(opts: &SampleOptions) -> Result<Summary, SampleError> {
    let started = std::time::Instant::now();
    let plan = Plan::for_size(opts.size);
    std::fs::create_dir_all(&opts.out)?;
    let export_dir = opts.out.join("export");
    let zip_path = opts.out.join("export.zip");
    // Stale output from an earlier run would make the export differ from its truth.
    remove_if_present(&export_dir)?;
    remove_if_present(&zip_path)?;
    let root = if opts.zip {
        opts.out.join(".export-staging")
    } else {
        export_dir.clone()
    };
    remove_if_present(&root)?;
    std::fs::create_dir_all(&root)?;

    let mut sim = truth::Simulator::new();
    // One stream per kind, so changing one kind's generator leaves the others' rows alone.
    let stream =
        |salt: u64| Rng::seed_from_u64(opts.seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let contacts = kinds::contacts::write(&root, &plan, &mut stream(1), &mut sim)?;
    let matters = kinds::matters::write(&root, &plan, &mut stream(2), &mut sim, &contacts.loaded)?;
    kinds::work::write_sections(&root, &plan, &mut stream(3), &mut sim, &matters)?;
    kinds::work::write_notes(
        &root,
        &plan,
        &mut stream(4),
        &mut sim,
        &matters,
        &contacts.loaded,
    )?;
    kinds::work::write_calendar(&root, &plan, &mut stream(5), &mut sim, &matters)?;
    kinds::work::write_tasks(&root, &plan, &mut stream(6), &mut sim, &matters)?;
    let billable =
        kinds::billing::write_activities(&root, &plan, &mut stream(7), &mut sim, &matters)?;
    let trust = kinds::billing::write_trust(&root, &plan, &mut stream(8), &mut sim, &matters)?;
    let emails =
        kinds::files::write_emails(&root, &plan, &mut stream(9), &mut sim, &matters, opts.seed)?;
    let documents =
        kinds::files::write_documents(&root, &plan, &mut stream(10), &mut sim, &matters)?;
    let invoices =
        kinds::billing::write_bills(&root, &plan, &mut stream(11), &mut sim, &matters, &billable)?;
    // The ledger is kept in processing (phase) order, which is how the pipeline reports it.
    let mut rejects = std::mem::take(&mut sim.rejects);
    rejects.sort_by_key(|r| r.kind.phase());

    let ground = GroundTruth {
        seed: opts.seed,
        size: opts.size,
        currency: "USD".into(),
        files: std::mem::take(&mut sim.files),
        kinds: sim.counts.clone(),
        rejects,
        duplicate_groups: contacts.duplicate_groups,
        trust_by_project: trust.by_project,
        trust_by_client: trust.by_client,
        trust_mismatches: trust.mismatches,
        invoice_balance: invoices.balance,
        receivable_by_project: invoices.receivable,
        invoice_mismatches: invoices.mismatches,
        documents,
        email_attachments: emails,
    };
    finish(
        opts,
        started,
        root,
        export_dir,
        zip_path,
        ground,
        sim.surprises,
    )
}

fn finish(
    opts: &SampleOptions,
    started: std::time::Instant,
    root: PathBuf,
    export_dir: PathBuf,
    zip_path: PathBuf,
    ground: GroundTruth,
    surprises: Vec<String>,
) -> Result<Summary, SampleError> {
    let export = if opts.zip {
        archive::zip_dir(&root, &zip_path)?;
        std::fs::remove_dir_all(&root)?;
        zip_path
    } else {
        export_dir
    };
    let truth_path = opts.out.join("ground_truth.json");
    let mut json = serde_json::to_vec_pretty(&ground)?;
    json.push(b'\n');
    std::fs::write(&truth_path, json)?;
    let rows_by_kind: BTreeMap<Kind, usize> = ground
        .kinds
        .iter()
        .map(|(k, c)| (*k, c.source_rows))
        .collect();
    Ok(Summary {
        export,
        ground_truth: truth_path,
        total_rows: rows_by_kind.values().sum(),
        rows_by_kind,
        rejected: ground.rejects.len(),
        documents: ground.documents.len(),
        emails: ground.email_attachments.len(),
        elapsed: started.elapsed(),
        surprises,
    })
}

fn remove_if_present(path: &Path) -> Result<(), SampleError> {
    if path.is_dir() {
        std::fs::remove_dir_all(path)?;
    } else if path.exists() {
        std::fs::remove_file(path)?;
    }
    Ok(())
}
