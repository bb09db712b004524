//! Bringing a job's uploaded files out of the blob store onto tfp's disk, streamed chunk by
//! chunk. The copy is kept only while tfp works on it: analysis and splitting each fetch it
//! and delete it when they are done, so nothing sits on disk while a job waits for review.

use std::path::PathBuf;

use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::db::drafts::Draft;
use crate::state::AppState;
use crate::workflow::upload::blob_prefix;

/// Where the job's files are fetched to.
pub fn export_dir(state: &AppState, d: &Draft) -> PathBuf {
    state.data_dir().join("exports").join(&d.tenant).join(&d.id)
}

/// Where analysis unpacks a zip.
pub fn analysis_dir(state: &AppState, d: &Draft) -> PathBuf {
    state.data_dir().join("work").join(&d.tenant).join(&d.id)
}

/// Fetches every uploaded file of the job into a fresh [`export_dir`]; returns the export:
/// the zip when it is the only file, otherwise the folder.
pub async fn fetch(state: &AppState, d: &Draft) -> anyhow::Result<PathBuf> {
    fetch_into(state, d, &export_dir(state, d)).await
}

/// Fetches every uploaded file of the job into a fresh `dir`; returns the export as
/// [`fetch`] does.
pub async fn fetch_into(
    state: &AppState,
    d: &Draft,
    dir: &std::path::Path,
) -> anyhow::Result<PathBuf> {
    let dir = dir.to_path_buf();
    remove(&dir).await?;
    tokio::fs::create_dir_all(&dir).await?;
    let files = state.db.files(&d.tenant, &d.id).await?;
    let blobs = &state.app.services.blobs;
    for f in &files {
        crate::workflow::upload::check_name(&f.name).map_err(|e| anyhow::anyhow!("{e}"))?;
        let key = format!("{}{}", blob_prefix(&d.tenant, &d.id), f.name);
        let mut stream = blobs.get_stream(&key).await?;
        let target = dir.join(&f.name);
        let mut out = tokio::fs::File::create(&target).await?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| anyhow::anyhow!("fetching {key}: {e}"))?;
            out.write_all(&chunk)
                .await
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", target.display()))?;
        }
        out.flush().await?;
    }
    // One zip is the export; otherwise the folder of files is.
    Ok(match files.as_slice() {
        [one] if one.name.to_lowercase().ends_with(".zip") => dir.join(&one.name),
        _ => dir,
    })
}

/// Deletes a folder tfp made; a folder already gone is fine.
pub async fn remove(dir: &std::path::Path) -> anyhow::Result<()> {
    match tokio::fs::remove_dir_all(dir).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::anyhow!("removing {}: {e}", dir.display())),
    }
}
