use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use migrationai_domain::ids::canonical_id;
use migrationai_domain::{JobStatus, Kind, PushStatus};
use migrationai_ports::store::{
    BatchRow, BatchWrite, ContactLink, JobRow, KindProgress, MessageFailure, PushOutcome,
    PushPageRow, PushRow, RecordRow, RejectRow, Store, StoreError,
};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::names::Names;
use super::push_ledger;
use super::{kind_codes, PoolSize, Schema, Tables};

// Rows per multi-row INSERT: 5,000 parameters at most, well under SQLite's (32,766) and
// PostgreSQL's (65,535) limits; fewer, longer statements per batch commit.
const INSERT_CHUNK: usize = 500;

/// The store on any SQL database sqlx's `Any` driver reaches.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// SQLite gets anonymous `?` parameters in long statements: it looks a numbered `$n` up by
    /// scanning every parameter name, which makes binding a 2,000-parameter INSERT quadratic.
    sqlite: bool,
    /// The numbers records know their job and file by.
    names: Names,
}

pub(super) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(super) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl SqlStore {
    /// Opens the store at `url` (`sqlite://...` or `postgres://...`) with a pool of at most
    /// `size`, its tables migrated or checked as `schema` says ([`super::open`]).
    pub async fn connect(url: &str, size: PoolSize, schema: Schema) -> Result<Self, StoreError> {
        let pool = super::open(url, size, Tables::Store, schema)
            .await
            .map_err(backend)?;
        Ok(SqlStore {
            pool,
            sqlite: url.starts_with("sqlite:"),
            names: Names::default(),
        })
    }

    /// Opens (creating when missing) an SQLite database file.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Self::connect(&super::sqlite_url(path), PoolSize::LOCAL, Schema::Migrate).await
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The number records of `job` are stored under; None when the job has no records.
    async fn job_no(&self, tenant: &str, job: &str) -> Result<Option<i64>, StoreError> {
        self.names.number(&self.pool, tenant, job).await
    }

    /// Stored records read back whole, their file numbers turned into names.
    async fn records_of(
        &self,
        tenant: &str,
        job: &str,
        rows: &[AnyRow],
    ) -> Result<Vec<RecordRow>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (mut record, file_no) = record_row(r, tenant, job)?;
            record.file = self.names.name(&self.pool, tenant, file_no).await?;
            out.push(record);
        }
        Ok(out)
    }
}

fn job_row(r: &AnyRow) -> Result<JobRow, StoreError> {
    let id: String = r.try_get("id").map_err(backend)?;
    let status: String = r.try_get("status").map_err(backend)?;
    let status = status
        .parse::<JobStatus>()
        .map_err(|e| StoreError::Data(format!("job {id}: {e}")))?;
    let report = r
        .try_get::<Option<String>, _>("report")
        .map_err(backend)?
        .map(super::report_text::unpack)
        .transpose()
        .map_err(|e| StoreError::Data(format!("job {id}: {e}")))?;
    Ok(JobRow {
        tenant: r.try_get("tenant").map_err(backend)?,
        id,
        name: r.try_get("name").map_err(backend)?,
        status,
        phase: r.try_get("phase").map_err(backend)?,
        fanout: r.try_get("fanout").map_err(backend)?,
        settings: r.try_get("settings").map_err(backend)?,
        mapping: r.try_get("mapping").map_err(backend)?,
        report,
        error: r.try_get("error").map_err(backend)?,
        created_at: r.try_get("created_at").map_err(backend)?,
        updated_at: r.try_get("updated_at").map_err(backend)?,
    })
}

/// The row's kind, read from its stored word; a word no kind has is `StoreError::Data`
/// naming the table, the row and the word.
pub(super) fn kind_of(
    r: &AnyRow,
    table: &str,
    row: impl FnOnce() -> String,
) -> Result<Kind, StoreError> {
    let word: String = r.try_get("kind").map_err(backend)?;
    word.parse::<Kind>()
        .map_err(|e| StoreError::Data(format!("{table} {}: {e}", row())))
}

