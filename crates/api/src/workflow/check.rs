//! The check before a start: tfp reads every row of the export with the mapping under review,
//! as `migrationai inspect --mapping` does, and keeps per table its rows, the rows that
//! would load, the problems by reason with the first few rows, and per kind the share of
//! rows expected to load ("will this migrate?"). Analysis asks for a check of the proposal;
//! the review asks again after the mapping changes. A result names the mapping it was
//! made with, so it is never shown as current for another.

use migrationai_api_types::jobs::check::{
    CheckResult, CheckView, FileCheck, KindEstimate, ProblemView,
};
use std::path::Path;

use migrationai_domain::DraftStatus;
use migrationai_domain::Kind;
use migrationai_ingest::inspect::{
    inspect_export, InspectOptions, InspectReport, NoProgress, Problem,
};
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::{Export, Limits};
use sha2::{Digest, Sha256};

use crate::db::checks::CheckRow;
use crate::db::drafts::Draft;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The digest of a mapping as it parses (comments and spacing do not count).
pub fn mapping_digest(text: &str) -> ApiResult<String> {
    let m = Mapping::parse("mapping", text).map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(m.to_toml(&[]).as_bytes())))
}

fn in_review(d: &Draft) -> ApiResult<&str> {
    if d.status != DraftStatus::Review {
        return Err(ApiError::Conflict(format!(
            "the data is checked in review (the job is {})",
            d.status
        )));
    }
    d.mapping
        .as_deref()
        .ok_or_else(|| ApiError::Conflict("no mapping yet".into()))
}

/// Asks tfp to check the job's data with its mapping as it stands.
pub async fn request(state: &AppState, tenant: &str, job: &str) -> ApiResult<CheckView> {
    let d = super::draft(state, tenant, job).await?;
    let digest = mapping_digest(in_review(&d)?)?;
    state.db.request_check(tenant, job, &digest).await?;
    get(state, tenant, job).await
}

pub async fn get(state: &AppState, tenant: &str, job: &str) -> ApiResult<CheckView> {
    let d = super::draft(state, tenant, job).await?;
    let Some(row) = state.db.check(tenant, job).await? else {
        return Ok(CheckView {
            status: "none".into(),
            current: false,
            error: None,
            result: None,
            updated_at: None,
        });
    };
    let digest = d.mapping.as_deref().map(mapping_digest).transpose()?;
    let result = row
        .result
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    Ok(CheckView {
        current: digest.is_some() && row.result_for == digest,
        status: row.status.to_string(),
        error: row.error,
        result,
        updated_at: Some(row.updated_at),
    })
}

fn problem(p: &Problem) -> ProblemView {
    ProblemView {
        row: p.row,
        column: p.column.clone(),
        field: p.field.clone(),
        code: p.code.clone(),
        message: p.message.clone(),
    }
}

/// What the check keeps of an inspection.
pub fn result_of(r: &InspectReport) -> CheckResult {
    let files: Vec<FileCheck> = r
        .files
        .iter()
        .map(|f| FileCheck {
            table: f.file.clone(),
            kind: f.kind.map(|k| k.as_str().to_string()),
            rows: f.rows,
            valid_rows: f.valid_rows,
            encoding: f.encoding.clone(),
            problem_totals: f.problem_totals.clone(),
            problems: f.problems.iter().map(problem).collect(),
        })
        .collect();
    let mut kinds = Vec::new();
    for kind in Kind::ALL {
        let mapped: Vec<&FileCheck> = files
            .iter()
            .filter(|f| f.kind.as_deref() == Some(kind.as_str()))
            .collect();
        if mapped.is_empty() {
            continue;
        }
        let rows: u64 = mapped.iter().map(|f| f.rows).sum();
        let valid_rows: u64 = mapped.iter().map(|f| f.valid_rows).sum();
        let share = if rows == 0 {
            1.0
        } else {
            valid_rows as f64 / rows as f64
        };
        let verdict = if valid_rows == rows {
            "yes"
        } else if share >= 0.9 {
            "mostly"
        } else {
            "no"
        };
        kinds.push(KindEstimate {
            kind: kind.as_str().into(),
            label: kind.label().into(),
            rows,
            valid_rows,
            share,
            verdict: verdict.into(),
        });
    }
    CheckResult {
        files,
        kinds,
        unreadable: r.unreadable.iter().map(problem).collect(),
    }
}

/// Where tfp fetches and unpacks a job's files for a check (apart from analysis and
/// splitting, which may run at the same time).
fn check_dir(state: &AppState, tenant: &str, job: &str) -> std::path::PathBuf {
    state.data_dir().join("checks").join(tenant).join(job)
}

/// How long a runner holds a check before another may take it over (it renews nothing: a
/// check of a large export that takes longer is merely run twice).
const CLAIM_SECS: i64 = 30 * 60;

/// Runs every check waiting (tfp's loop calls this).
pub async fn run_open(state: &AppState) -> anyhow::Result<()> {
    let now = crate::db::now();
    for c in state.db.open_checks(now).await? {
        if !state.db.claim_check(&c, now, now + CLAIM_SECS).await? {
            continue;
        }
        if let Err(e) = run_one(state, &c).await {
            tracing::warn!(job = %c.id, error = %e, "check failed");
            state.db.fail_check(&c, &format!("{e:#}")).await?;
        }
    }
    Ok(())
}

async fn run_one(state: &AppState, c: &CheckRow) -> anyhow::Result<()> {
    let d = super::draft(state, &c.tenant, &c.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = in_review(&d)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let digest = mapping_digest(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mapping = Mapping::parse("mapping", &text)?;
    let dir = check_dir(state, &c.tenant, &c.id);
    let result = async {
        let export = crate::tfp::fetch::fetch_into(state, &d, &dir.join("files")).await?;
        let work = dir.join("work");
        tokio::task::spawn_blocking(move || inspect_in(&export, &work, mapping)).await?
    }
    .await;
    crate::tfp::fetch::remove(&dir).await?;
    let result = serde_json::to_string(&result?)?;
    state.db.finish_check(c, &digest, &result).await?;
    Ok(())
}

fn inspect_in(export: &Path, work: &Path, mapping: Mapping) -> anyhow::Result<CheckResult> {
    std::fs::create_dir_all(work)?;
    let opened = Export::open_in(export, &Limits::default(), work)?;
    let opts = InspectOptions {
        mapping: Some(mapping),
        ..InspectOptions::default()
    };
    Ok(result_of(&inspect_export(&opened, &opts, &NoProgress)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_digest_ignores_comments_and_spacing() {
        let a = super::mapping_digest("currency = \"EUR\"\n").expect("a");
        let b = super::mapping_digest("# reviewed\ncurrency   = \"EUR\"\n").expect("b");
        let c = super::mapping_digest("currency = \"USD\"\n").expect("c");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
