//! Rejected rows as CSV files a person can correct and feed back: one file per source table,
//! its original columns in their order, then where and why the row was refused.

use std::collections::BTreeMap;

use migrationai_ports::store::RejectRow;

/// Spreadsheet programs run a cell starting with one of these as a formula.
fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn quote(cell: &str) -> String {
    let cell = neutralise(cell);
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

fn line(cells: &[String]) -> String {
    let mut s = cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// Every reject of a run, one row each: kind, where, why and the raw cells. Cells are
/// neutralised as in the correction files, since this listing is opened in spreadsheets too.
pub fn rejects_listing(rejects: &[RejectRow]) -> String {
    let head = [
        "kind",
        "file",
        "row",
        "source_id",
        "field",
        "code",
        "reason",
        "raw",
    ];
    let mut text = line(&head.map(String::from));
    for r in rejects {
        text.push_str(&line(&[
            r.kind.to_string(),
            r.file.clone(),
            r.row.to_string(),
            r.source_id.clone().unwrap_or_default(),
            r.field.clone(),
            r.code.clone(),
            r.reason.clone(),
            r.raw.clone(),
        ]));
    }
    text
}

/// Source file → CSV text of its rejected rows.
pub fn rejects_csv(rejects: &[RejectRow]) -> BTreeMap<String, String> {
    let mut by_file: BTreeMap<&str, Vec<&RejectRow>> = BTreeMap::new();
    for r in rejects {
        by_file.entry(r.file.as_str()).or_default().push(r);
    }
    let mut out = BTreeMap::new();
    for (file, mut rows) in by_file {
        rows.sort_by_key(|r| r.row);
        let parsed: Vec<Vec<(String, String)>> = rows
            .iter()
            .map(|r| serde_json::from_str(&r.raw).unwrap_or_default())
            .collect();
        // The header comes from the widest raw row (reader-level rejects carry no cells).
        let headers: Vec<String> = parsed
            .iter()
            .max_by_key(|p| p.len())
            .map(|p| p.iter().map(|(h, _)| h.clone()).collect())
            .unwrap_or_default();
        let mut text = String::new();
        let mut head = headers.clone();
        head.extend(["source_row", "field", "code", "reason"].map(String::from));
        text.push_str(&line(&head));
        for (r, cells) in rows.iter().zip(&parsed) {
            let mut row: Vec<String> = headers
                .iter()
                .map(|h| {
                    cells
                        .iter()
                        .find(|(c, _)| c == h)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect();
            row.extend([
                r.row.to_string(),
                r.field.clone(),
                r.code.clone(),
                r.reason.clone(),
            ]);
            text.push_str(&line(&row));
        }
        out.insert(file.to_string(), text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_cells_quoted() {
        let r = RejectRow {
            kind: migrationai_domain::Kind::Contacts,
            file: "contacts.csv".into(),
            row: 3,
            source_id: Some("C1".into()),
            field: "email".into(),
            code: "invalid_email".into(),
            reason: "bad, very".into(),
            raw: r#"[["id","C1"],["email","=HYPERLINK(1)"]]"#.into(),
        };
        let out = rejects_csv(std::slice::from_ref(&r));
        assert_eq!(
            out["contacts.csv"],
            "id,email,source_row,field,code,reason\r\nC1,'=HYPERLINK(1),3,email,invalid_email,\"bad, very\"\r\n"
        );
    }

    #[test]
    fn the_listing_neutralises_every_cell() {
        let r = RejectRow {
            kind: migrationai_domain::Kind::Contacts,
            file: "contacts.csv".into(),
            row: 7,
            source_id: Some("=cmd|' /C calc'!A0".into()),
            field: "email".into(),
            code: "invalid_email".into(),
            reason: "@SUM(1), not an email".into(),
            raw: "[]".into(),
        };
        assert_eq!(
            rejects_listing(&[r]),
            "kind,file,row,source_id,field,code,reason,raw\r\n\
             contacts,contacts.csv,7,'=cmd|' /C calc'!A0,email,invalid_email,\"'@SUM(1), not an email\",[]\r\n"
        );
    }
}
