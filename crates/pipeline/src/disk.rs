//! Free space on the disk a run writes to.

use std::path::Path;

/// Bytes an unprivileged process may still write on the file system holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let st = rustix::fs::statvfs(path)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// The mount point of the file system holding `path` (the longest mount that contains it),
/// to name the disk in a message; the path itself when that cannot be told.
pub fn mount_point(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|m| m.replace("\\040", " "))
        .filter(|m| path.starts_with(m))
        .max_by_key(|m| m.len())
        .map(|m| format!("{} (mounted at {m})", path.display()))
        .unwrap_or_else(|| path.display().to_string())
}
