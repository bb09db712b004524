//! A job from an export on disk, as `migrate` submits it: named, fingerprinted so the same
//! export and mapping resume the same job, mapped (the given mapping or the proposal) and
//! handed to the jobs handler to plan.

use std::path::Path;

use migrationai_domain::JobStatus;
use migrationai_ingest::inspect::{propose, InspectOptions};
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::tables::list_tables;
use migrationai_ingest::{Export, Limits};
use migrationai_ports::store::JobRow;

use crate::config::Config;
use crate::error::ProcessingError;
use crate::fingerprint::source_fingerprint;
use crate::ids::job_id;
use crate::message::JobAction;
use crate::services::{JobSettings, Services};

/// How a submitted job begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A job of its own.
    New,
    /// The job of that name, made from the same export and mapping, goes on where it stopped.
    Resumed,
    /// The job of that name, made from the same export and mapping, is already done.
    Finished,
}

/// A job as [`submit`] left it.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub job: JobRow,
    pub start: Start,
    /// The default name it would have had, when a job of another export or mapping held it.
    pub renamed_from: Option<String>,
    /// What the proposal decided, when no mapping was given to a new job.
    pub proposed: Option<Proposed>,
}

/// The decisions a proposed mapping made for nobody to review: each table's kind, and the
/// questions it answered with its best reading.
#[derive(Debug, Clone, Default)]
pub struct Proposed {
    /// Table, kind (None: not recognised) and the kind's confidence.
    pub tables: Vec<(String, Option<migrationai_domain::Kind>, f64)>,
    pub questions: Vec<migrationai_ingest::question::Question>,
}

/// Reads and parses a mapping file; a missing or invalid file is an error naming it.
pub fn read_mapping(file: &Path) -> Result<Mapping, ProcessingError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| ProcessingError::Mapping(format!("{}: {e}", file.display())))?;
    Mapping::parse(&file.display().to_string(), &text)
        .map_err(|e| ProcessingError::Mapping(e.to_string()))
}

/// Creates the job, or resumes the one of the same name when it was made from the same
/// export and mapping (same [`source_fingerprint`]), and asks the jobs handler to plan or
/// resume it. A name taken by a different export or mapping is never reused: a name
/// the caller chose is an error; the default name (the export's) moves on to
/// "<name> (2)", "<name> (3)"... A mapping file that cannot be read or parsed is an
/// error, and so is an export with nothing to migrate.
pub async fn submit(
    s: &Services,
    config: &Config,
    export: &Path,
    mapping: Option<&Path>,
    job_name: Option<String>,
) -> Result<Submitted, ProcessingError> {
    let tenant = config.tenant.clone();
    let export = std::fs::canonicalize(export)
        .map_err(|e| ProcessingError::Export(format!("{}: {e}", export.display())))?;
    let given = mapping.map(read_mapping).transpose()?;
    // Encodings named on the command line change what is read, as a mapping does, and
    // the threshold what counts as migrated.
    let mut named: Vec<String> = config
        .encodings
        .iter()
        .map(|(path, e)| format!("{path}={}", e.label()))
        .collect();
    named.push(format!("threshold={}", config.threshold));
    let source = {
        let (path, given) = (export.clone(), given.clone());
        tokio::task::spawn_blocking(move || source_fingerprint(&path, given.as_ref(), &named))
            .await?
            .map_err(|e| ProcessingError::Export(format!("{}: {e}", export.display())))?
    };
    let chosen = job_name.is_some();
    let stem = job_name.unwrap_or_else(|| {
        export
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into())
    });
    let mut name = stem.clone();
    for n in 2.. {
        let Some(job) = s.store.job_by_name(&tenant, &name).await? else {
            break;
        };
        let settings = Services::settings(&job)?;
        if settings.source.as_deref() == Some(source.as_str()) {
            return resubmit(s, job, &stem).await;
        }
        if chosen {
            return Err(ProcessingError::NameTaken {
                job: name,
                export: settings.export.display().to_string(),
            });
        }
        name = format!("{stem} ({n})");
    }
    let (mapping, proposed) = mapping_for(s, config, &export, given).await?;
    let job = super::create(
        s,
        super::NewJob {
            id: job_id(&tenant, &name),
            tenant,
            name,
            settings: JobSettings {
                export,
                batch_size: config.batch_size,
                source: Some(source),
                threshold: config.threshold,
            },
            mapping: mapping.to_toml(&[]),
        },
    )
    .await?;
    super::ask(s, &job.tenant, &job.id, JobAction::Plan).await?;
    Ok(Submitted {
        renamed_from: (job.name != stem).then_some(stem),
        job,
        start: Start::New,
        proposed,
    })
}

