//! What every HTTP role shares: the embedded (or AWS) system behind the ports, the
//! services' own tables, the cache, metrics and settings.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use migrationai_pipeline::App;
use migrationai_ports::cache::Cache;
use secrecy::SecretString;

use crate::db::accounts::Principal;
use crate::db::Db;
use crate::memo::Memo;
use crate::metrics::Metrics;

/// How long a verified token is trusted without asking the database again. A revocation
/// through this process takes effect at once; through another process within this time.
const PRINCIPAL_TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest accepted upload, in bytes.
    pub upload_limit: u64,
    /// Mark the frontends' cookies `Secure` (off only for plain-http local runs) when `up`
    /// runs them in this process.
    pub secure_cookies: bool,
    pub token_ttl_secs: i64,
    pub session_ttl_secs: i64,
    /// The operator `admin-api` creates at start when that user does not exist.
    pub admin: Option<Admin>,
    /// How often the admin roles read the throughput totals.
    pub throughput_every: Duration,
    pub sign_in: crate::auth::limit::SignInLimits,
    /// Header and body time limits and the connection bound of every role `up` serves.
    pub serve: crate::serve::Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            upload_limit: 512 * 1024 * 1024,
            secure_cookies: true,
            token_ttl_secs: 30 * 24 * 3600,
            session_ttl_secs: 12 * 3600,
            admin: None,
            throughput_every: Duration::from_secs(10),
            sign_in: crate::auth::limit::SignInLimits::default(),
            serve: crate::serve::Limits::default(),
        }
    }
}

pub struct Inner {
    pub app: App,
    pub db: Db,
    pub cache: Arc<dyn Cache>,
    pub metrics: Metrics,
    pub settings: Settings,
    principals: Memo<Principal>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// An operator's e-mail and first password.
#[derive(Debug, Clone)]
pub struct Admin {
    pub email: String,
    pub password: SecretString,
}

impl AppState {
    /// The HTTP roles' state over what the host opened: the migration system, the services'
    /// tables and the cache.
    pub fn new(app: App, db: Db, cache: Arc<dyn Cache>, settings: Settings) -> AppState {
        AppState(Arc::new(Inner {
            app,
            db,
            cache,
            metrics: Metrics::default(),
            settings,
            principals: Memo::new(PRINCIPAL_TTL, 100_000),
        }))
    }

    pub fn data_dir(&self) -> PathBuf {
        self.app.config.data_dir.clone()
    }

    /// The principal of a presented token, from the short-lived memo or the database.
    pub async fn principal(&self, token: &str) -> Result<Option<Principal>, sqlx::Error> {
        let hash = crate::auth::token::digest(token);
        if let Some(p) = self.principals.get(&hash) {
            return Ok(Some(p));
        }
        let found = self.db.principal(&hash).await?;
        self.principals.put(hash, found.as_ref());
        Ok(found)
    }

    /// Revokes one of the principal's tokens (its own, or another of the same user's) and
    /// forgets it at once; false when there was no such token.
    pub async fn revoke(&self, p: &Principal, token_id: &str) -> Result<bool, sqlx::Error> {
        let revoked = self
            .db
            .revoke_token(&p.tenant, &p.user_id, token_id)
            .await?;
        if let Some(hash) = &revoked {
            self.principals.forget(hash);
        }
        Ok(revoked.is_some())
    }
}
