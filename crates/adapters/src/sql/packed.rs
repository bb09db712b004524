//! A compact form of records' `data` column: the JSON with its most frequent parts replaced
//! by control bytes. It is most of what a migration writes.
//!
//! Why it is lossless: serde_json escapes every control character inside strings and writes
//! none between tokens, so bytes 0x01-0x1F never occur in the JSON we store; each one can
//! stand for something. A packed value starts with a mark (JSON never does); anything else
//! is read back unchanged, so rows written before packing, or text that happened to hold a
//! control byte (stored as is, and being JSON it cannot start with a mark), still read
//! correctly. The result is valid UTF-8 without NUL, so it stays TEXT on SQLite and
//! PostgreSQL alike.
//!
//! Two forms, told apart by the mark; both read back for ever, new rows are written in the
//! second:
//! - `MARK_FRAGMENTS`: bytes 0x01-0x1E each stand for one of `FRAGMENTS` (value tags, money
//!   and date-time shapes, common keys).
//! - `MARK_WORDS`: the same, and `ESCAPE` followed by one byte: `UUID` then a UUID's 128 bits
//!   in 22 base64url characters (36 in their usual spelling), `SOURCE_ID` for the row's own
//!   source id between quotes (the store holds it in its key anyway), or the position of an
//!   object key in `WORDS` (the catalogue's field names: a key took its length plus three).
//!   A key is replaced only right after a `"` (often inside a fragment), so `WORDS` holds
//!   the key with its closing quote and colon, never the opening quote.

/// First byte of a value packed with fragments only (rows written before words).
const MARK_FRAGMENTS: u8 = 0x1F;
/// First byte of a value packed with fragments, words and UUIDs.
const MARK_WORDS: u8 = 0x1E;
/// Inside a `MARK_WORDS` value: the next byte says what stands here.
const ESCAPE: u8 = 0x1F;
/// After `ESCAPE`: a UUID follows, as 22 base64url characters.
const UUID: u8 = 0x01;
/// After `ESCAPE`: the row's own source id (its id field holds it, quoted).
const SOURCE_ID: u8 = 0x02;
/// After `ESCAPE`: kept for a wider table of words, should `WORDS` fill its 124 places.
const RESERVED: u8 = 0x03;
/// After `ESCAPE`: bytes from here stand for `WORDS` in order.
const FIRST_WORD: u8 = 0x04;

/// Object keys of byte `FIRST_WORD + i` after `ESCAPE`, written `word":`. The catalogue's
/// field names as of this form (with those `FRAGMENTS` holds with their opening quote: a
/// fragment ending in `"` often takes that quote), then the record's own keys and those of
/// attached files and phones. Never reorder or remove an entry: stored rows refer to them by
/// position. New words may only be appended (up to 124 in all).
const WORDS: [&str; 122] = [
    "address_line1",
    "address_line2",
    "all_day",
    "amount",
    "assignee",
    "attendees",
    "author",
    "balance_due",
    "billed",
    "billing_item_ids",
    "billing_method",
    "birth_date",
    "body",
    "category",
    "cc",
    "city",
    "client_id",
    "client_reference",
    "closed_on",
    "completed_at",
    "contact_id",
    "contact_type",
    "content_type",
    "country",
    "created_at",
    "date",
    "deposit",
    "description",
    "discount",
    "document_id",
    "done",
    "due_on",
    "email",
    "email_id",
    "eml_path",
    "ends_at",
    "event_id",
    "event_type",
    "expense_category",
    "field",
    "field_type",
    "file_path",
    "first_name",
    "folder",
    "from",
    "full_name",
    "invoice_id",
    "invoice_number",
    "is_client",
    "issued_on",
    "item_id",
    "item_type",
    "job_title",
    "last_name",
    "location",
    "method",
    "middle_name",
    "name",
    "non_billable",
    "note_id",
    "noted_at",
    "number",
    "opened_on",
    "organization",
    "originating_attorney",
    "paid_amount",
    "paid_on",
    "payment_id",
    "phone",
    "postal_code",
    "prefix",
    "priority",
    "project_id",
    "project_type",
    "quantity",
    "rate",
    "recurrence",
    "reference",
    "region",
    "responsible_attorney",
    "row_index",
    "running_balance",
    "section",
    "section_row_id",
    "sent_at",
    "sha256",
    "size_bytes",
    "starts_at",
    "status",
    "statute_of_limitations",
    "subject",
    "subtotal",
    "suffix",
    "task_id",
    "tax",
    "time_zone",
    "timekeeper",
    "title",
    "to",
    "total",
    "transaction_id",
    "transaction_type",
    "trust_balance",
    "uploaded_at",
    "utbms_code",
    "value",
    "version",
    "withdrawal",
    "fields",
    "files",
    "refs",
    "blob_key",
    "role",
    "size",
    "raw",
    "extension",
    "mobile_phone",
    "work_phone",
    "home_phone",
    "other_phone",
    "fax",
    "other_email",
];

