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
    Windows1252,
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
            TextEncoding::Windows1252 => "windows-1252",
        }
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
            TextEncoding::Windows1252 => Some(encoding_rs::WINDOWS_1252),
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

#[derive(Default)]
struct Utf8Scan {
    invalid: u64,
    multibyte: u64,
    high_bytes: u64,
    undefined_1252: u64,
    total: u64,
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
            for &b in chunk[carry..].iter() {
                scan.high_bytes += (b >= 0x80) as u64;
                scan.undefined_1252 += matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D) as u64;
            }
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

/// Detects the text encoding of a file. `name` is used in error messages.
pub fn detect_encoding(path: &Path, name: &str) -> Result<TextEncoding, ReadError> {
    let mut file = File::open(path).map_err(|e| ReadError::io(name, &e))?;
    let mut head = vec![0u8; HEAD_BYTES];
    let n = read_full(&mut file, &mut head).map_err(|e| ReadError::io(name, &e))?;
    head.truncate(n);
    detect_from_head(&mut file, &head, name)
}

fn detect_from_head(file: &mut File, head: &[u8], name: &str) -> Result<TextEncoding, ReadError> {
    if head.is_empty() {
        return Err(ReadError::new(
            ErrorKind::EmptyFile,
            name,
            "the file is empty",
        ));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok(TextEncoding::Utf8Bom);
    }
    if head.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16LeBom);
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16BeBom);
    }
    if let Some(what) = binary_magic(head) {
        return Err(ReadError::new(
            ErrorKind::BinaryContent,
            name,
            format!("this is not a text table; it looks like {what}"),
        ));
    }
    if let Some(enc) = utf16_without_bom(head) {
        return Ok(enc);
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
        return Ok(TextEncoding::Utf8);
    }
    if scan.undefined_1252 > 0 {
        return Err(ReadError::new(
            ErrorKind::UnknownEncoding,
            name,
            format!(
                "unknown encoding: the file is not UTF-8 and holds {} bytes that Windows-1252 \
                 does not define; save it again as UTF-8 or CSV (Comma delimited)",
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
            "unknown encoding: the file is neither UTF-8 nor Western (Windows-1252) text; \
             save it again as UTF-8",
        ));
    }
    Ok(TextEncoding::Windows1252)
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
