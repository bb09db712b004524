//! A job's report as the store keeps it: deflated, in base64 behind a mark.
//!
//! Why: the report of a medium job is about 4 MB of JSON, one row of `jobs`. SQLite rewrites
//! a whole row on every update, so the status set after the report leaves a second 4 MB on
//! the free list; the two were 8 of the 305 bytes each loaded row cost. Deflated, the report
//! is about a sixth of that, and so is the copy left behind.
//!
//! A report never starts with a control character (it is JSON, or text a person reads), so
//! `MARK` tells a packed one from one stored before packing, which reads back unchanged.
//! Base64 keeps the column TEXT on SQLite and PostgreSQL alike.

use std::io::{Read, Write};

use base64::Engine;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

const MARK: char = '\u{1}';

/// The stored form of `report`.
pub fn pack(report: &str) -> Result<String, std::io::Error> {
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::default());
    deflate.write_all(report.as_bytes())?;
    let bytes = deflate.finish()?;
    let mut out = String::with_capacity(1 + bytes.len() * 4 / 3 + 4);
    out.push(MARK);
    base64::engine::general_purpose::STANDARD.encode_string(&bytes, &mut out);
    Ok(out)
}

/// The report `stored` holds: unpacked, or as it was when it bears no mark.
pub fn unpack(stored: String) -> Result<String, String> {
    let Some(packed) = stored.strip_prefix(MARK) else {
        return Ok(stored);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .map_err(|e| format!("packed report: {e}"))?;
    let mut report = String::new();
    DeflateDecoder::new(bytes.as_slice())
        .read_to_string(&mut report)
        .map_err(|e| format!("packed report: {e}"))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_back_as_written_and_smaller() {
        let report = format!(
            "{{\"verdict\":{{\"migrated\":true}},\"kinds\":[{}]}}",
            (0..2_000)
                .map(|i| format!("{{\"kind\":\"contacts\",\"row\":{i},\"note\":\"é ✓\"}}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let stored = pack(&report).expect("pack");
        assert!(stored.len() * 4 < report.len(), "{}", stored.len());
        assert_eq!(unpack(stored), Ok(report));
    }

    #[test]
    fn a_report_stored_before_packing_reads_unchanged() {
        for old in ["{\"verdict\":{}}", "", "plain text"] {
            assert_eq!(unpack(old.to_string()), Ok(old.to_string()));
        }
    }

    #[test]
    fn a_damaged_packed_report_is_an_error_not_a_guess() {
        assert!(unpack(format!("{MARK}not base64!")).is_err());
        assert!(unpack(format!("{MARK}AAAA")).is_err());
    }
}