fn batch_row(r: &AnyRow) -> Result<BatchRow, StoreError> {
    let batch_no: i64 = r.try_get("batch_no").map_err(backend)?;
    Ok(BatchRow {
        kind: kind_of(r, "job_batches", || format!("batch {batch_no}"))?,
        batch_no,
        file: r.try_get("file").map_err(backend)?,
        blob_key: r.try_get("blob_key").map_err(backend)?,
        rows: r.try_get("source_rows").map_err(backend)?,
        done: r.try_get::<i64, _>("done").map_err(backend)? != 0,
        loaded: r.try_get("loaded").map_err(backend)?,
        rejected: r.try_get("rejected").map_err(backend)?,
    })
}

/// A record's kind, from its stored number.
fn record_kind(r: &AnyRow, source_id: &str) -> Result<Kind, StoreError> {
    let code: i64 = r.try_get("kind").map_err(backend)?;
    kind_codes::kind(code).ok_or_else(|| {
        StoreError::Data(format!(
            "records source id {source_id:?}: no kind is stored as {code}"
        ))
    })
}

/// The stored canonical id, or the one derived from the key when none is stored.
fn stored_canonical_id(
    r: &AnyRow,
    tenant: &str,
    job: &str,
    kind: Kind,
    source_id: &str,
) -> Result<String, StoreError> {
    let stored: Option<String> = r.try_get("canonical_id").map_err(backend)?;
    Ok(stored.unwrap_or_else(|| canonical_id(tenant, job, kind.as_str(), source_id)))
}

/// The canonical id to store: none when the key derives it again.
fn canonical_id_to_store(tenant: &str, job: &str, r: &RecordRow) -> Option<String> {
    (r.canonical_id != canonical_id(tenant, job, r.kind.as_str(), &r.source_id))
        .then(|| r.canonical_id.clone())
}

/// A record as stored, but for its file's name (`file_no` read beside it).
fn record_row(r: &AnyRow, tenant: &str, job: &str) -> Result<(RecordRow, i64), StoreError> {
    let source_id: String = r.try_get("source_id").map_err(backend)?;
    let kind = record_kind(r, &source_id)?;
    let file_no: i64 = r.try_get("file_no").map_err(backend)?;
    let row = RecordRow {
        kind,
        canonical_id: stored_canonical_id(r, tenant, job, kind, &source_id)?,
        file: String::new(),
        row: r.try_get("row_no").map_err(backend)?,
        data: super::packed::unpack(r.try_get("data").map_err(backend)?, &source_id)
            .map_err(backend)?,
        source_id,
    };
    Ok((row, file_no))
}

fn reject_row(r: &AnyRow) -> Result<RejectRow, StoreError> {
    let file: String = r.try_get("file").map_err(backend)?;
    let row: i64 = r.try_get("row_no").map_err(backend)?;
    Ok(RejectRow {
        kind: kind_of(r, "rejects", || format!("{file} row {row}"))?,
        file,
        row,
        source_id: r.try_get("source_id").map_err(backend)?,
        field: r.try_get("field").map_err(backend)?,
        code: r.try_get("code").map_err(backend)?,
        reason: r.try_get("reason").map_err(backend)?,
        raw: r.try_get("raw").map_err(backend)?,
    })
}

fn failure_row(r: &AnyRow) -> Result<MessageFailure, StoreError> {
    Ok(MessageFailure {
        queue: r.try_get("queue").map_err(backend)?,
        message_id: r.try_get("message_id").map_err(backend)?,
        error: r.try_get("error").map_err(backend)?,
        at: r.try_get("failed_at").map_err(backend)?,
        receive_count: r
            .try_get::<i64, _>("receive_count")
            .map_err(backend)?
            .clamp(0, i64::from(u32::MAX)) as u32,
    })
}