/// Fragment of byte `i + 1` (in both forms). Never reorder or remove an entry: stored rows
/// refer to them by position. Every place is taken (0x01-0x1E).
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

/// The code after `ESCAPE` of each word, by its bytes (without the `":` that follows).
fn word_code(word: &[u8]) -> Option<u8> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static [u8], u8>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            WORDS
                .iter()
                .enumerate()
                .map(|(i, w)| (w.as_bytes(), FIRST_WORD + i as u8))
                .collect()
        })
        .get(word)
        .copied()
}

/// A key of `WORDS` at the start of `rest` (`word":`): its code and length with the `":`.
fn word_at(rest: &[u8]) -> Option<(u8, usize)> {
    let end = rest
        .iter()
        .take(WORD_LONGEST + 1)
        .position(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_'))?;
    if end == 0 || rest.get(end..end + 2) != Some(b"\":") {
        return None;
    }
    word_code(&rest[..end]).map(|code| (code, end + 2))
}

/// No word is longer (a scan for a key stops here).
const WORD_LONGEST: usize = 32;

/// A UUID spelled the usual way (lowercase, hyphens at 8, 13, 18 and 23) at the start of
/// `rest`, as its 128 bits.
fn uuid_at(rest: &[u8]) -> Option<u128> {
    let text = rest.get(..36)?;
    let mut bits: u128 = 0;
    for (i, &b) in text.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        bits = bits << 4 | u128::from(digit);
    }
    Some(bits)
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// 128 bits as 22 base64url characters, the first holding the top 2 bits.
fn uuid_chars(bits: u128, out: &mut Vec<u8>) {
    out.push(BASE64URL[(bits >> 126) as usize]);
    for k in 1..22 {
        out.push(BASE64URL[((bits >> (126 - 6 * k)) & 63) as usize]);
    }
}

/// The 128 bits of 22 base64url characters, if they are that.
fn uuid_bits(chars: &[u8]) -> Option<u128> {
    let mut bits: u128 = 0;
    for (k, &c) in chars.iter().enumerate() {
        let six = BASE64URL.iter().position(|&b| b == c)? as u128;
        if k == 0 && six > 3 {
            return None;
        }
        bits = bits << 6 | six;
    }
    (chars.len() == 22).then_some(bits)
}

/// The packed form of `json`, the data of the record whose source id is `source_id`, or
/// `json` unchanged when it holds a control byte.
pub fn pack(json: &str, source_id: &str) -> String {
    let own = source_id.as_bytes();
    let bytes = json.as_bytes();
    if bytes.iter().any(|&b| b < 0x20) {
        return json.to_string();
    }
    let mut out = Vec::with_capacity(bytes.len() / 2 + 16);
    out.push(MARK_WORDS);
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if i > 0 && bytes[i - 1] == b'"' {
            if let Some((code, len)) = word_at(rest) {
                out.extend_from_slice(&[ESCAPE, code]);
                i += len;
                continue;
            }
            if !own.is_empty() && rest.starts_with(own) && rest.get(own.len()) == Some(&b'"') {
                out.extend_from_slice(&[ESCAPE, SOURCE_ID]);
                i += own.len();
                continue;
            }
        }
        if rest[0].is_ascii_hexdigit() {
            if let Some(bits) = uuid_at(rest) {
                out.extend_from_slice(&[ESCAPE, UUID]);
                uuid_chars(bits, &mut out);
                i += 36;
                continue;
            }
        }
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
    // Only ASCII bytes were added, and only whole ASCII runs removed: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| json.to_string())
}

/// The JSON a stored value stands for, the data of the record whose source id is
/// `source_id`.
pub fn unpack(stored: String, source_id: &str) -> Result<String, String> {
    let bytes = stored.as_bytes();
    let words = match bytes.first() {
        Some(&MARK_FRAGMENTS) => false,
        Some(&MARK_WORDS) => true,
        _ => return Ok(stored),
    };
    let mut out = Vec::with_capacity(bytes.len() * 3 + 64);
    let mut i = 1;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if words && b == ESCAPE {
            let code = *bytes
                .get(i)
                .ok_or("packed record data ends inside an escape")?;
            i += 1;
            if code == UUID {
                let bits = bytes
                    .get(i..i + 22)
                    .and_then(uuid_bits)
                    .ok_or("packed record data holds a damaged UUID")?;
                let mut text = [0u8; 36];
                out.extend_from_slice(
                    uuid::Uuid::from_u128(bits)
                        .hyphenated()
                        .encode_lower(&mut text)
                        .as_bytes(),
                );
                i += 22;
            } else if code == SOURCE_ID {
                out.extend_from_slice(source_id.as_bytes());
            } else {
                let word = code
                    .checked_sub(FIRST_WORD)
                    .and_then(|n| WORDS.get(usize::from(n)))
                    .filter(|_| code != RESERVED)
                    .ok_or_else(|| format!("packed record data holds unknown word {code:#04x}"))?;
                out.extend_from_slice(word.as_bytes());
                out.extend_from_slice(b"\":");
            }
        } else if (1..=FRAGMENTS.len() as u8).contains(&b) {
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

    /// The source id of the rows below.
    const ID: &str = "N1";

    const NOTE: &str = r#"{"fields":{"author":{"t":"text","v":"K. Osei"},"body":{"t":"text","v":"Line one.\nClient says the \"accident report\" is wrong."},"noted_at":{"t":"when","v":{"type":"at","utc":"2019-08-30T20:58:00Z","local":"2019-08-30T16:58:00","zone":"America/New_York"}},"project_id":{"t":"ref","v":"M009663"},"fee":{"t":"money","v":{"amount":"12.50","currency":"USD"}},"ok":{"t":"bool","v":false}},"files":[],"refs":{"project_id":"baf79be9-1b45-56ce-b8a1-522949849141"}}"#;

    #[test]
    fn round_trips_and_shrinks() {
        let packed = pack(NOTE, ID);
        assert!(
            packed.len() * 2 < NOTE.len(),
            "{} of {}",
            packed.len(),
            NOTE.len()
        );
        assert_eq!(unpack(packed, ID).as_deref(), Ok(NOTE));
    }

    #[test]
    fn keys_and_uuids_take_two_bytes_and_twenty_four() {
        let json = r#"{"fields":{"city":{"t":"text","v":"Atlanta"}},"files":[],"refs":{"client_id":"0e2d2c78-900a-5fa5-896d-f7ca20c52576"}}"#;
        let packed = pack(json, ID);
        assert!(
            !packed.contains("city") && !packed.contains("client_id"),
            "{packed:?}"
        );
        assert!(!packed.contains("0e2d2c78"), "{packed:?}");
        assert_eq!(unpack(packed, ID).as_deref(), Ok(json));
    }

    #[test]
    fn the_rows_own_id_is_left_to_the_key() {
        let json = r#"{"fields":{"note_id":{"t":"text","v":"N1"},"body":{"t":"text","v":"N1 and N12"},"x":{"t":"text","v":"N12"}},"files":[],"refs":{}}"#;
        let packed = pack(json, "N1");
        assert_eq!(packed.matches("N1").count(), 3, "{packed:?}");
        assert_eq!(unpack(packed, "N1").as_deref(), Ok(json));
        assert_eq!(unpack(pack(json, ""), "").as_deref(), Ok(json));
    }

    #[test]
    fn near_misses_stay_as_they_are() {
        for json in [
            // Not keys: no closing quote and colon, or a word no field has.
            r#"{"fields":{"note":{"t":"text","v":"city"},"cityx":{"t":"text","v":"\"city\" is"}}}"#,
            // Not UUIDs as stored: capitals, braces, a hyphen out of place, too short.
            r#"{"a":"0E2D2C78-900A-5FA5-896D-F7CA20C52576","b":"0e2d2c78900a-5fa5-896d-f7ca20c52576a","c":"0e2d2c78-900a"}"#,
            r#"{"a":"ffffffff-ffff-ffff-ffff-ffffffffffff","b":"00000000-0000-0000-0000-000000000000"}"#,
        ] {
            assert_eq!(unpack(pack(json, ID), ID).as_deref(), Ok(json), "{json}");
        }
    }

    #[test]
    fn non_ascii_text_survives() {
        let json =
            r#"{"fields":{"name":{"t":"text","v":"D. Ramírez – 東京"}},"files":[],"refs":{}}"#;
        assert_eq!(unpack(pack(json, ID), ID).as_deref(), Ok(json));
    }

    #[test]
    fn unpacked_rows_read_as_they_are() {
        let old = NOTE.to_string();
        assert_eq!(unpack(old.clone(), ID), Ok(old));
        assert_eq!(unpack(String::new(), ID), Ok(String::new()));
    }

    /// Rows packed before words and UUIDs (fragments only) read back unchanged.
    #[test]
    fn rows_packed_with_fragments_only_still_read() {
        let v1 = "\u{1f}\u{14}\"a\":\u{1}x\u{1c}files\":[],\"refs\":{}}";
        assert_eq!(
            unpack(v1.to_string(), ID).as_deref(),
            Ok(r#"{"fields":{"a":{"t":"text","v":"x"}},"files":[],"refs":{}}"#)
        );
    }

    #[test]
    fn damaged_escapes_are_errors() {
        for bad in ["\u{1e}\u{1f}", "\u{1e}\u{1f}\u{3}", "\u{1e}\u{1f}\u{1}AAA"] {
            assert!(unpack(bad.to_string(), ID).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_with_control_bytes_is_stored_as_is() {
        let odd = "{\"a\":\"\u{1}\"}";
        assert_eq!(pack(odd, ID), odd);
        assert_eq!(unpack(pack(odd, ID), ID).as_deref(), Ok(odd));
    }

    #[test]
    fn fragments_and_words_are_distinct_control_free_ascii() {
        for (i, f) in FRAGMENTS.iter().enumerate() {
            assert!(f.bytes().all(|b| (0x20..0x7f).contains(&b)), "{f}");
            assert!(!FRAGMENTS[..i].contains(f), "{f} twice");
        }
        // Fragments take every control byte below the escape; the marks are first bytes only.
        assert!(FRAGMENTS.len() < usize::from(ESCAPE));
        const { assert!(MARK_WORDS < 0x20 && MARK_FRAGMENTS < 0x20 && MARK_WORDS != MARK_FRAGMENTS) };
        for (i, w) in WORDS.iter().enumerate() {
            assert!(!w.is_empty() && w.len() <= WORD_LONGEST, "{w}");
            assert!(
                w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{w}"
            );
            assert!(!WORDS[..i].contains(w), "{w} twice");
        }
        assert!(usize::from(FIRST_WORD) + WORDS.len() <= 0x80);
    }

    /// A field added to the catalogue should get a word (appended) while places remain.
    #[test]
    fn every_catalogue_field_has_a_short_form() {
        for def in migrationai_domain::CATALOGUE {
            // A field kept as its opposite ("billable") is never stored.
            for field in def.fields.iter().filter(|f| f.opposite_of.is_none()) {
                assert!(
                    WORDS.contains(&field.name),
                    "{} of {:?}: append it to WORDS",
                    field.name,
                    def.kind
                );
            }
        }
    }
}
