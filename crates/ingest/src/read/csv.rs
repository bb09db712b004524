//! Delimited text (CSV, TSV, semicolon and pipe files).
//!
//! Parsing runs on `csv_core` directly rather than the `csv` crate's reader so that an
//! oversized field can be discarded while it streams by (memory stays bounded by the field
//! limit) and so that an unterminated quote at end of file can be noticed.

use std::io::{self, Read};
use std::path::Path;

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder};

use super::encoding::{self, TextEncoding};
use super::error::{ErrorKind, ReadError};
use super::table::{normalize_headers, ReadOptions, SourceRow};

const INPUT_BUF: usize = 64 * 1024;
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 50;
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// One record as parsed, before it is checked and turned into strings.
#[derive(Debug, Default, Clone, Copy)]
struct RecordFlags {
    /// Index of the first field that went over the size limit (its bytes were dropped).
    oversize_field: Option<usize>,
    /// The record had more fields than we keep; the extra ones were dropped.
    fields_capped: bool,
    /// The record ended at end of file inside an open quoted field.
    unterminated_quote: bool,
    /// The physical line (1-based) the record starts on: blank lines and line breaks
    /// inside quoted fields count, so a row number points at the line an editor shows.
    line: u64,
}

/// Pull parser over a UTF-8 byte stream producing records into reused buffers.
struct RecordParser {
    src: Box<dyn Read + Send>,
    core: CoreReader,
    input: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    n_ends: usize,
    max_field: usize,
    max_fields: usize,
    delimiter: u8,
    finished: bool,
    /// The last input byte consumed, to tell whether a record's line break was read.
    last_consumed: u8,
    /// The line the previous record started on.
    prev_line: u64,
}

/// Where a record stands with respect to quoting, mirroring csv_core's lenient rules
/// (a quote is special only at the start of a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote seen inside a quoted field: it closes the field unless another follows.
    QuoteInQuoted,
}

impl QuoteState {
    fn advance(mut self, bytes: &[u8], delim: u8) -> QuoteState {
        let mut i = 0;
        while i < bytes.len() {
            self = match self {
                QuoteState::Quoted => match memchr::memchr(b'"', &bytes[i..]) {
                    Some(j) => {
                        i += j + 1;
                        QuoteState::QuoteInQuoted
                    }
                    None => return QuoteState::Quoted,
                },
                QuoteState::Unquoted => match memchr::memchr3(delim, b'\n', b'\r', &bytes[i..]) {
                    Some(j) => {
                        i += j + 1;
                        QuoteState::FieldStart
                    }
                    None => return QuoteState::Unquoted,
                },
                QuoteState::FieldStart | QuoteState::QuoteInQuoted => {
                    let b = bytes[i];
                    i += 1;
                    match b {
                        // Opens a quoted field, or is the second of a doubled quote.
                        b'"' => QuoteState::Quoted,
                        b'\n' | b'\r' => QuoteState::FieldStart,
                        b if b == delim => QuoteState::FieldStart,
                        _ => QuoteState::Unquoted,
                    }
                }
            };
        }
        self
    }
}

impl RecordParser {
    fn new(src: Box<dyn Read + Send>, delimiter: u8, opts: &ReadOptions) -> Self {
        RecordParser {
            src,
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            input: vec![0u8; INPUT_BUF],
            pos: 0,
            len: 0,
            eof: false,
            out: vec![0u8; 4096],
            out_len: 0,
            ends: vec![0usize; 64],
            n_ends: 0,
            max_field: opts.max_field_bytes,
            max_fields: opts.max_fields.max(1),
            delimiter,
            finished: false,
            last_consumed: b'\n',
            prev_line: 0,
        }
    }

    fn record(&self) -> &[u8] {
        &self.out[..self.out_len]
    }

    fn field_ends(&self) -> &[usize] {
        &self.ends[..self.n_ends]
    }