/// "($1, $2, ...), ($n+1, ...)" for `rows` rows of `cols` parameters numbered from `first`,
/// or the same with `?` on SQLite.
fn placeholders(sqlite: bool, first: usize, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            if sqlite {
                s.push('?');
            } else {
                s.push('$');
                s.push_str(&(first + r * cols + c).to_string());
            }
        }
        s.push(')');
    }
    s
}

const JOB_COLUMNS: &str = "tenant, id, name, status, phase, fanout, settings, mapping, report, error, created_at, updated_at";

#[async_trait]
impl Store for SqlStore {
    async fn ensure_tenant(&self, tenant: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(tenant)
        .bind(name)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn create_job(&self, job: &JobRow) -> Result<JobRow, StoreError> {
        sqlx::query(&format!(
            "INSERT INTO jobs ({JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (tenant, name) DO NOTHING"
        ))
        .bind(&job.tenant)
        .bind(&job.id)
        .bind(&job.name)
        .bind(job.status.as_str())
        .bind(job.phase)
        .bind(job.fanout)
        .bind(&job.settings)
        .bind(&job.mapping)
        .bind(job.report.as_deref().map(super::report_text::pack).transpose().map_err(backend)?)
        .bind(job.error.clone())
        .bind(job.created_at)
        .bind(job.updated_at)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        self.job_by_name(&job.tenant, &job.name)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("job {}", job.name)))
    }

    async fn job(&self, tenant: &str, job: &str) -> Result<Option<JobRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE tenant = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(job)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn job_by_name(&self, tenant: &str, name: &str) -> Result<Option<JobRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE tenant = $1 AND name = $2"
        ))
        .bind(tenant)
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(job_row).transpose()
    }

    async fn jobs(&self, tenant: &str) -> Result<Vec<JobRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE tenant = $1 ORDER BY created_at, name"
        ))
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(job_row).collect()
    }

    async fn set_job_status(
        &self,
        tenant: &str,
        job: &str,
        status: JobStatus,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET status = $1, error = $2, updated_at = $3 WHERE tenant = $4 AND id = $5",
        )
        .bind(status.as_str())
        .bind(error.map(str::to_string))
        .bind(now())
        .bind(tenant)
        .bind(job)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn set_job_report(
        &self,
        tenant: &str,
        job: &str,
        report: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET report = $1, updated_at = $2 WHERE tenant = $3 AND id = $4")
            .bind(super::report_text::pack(report).map_err(backend)?)
            .bind(now())
            .bind(tenant)
            .bind(job)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn advance_phase(
        &self,
        tenant: &str,
        job: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET phase = $1, updated_at = $2 WHERE tenant = $3 AND id = $4 AND phase = $5",
        )
        .bind(to)
        .bind(now())
        .bind(tenant)
        .bind(job)
        .bind(from)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_fanout(&self, tenant: &str, job: &str, phase: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET fanout = $1 WHERE tenant = $2 AND id = $3 AND fanout < $4")
            .bind(phase)
            .bind(tenant)
            .bind(job)
            .bind(phase)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn add_batches(
        &self,
        tenant: &str,
        job: &str,
        batches: &[BatchRow],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for chunk in batches.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO job_batches (tenant, job, kind, batch_no, file, blob_key, source_rows, done, loaded, rejected) VALUES {} ON CONFLICT (tenant, job, kind, batch_no) DO NOTHING",
                placeholders(self.sqlite, 1, chunk.len(), 10)
            );
            let mut q = sqlx::query(&sql);
            for b in chunk {
                q = q
                    .bind(tenant)
                    .bind(job)
                    .bind(b.kind.as_str())
                    .bind(b.batch_no)
                    .bind(&b.file)
                    .bind(&b.blob_key)
                    .bind(b.rows)
                    .bind(0_i64)
                    .bind(0_i64)
                    .bind(0_i64);
            }
            q.execute(&mut *tx).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn batches(&self, tenant: &str, job: &str) -> Result<Vec<BatchRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, batch_no, file, blob_key, source_rows, done, loaded, rejected FROM job_batches WHERE tenant = $1 AND job = $2 ORDER BY kind, batch_no",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(batch_row).collect()
    }

    async fn batch(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        batch_no: i64,
    ) -> Result<Option<BatchRow>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, batch_no, file, blob_key, source_rows, done, loaded, rejected FROM job_batches WHERE tenant = $1 AND job = $2 AND kind = $3 AND batch_no = $4",
        )
        .bind(tenant)
        .bind(job)
        .bind(kind.as_str())
        .bind(batch_no)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(batch_row).transpose()
    }

    async fn commit_batch(&self, tenant: &str, write: &BatchWrite) -> Result<bool, StoreError> {
        // Numbers for the job and the files, each given once and committed on its own.
        let job_no = match write.records.is_empty() {
            true => 0,
            false => {
                self.names
                    .number_given(&self.pool, tenant, &write.job)
                    .await?
            }
        };
        let mut file_nos: Vec<(&str, i64)> = Vec::new();
        for r in &write.records {
            if !file_nos.iter().any(|(f, _)| *f == r.file) {
                let n = self.names.number_given(&self.pool, tenant, &r.file).await?;
                file_nos.push((&r.file, n));
            }
        }
        let file_no = |file: &str| {
            file_nos
                .iter()
                .find(|(f, _)| *f == file)
                .map(|(_, n)| *n)
                .unwrap_or_default()
        };
        let mut tx = self.pool.begin().await.map_err(backend)?;
        // The done mark comes first: it is a write, so the transaction takes the write lock at
        // once, and a batch already done stops here without touching anything.
        let marked = sqlx::query(
            "UPDATE job_batches SET done = 1, loaded = $1, rejected = $2 WHERE tenant = $3 AND job = $4 AND kind = $5 AND batch_no = $6 AND done = 0",
        )
        .bind(write.records.len() as i64)
        .bind(write.rejects.len() as i64)
        .bind(tenant)
        .bind(&write.job)
        .bind(write.kind.as_str())
        .bind(write.batch_no)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if marked.rows_affected() != 1 {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        }
        for chunk in write.records.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO records (tenant, job_no, kind, source_id, canonical_id, file_no, row_no, data) VALUES {} ON CONFLICT (tenant, job_no, kind, source_id) DO UPDATE SET canonical_id = excluded.canonical_id, file_no = excluded.file_no, row_no = excluded.row_no, data = excluded.data",
                placeholders(self.sqlite, 1, chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(tenant)
                    .bind(job_no)
                    .bind(kind_codes::code(r.kind))
                    .bind(&r.source_id)
                    .bind(canonical_id_to_store(tenant, &write.job, r))
                    .bind(file_no(&r.file))
                    .bind(r.row)
                    .bind(super::packed::pack(&r.data, &r.source_id));
            }
            q.execute(&mut *tx).await.map_err(backend)?;
        }
        for chunk in write.rejects.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO rejects (tenant, job, kind, file, row_no, source_id, field, code, reason, raw) VALUES {} ON CONFLICT (tenant, job, file, row_no) DO NOTHING",
                placeholders(self.sqlite, 1, chunk.len(), 10)
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(tenant)
                    .bind(&write.job)
                    .bind(r.kind.as_str())
                    .bind(&r.file)
                    .bind(r.row)
                    .bind(r.source_id.clone())
                    .bind(&r.field)
                    .bind(&r.code)
                    .bind(&r.reason)
                    .bind(&r.raw);
            }
            q.execute(&mut *tx).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn progress(&self, tenant: &str, job: &str) -> Result<Vec<KindProgress>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) AS batches, CAST(SUM(done) AS BIGINT) AS batches_done, CAST(SUM(source_rows) AS BIGINT) AS source_rows, CAST(SUM(loaded) AS BIGINT) AS loaded, CAST(SUM(rejected) AS BIGINT) AS rejected FROM job_batches WHERE tenant = $1 AND job = $2 GROUP BY kind ORDER BY kind",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(KindProgress {
                    kind: kind_of(r, "job_batches", || format!("of job {job}"))?,
                    batches: r.try_get("batches").map_err(backend)?,
                    batches_done: r.try_get("batches_done").map_err(backend)?,
                    rows: r.try_get("source_rows").map_err(backend)?,
                    loaded: r.try_get("loaded").map_err(backend)?,
                    rejected: r.try_get("rejected").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn lookup(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        source_ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::with_capacity(source_ids.len());
        let Some(job_no) = self.job_no(tenant, job).await? else {
            return Ok(out);
        };
        for chunk in source_ids.chunks(INSERT_CHUNK * 4) {
            // Anonymous and numbered parameters must not be mixed in one statement.
            let keys = if self.sqlite {
                "tenant = ? AND job_no = ? AND kind = ?"
            } else {
                "tenant = $1 AND job_no = $2 AND kind = $3"
            };
            let sql = format!(
                "SELECT source_id, canonical_id FROM records WHERE {keys} AND source_id IN {}",
                placeholders(self.sqlite, 4, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql)
                .bind(tenant)
                .bind(job_no)
                .bind(kind_codes::code(kind));
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.pool).await.map_err(backend)? {
                let source_id: String = r.try_get("source_id").map_err(backend)?;
                let canonical = stored_canonical_id(&r, tenant, job, kind, &source_id)?;
                out.push((source_id, canonical));
            }
        }
        Ok(out)
    }

    async fn record(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        source_id: &str,
    ) -> Result<Option<RecordRow>, StoreError> {
        let Some(job_no) = self.job_no(tenant, job).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT kind, source_id, canonical_id, file_no, row_no, data FROM records WHERE tenant = $1 AND job_no = $2 AND kind = $3 AND source_id = $4",
        )
        .bind(tenant)
        .bind(job_no)
        .bind(kind_codes::code(kind))
        .bind(source_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match row {
            Some(r) => Ok(self.records_of(tenant, job, &[r]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn records_page(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let Some(job_no) = self.job_no(tenant, job).await? else {
            return Ok(Vec::new());
        };
        // Two statements rather than a sentinel: no string is guaranteed to sort before
        // every source id on both SQLite and PostgreSQL collations.
        let query = match after {
            Some(after) => sqlx::query(
                "SELECT kind, source_id, canonical_id, file_no, row_no, data FROM records WHERE tenant = $1 AND job_no = $2 AND kind = $3 AND source_id > $4 ORDER BY source_id LIMIT $5",
            )
            .bind(tenant)
            .bind(job_no)
            .bind(kind_codes::code(kind))
            .bind(after)
            .bind(limit),
            None => sqlx::query(
                "SELECT kind, source_id, canonical_id, file_no, row_no, data FROM records WHERE tenant = $1 AND job_no = $2 AND kind = $3 ORDER BY source_id LIMIT $4",
            )
            .bind(tenant)
            .bind(job_no)
            .bind(kind_codes::code(kind))
            .bind(limit),
        };
        let rows = query.fetch_all(&self.pool).await.map_err(backend)?;
        self.records_of(tenant, job, &rows).await
    }

    async fn rejects(&self, tenant: &str, job: &str) -> Result<Vec<RejectRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, file, row_no, source_id, field, code, reason, raw FROM rejects WHERE tenant = $1 AND job = $2 ORDER BY kind, file, row_no",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(reject_row).collect()
    }

    async fn set_contact_links(
        &self,
        tenant: &str,
        job: &str,
        links: &[ContactLink],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("DELETE FROM contact_links WHERE tenant = $1 AND job = $2")
            .bind(tenant)
            .bind(job)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for chunk in links.chunks(INSERT_CHUNK) {
            let sql = format!(
                "INSERT INTO contact_links (tenant, job, contact_a, contact_b, score, evidence) VALUES {} ON CONFLICT (tenant, job, contact_a, contact_b) DO NOTHING",
                placeholders(self.sqlite, 1, chunk.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for l in chunk {
                let evidence = serde_json::to_string(&l.evidence)
                    .map_err(|e| StoreError::Data(format!("link evidence: {e}")))?;
                q = q
                    .bind(tenant)
                    .bind(job)
                    .bind(&l.a)
                    .bind(&l.b)
                    .bind(l.score)
                    .bind(evidence);
            }
            q.execute(&mut *tx).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn contact_links(&self, tenant: &str, job: &str) -> Result<Vec<ContactLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT contact_a, contact_b, score, evidence FROM contact_links WHERE tenant = $1 AND job = $2 ORDER BY contact_a, contact_b",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let evidence: String = r.try_get("evidence").map_err(backend)?;
                Ok(ContactLink {
                    a: r.try_get("contact_a").map_err(backend)?,
                    b: r.try_get("contact_b").map_err(backend)?,
                    score: r.try_get("score").map_err(backend)?,
                    evidence: serde_json::from_str(&evidence)
                        .map_err(|e| StoreError::Data(format!("link evidence: {e}")))?,
                })
            })
            .collect()
    }

    async fn record_failure(&self, failure: &MessageFailure) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO message_failures (message_id, queue, error, failed_at, receive_count) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO UPDATE SET queue = excluded.queue, error = excluded.error, failed_at = excluded.failed_at, receive_count = excluded.receive_count",
        )
        .bind(&failure.message_id)
        .bind(&failure.queue)
        .bind(&failure.error)
        .bind(failure.at)
        .bind(i64::from(failure.receive_count))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn failures(&self, queue: &str) -> Result<Vec<MessageFailure>, StoreError> {
        let rows = sqlx::query(
            "SELECT message_id, queue, error, failed_at, receive_count FROM message_failures WHERE queue = $1 ORDER BY failed_at, message_id",
        )
        .bind(queue)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(failure_row).collect()
    }

    async fn failures_for(&self, ids: &[String]) -> Result<Vec<MessageFailure>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(INSERT_CHUNK) {
            let sql = format!(
                "SELECT message_id, queue, error, failed_at, receive_count FROM message_failures WHERE message_id IN {}",
                placeholders(self.sqlite, 1, 1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.pool).await.map_err(backend)? {
                out.push(failure_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn start_push(
        &self,
        tenant: &str,
        job: &str,
        options: &str,
    ) -> Result<PushRow, StoreError> {
        push_ledger::start(&self.pool, tenant, job, options).await
    }

    async fn push(&self, tenant: &str, job: &str) -> Result<Option<PushRow>, StoreError> {
        push_ledger::get(&self.pool, tenant, job).await
    }

    async fn advance_push(
        &self,
        tenant: &str,
        job: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, StoreError> {
        push_ledger::advance(&self.pool, tenant, job, from, to).await
    }

    async fn claim_push_fanout(
        &self,
        tenant: &str,
        job: &str,
        phase: i64,
    ) -> Result<bool, StoreError> {
        push_ledger::claim_fanout(&self.pool, tenant, job, phase).await
    }

    async fn set_push_status(
        &self,
        tenant: &str,
        job: &str,
        status: PushStatus,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        push_ledger::set_status(&self.pool, tenant, job, status, error).await
    }

    async fn add_push_pages(
        &self,
        tenant: &str,
        job: &str,
        pages: &[PushPageRow],
    ) -> Result<(), StoreError> {
        push_ledger::add_pages(&self.pool, tenant, job, pages).await
    }

    async fn push_pages(&self, tenant: &str, job: &str) -> Result<Vec<PushPageRow>, StoreError> {
        push_ledger::pages(&self.pool, tenant, job).await
    }

    async fn finish_push_page(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        page_no: i64,
        outcome: &PushOutcome,
    ) -> Result<bool, StoreError> {
        push_ledger::finish_page(&self.pool, tenant, job, kind, page_no, outcome).await
    }
}
