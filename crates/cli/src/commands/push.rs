//! `migrationai push JOB --target store|filevine [--dry-run]`: delivers a migrated job into
//! its target through the queues (`delivery::queued`, the workers running in this process)
//! and reads it back. Filevine's credentials come from the MIGRATIONAI_FILEVINE_* variables
//! or, on aws, their secret; they are never printed.

use super::embedded::{runtime, Embedded};
use crate::output::say;
use migrationai_domain::Kind;
use migrationai_host::open;
use migrationai_host::settings::{load, Env};
use migrationai_pipeline::delivery::{self, queued, PushOptions, TargetKind};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use migrationai_filevine::Transport;

#[derive(clap::Args)]
pub struct Args {
    /// The job's name or id; its migration must have finished.
    job: String,
    /// Where the job goes: store (the canonical store only: nothing to send, the store read
    /// back) or filevine (Filevine API v2).
    #[arg(long)]
    target: TargetKind,
    /// With --target filevine: list the calls the push would make, per kind, without
    /// connecting to Filevine.
    #[arg(long)]
    dry_run: bool,
    /// With --dry-run: every call's method and path, not only the counts.
    #[arg(long, requires = "dry_run")]
    calls: bool,
    /// A canonical project type and the Filevine project type (name or id) it becomes:
    /// VALUE=TYPE; repeat for several.
    #[arg(long = "project-type", value_name = "VALUE=TYPE", value_parser = parse_pair)]
    project_types: Vec<(String, String)>,
    /// The Filevine project type of a matter whose type is not mapped and names no
    /// Filevine type.
    #[arg(long)]
    default_project_type: Option<String>,
    /// Records pushed at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    #[command(flatten)]
    embedded: Embedded,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((v, t)) if !v.trim().is_empty() && !t.trim().is_empty() => {
            Ok((v.trim().to_string(), t.trim().to_string()))
        }
        _ => Err(format!("{s:?} is not VALUE=TYPE")),
    }
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let config = a.embedded.config(env)?;
    let options = PushOptions {
        target: a.target,
        project_types: migrationai_filevine::ProjectTypeChoice {
            by_value: a.project_types.iter().cloned().collect(),
            default: a.default_project_type.clone(),
        },
        concurrency: a.concurrency.max(1),
        ..PushOptions::default()
    };
    let rt = runtime()?;
    if a.dry_run {
        if a.target != TargetKind::Filevine {
            anyhow::bail!(
                "--dry-run lists Filevine's calls; the {} target makes none",
                a.target
            );
        }
        // With credentials, the dry run reads the org (what is already there, and its
        // project types' sections); without, it reads nothing and assumes the layout.
        let source = load::filevine_source(env)?.or_else(|| {
            load::filevine(env)
                .ok()
                .map(|s| load::FilevineSource::Env(Box::new(s)))
        });
        let plans = rt.block_on(async {
            let app = open::app(&config).await?;
            let reads = match &source {
                Some(source) => {
                    let target = open::filevine_target(
                        &config,
                        source,
                        app.services.blobs.clone(),
                        app.services.store.clone(),
                    )
                    .await?;
                    Some(target.gateway() as Arc<dyn Transport>)
                }
                None => None,
            };
            delivery::dry_run(&app, &a.job, &options, reads)
                .await
                .map_err(anyhow::Error::from)
        })?;
        print_plans(&plans, a.calls);
        return Ok(ExitCode::SUCCESS);
    }
    // Credentials are read as any worker reads them; none given for a push into Filevine
    // is an error naming the variable.
    let source = match (load::filevine_source(env)?, a.target) {
        (Some(source), _) => Some(source),
        (None, TargetKind::Filevine) => {
            Some(load::FilevineSource::Env(Box::new(load::filevine(env)?)))
        }
        (None, TargetKind::Store) => None,
    };
    let pushed = rt.block_on(async {
        let mut app = open::app(&config).await?;
        // This command pushes for certain: credentials are read now, so a wrong one is said
        // before anything is queued (workers read them at their first page).
        if let Some(source) = &source {
            let target = open::filevine_target(
                &config,
                source,
                app.services.blobs.clone(),
                app.services.store.clone(),
            )
            .await?;
            app.services = app.services.clone().with_target(target);
        }
        queued::run(&app, &a.job, &options, &|p: &queued::PushProgress| {
            for k in p.kinds.iter().filter(|k| k.pages > 0) {
                let c = &k.counts;
                tracing::info!(kind = %k.kind, pages = k.pages, done = k.pages_done, created = c.created, updated = c.updated, unchanged = c.unchanged, adopted = c.adopted, refused = c.refused, "pushing");
            }
        })
        .await
        .map_err(anyhow::Error::from)
    })?;
    let r = &pushed.report;
    let Some(section) = &r.filevine else {
        anyhow::bail!("the push stored no delivery section");
    };
    let to = section.target.label();
    say!(
        "{:<16} {:>8} {:>8} {:>8} {:>9} {:>8}   read back: found/expected, extra",
        "kind",
        "created",
        "adopted",
        "updated",
        "unchanged",
        "refused"
    );
    let read: BTreeMap<Kind, _> = section
        .read_back
        .kinds
        .iter()
        .map(|k| (k.kind, k))
        .collect();
    for phase in Kind::phases() {
        for kind in phase {
            let c = section.pushed.get(&kind).copied().unwrap_or_default();
            let back = read
                .get(&kind)
                .map(|k| format!("{}/{}, {}", k.found, k.expected, k.extra))
                .unwrap_or_else(|| "-".into());
            say!(
                "{:<16} {:>8} {:>8} {:>8} {:>9} {:>8}   {back}",
                kind.as_str(),
                c.created,
                c.adopted,
                c.updated,
                c.unchanged,
                c.refused
            );
        }
    }
    let rb = &section.read_back;
    say!(
        "trust balances checked {} ({} wrong), invoice balances {} ({} wrong), documents {} ({} wrong)",
        rb.trust_checked,
        rb.trust_mismatches.len(),
        rb.balances_checked,
        rb.balance_mismatches.len(),
        rb.documents_checked,
        rb.document_problems.len()
    );
    for x in section.refused.iter().take(20) {
        say!(
            "refused: {} {:?} ({} row {}) {}: {} [{}]",
            x.kind,
            x.source_id.as_deref().unwrap_or(""),
            x.file,
            x.row,
            x.field,
            x.reason,
            x.code
        );
    }
    if section.refused.len() > 20 {
        say!(
            "... and {} more refused, in the report",
            section.refused.len() - 20
        );
    }
    let s = pushed.stats;
    say!(
        "gateway: {} requests, {} retries ({} throttled, {} server errors, {} broken)",
        s.requests,
        s.retries,
        s.throttled,
        s.server_errors,
        s.broken
    );
    say!(
        "{}",
        if pushed.delivered() {
            format!(
                "DELIVERED: every loaded record is in {to} once, with its balances and documents"
            )
        } else {
            "NOT DELIVERED: see the problems below".to_string()
        }
    );
    crate::output::write_stdout(format_args!("{}", crate::report_text::verdict(r, 20)));
    Ok(if pushed.delivered() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn print_plans(plan: &delivery::DryRunPlan, every_call: bool) {
    match &plan.layout_gaps {
        None => say!(
            "the org's layout was not read (no Filevine credentials): project types and \
             sections are taken as named"
        ),
        Some(gaps) if gaps.is_empty() => {
            say!("every mapped section field has a place in the org's project types")
        }
        Some(gaps) => {
            let values: u64 = gaps.iter().map(|g| g.values).sum();
            say!(
                "{} mapped section fields have no place in the org's project types; their {values} values would be refused:",
                gaps.len()
            );
            for g in gaps {
                say!(
                    "  {} / {} ({} values, matters of type {:?}): {} ({})",
                    g.section,
                    g.field,
                    g.values,
                    g.project_type.as_deref().unwrap_or(""),
                    g.reason,
                    g.code
                );
            }
        }
    }
    let mut total = 0usize;
    let mut records = 0u64;
    for p in &plan.kinds {
        total += p.calls.len();
        records += p.records;
        say!(
            "{}: {} records, {} calls, {} uploads, {} refused before any call",
            p.kind,
            p.records,
            p.calls.len(),
            p.uploads,
            p.refused.len()
        );
        let mut by_op: BTreeMap<(String, &'static str), u64> = BTreeMap::new();
        for c in &p.calls {
            *by_op
                .entry((c.op.method().as_str().to_string(), c.op.template()))
                .or_default() += 1;
        }
        for ((method, template), n) in by_op {
            say!("  {n:>8}  {method} {template}");
        }
        if every_call {
            for c in &p.calls {
                say!("    {} {}", c.op.method().as_str(), c.path);
            }
        }
        for x in p.refused.iter().take(5) {
            say!(
                "  refused: {:?} {}: {}",
                x.source_id.as_deref().unwrap_or(""),
                x.field,
                x.reason
            );
        }
    }
    say!("{total} calls for {records} records (dry run: nothing was sent)");
}
