//! Batch blobs: each row of a batch as the planner settled it, so that the entity handler
//! neither maps nor validates again.
//!
//! A blob is gzipped JSON lines: a header line naming the file and its columns, then one line
//! per row: the mapped, validated record of a row that loads (unless a reference or its file
//! turns out missing, which only the handler can tell), or the reject of a row refused while
//! planning (a reader problem, a field that does not validate, a duplicate source id).
//! Every row keeps its source cells: a reject shows them, and a loading row can still become
//! an orphan. The record's fields travel as the exact JSON the store keeps, so the handler
//! copies them instead of reading them. Compression pays for carrying both: the record
//! repeats its cells and the JSON repeats its keys, so the gzipped blob is smaller than the
//! plain one that carried the cells alone. Writing is deterministic (gzip with no time or
//! name in its header), so planning again writes the same bytes.

use std::io::{Read, Write};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use migrationai_domain::catalogue::{kind_def, FieldType};
use migrationai_domain::{CanonicalRecord, Kind, Value};
use migrationai_ingest::transform::RowMapper;
use migrationai_ingest::SourceRow;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{json, ProcessingError};
use crate::handlers::files::path_field;

/// The first line of a batch blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobHeader {
    pub file: String,
    pub headers: Vec<String>,
}

/// One row of a batch blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowLine {
    /// A valid row, the first valid one of its source id.
    Load(Load),
    /// A row refused while planning.
    Reject(Reject),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Load {
    pub row: u64,
    pub source_id: String,
    /// The record's fields, serialised as the store keeps them.
    pub fields: Fields,
    /// The records of other kinds it names, in the catalogue's field order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<LineRef>,
    /// The document or email file it names, for the kinds that carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub values: Vec<String>,
}

/// A record's fields as the JSON the store keeps, carried in the line as JSON itself. As a
/// string holding JSON, every quote was escaped when planning and read back one escape at a
/// time by the handler: the larger part of reading a blob. Read, the JSON is checked and
/// copied, not parsed into values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fields(Box<RawValue>);

impl Fields {
    /// `json`, which must be one JSON value (what serialising the fields gave).
    pub fn new(json: String) -> Result<Fields, serde_json::Error> {
        RawValue::from_string(json).map(Fields)
    }

    /// The JSON to store. A blob planned before the fields travelled as JSON holds them as
    /// a string of JSON (a JSON object never starts with a quote): that string is read.
    pub fn into_json(self) -> Result<String, serde_json::Error> {
        if self.0.get().starts_with('"') {
            return serde_json::from_str(self.0.get());
        }
        Ok(Box::<str>::from(self.0).into_string())
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for Fields {}

/// The source ids one reference field of a record names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRef {
    pub field: String,
    pub ids: Vec<String>,
    /// The field holds a list (even of one id), not a single reference.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub row: u64,
    pub source_id: Option<String>,
    pub field: String,
    pub code: String,
    pub reason: String,
    /// The row's cells; none for a row the reader could not split.
    pub values: Vec<String>,
}

/// Settles a row read without problems: its reject if a field does not validate or an
/// earlier valid row had its source id (`first` says whether the id is new), else its record.
pub fn settle(
    mapper: &RowMapper,
    row: &SourceRow,
    first: impl FnOnce(&str) -> bool,
) -> Result<RowLine, ProcessingError> {
    let record = match mapper.apply(row) {
        Ok(record) => record,
        Err(problems) => {
            // The first problem is the row's reason, as the ground truth has it.
            let (field, code, reason) = problems
                .into_iter()
                .next()
                .map(|p| (p.field, p.code, p.reason))
                .unwrap_or_else(|| {
                    (
                        mapper.def.id_field().name.into(),
                        "invalid".into(),
                        "invalid row".into(),
                    )
                });
            return Ok(RowLine::Reject(Reject {
                row: row.row,
                source_id: mapper.source_key(row.row, &row.values),
                field,
                code,
                reason,
                values: row.values.clone(),
            }));
        }
    };
    if !first(&record.source_id) {
        let reason = format!(
            "source id \"{}\" already appears on an earlier row of {}",
            record.source_id, mapper.kind
        );
        return Ok(RowLine::Reject(Reject {
            row: row.row,
            source_id: Some(record.source_id),
            field: mapper.def.id_field().name.into(),
            code: "duplicate_id".into(),
            reason,
            values: row.values.clone(),
        }));
    }
    let fields = serde_json::to_string(&record.fields)
        .and_then(Fields::new)
        .map_err(json("record fields"))?;
    Ok(RowLine::Load(Load {
        row: row.row,
        refs: references(&record),
        path: path_field(record.kind)
            .and_then(|f| record.text(f))
            .map(str::to_string),
        source_id: record.source_id,
        fields,
        values: row.values.clone(),
    }))
}

/// The source ids a record refers to, per reference field.
fn references(record: &CanonicalRecord) -> Vec<LineRef> {
    kind_def(record.kind)
        .fields
        .iter()
        .filter_map(|fd| match (fd.ty, record.get(fd.name)) {
            (FieldType::Ref(_), Some(Value::Ref(id))) => Some(LineRef {
                field: fd.name.into(),
                ids: vec![id.clone()],
                list: false,
            }),
            (FieldType::RefList(_), Some(Value::RefList(ids))) => Some(LineRef {
                field: fd.name.into(),
                ids: ids.clone(),
                list: true,
            }),
            _ => None,
        })
        .collect()
}

/// A batch blob being written: plain lines, compressed whole at the end. (Serialising
/// straight into the compressor costs far more: each small write of the serialiser makes it
/// clear its whole output buffer.)
pub struct BlobWriter {
    plain: Vec<u8>,
}

impl BlobWriter {
    pub fn new(header: &BlobHeader) -> Result<Self, ProcessingError> {
        let mut writer = BlobWriter { plain: Vec::new() };
        writer.line(header)?;
        Ok(writer)
    }