    /// Reads the next record; `Ok(None)` at end of input.
    fn next_record(&mut self) -> io::Result<Option<RecordFlags>> {
        if self.finished {
            return Ok(None);
        }
        self.out_len = 0;
        self.n_ends = 0;
        let mut flags = RecordFlags::default();
        // Bytes dropped from this record; csv_core's end offsets still count them.
        let mut dropped = 0usize;
        // Line breaks inside the bytes dropped, which the record's line still counts.
        let mut dropped_breaks = 0u64;
        let breaks = |bytes: &[u8]| memchr::memchr_iter(b'\n', bytes).count() as u64;
        // csv_core cannot tell whether it ended inside quotes, so the quote state of a
        // record is traced by hand, but only over records that outlive a buffer refill:
        // that is about one record per buffer, and always the one open at end of file.
        let mut rec_start = self.pos;
        let mut quote = QuoteState::FieldStart;
        loop {
            if self.pos == self.len && !self.eof {
                quote = quote.advance(&self.input[rec_start..self.len], self.delimiter);
                rec_start = 0;
                self.len = self.src.read(&mut self.input)?;
                self.pos = 0;
                self.eof = self.len == 0;
                if self.eof {
                    flags.unterminated_quote = quote == QuoteState::Quoted;
                }
            }
            if self.out_len == self.out.len() {
                let grown = (self.out.len() * 2).min(self.out_len + self.max_field + 1);
                self.out.resize(grown.max(self.out_len + 1024), 0);
            }
            let capped = self.n_ends >= self.max_fields;
            if self.n_ends == self.ends.len() && !capped {
                let grown = (self.ends.len() * 2).min(self.max_fields);
                self.ends.resize(grown.max(self.n_ends + 1), 0);
            }
            let mut scratch = [0usize; 1];
            let ends_slot: &mut [usize] = if capped {
                &mut scratch
            } else {
                &mut self.ends[self.n_ends..]
            };
            let (res, nin, nout, nend) = self.core.read_record(
                &self.input[self.pos..self.len],
                &mut self.out[self.out_len..],
                ends_slot,
            );
            if nin > 0 {
                self.last_consumed = self.input[self.pos + nin - 1];
            }
            self.pos += nin;
            self.out_len += nout;
            if capped {
                if nend > 0 {
                    // Keep no bytes of fields beyond the cap.
                    flags.fields_capped = true;
                    let keep = self.ends[self.n_ends - 1];
                    dropped_breaks += breaks(&self.out[keep..self.out_len]);
                    dropped += self.out_len - keep;
                    self.out_len = keep;
                }
            } else {
                for end in &mut self.ends[self.n_ends..self.n_ends + nend] {
                    *end -= dropped;
                }
                self.n_ends += nend;
            }
            let field_start = if self.n_ends > 0 {
                self.ends[self.n_ends - 1]
            } else {
                0
            };
            if self.out_len - field_start > self.max_field {
                if flags.oversize_field.is_none() {
                    flags.oversize_field = Some(self.n_ends);
                }
                dropped_breaks += breaks(&self.out[field_start..self.out_len]);
                dropped += self.out_len - field_start;
                self.out_len = field_start;
            }
            match res {
                ReadRecordResult::Record => {
                    // csv_core's line is where reading stands (1-based); back from there over
                    // the record's own line breaks and the one that ended it, if read.
                    let ended = self.last_consumed == b'\n' && !flags.unterminated_quote;
                    let inside = breaks(&self.out[..self.out_len]) + dropped_breaks;
                    let line = self.core.line().saturating_sub(inside + u64::from(ended));
                    // Lone CR line ends are not counted by csv_core: never go backwards.
                    flags.line = line.max(self.prev_line + 1);
                    self.prev_line = flags.line;
                    return Ok(Some(flags));
                }
                ReadRecordResult::End => {
                    self.finished = true;
                    return Ok(None);
                }
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }
}

/// Picks the delimiter that splits the first records into the most consistent number of
/// fields (quotes respected, since the candidates are parsed with a real CSV parser).
fn sniff_delimiter(sample: &[u8], complete: bool, prefer_tab: bool) -> Sniffed {
    let mut best = Sniffed {
        delimiter: b',',
        preamble: 0,
    };
    let (mut best_agreeing, mut best_width) = (0usize, 0usize);
    for &delim in CANDIDATES.iter() {
        let widths = field_counts(sample, delim, complete);
        let counts = widths.fields;
        let preamble = match preamble(&counts) {
            0 => padded_preamble(&widths.filled),
            n => n,
        };
        let Some(&header) = counts.get(preamble) else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&c| c == header).count();
        let better = agreeing > best_agreeing
            || (agreeing == best_agreeing && header > best_width)
            || (agreeing == best_agreeing && header == best_width && prefer_tab && delim == b'\t');
        if better {
            best = Sniffed {
                delimiter: delim,
                preamble,
            };
            (best_agreeing, best_width) = (agreeing, header);
        }
    }
    best
}

/// What the first records of a file say about how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sniffed {
    delimiter: u8,
    /// Records before the header: a report's title, the firm's name, when it was printed.
    preamble: usize,
}

