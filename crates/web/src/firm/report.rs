//! After the run: the report page (verdict first, then the summary and every balance,
//! invoice, document and duplicate with names beside ids), the printable sign-off page, the
//! rejected rows sorted, filtered and paged, and the grid where a person fixes a table's
//! rejected rows and re-runs only those (the corrections flow, sent from a form).

use std::collections::HashMap;

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use migrationai_api_types::jobs::rejects::{RejectsPage, RejectsQuery};
use migrationai_api_types::jobs::report::ReportView;
use migrationai_api_types::jobs::JobView;
use migrationai_ingest::overlay::{restore, REJECT_COLUMNS};
use serde::{Deserialize, Serialize};

use super::BRAND;
use crate::error::WebError;
use crate::kit::backend::{path, with_query};
use crate::kit::render::render;
use crate::kit::session::{check_csrf, Viewer, WebUser};
use crate::kit::Front;

type Page = Result<Response, WebError>;

/// Rows of a long table shown before "show all".
const SHOWN: usize = 200;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    /// Show every row of the long tables.
    pub all: Option<String>,
}

async fn job_and_report(
    front: &Front,
    u: &Viewer,
    job_id: &str,
) -> Result<(JobView, ReportView), WebError> {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", job_id]), &u.token)
        .await?;
    let report: ReportView = front
        .backend
        .get(&path(&["v1", "jobs", job_id, "summary"]), &u.token)
        .await?;
    Ok((job, report))
}

pub async fn report(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Page {
    let (job, report) = job_and_report(&front, &u, &job_id).await?;
    let all = q.all.is_some();
    let limit = if all { usize::MAX } else { SHOWN };
    render(
        "report.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, report, limit, all },
    )
}

pub async fn signoff(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Page {
    let (job, report) = job_and_report(&front, &u, &job_id).await?;
    let generated = chrono::Utc::now().timestamp();
    render(
        "signoff.html",
        minijinja::context! { brand => BRAND, user => &u, job, report, generated },
    )
}

pub async fn rejects(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
    Query(q): Query<RejectsQuery>,
) -> Page {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", &job_id]), &u.token)
        .await?;
    let target = with_query(path(&["v1", "jobs", &job_id, "rejects"]), raw.as_deref());
    let page: RejectsPage = front.backend.get(&target, &u.token).await?;
    let pages = page.total.div_ceil(page.per_page).max(1);
    render(
        "rejects.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, page, pages, q },
    )
}

/// One source row of a table's rejects, as the grid edits it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GridRow {
    pub source_row: String,
    /// The table's cells, as the person reads them (without the formula guard).
    pub cells: Vec<String>,
    /// Why it was rejected: "field: reason" for each problem.
    pub why: Vec<String>,
    /// The first problem's field, code and reason (the corrections file carries them).
    reject: [String; 3],
}

/// A table's rejected rows: its headers, then one row per source row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Grid {
    pub headers: Vec<String>,
    pub rows: Vec<GridRow>,
}

/// Reads the corrections file of a table (its columns, then the reject columns) into a
/// grid, one row per source row.
pub fn grid_of(csv_text: &str) -> Result<Grid, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let all: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let own = all.len().saturating_sub(REJECT_COLUMNS.len());
    if all.get(own..).map(|tail| tail == REJECT_COLUMNS) != Some(true) {
        return Err("the rejects file does not end with the reject columns".into());
    }
    let mut rows: Vec<GridRow> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let cell = |i: usize| record.get(i).unwrap_or("").to_string();
        let source_row = cell(own);
        // The reason names its field already when it begins with it.
        let (field, reason) = (cell(own + 1), cell(own + 3));
        let why = if reason.starts_with(&field) {
            reason
        } else {
            format!("{field}: {reason}")
        };
        match rows.iter_mut().find(|r| r.source_row == source_row) {
            Some(r) => r.why.push(why),
            None => rows.push(GridRow {
                cells: (0..own).map(|i| restore(&cell(i))).collect(),
                source_row,
                why: vec![why],
                reject: [cell(own + 1), cell(own + 2), cell(own + 3)],
            }),
        }
    }
    Ok(Grid {
        headers: all[..own].to_vec(),
        rows,
    })
}

/// The corrections file of the grid rows the person changed (`edits`: row index → cells).
pub fn corrections_csv(grid: &Grid, edits: &HashMap<usize, Vec<String>>) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = grid.headers.clone();
    head.extend(REJECT_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&head).map_err(|e| e.to_string())?;
    for (i, row) in grid.rows.iter().enumerate() {
        let Some(cells) = edits.get(&i) else { continue };
        if *cells == row.cells {
            continue;
        }
        let mut line = cells.clone();
        line.push(row.source_row.clone());
        line.extend(row.reject.iter().cloned());
        w.write_record(&line).map_err(|e| e.to_string())?;
    }
    String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// Grid rows per page.
const GRID_PAGE: usize = 50;

#[derive(Deserialize)]
pub struct FixQuery {
    pub table: String,
    pub page: Option<usize>,
}

async fn grid(front: &Front, u: &Viewer, job_id: &str, table: &str) -> Result<Grid, WebError> {
    let target = format!(
        "{}?table={}",
        path(&["v1", "jobs", job_id, "corrections"]),
        percent_encoding::utf8_percent_encode(table, percent_encoding::NON_ALPHANUMERIC)
    );
    let rb = front.backend.request(Method::GET, &target, Some(&u.token));
    let text = front
        .backend
        .send(rb)
        .await?
        .text()
        .await
        .map_err(WebError::internal)?;
    grid_of(&text).map_err(WebError::internal)
}

