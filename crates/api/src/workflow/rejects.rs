//! A job's rejected rows a page at a time, filtered and sorted as the person reading them
//! asks: by kind, file, reason code or any text, sorted by any column.

use migrationai_api_types::jobs::rejects::{RejectView, RejectsPage, RejectsQuery};
use migrationai_ports::store::{JobRow, RejectRow};

use crate::error::ApiResult;
use crate::state::AppState;

fn counts<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut m: std::collections::BTreeMap<&str, usize> = Default::default();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    m.into_iter().map(|(k, n)| (k.to_string(), n)).collect()
}

/// The page of `rows` that `q` asks for.
pub fn page_of(rows: Vec<RejectRow>, q: &RejectsQuery) -> RejectsPage {
    let all = rows.len();
    let kinds = counts(rows.iter().map(|r| r.kind.as_str()));
    let files = counts(rows.iter().map(|r| r.file.as_str()));
    let codes = counts(rows.iter().map(|r| r.code.as_str()));
    fn wanted(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }
    let needle = wanted(&q.q).map(str::to_lowercase);
    let mut matching: Vec<RejectRow> = rows
        .into_iter()
        .filter(|r| wanted(&q.kind).is_none_or(|k| r.kind.as_str() == k))
        .filter(|r| wanted(&q.file).is_none_or(|f| r.file == f))
        .filter(|r| wanted(&q.code).is_none_or(|c| r.code == c))
        .filter(|r| {
            needle.as_deref().is_none_or(|n| {
                [
                    r.source_id.as_deref().unwrap_or(""),
                    &r.field,
                    &r.reason,
                    &r.raw,
                ]
                .iter()
                .any(|s| s.to_lowercase().contains(n))
            })
        })
        .collect();
    let key = q.sort.as_deref().unwrap_or("");
    matching.sort_by(|a, b| {
        let by = match key {
            "row" => a.row.cmp(&b.row),
            "source_id" => a.source_id.cmp(&b.source_id),
            "field" => a.field.cmp(&b.field),
            "code" => a.code.cmp(&b.code),
            "reason" => a.reason.cmp(&b.reason),
            "file" => a.file.cmp(&b.file),
            _ => a.kind.as_str().cmp(b.kind.as_str()),
        };
        by.then((a.kind.as_str(), &a.file, a.row).cmp(&(b.kind.as_str(), &b.file, b.row)))
    });
    if q.dir.as_deref() == Some("desc") {
        matching.reverse();
    }
    let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
    let total = matching.len();
    let last = total.div_ceil(per_page).max(1);
    let page = q.page.unwrap_or(1).clamp(1, last);
    let items = matching
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|r| RejectView {
            label: r.kind.label().to_string(),
            kind: r.kind.to_string(),
            file: r.file,
            row: r.row,
            source_id: r.source_id,
            field: r.field,
            code: r.code,
            reason: r.reason,
            raw: r.raw,
        })
        .collect();
    RejectsPage {
        total,
        all,
        page,
        per_page,
        items,
        kinds,
        files,
        codes,
    }
}

/// Every reject of the job's run, ordered by (kind, file, row), with the run: what the
/// rejects page, the rejects CSV and the correction files are all made from. A job whose
/// run has not started is a conflict.
pub async fn of_run(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<(JobRow, Vec<RejectRow>)> {
    let run = super::run::run_row(state, tenant, job).await?;
    let rows = state.app.services.store.rejects(tenant, &run.id).await?;
    Ok((run, rows))
}

/// The page `q` asks for, once the run is reported.
pub async fn get(
    state: &AppState,
    tenant: &str,
    job: &str,
    q: &RejectsQuery,
) -> ApiResult<RejectsPage> {
    let (run, rows) = of_run(state, tenant, job).await?;
    super::run::reported(&run)?;
    Ok(page_of(rows, q))
}

/// Every reject of the job: where it was and why, one row each.
pub async fn rejects_csv(state: &AppState, tenant: &str, job: &str) -> ApiResult<String> {
    let (_, rejects) = of_run(state, tenant, job).await?;
    Ok(migrationai_pipeline::report::csv::rejects_listing(&rejects))
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_domain::Kind;

    fn reject(kind: Kind, file: &str, row: i64, code: &str, reason: &str) -> RejectRow {
        RejectRow {
            kind,
            file: file.into(),
            row,
            source_id: Some(format!("ID{row}")),
            field: "amount".into(),
            code: code.into(),
            reason: reason.into(),
            raw: String::new(),
        }
    }

    #[test]
    fn rejects_filter_sort_and_page() {
        let rows: Vec<RejectRow> = (1..=120)
            .map(|i| {
                let (kind, code) = if i % 3 == 0 {
                    (Kind::ProjectFunds, "invalid_amount")
                } else {
                    (Kind::Contacts, "invalid_email")
                };
                reject(
                    kind,
                    &format!("{kind}.csv"),
                    i,
                    code,
                    &format!("reason {i}"),
                )
            })
            .collect();
        let q = RejectsQuery {
            kind: Some("project-funds".into()),
            sort: Some("row".into()),
            dir: Some("desc".into()),
            per_page: Some(15),
            page: Some(2),
            ..RejectsQuery::default()
        };
        let p = page_of(rows.clone(), &q);
        assert_eq!((p.all, p.total, p.page, p.items.len()), (120, 40, 2, 15));
        assert_eq!(
            p.items[0].row, 75,
            "page 2 of the rows 120, 117, ... descending"
        );
        assert_eq!(p.items[0].label, "Trust ledger");
        assert!(p.items.iter().all(|r| r.code == "invalid_amount"));
        assert_eq!(
            p.kinds,
            vec![("contacts".into(), 80), ("project-funds".into(), 40)]
        );

        let q = RejectsQuery {
            q: Some("REASON 11".into()),
            ..RejectsQuery::default()
        };
        let p = page_of(rows.clone(), &q);
        let found: Vec<i64> = p.items.iter().map(|r| r.row).collect();
        assert_eq!(
            found,
            vec![11, 110, 112, 113, 115, 116, 118, 119, 111, 114, 117]
        );

        // A page past the end is the last page.
        let q = RejectsQuery {
            page: Some(99),
            ..RejectsQuery::default()
        };
        assert_eq!(page_of(rows, &q).page, 3);
    }
}