/// How many records come before the header, by their field counts: the header is the first
/// record as wide as most records are, and every record above it must be far narrower (a
/// title in one or two cells) for it to be skipped. A first line only a little narrower is
/// a header with a cell missing, and stays the header.
fn preamble(counts: &[usize]) -> usize {
    let mut tally: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for c in counts {
        *tally.entry(*c).or_default() += 1;
    }
    let Some((width, _)) = tally.iter().max_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0))) else {
        return 0;
    };
    let Some(at) = counts.iter().position(|c| c == width) else {
        return 0;
    };
    let narrow = counts[..at].iter().all(|c| c * 2 <= *width);
    if at <= super::MOST_PREAMBLE && narrow {
        at
    } else {
        0
    }
}

/// Filled cells a title line may hold ("Matters Report"; "Printed", "12/05/2026").
const TITLE_CELLS: usize = 2;

/// How many records come before the header when a spreadsheet padded every line to the
/// table's width: each title line fills at most [`TITLE_CELLS`] cells, and the
/// header is the first line that fills more, and more than half the widest line. A table
/// of two columns cannot tell a title from a row, and keeps its first line.
fn padded_preamble(filled: &[usize]) -> usize {
    let widest = filled.iter().copied().max().unwrap_or(0);
    let Some(at) = filled.iter().position(|f| *f > TITLE_CELLS) else {
        return 0;
    };
    if at <= super::MOST_PREAMBLE && filled[at] * 2 > widest {
        at
    } else {
        0
    }
}

/// How wide each of the first records is: its fields, and how many of them hold more than
/// blank space.
#[derive(Debug, Default)]
struct Widths {
    fields: Vec<usize>,
    filled: Vec<usize>,
}

fn filled_fields(out: &[u8], ends: &[usize]) -> usize {
    let mut start = 0;
    let mut filled = 0;
    for &end in ends {
        if out
            .get(start..end)
            .is_some_and(|f| f.iter().any(|b| !b.is_ascii_whitespace()))
        {
            filled += 1;
        }
        start = end;
    }
    filled
}

fn field_counts(sample: &[u8], delim: u8, complete: bool) -> Widths {
    let mut core = ReaderBuilder::new().delimiter(delim).build();
    let mut out = vec![0u8; sample.len() + 1];
    let mut ends = vec![0usize; 4096];
    let mut widths = Widths::default();
    let mut input = sample;
    while widths.fields.len() < SNIFF_RECORDS {
        let (res, nin, nout, nend) = core.read_record(input, &mut out, &mut ends);
        input = &input[nin..];
        match res {
            ReadRecordResult::Record => {
                widths.fields.push(nend);
                widths.filled.push(filled_fields(&out, &ends[..nend]));
            }
            // The sample ends mid-record: that partial record proves nothing.
            ReadRecordResult::InputEmpty if !complete => break,
            ReadRecordResult::InputEmpty => {
                // Flush the final record of a file that fits entirely in the sample; its
                // last field's bytes are already out, up to `nout`.
                let done = filled_fields(&out, &ends[..nend]);
                let last_start = if nend > 0 { ends[nend - 1] } else { 0 };
                let last = out
                    .get(last_start..nout)
                    .is_some_and(|f| f.iter().any(|b| !b.is_ascii_whitespace()));
                let (res, _, _, nend2) = core.read_record(&[], &mut out, &mut ends);
                if res == ReadRecordResult::Record {
                    widths.fields.push(nend + nend2);
                    widths.filled.push(done + usize::from(last && nend2 > 0));
                }
                break;
            }
            _ => break,
        }
    }
    widths
}

/// Reader over a delimited text file.
pub struct CsvTable {
    name: String,
    encoding: TextEncoding,
    doubt: Option<encoding::Doubt>,
    delimiter: u8,
    headers: Vec<String>,
    header_issues: Vec<ReadError>,
    parser: RecordParser,
    next_row: u64,
    has_rows: bool,
    /// The first data record, parsed at open time so emptiness is known up front.
    pending: Option<RecordFlags>,
    done: bool,
}

