//! Encoding detection and streaming transcoding to UTF-8.
//!
//! Detection looks at evidence, never assumes: a BOM wins; then the NUL pattern of UTF-16;
//! then a streaming pass over the *whole* file decides between UTF-8 and Windows-1252,
//! because an Excel export can be plain ASCII for its first megabytes and hold its first
//! accented name much later.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::{ErrorKind, ReadError};

const HEAD_BYTES: usize = 64 * 1024;
const SCAN_CHUNK: usize = 256 * 1024;

/// Byte emitted into the UTF-8 stream in place of input the decoder found malformed. It is
/// never valid UTF-8, so the row layer reports it as invalid encoding in the right row and
/// field instead of silently turning it into U+FFFD.
pub(crate) const MALFORMED_MARKER: u8 = 0xFF;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    Utf16Le,
    Utf16Be,
    /// A single-byte legacy encoding: windows-1252, ISO-8859-15, macintosh...
    Legacy(&'static encoding_rs::Encoding),
}

/// Windows-1252: what Excel on Windows saves Western CSV in.
pub const WINDOWS_1252: TextEncoding = TextEncoding::Legacy(encoding_rs::WINDOWS_1252);
/// ISO-8859-15 (Latin-9): Latin-1 with Š š Ž ž Œ œ Ÿ and € where 1252 has symbols.
pub const ISO_8859_15: TextEncoding = TextEncoding::Legacy(encoding_rs::ISO_8859_15);

/// Serialises an optional encoding as its label.
pub(crate) fn serialize_label<S: serde::Serializer>(
    e: &Option<TextEncoding>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_some(e.label()),
        None => s.serialize_none(),
    }
}

/// The encoding a file was read in, and whether the evidence was strong enough to trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub encoding: TextEncoding,
    /// Why the evidence does not settle it, when it does not; `None` when it is certain.
    pub doubt: Option<Doubt>,
}

/// Two encodings the bytes fit about equally well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doubt {
    pub other: TextEncoding,
    pub evidence: String,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16LeBom => "UTF-16LE with BOM",
            TextEncoding::Utf16BeBom => "UTF-16BE with BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Legacy(e) => e.name(),
        }
    }

    /// The encoding a label names ("ISO-8859-15", "latin9", "windows-1252", "macintosh",
    /// "UTF-8", "UTF-16LE"...), as a WHATWG label.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let label = label.trim();
        // "Latin-9" is how people name ISO-8859-15; the WHATWG list only knows "l9".
        let label = match label.to_ascii_lowercase().as_str() {
            "latin9" | "latin-9" | "latin 9" => "iso-8859-15",
            _ => label,
        };
        let e = encoding_rs::Encoding::for_label(label.as_bytes())?;
        Some(if e == encoding_rs::UTF_8 {
            TextEncoding::Utf8
        } else if e == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else if e == encoding_rs::UTF_16BE {
            TextEncoding::Utf16Be
        } else if e.is_single_byte() {
            TextEncoding::Legacy(e)
        } else {
            // Multi-byte legacy encodings (Shift_JIS, GBK...) are not read.
            return None;
        })
    }

    fn bom_len(self) -> u64 {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16LeBom | TextEncoding::Utf16BeBom => 2,
            _ => 0,
        }
    }

    fn decoder(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            TextEncoding::Utf16LeBom | TextEncoding::Utf16Le => Some(encoding_rs::UTF_16LE),
            TextEncoding::Utf16BeBom | TextEncoding::Utf16Be => Some(encoding_rs::UTF_16BE),
            TextEncoding::Legacy(e) => Some(e),
        }
    }
}

/// Names of well-known binary formats, recognised by their first bytes, so the error can
/// say what the file really is.
fn binary_magic(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (perhaps an XLSX workbook)"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"GIF8", "a GIF image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\xD0\xCF\x11\xE0", "an old Office document (XLS/DOC)"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"SQLite format 3", "an SQLite database"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

fn utf16_without_bom(head: &[u8]) -> Option<TextEncoding> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even += (pair[0] == 0) as usize;
        odd += (pair[1] == 0) as usize;
    }
    // Mostly-ASCII text in UTF-16 has a NUL in every other byte; binary data has NULs on
    // both sides.
    if odd * 10 >= pairs * 4 && even * 20 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even * 10 >= pairs * 4 && odd * 20 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

