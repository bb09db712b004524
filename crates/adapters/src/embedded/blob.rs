//! Embedded blob store: a local directory through `object_store`'s
//! `LocalFileSystem`, the same API the S3 adapter will use.

use std::path::Path;
use std::sync::Arc;

use migrationai_ports::blob::{BlobError, BlobStore};
use object_store::local::LocalFileSystem;

/// A blob store rooted at `<data_dir>/blobs`, created if missing.
pub fn local_blob_store(data_dir: impl AsRef<Path>) -> Result<BlobStore, BlobError> {
    let root = data_dir.as_ref().join("blobs");
    std::fs::create_dir_all(&root)?;
    // Removing empty directories after deletes keeps the tree browsable.
    let store = LocalFileSystem::new_with_prefix(&root)?.with_automatic_cleanup(true);
    Ok(BlobStore::new(Arc::new(store)))
}
