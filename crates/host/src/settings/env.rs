//! Reading declared variables: from the process environment, or from pairs in tests.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::Mutex;

use secrecy::SecretString;

use super::vars::{Type, Var};

/// A bad or missing setting. It names the variable; a secret's value is never quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{name}={value:?} is not a valid {expected}: {reason}")]
    Invalid {
        name: String,
        /// `[redacted]` for a secret.
        value: String,
        expected: String,
        reason: String,
    },
    #[error("{name} is not set: {why}")]
    Missing { name: String, why: &'static str },
    #[error(transparent)]
    Filevine(#[from] migrationai_filevine::settings::SettingsError),
}

type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the variables come from. It remembers which names were asked for, so a test can
/// find declared variables that nothing reads.
pub struct Env {
    lookup: Lookup,
    asked: Mutex<BTreeSet<String>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env")
    }
}

impl Env {
    /// The process environment.
    pub fn process() -> Env {
        Env::with(|name| std::env::var(name).ok())
    }

    /// Fixed values (tests, a secret's JSON).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        let map: HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env::with(move |name| map.get(name).cloned())
    }

    fn with(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Env {
        Env {
            lookup: Box::new(lookup),
            asked: Mutex::new(BTreeSet::new()),
        }
    }

    /// The raw value of `name`; empty counts as unset. Only variables of the table may be
    /// read (a debug assertion: an undeclared name is a bug in the caller).
    fn raw(&self, name: &str) -> Option<String> {
        debug_assert!(super::vars::find(name).is_some(), "{name} is not declared");
        if let Ok(mut asked) = self.asked.lock() {
            asked.insert(name.to_owned());
        }
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// A lookup for readers in other crates (the Filevine settings) that take one.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| self.raw(name)
    }

    /// The names asked for so far.
    pub fn asked(&self) -> BTreeSet<String> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    pub fn text(&self, var: &Var) -> Option<String> {
        debug_assert!(
            !var.is_secret(),
            "{} is a secret: use Env::secret",
            var.name
        );
        self.raw(var.name)
    }

    /// One variable of a per-kind family (`MIGRATIONAI_QUEUE_URL_<KIND>`).
    pub fn text_of_kind(&self, var: &Var, key: &str) -> Option<String> {
        let prefix = var.family_prefix().unwrap_or(var.name);
        self.raw(&format!("{prefix}{key}"))
    }

    pub fn secret(&self, var: &Var) -> Option<SecretString> {
        self.raw(var.name).map(SecretString::from)
    }

    /// The value parsed to `T`; `None` when unset.
    pub fn parse<T>(&self, var: &Var) -> Result<Option<T>, SettingsError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        let Some(raw) = self.raw(var.name) else {
            return Ok(None);
        };
        raw.trim()
            .parse()
            .map(Some)
            .map_err(|e: T::Err| invalid(var, &raw, e.to_string()))
    }

    /// A bool: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`; unset is false.
    pub fn flag(&self, var: &Var) -> Result<bool, SettingsError> {
        let Some(raw) = self.raw(var.name) else {
            return Ok(false);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(invalid(var, &raw, "expected true or false".into())),
        }
    }

    /// One of the words of a [`Type::OneOf`] variable, as written there.
    pub fn word(&self, var: &Var) -> Result<Option<&'static str>, SettingsError> {
        let Some(raw) = self.raw(var.name) else {
            return Ok(None);
        };
        let Type::OneOf(words) = var.ty else {
            return Err(invalid(var, &raw, "not a choice".into()));
        };
        words
            .iter()
            .find(|w| w.eq_ignore_ascii_case(raw.trim()))
            .copied()
            .map(Some)
            .ok_or_else(|| invalid(var, &raw, format!("expected {}", words.join(" or "))))
    }
}

/// The error for a value of `var` that does not parse; a secret's value is not quoted.
pub fn invalid(var: &Var, raw: &str, reason: String) -> SettingsError {
    SettingsError::Invalid {
        name: var.name.to_owned(),
        value: if var.is_secret() {
            "[redacted]".to_owned()
        } else {
            raw.to_owned()
        },
        expected: var.ty.describe(),
        reason,
    }
}
