//! How to reach a firm's Filevine org: gateway and identity URLs, the personal access token
//! with its client id and secret, the org and user every call acts as, and the client's own
//! limits. Operators and the Terraform set them by the names in [`env`]; the process reads
//! them through its configuration (`migrationai_pipeline::settings`), which passes its
//! lookup to [`Settings::from_lookup`].

use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// The environment variable names.
pub mod env {
    pub const GATEWAY_URL: &str = "MIGRATIONAI_FILEVINE_GATEWAY_URL";
    pub const IDENTITY_URL: &str = "MIGRATIONAI_FILEVINE_IDENTITY_URL";
    pub const PAT: &str = "MIGRATIONAI_FILEVINE_PAT";
    pub const CLIENT_ID: &str = "MIGRATIONAI_FILEVINE_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "MIGRATIONAI_FILEVINE_CLIENT_SECRET";
    pub const ORG_ID: &str = "MIGRATIONAI_FILEVINE_ORG_ID";
    pub const USER_ID: &str = "MIGRATIONAI_FILEVINE_USER_ID";
    /// Optional: concurrent gateway calls per tenant (default 8).
    pub const CONCURRENCY: &str = "MIGRATIONAI_FILEVINE_CONCURRENCY";
}

/// The fields of the Secrets Manager secret that holds a firm's Filevine credentials on AWS
/// (`MIGRATIONAI_FILEVINE_SECRET_ARN`): a JSON object, one field per variable. The Terraform
/// makes the secret empty; an operator writes the value, so no credential passes through
/// Terraform state.
pub mod secret {
    use super::env;

    pub const FIELDS: &[(&str, &str)] = &[
        ("pat", env::PAT),
        ("client_id", env::CLIENT_ID),
        ("client_secret", env::CLIENT_SECRET),
        ("org_id", env::ORG_ID),
        ("user_id", env::USER_ID),
        ("gateway_url", env::GATEWAY_URL),
        ("identity_url", env::IDENTITY_URL),
    ];

    /// The secret's value for the variable `name`: a string field, or a whole number written
    /// as a JSON number (org and user ids).
    pub fn field(json: &serde_json::Map<String, serde_json::Value>, name: &str) -> Option<String> {
        let (key, _) = FIELDS.iter().find(|(_, var)| *var == name)?;
        match json.get(*key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

pub const DEFAULT_GATEWAY_URL: &str = "https://api.filevineapp.com";
/// The identity service's host in Filevine's published identity specification.
pub const DEFAULT_IDENTITY_URL: &str = "https://identity.filevine.com";
/// The scopes Filevine's documentation says to request, space-separated.
pub const DEFAULT_SCOPES: &str =
    "fv.api.gateway.access tenant filevine.v2.api.* email openid fv.auth.tenant.read";

/// How the client retries and how long it waits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Gateway calls in flight at once for this tenant.
    pub concurrency: usize,
    /// Attempts per call, the first included.
    pub attempts: u32,
    /// First backoff after a 5xx or timeout; doubled each time, with full jitter.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited out: the call fails as transient and
    /// the queue tries the message again later.
    pub max_retry_after: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: 8,
            attempts: 6,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub gateway_url: Url,
    pub identity_url: Url,
    /// Credentials are `secrecy` values: redacted in `Debug`, read only through
    /// `expose_secret` where they go on the wire.
    pub pat: SecretString,
    pub client_id: String,
    pub client_secret: SecretString,
    pub org_id: i64,
    pub user_id: i64,
    pub scopes: String,
    pub limits: Limits,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{0} is not set; Filevine delivery needs it")]
    Missing(&'static str),
    #[error("{name} is not a valid URL: {reason}")]
    BadUrl { name: &'static str, reason: String },
    #[error("{name} must be a whole number, not \"{value}\"")]
    NotANumber { name: &'static str, value: String },
}

impl Settings {
    /// Reads the settings through `lookup` (the environment, a secret's JSON, a test map).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &'static str| get(name).ok_or(SettingsError::Missing(name));
        let url = |name: &'static str, default: &str| {
            let raw = get(name).unwrap_or_else(|| default.to_string());
            Url::parse(&raw).map_err(|e| SettingsError::BadUrl {
                name,
                reason: e.to_string(),
            })
        };
        let int = |name: &'static str| -> Result<i64, SettingsError> {
            let v = required(name)?;
            v.parse()
                .map_err(|_| SettingsError::NotANumber { name, value: v })
        };
        let mut limits = Limits::default();
        if let Some(v) = get(env::CONCURRENCY) {
            limits.concurrency =
                v.parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(SettingsError::NotANumber {
                        name: env::CONCURRENCY,
                        value: v,
                    })?;
        }
        Ok(Settings {
            gateway_url: url(env::GATEWAY_URL, DEFAULT_GATEWAY_URL)?,
            identity_url: url(env::IDENTITY_URL, DEFAULT_IDENTITY_URL)?,
            pat: SecretString::from(required(env::PAT)?),
            client_id: required(env::CLIENT_ID)?,
            client_secret: SecretString::from(required(env::CLIENT_SECRET)?),
            org_id: int(env::ORG_ID)?,
            user_id: int(env::USER_ID)?,
            scopes: DEFAULT_SCOPES.to_string(),
            limits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_and_required_values() {
        let s = Settings::from_lookup(vars(&[
            (env::PAT, "pat-value"),
            (env::CLIENT_ID, "cid"),
            (env::CLIENT_SECRET, "very-secret"),
            (env::ORG_ID, "12"),
            (env::USER_ID, " 34 "),
        ]))
        .expect("settings");
        assert_eq!(s.gateway_url.as_str(), "https://api.filevineapp.com/");
        assert_eq!(s.identity_url.as_str(), "https://identity.filevine.com/");
        assert_eq!((s.org_id, s.user_id), (12, 34));
        assert_eq!(s.limits.concurrency, 8);
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("very-secret") && !shown.contains("pat-value"),
            "{shown}"
        );

        assert_eq!(
            Settings::from_lookup(vars(&[(env::PAT, "p")])).err(),
            Some(SettingsError::Missing(env::CLIENT_ID))
        );
        let err = Settings::from_lookup(vars(&[
            (env::PAT, "p"),
            (env::CLIENT_ID, "c"),
            (env::CLIENT_SECRET, "s"),
            (env::ORG_ID, "twelve"),
            (env::USER_ID, "1"),
        ]))
        .err();
        assert!(matches!(err, Some(SettingsError::NotANumber { name, .. }) if name == env::ORG_ID));
    }

    #[test]
    fn a_secret_fills_what_the_environment_leaves_unset() {
        let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"pat": "from-secret", "client_id": "cid", "client_secret": "cs",
                "org_id": 12, "user_id": "34", "extra": true}"#,
        )
        .expect("json");
        let environment = vars(&[(env::CLIENT_ID, "from-env")]);
        let s =
            Settings::from_lookup(|name| environment(name).or_else(|| secret::field(&json, name)))
                .expect("settings");
        use secrecy::ExposeSecret;
        assert_eq!(s.pat.expose_secret(), "from-secret");
        assert_eq!(s.client_id, "from-env");
        assert_eq!((s.org_id, s.user_id), (12, 34));
        assert_eq!(secret::field(&json, "MIGRATIONAI_UNKNOWN"), None);
    }

    #[test]
    fn secrets_never_print() {
        use secrecy::ExposeSecret;
        let s = SecretString::from("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.expose_secret(), "hunter2");
    }
}
