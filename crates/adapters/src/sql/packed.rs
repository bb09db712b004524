//! A compact form of records' `data` column: the JSON with its most frequent fragments
//! (value tags, money and date-time shapes, common field names) replaced by one control
//! byte each. It halves the column, the bulk of what a migration writes.
//!
//! Why it is lossless: serde_json escapes every control character inside strings and writes
//! none between tokens, so bytes 0x01-0x1F never occur in the JSON we store; each one can
//! stand for a fragment. A packed value starts with `MARK` (JSON never does); anything else
//! is read back unchanged, so rows written before packing, or text that happened to hold a
//! control byte (stored as is, and being JSON it cannot start with `MARK`), still read
//! correctly. The result is valid UTF-8 without NUL,
//! so it stays TEXT on SQLite and PostgreSQL alike.

/// First byte of a packed value.
const MARK: u8 = 0x1F;

/// Fragment of byte `i + 1`. Never reorder or remove an entry: stored rows refer to them by
/// position. New fragments may only be appended (up to 30 in all).
const FRAGMENTS: [&str; 30] = [
    "{\"t\":\"text\",\"v\":\"",
    "{\"t\":\"money\",\"v\":{\"amount\":\"",
    "\",\"currency\":\"USD\"}}",
    "\",\"currency\":\"",
    "{\"t\":\"code\",\"v\":\"",
    "{\"t\":\"ref\",\"v\":\"",
    "{\"t\":\"when\",\"v\":{\"type\":\"at\",\"utc\":\"",
    "\",\"local\":\"",
    "\",\"zone\":\"America/New_York\"}}",
    "\",\"zone\":\"",
    "{\"t\":\"when\",\"v\":{\"type\":\"all_day\",\"date\":\"",
    "{\"t\":\"bool\",\"v\":false}",
    "{\"t\":\"bool\",\"v\":true}",
    "{\"t\":\"date\",\"v\":\"",
    "{\"t\":\"decimal\",\"v\":\"",
    "{\"t\":\"integer\",\"v\":",
    "{\"t\":\"email\",\"v\":\"",
    "{\"t\":\"phone\",\"v\":{\"e164\":\"",
    "{\"t\":\"ref_list\",\"v\":[",
    "{\"fields\":{",
    "},\"files\":[],\"refs\":{",
    "},\"files\":[",
    "],\"refs\":{",
    "\"project_id\":",
    "\"contact_id\":",
    "\"description\":",
    "\"},\"",
    "\"}},\"",
    "\"},",
    "\",\"",
];

/// A fragment with its first bytes as a number: most tries fail on those, and comparing one
/// `u32` is far cheaper than a `memcmp` call (a record tries a fragment at every `"`).
struct Candidate {
    code: u8,
    bytes: &'static [u8],
    head: u32,
    mask: u32,
}

/// Up to the first 4 bytes of `b`, little-endian, zero-padded.
fn head(b: &[u8]) -> u32 {
    let mut four = [0u8; 4];
    let n = b.len().min(4);
    four[..n].copy_from_slice(&b[..n]);
    u32::from_le_bytes(four)
}

/// The fragments by first byte, longest first (greedy longest match).
fn candidates(first: u8) -> &'static [Candidate] {
    static TABLE: std::sync::OnceLock<Vec<Vec<Candidate>>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: Vec<Vec<Candidate>> = (0..256).map(|_| Vec::new()).collect();
        for (i, f) in FRAGMENTS.iter().enumerate() {
            let bytes = f.as_bytes();
            let n = bytes.len().min(4);
            t[usize::from(bytes[0])].push(Candidate {
                code: i as u8 + 1,
                bytes,
                head: head(bytes),
                mask: if n == 4 {
                    u32::MAX
                } else {
                    (1u32 << (8 * n)) - 1
                },
            });
        }
        for list in &mut t {
            list.sort_by_key(|c| std::cmp::Reverse(c.bytes.len()));
        }
        t
    });
    &table[usize::from(first)]
}

/// The packed form of `json`, or `json` unchanged when it holds a control byte.
pub fn pack(json: &str) -> String {
    let bytes = json.as_bytes();
    if bytes.iter().any(|&b| b < 0x20) {
        return json.to_string();
    }
    let mut out = Vec::with_capacity(bytes.len() / 2 + 16);
    out.push(MARK);
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let first = candidates(rest[0]);
        let hit = if first.is_empty() {
            None
        } else {
            let h = head(rest);
            first.iter().find(|c| {
                h & c.mask == c.head
                    && rest.len() >= c.bytes.len()
                    && rest[..c.bytes.len()] == *c.bytes
            })
        };
        match hit {
            Some(c) => {
                out.push(c.code);
                i += c.bytes.len();
            }
            None => {
                out.push(rest[0]);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were added, and only whole ASCII fragments removed: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| json.to_string())
}

/// The JSON a stored value stands for.
pub fn unpack(stored: String) -> Result<String, String> {
    let bytes = stored.as_bytes();
    if bytes.first() != Some(&MARK) {
        return Ok(stored);
    }
    let mut out = Vec::with_capacity(bytes.len() * 2 + 64);
    for &b in &bytes[1..] {
        if (1..=FRAGMENTS.len() as u8).contains(&b) {
            out.extend_from_slice(FRAGMENTS[usize::from(b - 1)].as_bytes());
        } else if b < 0x20 {
            return Err(format!(
                "packed record data holds unknown fragment {b:#04x}"
            ));
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).map_err(|e| format!("packed record data: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str = r#"{"fields":{"author":{"t":"text","v":"K. Osei"},"body":{"t":"text","v":"Line one.\nClient says the \"accident report\" is wrong."},"noted_at":{"t":"when","v":{"type":"at","utc":"2019-08-30T20:58:00Z","local":"2019-08-30T16:58:00","zone":"America/New_York"}},"project_id":{"t":"ref","v":"M009663"},"fee":{"t":"money","v":{"amount":"12.50","currency":"USD"}},"ok":{"t":"bool","v":false}},"files":[],"refs":{"project_id":"baf79be9-1b45-56ce-b8a1-522949849141"}}"#;

    #[test]
    fn round_trips_and_shrinks() {
        let packed = pack(NOTE);
        assert!(
            packed.len() * 10 < NOTE.len() * 7,
            "{} of {}",
            packed.len(),
            NOTE.len()
        );
        assert_eq!(unpack(packed).as_deref(), Ok(NOTE));
    }

    #[test]
    fn non_ascii_text_survives() {
        let json =
            r#"{"fields":{"name":{"t":"text","v":"D. Ramírez – 東京"}},"files":[],"refs":{}}"#;
        assert_eq!(unpack(pack(json)).as_deref(), Ok(json));
    }

    #[test]
    fn unpacked_rows_read_as_they_are() {
        let old = NOTE.to_string();
        assert_eq!(unpack(old.clone()), Ok(old));
        assert_eq!(unpack(String::new()), Ok(String::new()));
    }

    #[test]
    fn text_with_control_bytes_is_stored_as_is() {
        let odd = "{\"a\":\"\u{1}\"}";
        assert_eq!(pack(odd), odd);
        assert_eq!(unpack(pack(odd)).as_deref(), Ok(odd));
    }

    #[test]
    fn fragments_are_distinct_control_free_ascii() {
        for (i, f) in FRAGMENTS.iter().enumerate() {
            assert!(f.bytes().all(|b| (0x20..0x7f).contains(&b)), "{f}");
            assert!(!FRAGMENTS[..i].contains(f), "{f} twice");
        }
        assert!(FRAGMENTS.len() < usize::from(MARK));
    }
}
