//! The tables of an export: every CSV/JSON/JSONL file and every worksheet of every workbook.

use crate::columns::TableSample;
use crate::mapping::{FileMapping, Key};
use crate::read::{
    open_sheet, open_table_with, sheets, Entry, Export, ReadError, ReadOptions, SourceRow,
    TableReader,
};
use migrationai_domain::catalogue::kind_def;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub entry: Entry,
    pub sheet: Option<String>,
    /// The file's path, or "file.xlsx#Sheet" for a worksheet.
    pub name: String,
    /// A worksheet hidden in Excel: listed, but left out unless the mapping maps it.
    pub hidden: bool,
}

/// Lists the export's tables; workbooks that cannot be opened are returned as errors.
pub fn list_tables(export: &Export) -> (Vec<TableRef>, Vec<ReadError>) {
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for entry in export.tables() {
        if entry.format == crate::read::Format::Xlsx {
            match sheets(export, entry) {
                Ok(sheets) => {
                    for (sheet, hidden) in sheets {
                        tables.push(TableRef {
                            name: format!("{}#{sheet}", entry.path),
                            entry: entry.clone(),
                            sheet: Some(sheet),
                            hidden,
                        });
                    }
                }
                Err(e) => errors.push(e),
            }
        } else {
            tables.push(TableRef {
                name: entry.path.clone(),
                entry: entry.clone(),
                sheet: None,
                hidden: false,
            });
        }
    }
    (tables, errors)
}

pub fn open(
    export: &Export,
    table: &TableRef,
    opts: &ReadOptions,
) -> Result<TableReader, ReadError> {
    match &table.sheet {
        Some(sheet) => open_sheet(export, &table.entry, sheet, opts),
        None => open_table_with(export, &table.entry, opts),
    }
}

/// Opens the table a mapping reads: the table itself or, for a kind read from another
/// kind's table (see [`FileMapping::from`]), the distinct records its mapped columns write.
pub fn open_mapped(
    export: &Export,
    table: &TableRef,
    file: &FileMapping,
    opts: &ReadOptions,
) -> Result<TableReader, ReadError> {
    let reader = open(export, table, opts)?;
    if file.from.is_none() {
        return Ok(reader);
    }
    let headers = reader.headers();
    let fields = file.fields_by_position(headers);
    let columns: Vec<usize> = (0..fields.len()).filter(|&i| fields[i].is_some()).collect();
    let key: Vec<usize> = match &file.key {
        Key::Columns(hs) => hs
            .iter()
            .filter_map(|h| headers.iter().position(|x| x == h))
            .collect(),
        Key::Field => {
            let id = file.kind.map(|k| kind_def(k).id_field().name);
            (0..fields.len())
                .filter(|&i| id.is_some() && fields[i] == id)
                .collect()
        }
        Key::Derived => Vec::new(),
    };
    Ok(reader.distinct(&columns, &key))
}

/// Reads the head of a table for profiling; row errors are skipped here (the full pass reports them).
pub fn sample(reader: &mut TableReader, name: &str, rows: usize) -> TableSample {
    let mut out = TableSample {
        name: name.to_string(),
        headers: reader.headers().to_vec(),
        rows: Vec::new(),
    };
    let mut row = SourceRow::default();
    let mut read = 0;
    while read < rows {
        match reader.read_into(&mut row) {
            Some(Ok(())) => out.rows.push(row.values.clone()),
            Some(Err(e)) if e.kind.is_row_level() => {}
            _ => break,
        }
        read += 1;
    }
    out
}
