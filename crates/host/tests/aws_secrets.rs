//! The AWS profile reads the Redis password and the database credentials from Secrets
//! Manager (moto) when the Terraform names them by ARN instead of giving them plainly.

use migrationai_host::profile::{AwsConfig, SecretRefs};
use secrecy::ExposeSecret;

/// The moto URL, or `None` (skip) outside CI; under CI a missing variable fails.
fn moto() -> Option<String> {
    const VAR: &str = "MIGRATIONAI_TEST_SQS_ENDPOINT";
    match std::env::var(VAR) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{VAR} is not set: run the tests through scripts/test.sh (scripts/services.sh starts moto)"
        ),
        _ => {
            eprintln!("SKIPPED: {VAR} is not set (start the services with scripts/services.sh)");
            None
        }
    }
}

async fn create_secret(client: &aws_sdk_secretsmanager::Client, name: &str, value: &str) -> String {
    let output = client
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create secret on moto");
    output.arn().expect("secret ARN").to_owned()
}

/// Secrets Manager on moto, moto's keys, and a tag that keeps this test's secrets apart.
async fn secrets_on(
    moto: &str,
) -> (
    aws_sdk_secretsmanager::Client,
    migrationai_adapters::aws::StaticKeys,
    String,
) {
    let keys: migrationai_adapters::aws::StaticKeys = ("testing".to_owned(), "testing".into());
    let sdk =
        migrationai_adapters::aws::sdk_config(Some(moto), Some("us-east-1"), Some(&keys)).await;
    let tag = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    (aws_sdk_secretsmanager::Client::new(&sdk), keys, tag)
}