    pub fn row(&mut self, line: &RowLine) -> Result<(), ProcessingError> {
        self.line(line)
    }

    fn line(&mut self, value: &impl Serialize) -> Result<(), ProcessingError> {
        serde_json::to_writer(&mut self.plain, value).map_err(json("batch line"))?;
        self.plain.push(b'\n');
        Ok(())
    }

    /// The blob's bytes.
    pub fn finish(self) -> Result<Vec<u8>, ProcessingError> {
        // The fastest level: the blob is read once, and most of the gain is in the first pass.
        let mut out = GzEncoder::new(
            Vec::with_capacity(self.plain.len() / 4),
            Compression::fast(),
        );
        out.write_all(&self.plain).map_err(compressing)?;
        out.finish().map_err(compressing)
    }
}

/// Writing to memory fails only if the compressor does; said as the line's failure.
fn compressing(e: std::io::Error) -> ProcessingError {
    json("batch blob")(serde_json::Error::io(e))
}

/// Why a batch blob cannot be read; the same blob never reads better.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("batch blob is not gzipped JSON lines (planned by an earlier version?): {0}")]
    Unpacked(std::io::Error),
    #[error("batch blob has no header line")]
    NoHeader,
    #[error("batch blob line {line}: {error}")]
    Line {
        line: usize,
        error: serde_json::Error,
    },
}

/// A batch blob read back: its header and its rows.
pub fn read(bytes: &[u8]) -> Result<(BlobHeader, Vec<RowLine>), BlobError> {
    let mut text = Vec::new();
    GzDecoder::new(bytes)
        .read_to_end(&mut text)
        .map_err(BlobError::Unpacked)?;
    let mut lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let header: BlobHeader = lines
        .next()
        .and_then(|l| serde_json::from_slice(l).ok())
        .ok_or(BlobError::NoHeader)?;
    let rows = lines
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_slice(l).map_err(|error| BlobError::Line { line: i + 2, error })
        })
        .collect::<Result<Vec<RowLine>, _>>()?;
    Ok((header, rows))
}

/// The target kind of a reference field of `kind`; None for a field that is not one.
pub fn ref_target(kind: Kind, field: &str) -> Option<(&'static str, Kind)> {
    let fd = kind_def(kind).field(field)?;
    match fd.ty {
        FieldType::Ref(k) | FieldType::RefList(k) => Some((fd.name, k)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_reads_back_as_written() {
        let header = BlobHeader {
            file: "matters.csv".into(),
            headers: vec!["id".into(), "client".into()],
        };
        let rows = vec![
            RowLine::Load(Load {
                row: 2,
                source_id: "M1".into(),
                fields: Fields::new(r#"{"matter_id":{"t":"text","v":"M1"}}"#.into()).expect("json"),
                refs: vec![LineRef {
                    field: "client_id".into(),
                    ids: vec!["C\t1".into()],
                    list: false,
                }],
                path: None,
                values: vec!["M1".into(), "C\t1\n".into()],
            }),
            RowLine::Reject(Reject {
                row: 3,
                source_id: None,
                field: "matter_id".into(),
                code: "required".into(),
                reason: "matter_id is required".into(),
                values: vec![],
            }),
        ];
        let mut w = BlobWriter::new(&header).expect("header");
        for r in &rows {
            w.row(r).expect("row");
        }
        let bytes = w.finish().expect("finish");
        let (h, back) = read(&bytes).expect("read");
        assert_eq!(h, header);
        assert_eq!(back, rows);
        // Deterministic: planning again overwrites a blob with the same bytes.
        let mut again = BlobWriter::new(&header).expect("header");
        for r in &rows {
            again.row(r).expect("row");
        }
        assert_eq!(again.finish().expect("finish"), bytes);
    }

    #[test]
    fn fields_planned_as_a_string_of_json_read_as_the_same_json() {
        let fields = r#"{"matter_id":{"t":"text","v":"M\"1"}}"#;
        let earlier = serde_json::json!({
            "row": 2, "source_id": "M\"1", "fields": fields, "values": ["M\"1"],
        });
        let line: Load = serde_json::from_value(earlier).expect("an earlier line reads");
        assert_eq!(line.fields.into_json().expect("json"), fields);
        let now = Fields::new(fields.to_string()).expect("json");
        let text = serde_json::to_string(&now).expect("serialise");
        assert_eq!(text, fields, "carried as JSON, not as a string");
        let back: Fields = serde_json::from_str(&text).expect("read");
        assert_eq!(back.into_json().expect("json"), fields);
    }

    #[test]
    fn a_plain_blob_is_refused() {
        let plain = b"{\"file\":\"a.csv\",\"headers\":[]}\n";
        assert!(matches!(read(plain), Err(BlobError::Unpacked(_))));
    }
}
