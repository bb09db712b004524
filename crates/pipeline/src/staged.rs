//! Files of an export copied to the blob store once, when tfp splits the job, so that the
//! document and email workers find them there instead of in an unpacked copy on tfp's disk
//! (which tfp deletes as soon as the job is split). The copy is streamed and hashed as it
//! goes; a manifest blob lists each file's path, key, size and SHA-256.
//!
//! A job without a manifest (`migrationai migrate`, which never leaves one machine) keeps
//! reading its files from the export.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use migrationai_ingest::{reference_parts, Export, RefError};
use migrationai_ports::BlobError;
use serde::{Deserialize, Serialize};

use crate::error::ProcessingError;
use crate::services::Services;

/// Files copied at the same time: enough to keep an object store busy, each holding at most
/// a few upload parts in memory.
const CONCURRENT_COPIES: usize = 4;

/// One copied file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedFile {
    /// Path inside the export, '/' separators.
    pub path: String,
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

/// The copied files of a job, looked up the way [`Export::resolve_reference`] looks up a
/// file on disk: exact path first, then ignoring letter case.
#[derive(Debug, Default)]
pub struct Staged {
    files: Vec<StagedFile>,
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl Staged {
    pub fn new(files: Vec<StagedFile>) -> Staged {
        let mut exact = HashMap::new();
        let mut folded = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            exact.insert(f.path.clone(), i);
            folded.entry(f.path.to_lowercase()).or_insert(i);
        }
        Staged {
            files,
            exact,
            folded,
        }
    }

    pub fn files(&self) -> &[StagedFile] {
        &self.files
    }

    /// The file a row's reference names, or why there is none.
    pub fn resolve(&self, reference: &str) -> Result<&StagedFile, RefError> {
        let joined = reference_parts(reference)?.join("/");
        self.exact
            .get(&joined)
            .or_else(|| self.folded.get(&joined.to_lowercase()))
            .map(|&i| &self.files[i])
            .ok_or_else(|| RefError::Missing(reference.trim().to_string()))
    }
}

pub fn manifest_key(tenant: &str, job: &str) -> String {
    format!("tenants/{tenant}/jobs/{job}/staged/manifest.jsonl")
}

fn file_key(tenant: &str, job: &str, n: usize) -> String {
    format!("tenants/{tenant}/jobs/{job}/staged/{n:06}")
}

/// Copies every file of the export except the tables in `skip` (those are read by the
/// planner and live on as batches), then writes the manifest last: a manifest present means
/// every file it lists is stored. Repeating it overwrites the same keys.
pub async fn stage(
    services: &Services,
    export: &Export,
    skip: &HashSet<String>,
    tenant: &str,
    job: &str,
) -> Result<Vec<StagedFile>, ProcessingError> {
    let wanted: Vec<(usize, String, std::path::PathBuf)> = export
        .entries()
        .iter()
        .filter(|e| !skip.contains(&e.path))
        .enumerate()
        .map(|(n, e)| (n, e.path.clone(), export.entry_path(e)))
        .collect();
    let blobs = &services.blobs;
    let mut files: Vec<StagedFile> = futures::stream::iter(wanted)
        .map(|(n, path, on_disk)| async move {
            let key = file_key(tenant, job, n);
            let stored = blobs
                .put_file(&key, &on_disk)
                .await
                .map_err(|e| ProcessingError::Export(format!("copying {path}: {e}")))?;
            Ok::<_, ProcessingError>(StagedFile {
                path,
                key,
                size: stored.size,
                sha256: stored.sha256,
            })
        })
        .buffer_unordered(CONCURRENT_COPIES)
        .try_collect()
        .await?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut manifest = Vec::new();
    for f in &files {
        serde_json::to_writer(&mut manifest, f)
            .map_err(crate::error::json("staged files manifest"))?;
        manifest.push(b'\n');
    }
    blobs
        .put(&manifest_key(tenant, job), Bytes::from(manifest))
        .await?;
    Ok(files)
}

/// The job's staged files, or `None` when the job was not staged.
pub async fn load(
    services: &Services,
    tenant: &str,
    job: &str,
) -> Result<Option<Staged>, ProcessingError> {
    let key = manifest_key(tenant, job);
    let bytes = match services.blobs.get(&key).await {
        Ok(b) => b,
        Err(BlobError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut files = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: StagedFile = serde_json::from_slice(line)
            .map_err(crate::error::json(format!("{key} line {}", i + 1)))?;
        files.push(f);
    }
    Ok(Some(Staged::new(files)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> StagedFile {
        StagedFile {
            path: path.into(),
            key: format!("k/{path}"),
            size: 1,
            sha256: "00".into(),
        }
    }

    #[test]
    fn references_resolve_like_files_on_disk() {
        let s = Staged::new(vec![file("docs/A.pdf"), file("docs/b.pdf")]);
        assert_eq!(
            s.resolve("docs/A.pdf").map(|f| &f.path),
            Ok(&"docs/A.pdf".into())
        );
        assert_eq!(
            s.resolve("docs\\a.PDF").map(|f| &f.path),
            Ok(&"docs/A.pdf".into())
        );
        assert_eq!(
            s.resolve("./docs/b.pdf").map(|f| &f.path),
            Ok(&"docs/b.pdf".into())
        );
        assert!(matches!(s.resolve("docs/c.pdf"), Err(RefError::Missing(_))));
        assert!(matches!(
            s.resolve("../docs/b.pdf"),
            Err(RefError::Traversal(_))
        ));
        assert!(matches!(
            s.resolve("/docs/b.pdf"),
            Err(RefError::Absolute(_))
        ));
        assert!(matches!(s.resolve("  "), Err(RefError::Empty)));
    }
}
