//! JSON (a top-level array of objects) and JSONL (one object per line).
//!
//! Both are streamed: elements are cut out of the byte stream one at a time, each bounded
//! by `max_object_bytes`. The file is read twice: once to learn every column (objects need
//! not share keys), once to yield rows. Nested objects become dotted columns, arrays are
//! joined with "; ", and numbers keep their exact source text (money must not pass through
//! floating point).

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::encoding::{self, TextEncoding};
use super::error::{ErrorKind, ReadError};
use super::table::{ReadOptions, SourceRow};

type Stream = BufReader<Box<dyn Read + Send>>;

/// An object's members in document order (serde_json's map would sort them).
struct OrderedMembers<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for OrderedMembers<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = OrderedMembers<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    members.push((k, v));
                }
                Ok(OrderedMembers(members))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Text of a scalar: strings unescaped, numbers and booleans verbatim, null empty.
fn scalar_text(raw: &RawValue) -> Result<String, serde_json::Error> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text),
        Some(b'n') => Ok(String::new()),
        _ => Ok(text.to_string()),
    }
}

/// Objects nested deeper than this are refused: no export nests this deep, and a bound keeps
/// a hostile file from exhausting memory or time.
pub(crate) const MAX_DEPTH: usize = 64;

/// Why an element could not be turned into a row.
enum ObjectError {
    Json(serde_json::Error),
    /// Objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The same key twice in one object with different values.
    DuplicateKey(String),
}

impl From<serde_json::Error> for ObjectError {
    fn from(e: serde_json::Error) -> Self {
        ObjectError::Json(e)
    }
}

/// Flattens one JSON object into (dotted column, value) pairs. The walk keeps its own stack
/// (no recursion), so nesting depth costs heap, bounded by [`MAX_DEPTH`], never the thread's
/// stack.
fn flatten(raw: &RawValue, out: &mut Vec<(String, String)>) -> Result<(), ObjectError> {
    type Level<'a> = (String, std::vec::IntoIter<(String, &'a RawValue)>);
    let top: OrderedMembers = serde_json::from_str(raw.get())?;
    let mut stack: Vec<Level> = vec![(String::new(), top.0.into_iter())];
    while let Some((prefix, members)) = stack.last_mut() {
        let Some((key, value)) = members.next() else {
            stack.pop();
            continue;
        };
        let column = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value.get().as_bytes().first() {
            Some(b'{') => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ObjectError::TooDeep);
                }
                let inner: OrderedMembers = serde_json::from_str(value.get())?;
                stack.push((column, inner.0.into_iter()));
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(value.get())?;
                let mut joined = String::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        joined.push_str("; ");
                    }
                    joined.push_str(&scalar_text(item)?);
                }
                out.push((column, joined));
            }
            _ => out.push((column, scalar_text(value)?)),
        }
    }
    Ok(())
}