fn is_suspicious_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A | 0x1B)
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Utf8Scan {
    invalid: u64,
    multibyte: u64,
    high_bytes: u64,
    undefined_1252: u64,
    /// Bytes 0x80-0x9F that Windows-1252 defines (€ ‚ „ … ‘ ’ “ ” – — Š Ž ...) and the
    /// ISO-8859 encodings leave to control codes, which no text holds.
    c1_printable: u64,
    /// The eight bytes where ISO-8859-15 has letters (and €) and Windows-1252 symbols,
    /// seen inside a word (evidence for the letters)...
    latin9_in_word: u64,
    /// ...and seen alone, between spaces or digits (evidence for the symbols).
    latin9_alone: u64,
    total: u64,
}

/// Bytes where ISO-8859-15 and Windows-1252 differ: ¤/€ ¦/Š ¨/š ´/Ž ¸/ž ¼/Œ ½/œ ¾/Ÿ.
fn is_latin9_difference(b: u8) -> bool {
    matches!(b, 0xA4 | 0xA6 | 0xA8 | 0xB4 | 0xB8 | 0xBC | 0xBD | 0xBE)
}

/// "don´t", "it´s": Windows-1252's acute accent typed as an apostrophe, not a Ž inside a word.
fn acute_as_apostrophe(b: u8, rest: &[u8]) -> bool {
    if b != 0xB4 {
        return false;
    }
    let word_end = rest
        .iter()
        .position(|c| !is_letter_byte(*c))
        .unwrap_or(rest.len());
    matches!(
        &rest[..word_end],
        b"s" | b"t" | b"d" | b"m" | b"ll" | b"re" | b"ve" | b"S" | b"T"
    )
}

/// A letter in both encodings: ASCII letters and the accented letters from 0xC0 up.
fn is_letter_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || (b >= 0xC0 && b != 0xD7 && b != 0xF7)
}

/// Counts the bytes of `fresh` that tell legacy encodings apart. Only bytes from 0x80 count,
/// so runs of ASCII (most of any file) are passed over a block at a time.
fn count_high_bytes(scan: &mut Utf8Scan, fresh: &[u8]) {
    const BLOCK: usize = 32;
    let high = fresh
        .chunks(BLOCK)
        .enumerate()
        .filter(|(_, block)| !block.is_ascii())
        .flat_map(|(k, block)| {
            block
                .iter()
                .enumerate()
                .filter(|(_, b)| **b >= 0x80)
                .map(move |(j, b)| (k * BLOCK + j, *b))
        });
    for (i, b) in high {
        scan.high_bytes += 1;
        let undefined = matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D);
        scan.undefined_1252 += undefined as u64;
        scan.c1_printable += ((0x80..=0x9F).contains(&b) && !undefined) as u64;
        if is_latin9_difference(b) {
            let before = i.checked_sub(1).and_then(|j| fresh.get(j)).copied();
            let rest = fresh.get(i + 1..).unwrap_or_default();
            let after = rest.first().copied();
            let near_letter =
                before.is_some_and(is_letter_byte) || after.is_some_and(is_letter_byte);
            if near_letter && !acute_as_apostrophe(b, rest) {
                scan.latin9_in_word += 1;
            } else {
                scan.latin9_alone += 1;
            }
        }
    }
}

/// Streams the whole file checking UTF-8 validity, keeping counts that tell a UTF-8 file
/// with a few bad bytes apart from a legacy single-byte file.
fn scan_utf8(file: &mut File) -> io::Result<Utf8Scan> {
    let mut scan = Utf8Scan::default();
    let mut buf = vec![0u8; SCAN_CHUNK + 4];
    let mut carry = 0usize;
    loop {
        let n = read_full(file, &mut buf[carry..carry + SCAN_CHUNK])?;
        let len = carry + n;
        let eof = n == 0;
        let mut chunk = &buf[..len];
        scan.total += n as u64;
        if !chunk.is_ascii() {
            count_high_bytes(&mut scan, &chunk[carry..]);
        }
        carry = 0;
        loop {
            match std::str::from_utf8(chunk) {
                Ok(valid) => {
                    scan.multibyte += count_lead_bytes(valid.as_bytes());
                    break;
                }
                Err(e) => {
                    let (good, rest) = chunk.split_at(e.valid_up_to());
                    scan.multibyte += count_lead_bytes(good);
                    match e.error_len() {
                        Some(bad) => {
                            scan.invalid += 1;
                            chunk = &rest[bad..];
                        }
                        None if !eof => {
                            // An incomplete sequence at the chunk edge: finish it next round.
                            carry = rest.len();
                            let start = len - carry;
                            buf.copy_within(start..len, 0);
                            break;
                        }
                        None => {
                            scan.invalid += 1;
                            break;
                        }
                    }
                }
            }
        }
        if eof {
            return Ok(scan);
        }
    }
}

fn count_lead_bytes(valid: &[u8]) -> u64 {
    if valid.is_ascii() {
        0
    } else {
        valid.iter().filter(|&&b| b >= 0xC0).count() as u64
    }
}

pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Detects the text encoding of a file. `name` is used in error messages. A legacy encoding
/// the evidence does not settle comes back with its doubt.
pub fn detect_encoding(path: &Path, name: &str) -> Result<Detected, ReadError> {
    let mut file = File::open(path).map_err(|e| ReadError::io(name, &e))?;
    let mut head = vec![0u8; HEAD_BYTES];
    let n = read_full(&mut file, &mut head).map_err(|e| ReadError::io(name, &e))?;
    head.truncate(n);
    detect_from_head(&mut file, &head, name)
}

fn certain(encoding: TextEncoding) -> Result<Detected, ReadError> {
    Ok(Detected {
        encoding,
        doubt: None,
    })
}

/// The encoding a file is read in: the one pinned (by the mapping or `--encoding`), or the
/// detected one. A detection in doubt is an error unless `guess` accepts it (to propose a
/// mapping, which then asks).
pub(crate) fn choose_encoding(
    path: &Path,
    name: &str,
    pinned: Option<TextEncoding>,
    guess: bool,
) -> Result<Detected, ReadError> {
    if let Some(encoding) = pinned {
        // A UTF-8 file pinned as UTF-8 still has its BOM skipped.
        let bom = encoding == TextEncoding::Utf8
            && matches!(
                detect_encoding(path, name),
                Ok(Detected {
                    encoding: TextEncoding::Utf8Bom,
                    ..
                })
            );
        return certain(if bom { TextEncoding::Utf8Bom } else { encoding });
    }
    let detected = detect_encoding(path, name)?;
    match &detected.doubt {
        Some(d) if !guess => Err(ReadError::new(
            ErrorKind::UnknownEncoding,
            name,
            format!(
                "the encoding is uncertain: {} or {} ({}); say which with encoding = \"{}\" \
                 in the mapping or --encoding \"{name}={}\"",
                detected.encoding.label(),
                d.other.label(),
                d.evidence,
                detected.encoding.label(),
                detected.encoding.label()
            ),
        )),
        _ => Ok(detected),
    }
}

fn detect_from_head(file: &mut File, head: &[u8], name: &str) -> Result<Detected, ReadError> {
    if head.is_empty() {
        return Err(ReadError::new(
            ErrorKind::EmptyFile,
            name,
            "the file is empty",
        ));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return certain(TextEncoding::Utf8Bom);
    }
    if head.starts_with(b"\xFF\xFE") {
        return certain(TextEncoding::Utf16LeBom);
    }
    if head.starts_with(b"\xFE\xFF") {
        return certain(TextEncoding::Utf16BeBom);
    }
    if let Some(what) = binary_magic(head) {
        return Err(ReadError::new(
            ErrorKind::BinaryContent,
            name,
            format!("this is not a text table; it looks like {what}"),
        ));
    }
    if let Some(enc) = utf16_without_bom(head) {
        return certain(enc);
    }
    let controls = head.iter().filter(|&&b| is_suspicious_control(b)).count();
    // A stray NUL or control character is a row problem; a file full of them is not text.
    if controls > 8 && controls * 100 > head.len() {
        return Err(ReadError::new(
            ErrorKind::BinaryContent,
            name,
            format!(
                "this does not look like text: {controls} control bytes in the first {} bytes",
                head.len()
            ),
        ));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| ReadError::io(name, &e))?;
    let scan = scan_utf8(file).map_err(|e| ReadError::io(name, &e))?;
    // More well-formed multi-byte characters than broken ones means UTF-8 with a few bad
    // bytes (reported per row) rather than a legacy encoding.
    if scan.invalid == 0 || scan.multibyte >= scan.invalid {
        return certain(TextEncoding::Utf8);
    }
    if scan.undefined_1252 > 0 {
        return Err(ReadError::new(
            ErrorKind::UnknownEncoding,
            name,
            format!(
                "unknown encoding: the file is not UTF-8 and holds {} bytes that Windows-1252 \
                 does not define; save it again as UTF-8, or name its encoding with \
                 --encoding \"{name}=LABEL\" (e.g. macintosh)",
                scan.undefined_1252
            ),
        ));
    }
    // Western text in Windows-1252 is mostly ASCII; a file mostly made of high bytes is
    // Cyrillic, Greek, or an East Asian encoding, and guessing would produce mojibake.
    if scan.high_bytes * 10 > scan.total * 3 {
        return Err(ReadError::new(
            ErrorKind::UnknownEncoding,
            name,
            format!(
                "unknown encoding: the file is neither UTF-8 nor Western (Windows-1252) text; \
                 save it again as UTF-8, or name its encoding with --encoding \"{name}=LABEL\""
            ),
        ));
    }
    Ok(western(&scan))
}

