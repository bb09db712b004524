//! Safe unpacking of an uploaded zip archive.
//!
//! Nothing in the archive is trusted: entry names are checked before anything is created,
//! and sizes are measured by counting the bytes actually written, because the sizes in the
//! headers are written by whoever made the archive.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::error::{ExportError, ExportErrorKind};

/// Bounds on what an archive may unpack to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// All entries together (default 20 GiB).
    pub max_total_bytes: u64,
    /// Any single entry (default 8 GiB).
    pub max_entry_bytes: u64,
    /// Unpacked bytes per compressed byte, for the archive and for each entry; judged only
    /// past [`Limits::ratio_floor_bytes`] since small files compress arbitrarily well
    /// (default 200; real CSV exports stay well under 50).
    pub max_ratio: u64,
    /// Number of entries, folders included (default 100,000).
    pub max_entries: usize,
    /// Output size below which the ratio is not judged (default 1 MiB).
    pub ratio_floor_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 20 << 30,
            max_entry_bytes: 8 << 30,
            max_ratio: 200,
            max_entries: 100_000,
            ratio_floor_bytes: 1 << 20,
        }
    }
}

/// Splits an archive entry name into safe relative components, or says why it is unsafe.
pub(crate) fn safe_components(name: &str) -> Result<Vec<&str>, String> {
    if name.contains('\0') {
        return Err("the entry name contains a NUL byte".into());
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err("the entry has an absolute path".into());
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("the entry name starts with a drive letter".into());
    }
    let mut parts = Vec::new();
    // Archives made on Windows sometimes use backslashes even though the format says '/'.
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err("the entry name uses \"..\" to climb out of the archive".into()),
            p if p.contains(':') => {
                return Err("the entry name contains ':' (a drive or stream name)".into())
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("the entry has an empty name".into());
    }
    Ok(parts)
}

/// Entries that zip tools add and that are never part of an export.
fn is_junk(parts: &[&str]) -> bool {
    parts.first() == Some(&"__MACOSX")
        || matches!(parts.last(), Some(&".DS_Store") | Some(&"Thumbs.db"))
}

/// Unpacks the files of `archive` whose relative path is `wanted` into the empty folder
/// `dest`. On error `dest` may hold partial output; the caller owns `dest` and removes it.
pub(crate) fn unpack(
    archive: &Path,
    dest: &Path,
    limits: &Limits,
    display: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(), ExportError> {
    let io_err = |e: io::Error| {
        ExportError::new(
            ExportErrorKind::Io,
            display,
            format!("could not read the archive: {e}"),
        )
    };
    let file = File::open(archive).map_err(io_err)?;
    let archive_len = file.metadata().map_err(io_err)?.len().max(1);
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        ExportError::new(
            ExportErrorKind::CorruptZip,
            display,
            format!("the zip archive is damaged or truncated: {e}"),
        )
    })?;
    if zip.len() > limits.max_entries {
        return Err(ExportError::new(
            ExportErrorKind::TooManyEntries,
            display,
            format!(
                "the archive has {} entries, more than the limit of {}",
                zip.len(),
                limits.max_entries
            ),
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| {
            ExportError::new(
                ExportErrorKind::CorruptZip,
                display,
                format!("entry {} of the archive cannot be read: {e}", index + 1),
            )
        })?;
        let name = entry.name().to_string();
        let fail = |kind, msg: String| ExportError::new(kind, display, msg).entry(name.clone());
        let parts = safe_components(&name)
            .map_err(|why| fail(ExportErrorKind::UnsafeEntryPath, format!("refused: {why}")))?;
        if entry.is_symlink() {
            return Err(fail(
                ExportErrorKind::SymlinkEntry,
                "refused: the entry is a symbolic link".into(),
            ));
        }
        // Every name is checked above, so an archive refused in full is refused whichever
        // of its entries are wanted.
        if is_junk(&parts) || (!entry.is_dir() && !wanted(&parts.join("/"))) {
            continue;
        }
        let target: PathBuf = parts.iter().fold(dest.to_path_buf(), |p, c| p.join(c));
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(io_err)?;
            continue;
        }
        if entry.encrypted() {
            return Err(fail(
                ExportErrorKind::EncryptedEntry,
                "the entry is password-protected".into(),
            ));
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_err)?;
        }
        let mut out = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(fail(
                    ExportErrorKind::DuplicateEntry,
                    "the archive holds this name twice (or as both a file and a folder)".into(),
                ))
            }
            Err(e) => return Err(io_err(e)),
        };
        let compressed = entry.compressed_size().max(1);
        let mut written: u64 = 0;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(fail(
                        ExportErrorKind::CorruptZip,
                        format!("the entry's data is damaged: {e}"),
                    ))
                }
            };
            written += n as u64;
            total += n as u64;
            if written > limits.max_entry_bytes {
                return Err(fail(
                    ExportErrorKind::EntryTooLarge,
                    format!(
                        "the entry unpacks to more than the limit of {} bytes",
                        limits.max_entry_bytes
                    ),
                ));
            }
            if total > limits.max_total_bytes {
                return Err(fail(
                    ExportErrorKind::TotalTooLarge,
                    format!(
                        "the archive unpacks to more than the limit of {} bytes",
                        limits.max_total_bytes
                    ),
                ));
            }
            let entry_bomb =
                written > limits.ratio_floor_bytes && written / compressed > limits.max_ratio;
            let archive_bomb =
                total > limits.ratio_floor_bytes && total / archive_len > limits.max_ratio;
            if entry_bomb || archive_bomb {
                return Err(fail(
                    ExportErrorKind::CompressionRatio,
                    format!(
                        "refused as a likely zip bomb: it expands more than {} times its \
                         compressed size",
                        limits.max_ratio
                    ),
                ));
            }
            out.write_all(&buf[..n]).map_err(io_err)?;
        }
    }
    Ok(())
}