/// The deepest nesting of brackets in a JSON text (strings skipped), stopping once past
/// `limit`: checked before parsing so no parser ever walks a pathological structure.
fn depth_exceeds(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Parses one element; `Ok(None)` when it is valid JSON but not an object.
fn parse_object(bytes: &[u8]) -> Result<Option<Vec<(String, String)>>, ObjectError> {
    if depth_exceeds(bytes, MAX_DEPTH) {
        return Err(ObjectError::TooDeep);
    }
    let raw: &RawValue = serde_json::from_slice(bytes)?;
    if !raw.get().starts_with('{') {
        return Ok(None);
    }
    let mut out = Vec::new();
    flatten(raw, &mut out)?;
    // serde_json would keep the last of two equal keys without a word; which one the
    // exporter meant is not ours to choose.
    if out.len() > 1 {
        let mut seen: HashMap<&str, &str> = HashMap::with_capacity(out.len());
        for (k, v) in &out {
            if let Some(first) = seen.insert(k, v) {
                if first != v {
                    return Err(ObjectError::DuplicateKey(k.clone()));
                }
            }
        }
    }
    Ok(Some(out))
}

/// The row error of an element that could not be parsed; `what` names it ("element 3",
/// "line 7").
fn object_error(e: ObjectError, file: &str, row: u64, what: &str) -> ReadError {
    match e {
        ObjectError::TooDeep => ReadError::new(
            ErrorKind::TooDeep,
            file,
            format!(
                "{what} nests objects or arrays more than {MAX_DEPTH} levels deep; it was skipped"
            ),
        ),
        ObjectError::DuplicateKey(key) => ReadError::new(
            ErrorKind::DuplicateKey,
            file,
            format!("{what} holds the key \"{key}\" twice with different values"),
        )
        .in_field(key),
        ObjectError::Json(e) => ReadError::new(
            ErrorKind::InvalidJson,
            file,
            format!("{what} is not valid JSON: {e}"),
        ),
    }
    .at_row(row)
}

enum Piece {
    /// An element's bytes are in the buffer.
    Element,
    /// An element bigger than the limit was skipped.
    Oversize,
}

/// Cuts the elements of a top-level JSON array out of a byte stream.
struct ArraySplitter {
    src: Stream,
    started: bool,
    /// The closing ']' was seen after the last element returned.
    closed: bool,
    done: bool,
    max: usize,
}

impl ArraySplitter {
    fn new(src: Stream, max: usize) -> Self {
        ArraySplitter {
            src,
            started: false,
            closed: false,
            done: false,
            max,
        }
    }

    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.src.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let b = buf[i];
                    self.src.consume(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = buf.len();
                    self.src.consume(n);
                }
            }
        }
    }

    /// Next element into `out`. Errors are (kind, message) and end the file.
    fn next(&mut self, out: &mut Vec<u8>) -> Result<Option<Piece>, (ErrorKind, String)> {
        let io = |e: io::Error| (ErrorKind::Io, format!("could not read the file: {e}"));
        if self.done {
            return Ok(None);
        }
        if self.closed {
            // Checked only now so the last element is not lost to trailing garbage.
            return self.finish();
        }
        if !self.started {
            self.started = true;
            match self.skip_ws().map_err(io)? {
                Some(b'[') => self.src.consume(1),
                Some(b'{') => {
                    self.done = true;
                    return Err((
                        ErrorKind::NotArrayOfObjects,
                        "the file holds a single JSON object, not an array of objects \
                         ([{...}, {...}])"
                            .into(),
                    ));
                }
                Some(_) => {
                    self.done = true;
                    return Err((
                        ErrorKind::NotArrayOfObjects,
                        "the file is not a JSON array of objects ([{...}, {...}])".into(),
                    ));
                }
                None => {
                    self.done = true;
                    return Err((ErrorKind::EmptyFile, "the file is empty".into()));
                }
            }
            if self.skip_ws().map_err(io)? == Some(b']') {
                self.src.consume(1);
                return self.finish();
            }
        }
        out.clear();
        let mut depth = 0usize;
        let (mut in_str, mut escaped, mut oversize) = (false, false, false);
        loop {
            let buf = self.src.fill_buf().map_err(io)?;
            if buf.is_empty() {
                self.done = true;
                return Err((
                    ErrorKind::InvalidJson,
                    "the file ends in the middle of the array (truncated?)".into(),
                ));
            }
            let mut used = 0;
            let mut end: Option<u8> = None;
            for &b in buf {
                used += 1;
                if in_str {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_str = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => {
                        end = Some(b);
                        used -= 1;
                        break;
                    }
                    _ => {}
                }
            }
            if !oversize {
                if out.len() + used > self.max {
                    oversize = true;
                    out.clear();
                } else {
                    out.extend_from_slice(&buf[..used]);
                }
            }
            self.src.consume(used);
            if let Some(delim) = end {
                self.src.consume(1);
                self.closed = delim == b']';
                return Ok(Some(if oversize {
                    Piece::Oversize
                } else {
                    Piece::Element
                }));
            }
        }
    }

    fn finish(&mut self) -> Result<Option<Piece>, (ErrorKind, String)> {
        self.done = true;
        match self.skip_ws() {
            Ok(None) => Ok(None),
            Ok(Some(_)) => Err((
                ErrorKind::InvalidJson,
                "there is more data after the closing ] of the array".into(),
            )),
            Err(e) => Err((ErrorKind::Io, format!("could not read the file: {e}"))),
        }
    }
}