/// Windows-1252 or ISO-8859-15, by the bytes where they differ.
fn western(scan: &Utf8Scan) -> Detected {
    let (word, alone) = (scan.latin9_in_word, scan.latin9_alone);
    if scan.c1_printable > 0 || word == 0 {
        // Bytes 0x80-0x9F are text only in 1252; and where no differing byte sits inside a
        // word, the two read the file alike or 1252's symbols fit best.
        return Detected {
            encoding: WINDOWS_1252,
            doubt: None,
        };
    }
    if alone == 0 {
        return Detected {
            encoding: ISO_8859_15,
            doubt: None,
        };
    }
    let (best, other) = if word >= alone {
        (ISO_8859_15, WINDOWS_1252)
    } else {
        (WINDOWS_1252, ISO_8859_15)
    };
    Detected {
        encoding: best,
        doubt: Some(Doubt {
            other,
            evidence: format!(
                "{word} bytes that are letters in ISO-8859-15 stand inside words, {alone} that \
                 are symbols in Windows-1252 stand alone"
            ),
        }),
    }
}

/// Opens the file as a stream of UTF-8 bytes, BOM removed. Malformed input shows up as
/// [`MALFORMED_MARKER`] bytes.
pub(crate) fn open_utf8_stream(
    path: &Path,
    encoding: TextEncoding,
) -> io::Result<Box<dyn Read + Send>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(encoding.bom_len()))?;
    Ok(match encoding.decoder() {
        None => Box::new(file),
        Some(enc) => Box::new(Transcoder::new(file, enc)),
    })
}

/// Streaming decoder into UTF-8 that keeps malformed input visible (see MALFORMED_MARKER)
/// instead of replacing it.
pub(crate) struct Transcoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    finished: bool,
    output: Vec<u8>,
    out_pos: usize,
    out_len: usize,
}

impl<R: Read> Transcoder<R> {
    pub(crate) fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Transcoder {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0u8; 64 * 1024],
            in_pos: 0,
            in_len: 0,
            eof: false,
            finished: false,
            output: vec![0u8; 3 * 64 * 1024 + 16],
            out_pos: 0,
            out_len: 0,
        }
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = dst.len().min(self.out_len - self.out_pos);
                dst[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.finished || dst.is_empty() {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.eof {
                self.in_len = self.inner.read(&mut self.input)?;
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let last = self.eof;
            // One byte is held back so a malformed marker always fits.
            let room = self.output.len() - 1;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_pos..self.in_len],
                &mut self.output[..room],
                last,
            );
            self.in_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            match result {
                encoding_rs::DecoderResult::InputEmpty => {
                    if last {
                        self.finished = true;
                    }
                }
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    self.output[self.out_len] = MALFORMED_MARKER;
                    self.out_len += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts as every byte was once weighed, one at a time.
    fn byte_by_byte(fresh: &[u8]) -> Utf8Scan {
        let mut scan = Utf8Scan::default();
        for (i, &b) in fresh.iter().enumerate() {
            scan.high_bytes += (b >= 0x80) as u64;
            let undefined = matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D);
            scan.undefined_1252 += undefined as u64;
            scan.c1_printable += ((0x80..=0x9F).contains(&b) && !undefined) as u64;
            if is_latin9_difference(b) {
                let before = i.checked_sub(1).map(|j| fresh[j]);
                let after = fresh.get(i + 1).copied();
                let near_letter =
                    before.is_some_and(is_letter_byte) || after.is_some_and(is_letter_byte);
                if near_letter && !acute_as_apostrophe(b, &fresh[i + 1..]) {
                    scan.latin9_in_word += 1;
                } else {
                    scan.latin9_alone += 1;
                }
            }
        }
        scan
    }

    /// Texts of ASCII with high bytes scattered at every density, across block edges.
    #[test]
    fn high_bytes_are_counted_as_byte_by_byte() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let specials = [0xA4, 0xA6, 0xB4, 0xBE, 0x81, 0x9D, 0x80, 0xC3, 0xE9, 0xFF];
        for len in [0, 1, 31, 32, 33, 64, 65, 100, 1000] {
            for density in [0, 1, 5, 50, 100] {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        if (r % 100) < density {
                            specials[(r >> 8) as usize % specials.len()]
                        } else {
                            b"ab t'1 "[(r >> 16) as usize % 7]
                        }
                    })
                    .collect();
                let mut fast = Utf8Scan::default();
                count_high_bytes(&mut fast, &text);
                assert_eq!(fast, byte_by_byte(&text), "{len} bytes, {density}% high");
            }
        }
    }
}
