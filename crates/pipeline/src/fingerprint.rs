//! Digests: of everything a job stored, for checking that two runs (interrupted or not,
//! messages duplicated or not) ended with an identical store; and of what a job is made
//! from, for telling a resume of the same export from a different one.

use std::io::Read;
use std::path::Path;

use migrationai_domain::Kind;
use migrationai_ingest::mapping::Mapping;
use migrationai_ports::store::Store;
use sha2::{Digest, Sha256};

use crate::error::ProcessingError;
use crate::record_pages::Pages;

pub async fn fingerprint(
    store: &dyn Store,
    tenant: &str,
    job: &str,
) -> Result<String, ProcessingError> {
    let mut h = Sha256::new();
    for kind in Kind::ALL {
        let mut pages = Pages::new(store, tenant, job, kind);
        while let Some(page) = pages.next_rows().await? {
            for r in page {
                h.update(format!(
                    "R|{}|{}|{}|{}|{}|{}\n",
                    r.kind, r.source_id, r.canonical_id, r.file, r.row, r.data
                ));
            }
        }
    }
    for r in store.rejects(tenant, job).await? {
        h.update(format!(
            "X|{}|{}|{}|{:?}|{}|{}|{}|{}\n",
            r.kind, r.file, r.row, r.source_id, r.field, r.code, r.reason, r.raw
        ));
    }
    for l in store.contact_links(tenant, job).await? {
        h.update(format!("L|{}|{}|{}|{:?}\n", l.a, l.b, l.score, l.evidence));
    }
    for b in store.batches(tenant, job).await? {
        h.update(format!(
            "B|{}|{}|{}|{}|{}|{}|{}|{}\n",
            b.kind, b.batch_no, b.file, b.blob_key, b.rows, b.done, b.loaded, b.rejected
        ));
    }
    Ok(hex::encode(h.finalize()))
}

/// A digest of what a job is made from: every file of the export (its path, size and bytes),
/// the mapping it was given (as it parses, so comments and spacing do not count) and any
/// other setting that changes what is read (`settings`, e.g. named encodings). A second
/// `migrate` under a job's name resumes that job only when this digest is the same.
pub fn source_fingerprint(
    export: &Path,
    mapping: Option<&Mapping>,
    settings: &[String],
) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let meta = std::fs::metadata(export)?;
    if meta.is_dir() {
        hash_folder(&mut h, export, "")?;
    } else {
        h.update(format!("F||{}\n", meta.len()));
        hash_file(&mut h, export)?;
    }
    match mapping {
        Some(m) => h.update(format!("M|{}", m.to_toml(&[]))),
        None => h.update("M|proposed"),
    }
    for s in settings {
        h.update(format!("\nS|{s}"));
    }
    Ok(hex::encode(h.finalize()))
}

fn hash_folder(h: &mut Sha256, dir: &Path, prefix: &str) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
        let kind = e.file_type()?;
        if kind.is_dir() {
            h.update(format!("D|{name}\n"));
            hash_folder(h, &e.path(), &name)?;
        } else if kind.is_symlink() {
            // Not followed: a link may point back up the tree.
            let target = std::fs::read_link(e.path())?;
            h.update(format!("L|{name}|{}\n", target.display()));
        } else {
            h.update(format!("F|{name}|{}\n", e.metadata()?.len()));
            hash_file(h, &e.path())?;
        }
    }
    Ok(())
}

fn hash_file(h: &mut Sha256, path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        h.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write");
    }

    #[test]
    fn the_source_fingerprint_changes_with_any_file_or_the_mapping() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "contacts.csv", "id,name\n1,Ann\n");
        std::fs::create_dir(dir.path().join("docs")).expect("mkdir");
        write(&dir.path().join("docs"), "a.txt", "hello");
        let first = source_fingerprint(dir.path(), None, &[]).expect("fingerprint");
        assert_eq!(
            first,
            source_fingerprint(dir.path(), None, &[]).expect("again")
        );

        write(&dir.path().join("docs"), "a.txt", "hellO");
        let changed = source_fingerprint(dir.path(), None, &[]).expect("changed");
        assert_ne!(first, changed);

        write(dir.path(), "notes.csv", "id\n");
        let added = source_fingerprint(dir.path(), None, &[]).expect("added");
        assert_ne!(changed, added);

        let mapping = Mapping::parse("m.toml", "currency = \"EUR\"\n").expect("mapping");
        let with = source_fingerprint(dir.path(), Some(&mapping), &[]).expect("with mapping");
        assert_ne!(added, with);
        let named = source_fingerprint(dir.path(), None, &["a.csv=ISO-8859-15".into()])
            .expect("with an encoding");
        assert_ne!(added, named);
        let spaced = Mapping::parse("m.toml", "# reviewed\ncurrency   =  \"EUR\"\n").expect("m");
        assert_eq!(
            with,
            source_fingerprint(dir.path(), Some(&spaced), &[]).expect("same mapping")
        );
    }
}