impl CsvTable {
    pub(crate) fn open(
        path: &Path,
        name: &str,
        opts: &ReadOptions,
        prefer_tab: bool,
    ) -> Result<CsvTable, ReadError> {
        let detected = encoding::choose_encoding(path, name, opts.encoding, opts.guess_encoding)?;
        let (encoding, doubt) = (detected.encoding, detected.doubt);
        let mut stream =
            encoding::open_utf8_stream(path, encoding).map_err(|e| ReadError::io(name, &e))?;
        let mut sample = vec![0u8; SNIFF_BYTES];
        let n =
            encoding::read_full(&mut stream, &mut sample).map_err(|e| ReadError::io(name, &e))?;
        sample.truncate(n);
        let Sniffed {
            delimiter,
            preamble,
        } = sniff_delimiter(&sample, n < SNIFF_BYTES, prefer_tab);
        let src: Box<dyn Read + Send> = Box::new(io::Cursor::new(sample).chain(stream));
        let mut parser = RecordParser::new(src, delimiter, opts);
        let mut skipped: Vec<String> = Vec::new();
        for _ in 0..preamble {
            if parser
                .next_record()
                .map_err(|e| ReadError::io(name, &e))?
                .is_none()
            {
                break;
            }
            let cells: Vec<String> = split_fields(parser.record(), parser.field_ends())
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .filter(|f| !f.is_empty())
                .collect();
            if !cells.is_empty() {
                skipped.push(cells.join(" "));
            }
        }

        let header_flags = parser
            .next_record()
            .map_err(|e| ReadError::io(name, &e))?
            .ok_or_else(|| ReadError::new(ErrorKind::EmptyFile, name, "the file has no rows"))?;
        if parser.record().iter().all(|b| b.is_ascii_whitespace()) && parser.n_ends <= 1 {
            return Err(ReadError::new(
                ErrorKind::EmptyFile,
                name,
                "the file holds only blank space, no header row",
            ));
        }
        if header_flags.fields_capped {
            // Cutting the header would drop columns without a word; a table this wide is
            // not an export a person can review.
            return Err(ReadError::new(
                ErrorKind::TooManyFields,
                name,
                format!(
                    "the header has more than {} columns; a table this wide is not read",
                    opts.max_fields
                ),
            )
            .at_row(1));
        }
        if header_flags.oversize_field.is_some() || header_flags.unterminated_quote {
            return Err(ReadError::new(
                ErrorKind::UnterminatedQuote,
                name,
                "the header row never ends: a quote in it is not closed",
            )
            .at_row(1));
        }
        let raw: Vec<String> = split_fields(parser.record(), parser.field_ends())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let (headers, mut header_issues) = normalize_headers(raw, name);
        if preamble > 0 {
            let above = header_flags.line.saturating_sub(1);
            let shown: Vec<String> = skipped
                .iter()
                .take(3)
                .map(|l| format!("\"{}\"", l.chars().take(60).collect::<String>()))
                .collect();
            header_issues.push(
                ReadError::new(
                    ErrorKind::Preamble,
                    name,
                    format!(
                        "{above} line(s) above the header hold no table ({}): skipped; the \
                         header is line {}",
                        if shown.is_empty() {
                            "blank".to_string()
                        } else {
                            shown.join(", ")
                        },
                        header_flags.line
                    ),
                )
                .at_row(header_flags.line),
            );
        }
        if std::str::from_utf8(parser.record()).is_err() {
            header_issues.push(
                ReadError::new(
                    ErrorKind::InvalidEncoding,
                    name,
                    format!(
                        "the header row holds bytes that are not valid {} text; they were \
                         replaced with the \\u{{FFFD}} character",
                        encoding.label()
                    ),
                )
                .at_row(1),
            );
        }

        let mut table = CsvTable {
            name: name.to_string(),
            encoding,
            doubt,
            delimiter,
            headers,
            header_issues,
            parser,
            next_row: 2,
            has_rows: false,
            pending: None,
            done: false,
        };
        match table.parser.next_record() {
            Ok(Some(flags)) => {
                table.pending = Some(flags);
                table.has_rows = true;
            }
            Ok(None) => table.done = true,
            Err(e) => return Err(ReadError::io(name, &e)),
        }
        Ok(table)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn headers(&self) -> &[String] {
        &self.headers
    }
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }
    pub fn encoding_doubt(&self) -> Option<&encoding::Doubt> {
        self.doubt.as_ref()
    }
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }
    pub fn header_issues(&self) -> &[ReadError] {
        &self.header_issues
    }
    pub fn has_rows(&self) -> bool {
        self.has_rows
    }

    /// Reads the next row into `row`, reusing its buffers.
    pub fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        if self.done {
            return None;
        }
        let flags = match self.pending.take() {
            Some(flags) => flags,
            None => match self.parser.next_record() {
                Ok(Some(flags)) => flags,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(ReadError::io(&self.name, &e).at_row(self.next_row)));
                }
            },
        };
        let row_no = flags.line;
        self.next_row = row_no + 1;
        row.row = row_no;
        Some(self.check_and_fill(flags, row_no, row))
    }

    fn column_name(&self, index: usize) -> String {
        match self.headers.get(index) {
            Some(h) => h.clone(),
            None => format!("column {}", index + 1),
        }
    }

    fn err(&self, kind: ErrorKind, row: u64, field: Option<usize>, msg: String) -> ReadError {
        let mut e = ReadError::new(kind, self.name.clone(), msg).at_row(row);
        if let Some(i) = field {
            e = e.in_field(self.column_name(i));
        }
        e
    }

    fn check_and_fill(
        &mut self,
        flags: RecordFlags,
        row_no: u64,
        row: &mut SourceRow,
    ) -> Result<(), ReadError> {
        let n_fields = self.parser.n_ends;
        let expected = self.headers.len();
        if flags.unterminated_quote {
            self.done = true;
            let last = n_fields.saturating_sub(1);
            return Err(self.err(
                ErrorKind::UnterminatedQuote,
                row_no,
                Some(last),
                format!(
                    "a quoted field that starts in row {row_no} is never closed, so the rest of \
                     the file was swallowed into it; add the missing closing quote (\")"
                ),
            ));
        }
        if let Some(i) = flags.oversize_field {
            return Err(self.err(
                ErrorKind::FieldTooLarge,
                row_no,
                Some(i),
                format!(
                    "the field is longer than the limit of {} bytes and was not read; this \
                     usually means a stray quote joined many rows into one field",
                    self.parser.max_field
                ),
            ));
        }
        if n_fields < expected {
            return Err(self.err(
                ErrorKind::TooFewFields,
                row_no,
                Some(n_fields),
                format!(
                    "the row has {n_fields} fields but the header has {expected}; the first \
                     missing column is \"{}\"",
                    self.column_name(n_fields)
                ),
            ));
        }
        if n_fields > expected || flags.fields_capped {
            let shown = if flags.fields_capped {
                format!("more than {n_fields}")
            } else {
                n_fields.to_string()
            };
            return Err(self.err(
                ErrorKind::TooManyFields,
                row_no,
                Some(expected),
                format!(
                    "the row has {shown} fields but the header has {expected}; the first extra \
                     field is column {} (check for an unquoted delimiter in a value)",
                    expected + 1
                ),
            ));
        }
        let record = self.parser.record();
        if let Some(at) = memchr::memchr(0, record) {
            let field = field_at(self.parser.field_ends(), at);
            return Err(self.err(
                ErrorKind::NulByte,
                row_no,
                Some(field),
                "the field contains a NUL byte, which is not text".into(),
            ));
        }
        if let Some(at) = memchr::memmem::find(record, "\u{FEFF}".as_bytes()) {
            let field = field_at(self.parser.field_ends(), at);
            return Err(self.err(
                ErrorKind::MidFileBom,
                row_no,
                Some(field),
                "a byte-order mark appears in the middle of the file; two exports were \
                 probably joined together"
                    .into(),
            ));
        }
        if let Err(e) = std::str::from_utf8(record) {
            let field = field_at(self.parser.field_ends(), e.valid_up_to());
            return Err(self.err(
                ErrorKind::InvalidEncoding,
                row_no,
                Some(field),
                format!(
                    "the field holds bytes that are not valid {} text",
                    self.encoding.label()
                ),
            ));
        }
        fill_values(record, self.parser.field_ends(), &mut row.values);
        Ok(())
    }
}

/// Index of the field holding byte offset `at` of the record.
fn field_at(ends: &[usize], at: usize) -> usize {
    ends.partition_point(|&end| end <= at)
}

fn split_fields<'a>(record: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut start = 0;
    ends.iter().map(move |&end| {
        let field = record.get(start..end).unwrap_or_default();
        start = end;
        field
    })
}

/// Copies the (already validated) fields into reused strings.
fn fill_values(record: &[u8], ends: &[usize], values: &mut Vec<String>) {
    values.truncate(ends.len());
    while values.len() < ends.len() {
        values.push(String::new());
    }
    for (value, field) in values.iter_mut().zip(split_fields(record, ends)) {
        value.clear();
        // Validated as a whole record; a field boundary never splits a character because
        // delimiters are ASCII.
        let text = std::str::from_utf8(field).unwrap_or_default();
        value.push_str(text.strip_suffix('\r').unwrap_or(text));
    }
}
