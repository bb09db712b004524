//! Packs the export folder into one zip, entries in sorted order with fixed timestamps so
//! the archive is byte-identical between runs.

use crate::error::SampleError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub(crate) fn zip_dir(dir: &Path, zip_path: &Path) -> Result<(), SampleError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut zip = ZipWriter::new(BufWriter::new(File::create(zip_path)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for path in files {
        let rel = path
            .strip_prefix(dir)
            .map_err(|e| SampleError::Internal(e.to_string()))?;
        let name: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        zip.start_file(name.join("/"), options)?;
        let mut f = File::open(&path)?;
        std::io::copy(&mut f, &mut zip)?;
    }
    let mut inner = zip.finish()?;
    inner.flush()?;
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SampleError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
