//! A Filevine API v2 gateway and identity service on loopback, for tests and benches.
//!
//! It serves the operations MigrationAI delivers through, at the paths, methods and casing of
//! Filevine's published Swagger (`/fv-app/v2/...`, case-sensitive: `/fv-app/v2/contacts` is a
//! 404), with the same required headers, body shapes and status codes. It keeps what it is
//! sent so reads answer what was written, issues bearer tokens that expire, and injects
//! faults (429 with `Retry-After`, 500, slow answers, dropped connections) at seeded rates.
//! Pre-signed document uploads and downloads are served under `/s3/`, as S3 would.
//!
//! The contract is written here from the specification, independently of the client in
//! `migrationai-filevine`, so a test that passes proves the client speaks the contract rather
//! than agreeing with itself.

mod auth;
pub mod config;
mod faults;
mod http;
mod routes;
mod state;

use axum::Router;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

pub use config::{Config, Credentials, Faults, FieldDef, ProjectTypeDef, SectionDef};

/// Request and fault counts since start (or the last `reset_stats`).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub requests: u64,
    /// "METHOD /route/template" → requests, including those answered with a fault.
    pub by_route: BTreeMap<String, u64>,
    pub throttled: u64,
    pub server_errors: u64,
    pub slowed: u64,
    pub dropped: u64,
    pub unauthorized: u64,
    pub token_exchanges: u64,
    /// Scope → creates answered with the record an earlier create made under the same
    /// partner id (the documented idempotent replay).
    pub partner_replays: BTreeMap<String, u64>,
}

impl Stats {
    pub fn route(&self, method: &str, template: &str) -> u64 {
        self.by_route
            .get(&format!("{method} {template}"))
            .copied()
            .unwrap_or(0)
    }
}

/// How many records of each kind the org holds now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub contacts: usize,
    pub projects: usize,
    pub notes: usize,
    pub tasks: usize,
    pub completed_tasks: usize,
    pub emails: usize,
    pub appointments: usize,
    pub form_values: usize,
    pub collection_items: usize,
    pub billing_items: usize,
    pub funds: usize,
    pub invoices: usize,
    pub payments: usize,
    /// Committed documents (uploaded and added to a project).
    pub documents: usize,
    /// Documents given an upload URL but never added to a project.
    pub uncommitted_documents: usize,
}

pub(crate) struct Shared {
    pub config: Config,
    pub base: String,
    state: Mutex<state::State>,
    faults: Mutex<faults::Dice>,
    stats: Mutex<Stats>,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn dice(&self) -> MutexGuard<'_, faults::Dice> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn replayed(&self, scope: &str) {
        *self
            .stats()
            .partner_replays
            .entry(scope.to_string())
            .or_default() += 1;
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl Emulator {
    /// Binds 127.0.0.1 on a free port and serves until dropped.
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state::State::new(&config)),
            faults: Mutex::new(faults::Dice::new(config.faults.clone())),
            stats: Mutex::new(Stats::default()),
            base: format!("http://{addr}"),
            config,
        });
        let app: Router = routes::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "filevine emulator stopped");
            }
        });
        Ok(Emulator {
            addr,
            shared,
            stop: Some(stop),
        })
    }

    /// The gateway's base URL (`MIGRATIONAI_FILEVINE_GATEWAY_URL`).
    pub fn gateway_url(&self) -> String {
        self.shared.base.clone()
    }

    /// The identity service's base URL (`MIGRATIONAI_FILEVINE_IDENTITY_URL`); the same server.
    pub fn identity_url(&self) -> String {
        self.shared.base.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn credentials(&self) -> &Credentials {
        &self.shared.config.credentials
    }

    /// Replaces the fault rates and reseeds the generator.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.dice() = faults::Dice::new(faults);
    }

    /// Forgets every issued token, as if they had all expired.
    pub fn revoke_tokens(&self) {
        self.shared.state().tokens.clear();
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats().clone()
    }

    pub fn reset_stats(&self) {
        *self.shared.stats() = Stats::default();
    }

    pub fn snapshot(&self) -> Snapshot {
        use state::FeedKind;
        let s = self.shared.state();
        let feed = |k: FeedKind| s.feed.values().filter(|f| f.kind == k).count();
        Snapshot {
            contacts: s.contacts.len(),
            projects: s.projects.len(),
            notes: feed(FeedKind::Note),
            tasks: feed(FeedKind::Task),
            completed_tasks: s
                .feed
                .values()
                .filter(|f| {
                    f.kind == FeedKind::Task
                        && f.body.get("IsCompleted") == Some(&serde_json::Value::Bool(true))
                })
                .count(),
            emails: feed(FeedKind::Email),
            appointments: s.appointments.len(),
            form_values: s
                .forms
                .values()
                .map(|f| f.values().filter(|v| !v.is_null()).count())
                .sum(),
            collection_items: s.collection_items.len(),
            billing_items: s.billing_items.len(),
            funds: s.funds.iter().filter(|f| !f.voided).count(),
            invoices: s.invoices.len(),
            payments: s.transactions.values().filter(|t| !t.voided).count(),
            documents: s.documents.values().filter(|d| d.committed).count(),
            uncommitted_documents: s.documents.values().filter(|d| !d.committed).count(),
        }
    }

    /// Native ids of every record created under a scope with this partner-id prefix,
    /// counted per partner id (more than one would be a duplicate).
    pub fn partner_ids(&self, scope: &str) -> Vec<String> {
        self.shared.state().partner_ids(scope)
    }

    /// The committed content of a document, for tests that corrupt or inspect it.
    pub fn document_content(&self, native: i64) -> Option<bytes::Bytes> {
        self.shared
            .state()
            .documents
            .get(&native)
            .and_then(|d| d.content.clone())
    }

    /// Replaces a stored document's bytes (to prove read-back notices a changed file).
    pub fn corrupt_document(&self, native: i64, content: bytes::Bytes) -> bool {
        let mut s = self.shared.state();
        match s.documents.get_mut(&native) {
            Some(d) => {
                d.size = content.len() as i64;
                d.content = Some(content);
                true
            }
            None => false,
        }
    }

    /// Native id registered for a partner id in a scope.
    pub fn native_for_partner(&self, scope: &str, partner: &str) -> Option<String> {
        self.shared.state().partner_native(scope, partner).cloned()
    }

    /// Project type ids by name, as the org's settings would show them.
    pub fn project_type_id(&self, name: &str) -> Option<i64> {
        self.shared
            .state()
            .project_types
            .iter()
            .find(|t| t.def.name == name)
            .map(|t| t.id)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
