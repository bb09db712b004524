//! The push ledger (`pushes`, `push_pages`): a finished job's push into its target through
//! the queues. The push's phase moves by compare-and-set, as a job's does, and a page's
//! outcome is written once, with its done mark, so a redelivered message changes nothing.

use migrationai_domain::{Kind, PushStatus};
use migrationai_ports::store::{PushOutcome, PushPageRow, PushRow, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::store::{backend, kind_of, now};

const PUSH_COLUMNS: &str =
    "tenant, job, status, phase, fanout, options, error, created_at, updated_at";
const PAGE_COLUMNS: &str = "kind, page_no, after_id, last_id, records, done, created, adopted, updated, unchanged, refused, refusals";

fn push_row(r: &AnyRow) -> Result<PushRow, StoreError> {
    let job: String = r.try_get("job").map_err(backend)?;
    let status: String = r.try_get("status").map_err(backend)?;
    let status = status
        .parse::<PushStatus>()
        .map_err(|e| StoreError::Data(format!("push of job {job}: {e}")))?;
    Ok(PushRow {
        tenant: r.try_get("tenant").map_err(backend)?,
        job,
        status,
        phase: r.try_get("phase").map_err(backend)?,
        fanout: r.try_get("fanout").map_err(backend)?,
        options: r.try_get("options").map_err(backend)?,
        error: r.try_get("error").map_err(backend)?,
        created_at: r.try_get("created_at").map_err(backend)?,
        updated_at: r.try_get("updated_at").map_err(backend)?,
    })
}

fn page_row(r: &AnyRow) -> Result<PushPageRow, StoreError> {
    let page_no: i64 = r.try_get("page_no").map_err(backend)?;
    Ok(PushPageRow {
        kind: kind_of(r, "push_pages", || format!("page {page_no}"))?,
        page_no,
        after: r.try_get("after_id").map_err(backend)?,
        last: r.try_get("last_id").map_err(backend)?,
        records: r.try_get("records").map_err(backend)?,
        done: r.try_get::<i64, _>("done").map_err(backend)? != 0,
        outcome: PushOutcome {
            created: r.try_get("created").map_err(backend)?,
            adopted: r.try_get("adopted").map_err(backend)?,
            updated: r.try_get("updated").map_err(backend)?,
            unchanged: r.try_get("unchanged").map_err(backend)?,
            refused: r.try_get("refused").map_err(backend)?,
            refusals: r.try_get("refusals").map_err(backend)?,
        },
    })
}

pub(super) async fn start(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    options: &str,
) -> Result<PushRow, StoreError> {
    let at = now();
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("DELETE FROM push_pages WHERE tenant = $1 AND job = $2")
        .bind(tenant)
        .bind(job)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query(
        "INSERT INTO pushes (tenant, job, status, phase, fanout, options, error, created_at, updated_at) \
         VALUES ($1, $2, $3, -1, -1, $4, NULL, $5, $6) \
         ON CONFLICT (tenant, job) DO UPDATE SET status = excluded.status, phase = -1, fanout = -1, \
         options = excluded.options, error = NULL, created_at = excluded.created_at, \
         updated_at = excluded.updated_at",
    )
    .bind(tenant)
    .bind(job)
    .bind(PushStatus::Pushing.as_str())
    .bind(options)
    .bind(at)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    get(pool, tenant, job)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("push of job {job}")))
}

pub(super) async fn get(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
) -> Result<Option<PushRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {PUSH_COLUMNS} FROM pushes WHERE tenant = $1 AND job = $2"
    ))
    .bind(tenant)
    .bind(job)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.as_ref().map(push_row).transpose()
}

pub(super) async fn advance(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    from: i64,
    to: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE pushes SET phase = $1, updated_at = $2 WHERE tenant = $3 AND job = $4 AND phase = $5",
    )
    .bind(to)
    .bind(now())
    .bind(tenant)
    .bind(job)
    .bind(from)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

/// One conditional update: of callers racing for the same phase, the database lets one
/// move the mark.
pub(super) async fn claim_fanout(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    phase: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE pushes SET fanout = $1 WHERE tenant = $2 AND job = $3 AND fanout < $4")
            .bind(phase)
            .bind(tenant)
            .bind(job)
            .bind(phase)
            .execute(pool)
            .await
            .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn set_status(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    status: PushStatus,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    let moved = sqlx::query(
        "UPDATE pushes SET status = $1, error = $2, updated_at = $3 \
         WHERE tenant = $4 AND job = $5 AND status <> $6 AND status <> $7 AND status <> $8",
    )
    .bind(status.as_str())
    .bind(error)
    .bind(now())
    .bind(tenant)
    .bind(job)
    .bind(status.as_str())
    .bind(PushStatus::Done.as_str())
    .bind(PushStatus::Failed.as_str())
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(moved.rows_affected() == 1)
}

pub(super) async fn add_pages(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    pages: &[PushPageRow],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    for p in pages {
        sqlx::query(&format!(
            "INSERT INTO push_pages (tenant, job, {PAGE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, 0, 0, 0, '[]') \
             ON CONFLICT (tenant, job, kind, page_no) DO NOTHING"
        ))
        .bind(tenant)
        .bind(job)
        .bind(p.kind.as_str())
        .bind(p.page_no)
        .bind(p.after.as_deref())
        .bind(&p.last)
        .bind(p.records)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}

pub(super) async fn pages(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
) -> Result<Vec<PushPageRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {PAGE_COLUMNS} FROM push_pages WHERE tenant = $1 AND job = $2 ORDER BY kind, page_no"
    ))
    .bind(tenant)
    .bind(job)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(page_row).collect()
}

pub(super) async fn finish_page(
    pool: &AnyPool,
    tenant: &str,
    job: &str,
    kind: Kind,
    page_no: i64,
    o: &PushOutcome,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE push_pages SET done = 1, created = $1, adopted = $2, updated = $3, unchanged = $4, \
         refused = $5, refusals = $6 \
         WHERE tenant = $7 AND job = $8 AND kind = $9 AND page_no = $10 AND done = 0",
    )
    .bind(o.created)
    .bind(o.adopted)
    .bind(o.updated)
    .bind(o.unchanged)
    .bind(o.refused)
    .bind(&o.refusals)
    .bind(tenant)
    .bind(job)
    .bind(kind.as_str())
    .bind(page_no)
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}
