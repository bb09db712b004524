//! Library entry points of the CLI: a whole migration in one process on the embedded
//! adapters (the jobs handler and 12 entity workers as tokio tasks polling the durable queue
//! through the batch processor), and the operator commands.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use migrationai_domain::{JobStatus, QueueKind};
use migrationai_ports::queue::{ensure_all_queues, QueueConfig, QueueNames};
use migrationai_ports::store::{JobRow, KindProgress, Store};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::error::ProcessingError;
use crate::jobs::{self, Submitted};
use crate::message::JobAction;
use crate::poller::WorkerOptions;
use crate::report::Report;
use crate::services::{Adapters, Services};

/// What a progress callback sees, several times a second.
#[derive(Debug, Clone)]
pub struct Progress {
    pub job_name: String,
    pub status: JobStatus,
    pub phase: i64,
    pub kinds: Vec<KindProgress>,
}

/// A message in a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub queue: String,
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    pub last_error: Option<String>,
}

/// One line of `migrationai queues`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub kind: QueueKind,
    pub queue: String,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub dlq: String,
    pub dlq_depth: u64,
}

#[derive(Debug, Clone)]
pub enum RunOutcome {
    Done(Box<Report>),
    /// Nothing left to process but the job is not done: messages are dead-lettered.
    Stalled(Vec<DeadLetter>),
    /// Stopped on request (a signal): the workers finished or released what they held and
    /// the job is marked interrupted; submitting it again resumes it.
    Interrupted(Progress),
}

/// How `App::finish` ended.
#[derive(Debug, Clone)]
pub enum End {
    Done(Box<Report>),
    Interrupted(Progress),
}

/// The embedded system, opened on a data directory.
pub struct App {
    pub config: Config,
    pub services: Services,
    /// The queues are this process's (it made them), so its own pollers consume them. The
    /// Terraform's queues are consumed by the 13 Lambda functions, and no host may receive
    /// from them: a command there submits and watches.
    consumes: bool,
}

impl App {
    /// The system over adapters the host opened: the queues created when they are this
    /// process's to create, the jobs queue checked, the tenant made.
    pub async fn open(config: &Config, adapters: Adapters) -> Result<App, ProcessingError> {
        let Adapters {
            store,
            queue,
            blobs,
            batches,
            ensure_queues,
            place,
        } = adapters;
        let names = QueueNames::new(config.env.clone());
        let template = QueueConfig {
            visibility_timeout: config.visibility_timeout,
            ..QueueConfig::default()
        };
        if ensure_queues {
            ensure_all_queues(queue.as_ref(), &names, &template).await?;
        }
        // Queue clients connect lazily: one call now, so a wrong endpoint or a missing queue
        // stops the command here, saying where, rather than at its first use or never.
        let jobs = names.queue(QueueKind::Jobs);
        queue
            .stats(&jobs)
            .await
            .map_err(|source| ProcessingError::QueuesUnreachable {
                place,
                queue: jobs,
                source,
            })?;
        store.ensure_tenant(&config.tenant, &config.tenant).await?;
        let services = Services::new(
            store,
            queue,
            blobs,
            batches,
            names,
            config.data_dir.join("work"),
        );
        Ok(App {
            config: config.clone(),
            services,
            consumes: ensure_queues,
        })
    }

    fn store(&self) -> &Arc<dyn Store> {
        &self.services.store
    }

    /// Submits a job from an export on disk, or resumes the same one ([`jobs::submit`]).
    pub async fn submit(
        &self,
        export: &Path,
        mapping: Option<&Path>,
        job_name: Option<String>,
    ) -> Result<Submitted, ProcessingError> {
        jobs::submit(&self.services, &self.config, export, mapping, job_name).await
    }

    /// Starts the 13 pollers, when the queues are this process's to consume; they run until
    /// the token is cancelled.
    pub async fn start_workers(
        &self,
        shutdown: &CancellationToken,
    ) -> Result<Vec<tokio::task::JoinHandle<()>>, ProcessingError> {
        if !self.consumes {
            return Ok(Vec::new());
        }
        crate::poller::spawn(
            &self.services,
            &self.config,
            &WorkerOptions::embedded(),
            &shutdown.child_token(),
        )
        .await
    }