async fn fix_page(
    front: &Front,
    u: &Viewer,
    job_id: &str,
    table: &str,
    page: usize,
    error: Option<WebError>,
    typed: Option<&HashMap<usize, Vec<String>>>,
) -> Page {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", job_id]), &u.token)
        .await?;
    let mut grid = grid(front, u, job_id, table).await?;
    let pages = grid.rows.len().div_ceil(GRID_PAGE).max(1);
    let page = page.clamp(1, pages);
    let first = (page - 1) * GRID_PAGE;
    // What the person typed stays in the grid when the re-run is refused.
    if let Some(typed) = typed {
        for (i, cells) in typed {
            if let Some(r) = grid.rows.get_mut(*i) {
                r.cells = cells.clone();
            }
        }
    }
    let rows: Vec<(usize, GridRow)> = grid
        .rows
        .iter()
        .cloned()
        .enumerate()
        .skip(first)
        .take(GRID_PAGE)
        .collect();
    let status = error.as_ref().map(WebError::status);
    let error = error.map(|e| e.to_string());
    let mut r = render(
        "fix.html",
        minijinja::context! {
            brand => BRAND, user => u, csrf => &u.csrf, job, table, headers => &grid.headers,
            rows, page, pages, total => grid.rows.len(), error,
        },
    )?;
    if let Some(status) = status {
        *r.status_mut() = status;
    }
    Ok(r)
}

pub async fn fix(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Query(q): Query<FixQuery>,
) -> Page {
    fix_page(
        &front,
        &u,
        &job_id,
        &q.table,
        q.page.unwrap_or(1),
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct Started {
    job: JobView,
}

/// The grid sent back: its changed rows become a corrections file for the table, which
/// starts a new job re-running them; its page is opened.
pub async fn fix_submit(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    check_csrf(&u, form.get("csrf").map(String::as_str))?;
    let table = form
        .get("table")
        .cloned()
        .ok_or_else(|| WebError::BadRequest("the form names no table".into()))?;
    let page: usize = form.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let grid = grid(&front, &u, &job_id, &table).await?;
    let mut edits: HashMap<usize, Vec<String>> = HashMap::new();
    for (key, value) in &form {
        let mut parts = key.split('.');
        let (Some("c"), Some(i), Some(j)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(i), Ok(j)) = (i.parse::<usize>(), j.parse::<usize>()) else {
            continue;
        };
        let Some(row) = grid.rows.get(i) else {
            continue;
        };
        if j >= grid.headers.len() {
            continue;
        }
        edits.entry(i).or_insert_with(|| row.cells.clone())[j] = value.clone();
    }
    let csv = corrections_csv(&grid, &edits).map_err(WebError::internal)?;
    let target = format!(
        "{}?table={}",
        path(&["v1", "jobs", &job_id, "corrections"]),
        percent_encoding::utf8_percent_encode(&table, percent_encoding::NON_ALPHANUMERIC)
    );
    let rb = front
        .backend
        .request(Method::POST, &target, Some(&u.token))
        .header("content-type", "text/csv")
        .body(csv);
    match front.backend.json::<Started>(rb).await {
        Ok(started) => Ok(Redirect::to(&format!("/jobs/{}", started.job.id)).into_response()),
        Err(e @ (WebError::Unprocessable(_) | WebError::Conflict(_) | WebError::BadRequest(_))) => {
            fix_page(&front, &u, &job_id, &table, page, Some(e), Some(&edits)).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REJECTS: &str = "id,amount,note\r\nT1,abc,\"a, b\"\r\nT1,abc,\"a, b\"\r\nT7,'-5,x\r\n";

    fn file() -> String {
        // Two problems on source row 3, one on row 9; the header as the rejects file has it.
        REJECTS
            .replacen(
                "id,amount,note",
                "id,amount,note,source_row,field,code,reason",
                1,
            )
            .replacen(
                "T1,abc,\"a, b\"\r\n",
                "T1,abc,\"a, b\",3,amount,invalid_amount,not an amount\r\n",
                1,
            )
            .replacen(
                "T1,abc,\"a, b\"\r\n",
                "T1,abc,\"a, b\",3,id,duplicate_id,seen before\r\n",
                1,
            )
            .replacen(
                "T7,'-5,x\r\n",
                "T7,'-5,x,9,amount,negative_amount,negative\r\n",
                1,
            )
    }

    #[test]
    fn a_rejects_file_reads_as_one_grid_row_per_source_row() {
        let g = grid_of(&file()).expect("grid");
        assert_eq!(g.headers, vec!["id", "amount", "note"]);
        assert_eq!(g.rows.len(), 2);
        assert_eq!(
            g.rows[0].why,
            vec!["amount: not an amount", "id: seen before"]
        );
        assert_eq!(
            g.rows[1].cells,
            vec!["T7", "-5", "x"],
            "the formula guard is removed"
        );
    }

    #[test]
    fn only_changed_rows_go_back() {
        let g = grid_of(&file()).expect("grid");
        let mut edits = HashMap::new();
        edits.insert(0, vec!["T1".to_string(), "12.50".into(), "a, b".into()]);
        edits.insert(1, g.rows[1].cells.clone());
        let csv = corrections_csv(&g, &edits).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "id,amount,note,source_row,field,code,reason");
        assert_eq!(
            lines[1],
            "T1,12.50,\"a, b\",3,amount,invalid_amount,not an amount"
        );
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(grid_of("a,b\n1,2\n").is_err());
    }
}
