//! A migration as the firm sees it before and while it runs: created, files uploaded,
//! analysed by tfp (mapping proposal), reviewed, started (then the canonical store's job row
//! carries the run), or cancelled.

use migrationai_domain::DraftStatus;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{now, Db};

#[derive(Debug, Clone)]
pub struct Draft {
    pub tenant: String,
    pub id: String,
    pub name: String,
    pub status: DraftStatus,
    pub mapping: Option<String>,
    /// JSON of the table suggestions (columns, proposed fields, confidences, samples).
    pub proposal: Option<String>,
    pub export_path: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl From<UploadedFile> for migrationai_api_types::jobs::UploadedFile {
    fn from(f: UploadedFile) -> Self {
        Self {
            name: f.name,
            size: f.size,
            sha256: f.sha256,
            created_at: f.created_at,
        }
    }
}

const COLUMNS: &str =
    "tenant, id, name, status, mapping, proposal, export_path, error, created_at, updated_at";

fn draft(r: &AnyRow) -> Result<Draft, sqlx::Error> {
    Ok(Draft {
        tenant: r.try_get("tenant")?,
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        status: super::status(r)?,
        mapping: r.try_get("mapping")?,
        proposal: r.try_get("proposal")?,
        export_path: r.try_get("export_path")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Db {
    pub async fn create_draft(
        &self,
        tenant: &str,
        id: &str,
        name: &str,
    ) -> Result<Draft, sqlx::Error> {
        let t = now();
        sqlx::query(&format!(
            "INSERT INTO svc_jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, NULL, NULL, NULL, NULL, $5, $5)"
        ))
        .bind(tenant)
        .bind(id)
        .bind(name)
        .bind(DraftStatus::Created.as_str())
        .bind(t)
        .execute(&self.pool)
        .await?;
        Ok(Draft {
            tenant: tenant.into(),
            id: id.into(),
            name: name.into(),
            status: DraftStatus::Created,
            mapping: None,
            proposal: None,
            export_path: None,
            error: None,
            created_at: t,
            updated_at: t,
        })
    }

    pub async fn draft(&self, tenant: &str, id: &str) -> Result<Option<Draft>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM svc_jobs WHERE tenant = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(draft).transpose()
    }

    /// The tenant's jobs, newest first; `None` lists every tenant's (admin only).
    pub async fn drafts(&self, tenant: Option<&str>) -> Result<Vec<Draft>, sqlx::Error> {
        let rows = match tenant {
            Some(t) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM svc_jobs WHERE tenant = $1 ORDER BY created_at DESC, id"
                ))
                .bind(t)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM svc_jobs ORDER BY created_at DESC, id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(draft).collect()
    }

    pub async fn drafts_with_status(&self, status: DraftStatus) -> Result<Vec<Draft>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM svc_jobs WHERE status = $1 ORDER BY updated_at"
        ))
        .bind(status.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(draft).collect()
    }

    /// Moves the job from `from` to `to` (compare-and-set); true for the caller that did.
    pub async fn set_draft_status(
        &self,
        tenant: &str,
        id: &str,
        from: &[DraftStatus],
        to: DraftStatus,
        error: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let mut moved = false;
        for f in from {
            let done = sqlx::query(
                "UPDATE svc_jobs SET status = $1, error = $2, updated_at = $3 WHERE tenant = $4 AND id = $5 AND status = $6",
            )
            .bind(to.as_str())
            .bind(error)
            .bind(now())
            .bind(tenant)
            .bind(id)
            .bind(f.as_str())
            .execute(&self.pool)
            .await?;
            moved |= done.rows_affected() == 1;
            if moved {
                break;
            }
        }
        Ok(moved)
    }

    /// Counts one more analysis attempt of the job and returns how many there have been. The
    /// count survives a crash of the process, so an upload that brings tfp down is not
    /// analysed again and again.
    pub async fn begin_analysis(&self, tenant: &str, id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "INSERT INTO svc_analysis_attempts (tenant, id, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (tenant, id) DO UPDATE SET attempts = svc_analysis_attempts.attempts + 1",
        )
        .bind(tenant)
        .bind(id)
        .execute(&self.pool)
        .await?;
        sqlx::query("SELECT attempts FROM svc_analysis_attempts WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_one(&self.pool)
            .await?
            .try_get("attempts")
    }

    /// Forgets the attempts of an analysis that ended, well or badly, without a crash.
    pub async fn end_analysis(&self, tenant: &str, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM svc_analysis_attempts WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn set_proposal(
        &self,
        tenant: &str,
        id: &str,
        mapping: &str,
        proposal: &str,
        export_path: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE svc_jobs SET status = $1, mapping = $2, proposal = $3, export_path = $4, error = NULL, updated_at = $5 WHERE tenant = $6 AND id = $7 AND status = $8",
        )
        .bind(DraftStatus::Review.as_str())
        .bind(mapping)
        .bind(proposal)
        .bind(export_path)
        .bind(now())
        .bind(tenant)
        .bind(id)
        .bind(DraftStatus::Analysing.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_mapping(
        &self,
        tenant: &str,
        id: &str,
        mapping: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE svc_jobs SET mapping = $1, updated_at = $2 WHERE tenant = $3 AND id = $4 AND status = $5",
        )
        .bind(mapping)
        .bind(now())
        .bind(tenant)
        .bind(id)
        .bind(DraftStatus::Review.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_file(
        &self,
        tenant: &str,
        job: &str,
        name: &str,
        size: i64,
        sha256: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO svc_files (tenant, job, name, size, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, job, name) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256, created_at = excluded.created_at",
        )
        .bind(tenant)
        .bind(job)
        .bind(name)
        .bind(size)
        .bind(sha256)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn files(&self, tenant: &str, job: &str) -> Result<Vec<UploadedFile>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT name, size, sha256, created_at FROM svc_files WHERE tenant = $1 AND job = $2 ORDER BY name",
        )
        .bind(tenant)
        .bind(job)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UploadedFile {
                    name: r.try_get("name")?,
                    size: r.try_get("size")?,
                    sha256: r.try_get("sha256")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