/// The job made from the same export and mapping: finished, or resumed where it stopped.
async fn resubmit(s: &Services, job: JobRow, stem: &str) -> Result<Submitted, ProcessingError> {
    let renamed_from = (job.name != stem).then(|| stem.to_string());
    match job.status {
        JobStatus::Done => Ok(Submitted {
            job,
            start: Start::Finished,
            renamed_from,
            proposed: None,
        }),
        JobStatus::Cancelled => Err(ProcessingError::Cancelled(job.name)),
        _ => Ok(Submitted {
            job: super::reopen(s, &job).await?,
            start: Start::Resumed,
            renamed_from,
            proposed: None,
        }),
    }
}

/// The mapping a new job runs with: the given one (its tables checked against the
/// export), or the proposal, with what it decided. Either way something must be mapped.
async fn mapping_for(
    s: &Services,
    config: &Config,
    export: &Path,
    given: Option<Mapping>,
) -> Result<(Mapping, Option<Proposed>), ProcessingError> {
    let export = export.to_path_buf();
    let work = s.work_dir.clone();
    let proposal = config.clone();
    let (mut mapping, proposed) = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&work).map_err(|e| ProcessingError::Export(e.to_string()))?;
        let opened = Export::open_tables_in(&export, &Limits::default(), &work)
            .map_err(|e| ProcessingError::Export(e.to_string()))?;
        let (tables, _) = list_tables(&opened);
        if tables.is_empty() {
            return Err(ProcessingError::NothingToMigrate(format!(
                "found no table in {}: looked for CSV, TSV, XLSX, JSON and JSON lines files in it and every folder below",
                export.display()
            )));
        }
        let (mapping, proposed) = match given {
            Some(m) => {
                let missing: Vec<&str> = m
                    .files
                    .iter()
                    .filter(|f| !tables.iter().any(|t| t.name == f.source()))
                    .map(|f| f.source())
                    .collect();
                if !missing.is_empty() {
                    return Err(ProcessingError::Mapping(format!(
                        "the mapping names tables that {} does not have: {}",
                        export.display(),
                        missing.join(", ")
                    )));
                }
                (m, None)
            }
            None => {
                let opts = InspectOptions {
                    encodings: proposal.encodings.clone(),
                    ..InspectOptions::default()
                };
                let (suggestions, _, _) = propose(&opened, &tables, &opts);
                let mut mapping = Mapping::from_suggestions(&suggestions);
                if let Some(c) = &proposal.currency {
                    mapping.currency = c.clone();
                }
                if proposal.country.is_some() {
                    mapping.country = proposal.country.clone();
                }
                mapping.time_zone = proposal.time_zone.clone();
                let proposed = Proposed {
                    tables: suggestions
                        .iter()
                        .map(|t| (t.table.clone(), t.kind, t.kind_confidence))
                        .collect(),
                    questions: suggestions
                        .iter()
                        .flat_map(|t| t.questions.iter().cloned())
                        .collect(),
                };
                (mapping, Some(proposed))
            }
        };
        let mapped = mapping
            .files
            .iter()
            .filter(|f| f.kind.is_some() && tables.iter().any(|t| t.name == f.source()))
            .count();
        if mapped == 0 {
            return Err(ProcessingError::NothingToMigrate(format!(
                "none of the {} tables found in {} is mapped to a kind of record",
                tables.len(),
                export.display()
            )));
        }
        Ok((mapping, proposed))
    })
    .await??;
    // Named encodings win over the file and the proposal, in the mapping the job keeps.
    for (path, encoding) in &config.encodings {
        let mut found = false;
        for fm in mapping.files.iter_mut() {
            let source = fm.source();
            if source == *path || source.split('#').next() == Some(path.as_str()) {
                fm.encoding = Some(*encoding);
                found = true;
            }
        }
        if !found {
            return Err(ProcessingError::Mapping(format!(
                "--encoding names {path}, which is not a table of the export"
            )));
        }
    }
    Ok((mapping, proposed))
}
