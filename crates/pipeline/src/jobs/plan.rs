//! Planning: every mapped table is read once, each row mapped and validated, and split into
//! batch blobs (see `batch_blob`) that say what each row becomes.
//!
//! The planner is also where duplicate source ids are settled: it sees each kind's rows in
//! (file, row) order, so "the first valid occurrence loads" holds whatever order the batches
//! are later processed in. Planning is deterministic (same batch numbers, same blob keys), so
//! planning again after a crash overwrites the same blobs and adds no batch twice.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Arc;

use bytes::Bytes;
use migrationai_domain::Kind;
use migrationai_ingest::by_name::Lookups;
use migrationai_ingest::inspect::{archive_message, problem_code};
use migrationai_ingest::mapping::{FileMapping, Mapping};
use migrationai_ingest::parallel::map_ordered;
use migrationai_ingest::tables::{list_tables, open, open_mapped, TableRef};
use migrationai_ingest::transform::RowMapper;
use migrationai_ingest::undecided::Tally;
use migrationai_ingest::{Export, ReadOptions, SourceRow};
use migrationai_ports::store::{BatchRow, JobRow};

use crate::batch_blob::{settle, BlobHeader, BlobWriter, Reject, RowLine};
use crate::error::ProcessingError;
use crate::ids::batch_key;
use crate::report::files::{files_key, FileLine, FileRole};
use crate::services::Services;

/// One batch ready to be stored.
struct Planned {
    row: BatchRow,
    body: Vec<u8>,
}

pub async fn plan(services: &Services, job: &JobRow) -> Result<usize, ProcessingError> {
    let export = services.export(job).await?;
    let mapping = services.mapping(job)?;
    let batch_size = Services::settings(job)?.batch_size.max(1);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Planned>(4);
    let (tenant, job_id) = (job.tenant.clone(), job.id.clone());
    let reader = tokio::task::spawn_blocking(move || {
        split_all(&export, &mapping, &tenant, &job_id, batch_size, &tx)
    });
    let mut rows = Vec::new();
    while let Some(p) = rx.recv().await {
        // The key goes into the error: an operator reading the dead letter needs the blob.
        services
            .batches
            .put(&p.row.blob_key, Bytes::from(p.body))
            .await
            .map_err(|source| ProcessingError::BatchBlob {
                key: p.row.blob_key.clone(),
                source,
            })?;
        rows.push(p.row);
    }
    let files = reader.await??;
    // Kinds were planned at once, so their batches arrived interleaved; they are added in
    // the order one thread would have made them (kind, then batch number).
    rows.sort_by_key(|r: &BatchRow| (r.kind, r.batch_no));
    let listed = serde_json::to_vec(&files).map_err(crate::error::json("the export's files"))?;
    services
        .blobs
        .put(&files_key(&job.tenant, &job.id), Bytes::from(listed))
        .await?;
    services
        .store
        .add_batches(&job.tenant, &job.id, &rows)
        .await?;
    Ok(rows.len())
}