/// Reads a line into `out`, keeping at most `max` bytes. `Ok(None)` at end of file,
/// otherwise whether the line was cut.
fn read_line_bounded(src: &mut Stream, out: &mut Vec<u8>, max: usize) -> io::Result<Option<bool>> {
    out.clear();
    let mut cut = false;
    let mut any = false;
    loop {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            return Ok(if any { Some(cut) } else { None });
        }
        any = true;
        let (take, found) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if !cut {
            if out.len() + take > max {
                cut = true;
                out.clear();
            } else {
                out.extend_from_slice(&buf[..take]);
            }
        }
        src.consume(take);
        if found {
            return Ok(Some(cut));
        }
    }
}

/// Columns learnt from the first pass, in order of first appearance.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    fn learn(&mut self, pairs: &[(String, String)], max: usize) -> bool {
        for (k, _) in pairs {
            if !self.index.contains_key(k) {
                if self.names.len() >= max {
                    return false;
                }
                self.index.insert(k.clone(), self.names.len());
                self.names.push(k.clone());
            }
        }
        true
    }

    fn fill(&self, pairs: Vec<(String, String)>, values: &mut Vec<String>) {
        values.clear();
        values.resize(self.names.len(), String::new());
        for (k, v) in pairs {
            if let Some(&i) = self.index.get(&k) {
                values[i] = v;
            }
        }
    }
}

fn open_stream(path: &Path, file: &str, enc: TextEncoding) -> Result<Stream, ReadError> {
    let raw = encoding::open_utf8_stream(path, enc).map_err(|e| ReadError::io(file, &e))?;
    Ok(BufReader::with_capacity(64 * 1024, raw))
}

fn too_many_columns(file: &str, max: usize) -> ReadError {
    ReadError::new(
        ErrorKind::TooManyFields,
        file,
        format!("the objects use more than {max} distinct keys; this is not a table"),
    )
}

/// Reader over a JSON array of objects.
pub struct JsonTable {
    name: String,
    encoding: TextEncoding,
    doubt: Option<encoding::Doubt>,
    columns: Columns,
    splitter: ArraySplitter,
    buf: Vec<u8>,
    next_row: u64,
    has_rows: bool,
    max_object: usize,
}

