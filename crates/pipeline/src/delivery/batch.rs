//! One kind's page of loaded records pushed into Filevine: what the Filevine target
//! ([`super::target::FilevineTarget`]) does per page, and the dry run with it.

use futures::stream::{self, StreamExt};
use migrationai_domain::Kind;
use migrationai_filevine::{
    turns, Action, FileContent, FileRole, FvError, ItemHolders, PushRecord, Pusher, Refusal,
};
use migrationai_ports::blob::{BlobError, BlobStore};
use serde::Deserialize;

use migrationai_ports::store::Store;
use migrationai_ports::target::{PageDelivered, Record as Loaded, Refused};

use crate::error::ProcessingError;
use crate::record_pages::Pages;

/// A file as the migration stored it in a record (`handlers::files`).
#[derive(Deserialize)]
struct StoredFile {
    role: String,
    name: String,
    #[serde(default)]
    content_type: Option<String>,
    sha256: String,
    blob_key: String,
}

/// Pushes `records` of `kind`, `concurrency` turns at a time (records that compete for one
/// thing in Filevine, the payments of one invoice, go one after another in a fixed order:
/// see [`turns`]). A refused record becomes a reject
/// with Filevine's reason; a failure no refusal covers (transient past the pusher's own
/// rounds, or permanent) is the batch's error, after every record has had its turn, so a
/// retry of the batch only redoes what did not land (the id map skips the rest).
/// `holders` says which of the job's invoices bills each billing item (see
/// [`invoice_holders`]); only invoices read it.
pub async fn push_batch(
    px: &Pusher,
    blobs: &BlobStore,
    kind: Kind,
    records: &[Loaded],
    concurrency: usize,
    holders: &ItemHolders,
) -> Result<PageDelivered, FvError> {
    // The futures are made before the stream runs: a closure held by the stream across
    // its awaits would keep the future from being `Send` for every lifetime, which a queue
    // handler's future must be.
    let order = turns(
        kind,
        records.iter().map(|r| (r.source_id.as_str(), &r.fields)),
    );
    let pending: Vec<_> = order
        .into_iter()
        .map(|turn| async move {
            let mut done = Vec::with_capacity(turn.len());
            for rec in turn.into_iter().filter_map(|i| records.get(i)) {
                done.push((rec, push_one(px, blobs, kind, rec, holders).await));
            }
            done
        })
        .collect();
    let results: Vec<(&Loaded, Result<Action, FvError>)> = stream::iter(pending)
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut out = PageDelivered::default();
    let mut failed: Option<FvError> = None;
    for (rec, result) in results {
        match result {
            Ok(Action::Created) => out.counts.created += 1,
            Ok(Action::Adopted) => out.counts.adopted += 1,
            Ok(Action::Updated(_)) => out.counts.updated += 1,
            Ok(Action::Unchanged) => out.counts.unchanged += 1,
            Err(FvError::Refused(r)) => {
                out.counts.refused += 1;
                out.refused.push(refused(rec, r));
            }
            Err(e) => {
                tracing::warn!(%kind, source = %rec.source_id, error = %e, "push failed");
                // A permanent failure outranks a transient one: retrying will not help.
                if !matches!(failed, Some(FvError::Permanent { .. })) {
                    failed = Some(e);
                }
            }
        }
    }
    out.refused
        .sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

async fn push_one(
    px: &Pusher,
    blobs: &BlobStore,
    kind: Kind,
    rec: &Loaded,
    holders: &ItemHolders,
) -> Result<Action, FvError> {
    let parents = px.resolve_parents(kind, &rec.fields).await?;
    let taken = match kind {
        Kind::BillingInvoice => holders.taken(&rec.source_id, &rec.fields),
        _ => Vec::new(),
    };
    let mut files = Vec::with_capacity(rec.files.len());
    for f in &rec.files {
        files.push(file(blobs, f).await?);
    }
    let record = PushRecord {
        kind,
        source_id: rec.source_id.clone(),
        fields: rec.fields.clone(),
        parents,
        files,
        taken,
    };
    Ok(px.push(&record).await?.action)
}

/// A stored file with its bytes. A file the store describes in a way this build cannot
/// read, or whose blob is gone, refuses the record (it cannot be delivered whole).
async fn file(blobs: &BlobStore, f: &serde_json::Value) -> Result<FileContent, FvError> {
    let stored = StoredFile::deserialize(f)
        .map_err(|e| FvError::refused(Some("files"), "stored_file_unreadable", e.to_string()))?;
    let role = FileRole::parse(&stored.role).ok_or_else(|| {
        FvError::refused(
            Some("files"),
            "unknown_file_role",
            format!("file {:?} has the role {:?}", stored.name, stored.role),
        )
    })?;
    let bytes = match blobs.get(&stored.blob_key).await {
        Ok(b) => b,
        Err(BlobError::NotFound { .. }) => {
            return Err(FvError::refused(
                Some("files"),
                "blob_missing",
                format!("the stored copy of {:?} is gone", stored.name),
            ))
        }
        Err(e) => return Err(FvError::transient("read blob", e.to_string())),
    };
    Ok(FileContent {
        role,
        name: stored.name,
        content_type: stored.content_type,
        bytes,
        sha256: stored.sha256,
    })
}

fn refused(rec: &Loaded, r: Refusal) -> Refused {
    let code = match r.status {
        Some(status) if !r.code.contains(&status.to_string()) => format!("{} ({status})", r.code),
        _ => r.code,
    };
    Refused {
        source_id: rec.source_id.clone(),
        file: rec.file.clone(),
        row: rec.row,
        field: r.field.unwrap_or_default(),
        code,
        reason: r.reason,
    }
}

/// Which invoice bills each billing item, decided over every invoice the job loaded (the
/// records of a finished job do not change, so every worker decides alike).
pub async fn invoice_holders(
    store: &dyn Store,
    tenant: &str,
    job: &str,
) -> Result<ItemHolders, ProcessingError> {
    let mut invoices = Vec::new();
    let mut pages = Pages::new(store, tenant, job, Kind::BillingInvoice);
    while let Some(page) = pages.next().await? {
        invoices.extend(page.into_iter().map(|r| (r.source_id, r.fields)));
    }
    Ok(ItemHolders::decide(
        invoices.iter().map(|(id, fields)| (id.as_str(), fields)),
    ))
}
