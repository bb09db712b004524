//! Helpers shared by the reader tests: real files in temporary folders.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use migrationai_ingest::read::{open_table, Export, Limits, ReadError, SourceRow, TableReader};

/// A temporary export folder holding the given files.
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, bytes).expect("write");
    }
    dir
}

pub fn open_export(dir: &Path) -> Export {
    Export::open(dir, &Limits::default()).expect("open export")
}

/// Opens the single table `name` of a one-file export.
pub fn table(
    name: &str,
    bytes: &[u8],
) -> (tempfile::TempDir, Export, Result<TableReader, ReadError>) {
    let dir = folder(&[(name, bytes)]);
    let export = open_export(dir.path());
    let entry = export.entry(name).expect("entry listed").clone();
    let reader = open_table(&export, &entry);
    (dir, export, reader)
}

/// A table's header issues, each as its kind and message.
pub fn header_issues(reader: &TableReader) -> Vec<(migrationai_ingest::ErrorKind, String)> {
    reader
        .header_issues()
        .iter()
        .map(|e| (e.kind, e.message.clone()))
        .collect()
}

/// All items of a table: rows and row errors.
pub fn drain(reader: &mut TableReader) -> (Vec<SourceRow>, Vec<ReadError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for item in reader {
        match item {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    (rows, errors)
}

pub fn values(rows: &[SourceRow]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.values.clone()).collect()
}

pub fn row_numbers(rows: &[SourceRow]) -> Vec<u64> {
    rows.iter().map(|r| r.row).collect()
}

pub fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

pub fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Writes a zip archive with the given (name, bytes) entries, deflated.
pub fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    use std::io::Write;
    let file = fs::File::create(path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, opts).expect("start entry");
        zip.write_all(bytes).expect("write entry");
    }
    zip.finish().expect("finish zip");
}

fn inline_cell(col: usize, row: usize, value: &str) -> String {
    let col_name = (b'A' + col as u8) as char;
    match value.parse::<f64>() {
        Ok(_) => format!("<c r=\"{col_name}{row}\"><v>{value}</v></c>"),
        Err(_) => format!("<c r=\"{col_name}{row}\" t=\"inlineStr\"><is><t>{value}</t></is></c>"),
    }
}

/// A minimal but valid XLSX workbook: one worksheet per (name, rows).
pub fn xlsx_bytes(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    );
    let mut sheets_xml = String::new();
    let mut rels =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{pkg}\">");
    let mut parts: Vec<(String, String)> = Vec::new();
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!("<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"));
        sheets_xml.push_str(&format!(
            "<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"
        ));
        rels.push_str(&format!("<Relationship Id=\"rId{n}\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"));
        let mut data = String::new();
        for (r, cells) in rows.iter().enumerate() {
            data.push_str(&format!("<row r=\"{}\">", r + 1));
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    data.push_str(&inline_cell(c, r + 1, v));
                }
            }
            data.push_str("</row>");
        }
        parts.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{main}\"><sheetData>{data}</sheetData></worksheet>"),
        ));
    }
    types.push_str("</Types>");
    rels.push_str("</Relationships>");
    let workbook = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{main}\" xmlns:r=\"{rel}\"><sheets>{sheets_xml}</sheets></workbook>");
    let root_rels = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{pkg}\"><Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("book.xlsx");
    let mut files: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), types),
        ("_rels/.rels".into(), root_rels),
        ("xl/workbook.xml".into(), workbook),
        ("xl/_rels/workbook.xml.rels".into(), rels),
    ];
    files.extend(parts);
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    write_zip(&path, &refs);
    fs::read(&path).expect("read xlsx")
}

/// A copy of the workbook `book` whose entry `name` holds `bytes` instead.
pub fn replace_in_zip(book: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(book)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut entry = src.by_index(i).expect("entry");
        let entry_name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        out.start_file(entry_name.as_str(), opts).expect("start");
        if entry_name == name {
            out.write_all(bytes).expect("write");
        } else {
            out.write_all(&data).expect("write");
        }
    }
    out.finish().expect("finish").into_inner()
}