#[tokio::test]
async fn aws_profile_reads_secrets_by_arn() {
    let Some(moto) = moto() else {
        return;
    };
    let (client, keys, tag) = secrets_on(&moto).await;
    let redis_arn = create_secret(&client, &format!("redis-{tag}"), "r3dis:pass/word").await;
    let database_arn = create_secret(
        &client,
        &format!("rds-{tag}"),
        r#"{"username": "app_user", "password": "p@ss w/rd"}"#,
    )
    .await;

    // The environment the Terraform gives a workload: ARNs, no plain secrets.
    // Each test runs in its own process under nextest; this one is alone in its binary.
    for (name, value) in [
        ("MIGRATIONAI_BUCKET", "bucket"),
        ("MIGRATIONAI_AWS_ENDPOINT", moto.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("MIGRATIONAI_REDIS_URL", "redis://127.0.0.1:6379"),
        ("MIGRATIONAI_REDIS_USER", "migrationai-app"),
        ("MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN", redis_arn.as_str()),
        ("MIGRATIONAI_DATABASE_URL_SECRET_ARN", database_arn.as_str()),
        ("MIGRATIONAI_DATABASE_HOST", "db.example.internal"),
        ("MIGRATIONAI_DATABASE_PORT", "5433"),
        ("MIGRATIONAI_DATABASE_NAME", "migrationai_prod"),
    ] {
        std::env::set_var(name, value);
    }
    for name in [
        "MIGRATIONAI_REDIS_PASSWORD",
        "MIGRATIONAI_DATABASE_URL",
        "MIGRATIONAI_DATABASE_USER",
        "MIGRATIONAI_DATABASE_PASSWORD",
        "MIGRATIONAI_SECRETS_ENDPOINT",
    ] {
        std::env::remove_var(name);
    }

    let config =
        migrationai_host::settings::load::aws(&migrationai_host::settings::Env::process(), "test")
            .expect("config from the environment");
    assert!(config.has_unresolved_secrets());
    assert!(config.database_url.is_none());
    let resolved = config.resolve_secrets().await.expect("resolve secrets");
    let redis = resolved.redis.as_ref().expect("redis settings");
    assert_eq!(
        redis.password.as_ref().map(|p| p.expose_secret()),
        Some("r3dis:pass/word")
    );
    assert_eq!(redis.user.as_deref(), Some("migrationai-app"));
    assert_eq!(
        resolved.database_url.as_ref().map(|u| u.expose_secret()),
        Some("postgres://app_user:p%40ss%20w%2Frd@db.example.internal:5433/migrationai_prod?sslmode=verify-full&sslrootcert=%2Fusr%2Flocal%2Fshare%2Fmigrationai%2Frds-global-bundle.pem")
    );
    assert!(!resolved.has_unresolved_secrets());

    // Read once per process: every opening (store, services' tables, cache, id map) resolves
    // from a clone of the one config, and none of them asks Secrets Manager again. With the
    // secrets gone from moto, a clone still resolves them.
    for arn in [&redis_arn, &database_arn] {
        client
            .delete_secret()
            .secret_id(arn.as_str())
            .force_delete_without_recovery(true)
            .send()
            .await
            .expect("delete the secret on moto");
    }
    let again = config.clone().resolve_secrets().await.expect("read once");
    assert_eq!(
        again.database_url.as_ref().map(|u| u.expose_secret()),
        resolved.database_url.as_ref().map(|u| u.expose_secret())
    );
    // A config loaded afresh (another process) reads Secrets Manager, and finds them gone.
    let fresh =
        migrationai_host::settings::load::aws(&migrationai_host::settings::Env::process(), "test")
            .expect("config from the environment");
    let gone = fresh.resolve_secrets().await.unwrap_err().to_string();
    assert!(
        gone.contains(&redis_arn) || gone.contains(&database_arn),
        "{gone}"
    );

    // Nothing secret in the debug output.
    let shown = format!("{resolved:?}");
    for secret in ["r3dis", "p@ss", "p%40ss", "app_user"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }

    // A plain variable wins over its secret: nothing is read.
    let plain = AwsConfig {
        database_url: Some("postgres://x:y@h/d?sslmode=require".into()),
        secrets: SecretRefs {
            database_arn: Some("arn:aws:secretsmanager:us-east-1:0:secret:absent".into()),
            ..SecretRefs::default()
        },
        ..AwsConfig::default()
    };
    assert!(!plain.has_unresolved_secrets());
    let same = plain.resolve_secrets().await.expect("no lookup");
    assert_eq!(
        same.database_url.as_ref().map(|u| u.expose_secret()),
        Some("postgres://x:y@h/d?sslmode=require")
    );

    // A secret that does not exist is an error naming the ARN.
    let missing = AwsConfig {
        secrets_endpoint: Some(moto.clone()),
        region: Some("us-east-1".into()),
        static_keys: Some(keys),
        secrets: SecretRefs {
            database_arn: Some(format!("{database_arn}-gone")),
            database_host: Some("h".into()),
            ..SecretRefs::default()
        },
        ..AwsConfig::default()
    };
    let err = missing.resolve_secrets().await.unwrap_err().to_string();
    assert!(err.contains("-gone"), "{err}");
}

/// The first operator on aws: the Terraform gives `admin-api` an email and the ARN of the
/// password it generated; the role reads the password from Secrets Manager as it starts.
#[tokio::test]
async fn the_first_operator_reads_its_password_from_its_secret() {
    use migrationai_host::settings::{load, Env};
    use migrationai_host::{open, Config, OpenError};
    let Some(moto) = moto() else {
        return;
    };
    let (client, keys, tag) = secrets_on(&moto).await;
    let arn = create_secret(&client, &format!("admin-{tag}"), "Gener4ted-Passw0rd\n").await;

    let env = Env::from_pairs([
        ("MIGRATIONAI_ADMIN_EMAIL", "ops@firm.example"),
        ("MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN", arn.as_str()),
    ]);
    let http = load::http(&env).expect("http settings");
    assert!(http.admin.is_none());
    let secret = http.admin_secret.expect("the operator's secret");
    assert_eq!(secret.email, "ops@firm.example");

    let dir = tempfile::tempdir().expect("tempdir");
    let aws = AwsConfig {
        secrets_endpoint: Some(moto.clone()),
        region: Some("us-east-1".into()),
        static_keys: Some(keys),
        ..AwsConfig::default()
    };
    let config = Config {
        profile: migrationai_host::profile::Profile::Aws(Box::new(aws)),
        ..Config::embedded(dir.path())
    };
    let admin = open::admin(&config, &secret).await.expect("the operator");
    assert_eq!(admin.email, "ops@firm.example");
    assert_eq!(admin.password.expose_secret(), "Gener4ted-Passw0rd");

    // A plain password wins and nothing is read.
    let plain = load::http(&Env::from_pairs([
        ("MIGRATIONAI_ADMIN_EMAIL", "ops@firm.example"),
        ("MIGRATIONAI_ADMIN_PASSWORD", "plain"),
        ("MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN", arn.as_str()),
    ]))
    .expect("http settings");
    assert!(plain.admin.is_some() && plain.admin_secret.is_none());

    // Without the aws profile there is no Secrets Manager to read it from.
    let err = open::admin(&Config::embedded(dir.path()), &secret)
        .await
        .expect_err("embedded");
    assert!(
        matches!(err, OpenError::SecretNeedsAws { variable } if variable == "MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN"),
        "{err}"
    );
}