    /// Runs the workers until the job is done, or stalls with dead-lettered messages.
    pub async fn run(
        &self,
        job: &JobRow,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunOutcome, ProcessingError> {
        self.run_until(job, progress, &CancellationToken::new())
            .await
    }

    /// Like `run`, and stops when `stop` is cancelled: the workers finish the batches they
    /// hold and release the messages they have not started, then the job is marked
    /// interrupted (unless it finished meanwhile).
    pub async fn run_until(
        &self,
        job: &JobRow,
        progress: &(dyn Fn(&Progress) + Send + Sync),
        stop: &CancellationToken,
    ) -> Result<RunOutcome, ProcessingError> {
        let shutdown = CancellationToken::new();
        let workers = self.start_workers(&shutdown).await?;
        let outcome = tokio::select! {
            outcome = self.watch(job, progress) => Some(outcome),
            _ = stop.cancelled() => None,
        };
        shutdown.cancel();
        for w in workers {
            let _ = w.await;
        }
        match outcome {
            Some(outcome) => outcome,
            None => self.interrupted(job).await,
        }
    }

    /// Marks a stopped job interrupted, unless it reached an end meanwhile.
    async fn interrupted(&self, job: &JobRow) -> Result<RunOutcome, ProcessingError> {
        let row = jobs::interrupt(&self.services, &job.tenant, &job.id).await?;
        if row.status == JobStatus::Done {
            return stored_report(&row).map(|r| RunOutcome::Done(Box::new(r)));
        }
        if row.status == JobStatus::Cancelled {
            return Err(ProcessingError::Cancelled(row.name));
        }
        Ok(RunOutcome::Interrupted(Progress {
            job_name: row.name.clone(),
            status: JobStatus::Interrupted,
            phase: row.phase,
            kinds: self.store().progress(&row.tenant, &row.id).await?,
        }))
    }

    async fn watch(
        &self,
        job: &JobRow,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunOutcome, ProcessingError> {
        let mut idle_checks = 0;
        let mut tick: u64 = 0;
        // The step last shown: a new status or phase is shown at once, so a watcher can
        // time each step of the job to within one tick.
        let mut shown: Option<(JobStatus, i64)> = None;
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tick += 1;
            // Checked before anything fails for want of space: stopping here leaves every
            // message to be received again on resume, none dead-lettered for a full disk.
            if tick.is_multiple_of(4) {
                self.check_disk(job)?;
            }
            let row = self.services.job(&job.tenant, &job.id).await?;
            let step = Some((row.status, row.phase));
            if tick.is_multiple_of(4) || step != shown || row.status == JobStatus::Done {
                shown = step;
                progress(&Progress {
                    job_name: row.name.clone(),
                    status: row.status,
                    phase: row.phase,
                    kinds: self.store().progress(&row.tenant, &row.id).await?,
                });
            }
            if row.status == JobStatus::Done {
                return stored_report(&row).map(|r| RunOutcome::Done(Box::new(r)));
            }
            if row.status == JobStatus::Cancelled {
                return Err(ProcessingError::Cancelled(row.name));
            }
            if !tick.is_multiple_of(10) {
                continue;
            }
            if self.queues_busy().await? {
                idle_checks = 0;
                continue;
            }
            idle_checks += 1;
            if idle_checks < 3 {
                continue;
            }
            let dead = self.dead_letters_of(&row.id).await?;
            if !dead.is_empty() {
                return Ok(RunOutcome::Stalled(dead));
            }
            // Nothing queued, nothing dead, not done: a message was lost to a crash
            // between the store and the queue; resuming re-sends what is missing.
            jobs::ask(&self.services, &row.tenant, &row.id, JobAction::Resume).await?;
            idle_checks = 0;
        }
    }

    /// Stops the run when the data directory's disk is below its free-space floor.
    fn check_disk(&self, job: &JobRow) -> Result<(), ProcessingError> {
        let dir = &self.config.data_dir;
        let free = match crate::disk::free_bytes(dir) {
            Ok(free) => free,
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "cannot read free disk space");
                return Ok(());
            }
        };
        if free >= self.config.min_free_bytes {
            return Ok(());
        }
        let mib = |b: u64| b.div_ceil(1 << 20);
        Err(ProcessingError::DiskFull {
            job: job.name.clone(),
            path: crate::disk::mount_point(dir),
            free_mib: free >> 20,
            needed_mib: mib(self.config.min_free_bytes),
        })
    }

    pub(crate) async fn queues_busy(&self) -> Result<bool, ProcessingError> {
        for kind in QueueKind::ALL {
            let st = self
                .services
                .queue
                .stats(&self.services.names.queue(kind))
                .await?;
            if st.visible + st.in_flight + st.delayed > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Dead letters whose body names the job.
    pub async fn dead_letters_of(&self, job: &str) -> Result<Vec<DeadLetter>, ProcessingError> {
        let mut out = Vec::new();
        for kind in QueueKind::ALL {
            for d in self.dlq_list(kind.as_str()).await? {
                if d.body.contains(job) {
                    out.push(d);
                }
            }
        }
        Ok(out)
    }

    /// (dead-letter queue, its source queue) of a kind, a queue or a dead-letter queue's name;
    /// any other name is an error listing the kinds.
    fn dlq_of(&self, queue: &str) -> Result<(String, String), ProcessingError> {
        self.services
            .names
            .all()
            .into_iter()
            .find(|(kind, source, dlq)| {
                [kind.as_str(), source.as_str(), dlq.as_str()].contains(&queue)
            })
            .map(|(_, source, dlq)| (dlq, source))
            .ok_or_else(|| {
                let kinds: Vec<&str> = QueueKind::ALL.iter().map(|k| k.as_str()).collect();
                ProcessingError::UnknownQueue(format!(
                    "{queue:?}; name a kind ({}) or a queue's full name",
                    kinds.join(", ")
                ))
            })
    }

    pub async fn dlq_list(&self, queue: &str) -> Result<Vec<DeadLetter>, ProcessingError> {
        let (dlq, _) = self.dlq_of(queue)?;
        let peeked = self.services.queue.peek(&dlq, 10_000).await?;
        let ids: Vec<String> = peeked.iter().map(|m| m.message_id.clone()).collect();
        let failures = self.store().failures_for(&ids).await?;
        Ok(peeked
            .into_iter()
            .map(|m| {
                let failure = failures.iter().find(|f| f.message_id == m.message_id);
                DeadLetter {
                    last_error: failure.map(|f| f.error.clone()),
                    queue: dlq.clone(),
                    // The embedded queue (like moto) starts a moved message's count again
                    // in the DLQ, SQS may not: the larger of the DLQ's count and the count
                    // the message last failed with never counts a receive twice.
                    receive_count: m.receive_count.max(failure.map_or(0, |f| f.receive_count)),
                    message_id: m.message_id,
                    body: m.body,
                }
            })
            .collect())
    }

    pub async fn dlq_redrive(&self, queue: &str) -> Result<usize, ProcessingError> {
        let (dlq, source) = self.dlq_of(queue)?;
        Ok(self
            .services
            .queue
            .move_messages(&dlq, &source, usize::MAX)
            .await?)
    }

    pub async fn queue_stats(&self) -> Result<Vec<QueueRow>, ProcessingError> {
        let mut rows = Vec::new();
        for (kind, queue, dlq) in self.services.names.all() {
            let st = self.services.queue.stats(&queue).await?;
            let dst = self.services.queue.stats(&dlq).await?;
            rows.push(QueueRow {
                kind,
                queue,
                visible: st.visible,
                in_flight: st.in_flight,
                delayed: st.delayed,
                dlq,
                dlq_depth: dst.visible + dst.in_flight + dst.delayed,
            });
        }
        Ok(rows)
    }

    /// Runs a submitted job until it is done (then writes its report files under
    /// `<data_dir>/reports/<job name>/`) or `stop` is cancelled. Dead-lettered messages that
    /// leave it unable to finish are an error naming them.
    pub async fn finish(
        &self,
        job: &JobRow,
        progress: &(dyn Fn(&Progress) + Send + Sync),
        stop: &CancellationToken,
    ) -> Result<End, ProcessingError> {
        if job.status != JobStatus::Done {
            match self.run_until(job, progress, stop).await? {
                RunOutcome::Done(_) => {}
                RunOutcome::Interrupted(at) => return Ok(End::Interrupted(at)),
                RunOutcome::Stalled(dead) => {
                    let detail: Vec<String> = dead
                        .iter()
                        .map(|d| {
                            format!(
                                "{} {}: {}",
                                d.queue,
                                d.message_id,
                                d.last_error.as_deref().unwrap_or("?")
                            )
                        })
                        .collect();
                    return Err(ProcessingError::Stalled {
                        job: job.name.clone(),
                        detail: detail.join("; "),
                        count: dead.len(),
                    });
                }
            }
        }
        let mut job = self.services.job(&job.tenant, &job.id).await?;
        let dir = self.config.data_dir.join("reports").join(&job.name);
        let report = stored_report(&job)?;
        // Read once and kept read: a large job's stored text is as large again.
        job.report = None;
        self.write_files(&report, &job, &dir).await?;
        Ok(End::Done(Box::new(report)))
    }

    pub async fn find_job(&self, job: &str) -> Result<JobRow, ProcessingError> {
        let tenant = &self.config.tenant;
        if let Some(j) = self.store().job_by_name(tenant, job).await? {
            return Ok(j);
        }
        self.store()
            .job(tenant, job)
            .await?
            .ok_or_else(|| ProcessingError::JobNotFound(job.to_string()))
    }

    /// Writes report.json, report.html and one rejects CSV per source file into `dir`.
    pub async fn write_report_files(
        &self,
        job: &JobRow,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, ProcessingError> {
        let report = stored_report(job)?;
        self.write_files(&report, job, dir).await
    }

    /// `write_report_files` of a report already read.
    async fn write_files(
        &self,
        report: &Report,
        job: &JobRow,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, ProcessingError> {
        use std::io::Write;

        let io = |source: std::io::Error| ProcessingError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir.join("rejects")).map_err(io)?;
        let mut written = Vec::new();
        // Written as it is serialised, not made whole first: a large job's report.json is
        // tens of MiB.
        let path = dir.join("report.json");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
        serde_json::to_writer_pretty(&mut out, report).map_err(crate::error::json("report"))?;
        out.flush().map_err(io)?;
        drop(out);
        written.push(path);
        let path = dir.join("report.html");
        std::fs::write(&path, crate::report::html::render(report)).map_err(io)?;
        written.push(path);
        let rejects = self.store().rejects(&job.tenant, &job.id).await?;
        for (file, text) in crate::report::csv::rejects_csv(&rejects) {
            let name = format!("{}.rejects.csv", file.replace(['/', '\\', '#'], "_"));
            std::fs::write(dir.join("rejects").join(&name), text).map_err(io)?;
            written.push(dir.join("rejects").join(name));
        }
        Ok(written)
    }
}

pub(crate) fn stored_report(job: &JobRow) -> Result<Report, ProcessingError> {
    let text = job
        .report
        .as_deref()
        .ok_or_else(|| ProcessingError::NoReport {
            job: job.name.clone(),
            status: job.status,
        })?;
    serde_json::from_str(text).map_err(crate::error::json("stored report"))
}

impl App {
    /// `migrationai migrate EXPORT [--mapping FILE] [--job NAME]`: runs (or resumes) the job
    /// to the end and returns its report; the report files are written under
    /// `<data_dir>/reports/<job name>/`.
    pub async fn migrate(
        &self,
        export: &Path,
        mapping: Option<&Path>,
        job_name: Option<String>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<Report, ProcessingError> {
        let submitted = self.submit(export, mapping, job_name).await?;
        match self
            .finish(&submitted.job, progress, &CancellationToken::new())
            .await?
        {
            End::Done(report) => Ok(*report),
            End::Interrupted(_) => Err(ProcessingError::Interrupted(submitted.job.name)),
        }
    }

    /// The tenant's jobs.
    pub async fn jobs(&self) -> Result<Vec<JobRow>, ProcessingError> {
        Ok(self.store().jobs(&self.config.tenant).await?)
    }

    /// The stored report of a job (by name or id).
    pub async fn report(&self, job: &str) -> Result<Report, ProcessingError> {
        stored_report(&self.find_job(job).await?)
    }
}
