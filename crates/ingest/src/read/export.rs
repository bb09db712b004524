//! An uploaded export: a folder, or a zip unpacked into a private working folder.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::{ExportError, ExportErrorKind, RefError};
use super::zip::{self, Limits};

/// What kind of file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Delimited text: .csv, .tsv, and .txt files that look delimited.
    Csv,
    Xlsx,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line (.jsonl, .ndjson).
    Jsonl,
    /// An email message file.
    Eml,
    /// Anything else (documents).
    Other,
}

impl Format {
    pub fn is_table(self) -> bool {
        matches!(
            self,
            Format::Csv | Format::Xlsx | Format::Json | Format::Jsonl
        )
    }
}

/// One file of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the export root, with '/' separators.
    pub path: String,
    pub size: u64,
    pub format: Format,
    /// The path relative to the export root as the file system spells it: a name that is
    /// not UTF-8 shows with U+FFFD in `path` but must still be opened by its real bytes.
    pub(crate) disk: PathBuf,
}

/// An opened export. When it came from a zip, the unpacked folder lives as long as this
/// value and is removed when it is dropped.
#[derive(Debug)]
pub struct Export {
    name: String,
    root: PathBuf,
    entries: Vec<Entry>,
    _work: Option<tempfile::TempDir>,
}

impl Export {
    /// Opens a folder or a .zip file, unpacking a zip into the system temporary folder.
    pub fn open(path: &Path, limits: &Limits) -> Result<Export, ExportError> {
        Export::open_in(path, limits, &std::env::temp_dir())
    }

    /// Like [`Export::open`], unpacking a zip inside `work_parent`.
    pub fn open_in(
        path: &Path,
        limits: &Limits,
        work_parent: &Path,
    ) -> Result<Export, ExportError> {
        Export::open_filtered(path, limits, work_parent, &|_| true)
    }

    /// Like [`Export::open_in`], but a zip's entries that cannot be tables (documents,
    /// emails) are not unpacked: enough to detect, profile and propose a mapping, without
    /// writing an export's gigabytes of documents to disk. Its tables are the same as
    /// [`Export::open_in`]'s; references to documents do not resolve.
    pub fn open_tables_in(
        path: &Path,
        limits: &Limits,
        work_parent: &Path,
    ) -> Result<Export, ExportError> {
        Export::open_filtered(path, limits, work_parent, &may_be_table)
    }

    fn open_filtered(
        path: &Path,
        limits: &Limits,
        work_parent: &Path,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<Export, ExportError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let io_err = |e: std::io::Error| {
            ExportError::new(
                ExportErrorKind::Io,
                &name,
                format!("cannot open the export: {e}"),
            )
        };
        let meta = fs::metadata(path).map_err(io_err)?;
        if meta.is_dir() {
            let root = path.to_path_buf();
            let entries = list_entries(&root).map_err(io_err)?;
            return Ok(Export {
                name,
                root,
                entries,
                _work: None,
            });
        }
        if !looks_like_zip(path) {
            return Err(ExportError::new(
                ExportErrorKind::NotAnExport,
                &name,
                "an export must be a folder or a .zip archive",
            ));
        }
        let work = tempfile::Builder::new()
            .prefix("migrationai-export-")
            .tempdir_in(work_parent)
            .map_err(io_err)?;
        // On error `work` is dropped here, removing everything written so far.
        zip::unpack(path, work.path(), limits, &name, wanted)?;
        let root = work.path().to_path_buf();
        let entries = list_entries(&root).map_err(io_err)?;
        Ok(Export {
            name,
            root,
            entries,
            _work: Some(work),
        })
    }

    /// The export's own name (folder or archive file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The folder holding the export's files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// All files, sorted by path.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Files that can be opened with [`crate::read::open_table`].
    pub fn tables(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.format.is_table())
    }

    /// The entry with this relative path ('/' separators).
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// Location of an entry on disk.
    pub fn entry_path(&self, entry: &Entry) -> PathBuf {
        self.root.join(&entry.disk)
    }

    /// The tables inside an archive entry of the export (a zip within the zip), which are not
    /// unpacked: `None` when the entry is not an archive or holds no table. A zip of
    /// documents is a document like any other; one holding tables is data left unread.
    pub fn archived_tables(&self, entry: &Entry) -> Option<Vec<String>> {
        if entry.format != Format::Other {
            return None;
        }
        let path = self.entry_path(entry);
        if !head(&path, 4).starts_with(b"PK\x03\x04") {
            return None;
        }
        let file = File::open(&path).ok()?;
        let archive = ::zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
        let names: Vec<String> = archive
            .file_names()
            .filter(|n| {
                let lower = n.to_ascii_lowercase();
                [
                    ".csv", ".tsv", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson",
                ]
                .iter()
                .any(|ext| lower.ends_with(ext))
            })
            .map(str::to_string)
            .collect();
        (!names.is_empty()).then_some(names)
    }

    /// Resolves a document or email path found in a row, relative to the export root.
    /// Backslashes are accepted; when no file matches exactly, a match differing only in
    /// letter case is accepted (exports made on Windows are case-insensitive).
    pub fn resolve_reference(&self, reference: &str) -> Result<PathBuf, RefError> {
        let parts = reference_parts(reference)?;
        let owned = || reference.trim().to_string();
        let exact = parts.iter().fold(self.root.clone(), |p, c| p.join(c));
        let found = if exact.exists() {
            exact
        } else {
            find_ignoring_case(&self.root, &parts).ok_or_else(|| RefError::Missing(owned()))?
        };
        // A link inside a folder export could point anywhere on the machine.
        let real = found
            .canonicalize()
            .map_err(|_| RefError::Missing(owned()))?;
        let real_root = self
            .root
            .canonicalize()
            .map_err(|_| RefError::Missing(owned()))?;
        if !real.starts_with(&real_root) {
            return Err(RefError::EscapesExport(owned()));
        }
        if !real.is_file() {
            return Err(RefError::NotAFile(owned()));
        }
        Ok(found)
    }
}