impl JsonTable {
    pub(crate) fn open(path: &Path, file: &str, opts: &ReadOptions) -> Result<Self, ReadError> {
        let detected = encoding::choose_encoding(path, file, opts.encoding, opts.guess_encoding)?;
        let (encoding, doubt) = (detected.encoding, detected.doubt);
        let mut splitter =
            ArraySplitter::new(open_stream(path, file, encoding)?, opts.max_object_bytes);
        let mut columns = Columns::default();
        let mut buf = Vec::new();
        let (mut objects, mut elements) = (0u64, 0u64);
        loop {
            match splitter.next(&mut buf) {
                Ok(None) => break,
                Ok(Some(Piece::Oversize)) => elements += 1,
                Ok(Some(Piece::Element)) => {
                    elements += 1;
                    if let Ok(Some(pairs)) = parse_object(&buf) {
                        objects += 1;
                        if !columns.learn(&pairs, opts.max_json_columns) {
                            return Err(too_many_columns(file, opts.max_json_columns));
                        }
                    }
                }
                // Structural errors before any element make the whole file unusable;
                // later ones are reported again, in place, by the second pass.
                Err((kind, msg)) if elements == 0 => {
                    return Err(ReadError::new(kind, file, msg));
                }
                Err(_) => break,
            }
        }
        if elements > 0 && objects == 0 {
            return Err(ReadError::new(
                ErrorKind::NotArrayOfObjects,
                file,
                "the array holds no objects; expected an array of objects ([{...}, {...}])",
            ));
        }
        Ok(JsonTable {
            name: file.to_string(),
            encoding,
            doubt,
            columns,
            splitter: ArraySplitter::new(open_stream(path, file, encoding)?, opts.max_object_bytes),
            buf,
            next_row: 1,
            has_rows: elements > 0,
            max_object: opts.max_object_bytes,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn headers(&self) -> &[String] {
        &self.columns.names
    }
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }
    pub fn encoding_doubt(&self) -> Option<&encoding::Doubt> {
        self.doubt.as_ref()
    }
    pub fn has_rows(&self) -> bool {
        self.has_rows
    }

    pub fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        let piece = match self.splitter.next(&mut self.buf) {
            Ok(None) => return None,
            Ok(Some(p)) => p,
            Err((kind, msg)) => {
                return Some(Err(
                    ReadError::new(kind, self.name.clone(), msg).at_row(self.next_row)
                ))
            }
        };
        let row_no = self.next_row;
        self.next_row += 1;
        row.row = row_no;
        let element = row_no - 1;
        Some(match piece {
            Piece::Oversize => Err(ReadError::new(
                ErrorKind::ObjectTooLarge,
                self.name.clone(),
                format!(
                    "element {element} is larger than the limit of {} bytes and was skipped",
                    self.max_object
                ),
            )
            .at_row(row_no)),
            Piece::Element => match parse_object(&self.buf) {
                Ok(Some(pairs)) => {
                    self.columns.fill(pairs, &mut row.values);
                    Ok(())
                }
                Ok(None) => Err(ReadError::new(
                    ErrorKind::NotAnObject,
                    self.name.clone(),
                    format!("element {element} of the array is not an object"),
                )
                .at_row(row_no)),
                Err(e) => Err(object_error(
                    e,
                    &self.name,
                    row_no,
                    &format!("element {element} of the array"),
                )),
            },
        })
    }
}

/// Reader over JSON Lines: one object per non-blank line.
pub struct JsonlTable {
    name: String,
    encoding: TextEncoding,
    doubt: Option<encoding::Doubt>,
    columns: Columns,
    src: Stream,
    buf: Vec<u8>,
    line: u64,
    next_row: u64,
    has_rows: bool,
    max_object: usize,
}

impl JsonlTable {
    pub(crate) fn open(path: &Path, file: &str, opts: &ReadOptions) -> Result<Self, ReadError> {
        let detected = encoding::choose_encoding(path, file, opts.encoding, opts.guess_encoding)?;
        let (encoding, doubt) = (detected.encoding, detected.doubt);
        let mut src = open_stream(path, file, encoding)?;
        let mut columns = Columns::default();
        let mut buf = Vec::new();
        let mut lines = 0u64;
        while let Some(cut) = read_line_bounded(&mut src, &mut buf, opts.max_object_bytes)
            .map_err(|e| ReadError::io(file, &e))?
        {
            if buf.trim_ascii().is_empty() && !cut {
                continue;
            }
            lines += 1;
            if let Ok(Some(pairs)) = parse_object(&buf) {
                if !columns.learn(&pairs, opts.max_json_columns) {
                    return Err(too_many_columns(file, opts.max_json_columns));
                }
            }
        }
        Ok(JsonlTable {
            name: file.to_string(),
            encoding,
            doubt,
            columns,
            src: open_stream(path, file, encoding)?,
            buf,
            line: 0,
            next_row: 1,
            has_rows: lines > 0,
            max_object: opts.max_object_bytes,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn headers(&self) -> &[String] {
        &self.columns.names
    }
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }
    pub fn encoding_doubt(&self) -> Option<&encoding::Doubt> {
        self.doubt.as_ref()
    }
    pub fn has_rows(&self) -> bool {
        self.has_rows
    }

    pub fn read_into(&mut self, row: &mut SourceRow) -> Option<Result<(), ReadError>> {
        loop {
            let cut = match read_line_bounded(&mut self.src, &mut self.buf, self.max_object) {
                Ok(None) => return None,
                Ok(Some(cut)) => cut,
                Err(e) => {
                    return Some(Err(ReadError::io(&self.name, &e).at_row(self.next_row)));
                }
            };
            self.line += 1;
            if self.buf.trim_ascii().is_empty() && !cut {
                continue;
            }
            // A JSON-lines file has no header: a record's row is its line number.
            let row_no = self.line;
            self.next_row = self.line + 1;
            row.row = row_no;
            let line = self.line;
            let err = |kind, msg: String| {
                Some(Err(
                    ReadError::new(kind, self.name.clone(), msg).at_row(row_no)
                ))
            };
            if cut {
                return err(
                    ErrorKind::ObjectTooLarge,
                    format!(
                        "line {line} is longer than the limit of {} bytes and was skipped",
                        self.max_object
                    ),
                );
            }
            return match parse_object(&self.buf) {
                Ok(Some(pairs)) => {
                    self.columns.fill(pairs, &mut row.values);
                    Some(Ok(()))
                }
                Ok(None) => err(
                    ErrorKind::NotAnObject,
                    format!("line {line} is not a JSON object"),
                ),
                Err(e) => Some(Err(object_error(
                    e,
                    &self.name,
                    row_no,
                    &format!("line {line}"),
                ))),
            };
        }
    }
}
