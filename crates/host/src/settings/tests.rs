use super::vars::{self, ALL};
use super::{load, Env, SettingsError};
use crate::config::PoolRole;
use crate::profile::Profile;

#[test]
fn every_name_is_declared_once() {
    let mut names: Vec<&str> = ALL.iter().map(|v| v.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "a variable is declared twice");
    for var in ALL {
        assert!(var.name.starts_with("MIGRATIONAI_"), "{}", var.name);
        assert!(!var.about.is_empty(), "{} has no description", var.name);
    }
}

#[test]
fn defaults_without_variables() {
    let env = Env::from_pairs::<&str, &str>([]);
    let config = load::config(&env, PoolRole::Poller).expect("config");
    assert!(matches!(config.profile, Profile::Embedded));
    assert_eq!(config.pipeline.env, "prod");
    assert_eq!(config.db_pool, PoolRole::Poller.default_pool());
    assert!(config.store_url.is_none());
    let http = load::http(&env).expect("http");
    assert_eq!(
        (
            http.upload_limit_mib,
            http.sign_in_per_minute,
            http.sign_in_failures
        ),
        (512, 20, 5)
    );
    assert!(http.admin.is_none() && !http.insecure_cookies && http.listen.is_none());
}

#[test]
fn values_parse_to_their_types() {
    let env = Env::from_pairs([
        ("MIGRATIONAI_ENV", "staging"),
        ("MIGRATIONAI_DATA_DIR", "/srv/m"),
        ("MIGRATIONAI_VISIBILITY_TIMEOUT", "90"),
        ("MIGRATIONAI_RETRY_DELAY", "3"),
        ("MIGRATIONAI_DB_MAX_CONNECTIONS", "7"),
        ("MIGRATIONAI_LISTEN", "0.0.0.0:9000"),
        ("MIGRATIONAI_INSECURE_COOKIES", "yes"),
        ("MIGRATIONAI_UPLOAD_LIMIT_MIB", "64"),
    ]);
    let config = load::config(&env, PoolRole::Http).expect("config");
    assert_eq!(config.pipeline.env, "staging");
    assert_eq!(config.pipeline.data_dir, std::path::PathBuf::from("/srv/m"));
    assert_eq!(config.pipeline.visibility_timeout.as_secs(), 90);
    assert_eq!(config.pipeline.retry_delay.as_secs(), 3);
    assert_eq!(config.db_pool, crate::config::PoolSize::of(7));
    let http = load::http(&env).expect("http");
    assert_eq!(http.listen, Some("0.0.0.0:9000".parse().expect("addr")));
    assert!(http.insecure_cookies);
    assert_eq!(http.upload_limit_mib, 64);
}

#[test]
fn a_bad_value_names_the_variable_and_the_value() {
    let env = Env::from_pairs([("MIGRATIONAI_VISIBILITY_TIMEOUT", "soon")]);
    let err = load::config(&env, PoolRole::Local).expect_err("not seconds");
    let text = err.to_string();
    assert!(
        text.contains("MIGRATIONAI_VISIBILITY_TIMEOUT") && text.contains("\"soon\""),
        "{text}"
    );

    let env = Env::from_pairs([("MIGRATIONAI_PROFILE", "azure")]);
    let text = load::config(&env, PoolRole::Local)
        .expect_err("no such profile")
        .to_string();
    assert!(
        text.contains("MIGRATIONAI_PROFILE") && text.contains("embedded or aws"),
        "{text}"
    );

    let env = Env::from_pairs([("MIGRATIONAI_LOG_JSON", "maybe")]);
    assert!(matches!(
        load::logging(&env),
        Err(SettingsError::Invalid { name, .. }) if name == vars::LOG_JSON.name
    ));
}

#[test]
fn a_bad_secret_is_named_but_never_quoted() {
    let err = super::env::invalid(&vars::DATABASE_PASSWORD, "hunter2", "nope".into());
    let text = err.to_string();
    assert!(text.contains("MIGRATIONAI_DATABASE_PASSWORD"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn per_kind_variables_match_their_family() {
    assert!(vars::QUEUE_URL.matches("MIGRATIONAI_QUEUE_URL_BILLING_ITEMS"));
    assert!(!vars::QUEUE_URL.matches("MIGRATIONAI_QUEUE_URL_"));
    assert_eq!(
        vars::find("MIGRATIONAI_DLQ_URL_JOBS").map(|v| v.name),
        Some(vars::DLQ_URL.name)
    );
    assert!(vars::find("MIGRATIONAI_STORE_URL").is_none());
}