/// The path components of a document or email reference found in a row, or why it cannot
/// name a file inside the export (empty, absolute, drive letter, "..", NUL). Shared by
/// [`Export::resolve_reference`] and lookups of files already copied to the blob store.
pub fn reference_parts(reference: &str) -> Result<Vec<&str>, RefError> {
    let trimmed = reference.trim();
    if trimmed.is_empty() {
        return Err(RefError::Empty);
    }
    let owned = || trimmed.to_string();
    if trimmed.contains('\0') {
        return Err(RefError::InvalidCharacter(owned()));
    }
    let b = trimmed.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(RefError::DriveLetter(owned()));
    }
    if trimmed.starts_with('/') || trimmed.starts_with('\\') {
        return Err(RefError::Absolute(owned()));
    }
    let mut parts = Vec::new();
    for part in trimmed.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(RefError::Traversal(owned())),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(RefError::Empty);
    }
    Ok(parts)
}

fn find_ignoring_case(root: &Path, parts: &[&str]) -> Option<PathBuf> {
    let mut dir = root.to_path_buf();
    for part in parts {
        let wanted = part.to_lowercase();
        let next = fs::read_dir(&dir)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().to_lowercase() == wanted)?;
        dir = next.path();
    }
    Some(dir)
}

fn looks_like_zip(path: &Path) -> bool {
    let by_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let mut magic = [0u8; 4];
    let by_magic = File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06");
    by_name || by_magic
}

/// Lists regular files below `root`, sorted, skipping links (a folder export must not
/// lead outside itself) and the litter of zip tools and file managers.
fn list_entries(root: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new(), PathBuf::new())];
    while let Some((dir, prefix, disk_prefix)) = stack.pop() {
        for item in fs::read_dir(&dir)? {
            let item = item?;
            let os_name = item.file_name();
            let disk = disk_prefix.join(&os_name);
            let file_name = os_name.to_string_lossy().into_owned();
            if matches!(file_name.as_str(), "__MACOSX" | ".DS_Store" | "Thumbs.db") {
                continue;
            }
            let rel = if prefix.is_empty() {
                file_name
            } else {
                format!("{prefix}/{file_name}")
            };
            let meta = fs::symlink_metadata(item.path())?;
            if meta.is_dir() {
                stack.push((item.path(), rel, disk));
            } else if meta.is_file() {
                let format = detect_format(&item.path(), &rel);
                entries.push(Entry {
                    path: rel,
                    size: meta.len(),
                    format,
                    disk,
                });
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

fn head(path: &Path, n: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(n);
    if let Ok(f) = File::open(path) {
        let _ = f.take(n as u64).read_to_end(&mut buf);
    }
    buf
}

/// Decides an entry's format from its extension, checked against its first bytes.
/// Whether [`detect_format`] could call the file at `rel` a table, judged by its name
/// alone (the only formats it decides by content are not tables or are .txt files at the
/// top of the export).
fn may_be_table(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "csv" | "tsv" | "xlsx" | "xlsm" | "json" | "jsonl" | "ndjson" => true,
        "txt" => !rel.contains('/'),
        _ => false,
    }
}

pub(crate) fn detect_format(path: &Path, rel: &str) -> Format {
    let lower = rel.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let bytes = head(path, 4096);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    match ext {
        // Excel workbooks saved under a .csv name do happen.
        "csv" | "tsv" if is_zip => Format::Xlsx,
        "csv" | "tsv" => Format::Csv,
        // A .txt in a subfolder is a document a row refers to, even when it holds commas;
        // only at the top of the export is a delimited .txt a table.
        "txt" if !rel.contains('/') && looks_delimited(&bytes) => Format::Csv,
        "xlsx" | "xlsm" if is_zip => Format::Xlsx,
        // A damaged workbook is still a workbook; opening it reports why it cannot be read.
        "xlsx" | "xlsm" => Format::Xlsx,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Jsonl,
        "eml" => Format::Eml,
        "" if looks_like_email(&bytes) => Format::Eml,
        _ => Format::Other,
    }
}

fn looks_delimited(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    [',', ';', '\t', '|'].iter().any(|&d| {
        let n = first.matches(d).count();
        n > 0 && n == second.matches(d).count()
    })
}

fn looks_like_email(bytes: &[u8]) -> bool {
    const HEADERS: [&[u8]; 6] = [
        b"From:",
        b"Received:",
        b"Return-Path:",
        b"MIME-Version:",
        b"Message-ID:",
        b"Subject:",
    ];
    HEADERS
        .iter()
        .any(|h| bytes.len() >= h.len() && bytes[..h.len()].eq_ignore_ascii_case(h))
}