fn split_all(
    export: &Arc<Export>,
    mapping: &Mapping,
    tenant: &str,
    job: &str,
    batch_size: usize,
    tx: &tokio::sync::mpsc::Sender<Planned>,
) -> Result<Vec<FileLine>, ProcessingError> {
    let (tables, unlisted) = list_tables(export);
    let mut listing: Vec<FileLine> = unlisted
        .iter()
        .map(|e| FileLine {
            reason: Some(e.message.clone()),
            ..FileLine::new(&e.file, FileRole::Unreadable)
        })
        .collect();
    // Kinds share nothing while planned (duplicate ids and batch numbers are per kind), so
    // they are planned on the machine's cores at once, each kind's files on one thread in
    // (file, row) order. The listing is put together in the kinds' order, and the first
    // kind's error in that order wins, as when they ran one after another.
    let kinds: Vec<(Kind, Vec<&FileMapping>)> = Kind::ALL
        .into_iter()
        .map(|kind| {
            let mut files: Vec<_> = mapping
                .files
                .iter()
                .filter(|f| f.kind == Some(kind))
                .collect();
            files.sort_by(|a, b| a.table.cmp(&b.table));
            (kind, files)
        })
        .filter(|(_, files)| !files.is_empty())
        .collect();
    let size = |table: &str| {
        tables
            .iter()
            .find(|t| t.name == table)
            .map_or(0, |t| t.entry.size)
    };
    // References written as names become ids through their parents' names, read whole once.
    let lookups = Lookups::build(export, mapping);
    let to = Split {
        tenant,
        job,
        batch_size,
        tx,
        lookups: &lookups,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let planned = map_ordered(
        &kinds,
        threads,
        |(_, files)| files.iter().map(|f| size(&f.table)).sum(),
        |(kind, files)| split_kind(export, &tables, mapping, *kind, files, &to),
    );
    for lines in planned {
        listing.extend(lines?);
    }
    // Tables the mapping does not migrate must still be readable, or the report says they are
    // not; their rows are counted, so the report says how many were not migrated.
    for table in &tables {
        if listing.iter().any(|f| f.path == table.name) {
            continue;
        }
        let left_out = mapping.file(&table.name).is_some_and(|f| f.left_out);
        let role = if left_out {
            FileRole::Ignored
        } else {
            FileRole::Unmapped
        };
        listing.push(match open(export, table, &ReadOptions::default()) {
            Ok(mut r) => {
                let mut rows = 0;
                let mut row = SourceRow::default();
                while let Some(read) = r.read_into(&mut row) {
                    match read {
                        Ok(()) => rows += 1,
                        Err(e) if e.kind.is_row_level() => rows += 1,
                        Err(_) => break,
                    }
                }
                FileLine {
                    encoding: Some(r.encoding().to_string()),
                    rows,
                    ..FileLine::new(&table.name, role)
                }
            }
            // A person who left an unreadable file out on purpose has decided about it.
            Err(e) if left_out => FileLine {
                reason: Some(e.to_string()),
                ..FileLine::new(&table.name, FileRole::Ignored)
            },
            Err(e) => FileLine {
                reason: Some(e.to_string()),
                ..FileLine::new(&table.name, FileRole::Unreadable)
            },
        });
    }
    for entry in export.entries().iter().filter(|e| !e.format.is_table()) {
        if let Some(inner) = export.archived_tables(entry) {
            listing.push(FileLine {
                reason: Some(archive_message(&inner)),
                ..FileLine::new(&entry.path, FileRole::Unreadable)
            });
            continue;
        }
        let role = match entry.format {
            migrationai_ingest::Format::Eml => FileRole::Email,
            _ => FileRole::Document,
        };
        listing.push(FileLine::new(&entry.path, role));
    }
    listing.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Where a kind's batches go, and how large they are.
struct Split<'a> {
    tenant: &'a str,
    job: &'a str,
    batch_size: usize,
    tx: &'a tokio::sync::mpsc::Sender<Planned>,
    /// The parents' names, for reference columns that hold names.
    lookups: &'a Lookups,
}

/// One kind's files, read in (file, row) order and split into batches sent down `to.tx`;
/// the files' lines for the listing.
fn split_kind(
    export: &Arc<Export>,
    tables: &[TableRef],
    mapping: &Mapping,
    kind: Kind,
    files: &[&FileMapping],
    to: &Split<'_>,
) -> Result<Vec<FileLine>, ProcessingError> {
    let mut lines = Vec::new();
    // Source ids seen so far, as 128-bit hashes: a kind of millions of rows costs 16 bytes
    // a row here rather than a copy of every id.
    let mut seen = SeenIds::default();
    let mut batch_no: i64 = 0;
    for &fm in files {
        let Some(table) = tables.iter().find(|t| t.name == fm.source()) else {
            return Err(ProcessingError::Export(format!(
                "{} is in the mapping but not in the export",
                fm.source()
            )));
        };
        // Read in the encoding the mapping names; detection otherwise, refusing a guess.
        let read = ReadOptions {
            encoding: fm.encoding,
            ..ReadOptions::default()
        };
        let mut reader = match open_mapped(export, table, fm, &read) {
            Ok(r) => r,
            Err(e) => {
                // The other tables still migrate; this one fails the verdict.
                lines.push(FileLine {
                    kind: Some(kind.as_str().to_string()),
                    reason: Some(e.to_string()),
                    ..FileLine::new(&fm.table, FileRole::Unreadable)
                });
                continue;
            }
        };
        let headers = reader.headers().to_vec();
        let Some(mapper) = RowMapper::new(mapping, fm, &headers) else {
            continue;
        };
        let mapper = mapper.read_names(fm, to.lookups);
        let mut undecided = Tally::new(fm, &headers, &mapping.taken_from(&fm.table));
        let mut listed = FileLine {
            kind: Some(kind.as_str().to_string()),
            encoding: Some(reader.encoding().to_string()),
            notes: reader
                .header_issues()
                .iter()
                .map(|e| e.message.clone())
                .collect(),
            ..FileLine::new(&fm.table, FileRole::Table)
        };
        let mut last_row = 1;
        let header = BlobHeader {
            file: fm.table.clone(),
            headers,
        };
        let mut body: Option<BlobWriter> = None;
        let mut in_batch: i64 = 0;
        let mut row = SourceRow::default();
        let flush = |body: &mut Option<BlobWriter>, in_batch: &mut i64, batch_no: &mut i64| {
            let Some(writer) = body.take() else {
                return Ok(());
            };
            let key = batch_key(to.tenant, to.job, kind.as_str(), *batch_no);
            let planned = Planned {
                row: BatchRow {
                    kind,
                    batch_no: *batch_no,
                    file: fm.table.clone(),
                    blob_key: key,
                    rows: *in_batch,
                    done: false,
                    loaded: 0,
                    rejected: 0,
                },
                body: writer.finish()?,
            };
            *in_batch = 0;
            *batch_no += 1;
            to.tx
                .blocking_send(planned)
                .map_err(|_| ProcessingError::PlannerStopped)
        };
        let mut stop = false;
        while !stop {
            let entry = match reader.read_into(&mut row) {
                None => break,
                Some(Ok(())) => {
                    last_row = row.row;
                    undecided.row(&row.values);
                    // Mapped and validated here, once: the handler loads what this says.
                    settle(&mapper, &row, |id| seen.insert(id))?
                }
                Some(Err(e)) => {
                    // Row-level problems leave the rest of the file readable.
                    stop = !e.kind.is_row_level();
                    if stop {
                        // The rows before it are kept; the rest of the table is lost, and
                        // the report says from where: a failure, never a warning.
                        listed.stopped_at = Some(e.row.unwrap_or(last_row + 1));
                        listed.reason = Some(e.message.clone());
                    }
                    let Some(at) = e.row else {
                        break;
                    };
                    last_row = at;
                    RowLine::Reject(Reject {
                        row: at,
                        source_id: mapper.source_key(at, &[]),
                        field: e.field.clone().unwrap_or_default(),
                        code: problem_code(e.kind).to_string(),
                        reason: e.message.clone(),
                        values: Vec::new(),
                    })
                }
            };
            let writer = match &mut body {
                Some(w) => w,
                None => body.insert(BlobWriter::new(&header)?),
            };
            writer.row(&entry)?;
            in_batch += 1;
            if in_batch as usize >= to.batch_size {
                flush(&mut body, &mut in_batch, &mut batch_no)?;
            }
        }
        flush(&mut body, &mut in_batch, &mut batch_no)?;
        listed.undecided = undecided.finish();
        lines.push(listed);
    }
    Ok(lines)
}

/// A set of source ids kept as two independent 64-bit hashes of each.
#[derive(Default)]
struct SeenIds {
    keys: (std::hash::RandomState, std::hash::RandomState),
    seen: HashSet<u128>,
}

impl SeenIds {
    /// True when `id` was not seen before.
    fn insert(&mut self, id: &str) -> bool {
        let high = u128::from(self.keys.0.hash_one(id));
        let low = u128::from(self.keys.1.hash_one(id));
        self.seen.insert(high << 64 | low)
    }
}

#[cfg(test)]
mod tests {
    use super::SeenIds;

    #[test]
    fn an_id_is_new_once() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("C1"));
        assert!(!seen.insert("C1"));
        assert!(seen.insert("C2"));
        assert!(seen.insert("c1"));
        assert!(!seen.insert("C2"));
    }
}
