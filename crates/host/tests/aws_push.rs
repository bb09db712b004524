//! `push` on the aws profile, as an operator runs it on the backend host: the Filevine
//! credentials come from the Secrets Manager secret the Terraform names (moto), the workers
//! push the pages through SQS (moto) with the push ledger and the id map in the store's
//! PostgreSQL, and a second push, from a fresh target, creates nothing.

mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use migrationai_filevine::settings::env as fv;
use migrationai_filevine_emulator::{Config as EmuConfig, Emulator};
use migrationai_host::profile::Profile;
use migrationai_host::settings::{load, Env};
use migrationai_host::{open, Config, OpenError};
use migrationai_pipeline::delivery::{queued, PushOptions, TargetKind};

/// Where the variables say the credentials are.
fn source(vars: &Env) -> load::FilevineSource {
    load::filevine_source(vars)
        .expect("valid settings")
        .expect("credentials are given")
}

async fn create_secret(
    aws: &migrationai_host::profile::AwsConfig,
    name: &str,
    value: &str,
) -> String {
    let keys = aws.static_keys.clone();
    let sdk = migrationai_adapters::aws::sdk_config(
        aws.secrets_endpoint.as_deref(),
        aws.region.as_deref(),
        keys.as_ref(),
    )
    .await;
    aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create secret on moto")
        .arn()
        .expect("secret ARN")
        .to_owned()
}

fn options() -> PushOptions {
    PushOptions {
        target: TargetKind::Filevine,
        project_types: migrationai_filevine::ProjectTypeChoice {
            by_value: Default::default(),
            default: Some("General Litigation".into()),
        },
        concurrency: 8,
        ..PushOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_on_aws_reads_its_credentials_from_secrets_manager() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();
    let dir = tempfile::tempdir().expect("tempdir");
    let aws = aws_common::aws_config(&env, "push").await;
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(dir.path())
    };
    let app = open::app(&config).await.expect("open the aws profile");
    app.migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &|_| {},
    )
    .await
    .expect("aws migrate");

    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let c = emu.credentials().clone();
    let tag = aws_common::unique("fv");
    let secret = serde_json::json!({
        "pat": c.pat, "client_id": c.client_id, "client_secret": c.client_secret,
        "org_id": c.org_id, "user_id": c.user_id.to_string(),
    });
    let arn = create_secret(&aws, &format!("filevine-{tag}"), &secret.to_string()).await;
    // What the Terraform gives the backend host: the secret's ARN and the service URLs.
    let vars = Env::from_pairs([
        ("MIGRATIONAI_FILEVINE_SECRET_ARN", arn.clone()),
        (fv::GATEWAY_URL, emu.gateway_url()),
        (fv::IDENTITY_URL, emu.identity_url()),
    ]);
    let settings = open::filevine(&config, &source(&vars))
        .await
        .expect("credentials from the secret");
    assert_eq!((settings.org_id, settings.user_id), (c.org_id, c.user_id));
    let shown = format!("{settings:?}");
    assert!(
        !shown.contains(&c.pat) && !shown.contains(&c.client_secret),
        "{shown}"
    );

    // The workers get the credentials the way every worker does.
    let mut app = app;
    app.services = open::delivering(&config, app.services.clone(), Some(&source(&vars)));
    let first = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("push through the queues");
    let section = first.report.filevine.as_ref().expect("a Filevine section");
    let created: u64 = section.pushed.values().map(|c| c.created).sum();
    assert!(created > 0, "{section:?}");
    for kind in &section.read_back.kinds {
        assert_eq!((kind.missing, kind.extra), (0, 0), "{kind:?}");
    }
    let held = emu.snapshot();

    // Again, from a fresh target (its own id map connection): everything is known,
    // nothing is created twice.
    app.services = open::delivering(&config, app.services.clone(), Some(&source(&vars)));
    let second = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("second push");
    let again = second.report.filevine.as_ref().expect("section");
    assert_eq!(
        again.pushed.values().map(|c| c.created).sum::<u64>(),
        0,
        "a second push created records: {:?}",
        again.pushed
    );
    assert_eq!(emu.snapshot().contacts, held.contacts);
    assert_eq!(emu.snapshot().projects, held.projects);

    // A secret that is not JSON: the error names the ARN and never quotes the value.
    let bad = create_secret(&aws, &format!("filevine-bad-{tag}"), "pat=hunter2").await;
    let err = open::filevine(
        &config,
        &source(&Env::from_pairs([(
            "MIGRATIONAI_FILEVINE_SECRET_ARN",
            bad.clone(),
        )])),
    )
    .await
    .expect_err("not JSON");
    let text = format!("{err:#}");
    assert!(text.contains(&bad) && !text.contains("hunter2"), "{text}");
    // A secret missing a credential names the variable it stands for.
    let partial = create_secret(
        &aws,
        &format!("filevine-partial-{tag}"),
        r#"{"pat": "p", "client_id": "c"}"#,
    )
    .await;
    let err = open::filevine(
        &config,
        &source(&Env::from_pairs([(
            "MIGRATIONAI_FILEVINE_SECRET_ARN",
            partial,
        )])),
    )
    .await
    .expect_err("no client secret");
    assert!(err.to_string().contains(fv::CLIENT_SECRET), "{err}");

    // On the embedded profile there is no Secrets Manager to read it through.
    let embedded = Config::embedded(dir.path());
    let err = open::filevine(
        &embedded,
        &source(&Env::from_pairs([("MIGRATIONAI_FILEVINE_SECRET_ARN", arn)])),
    )
    .await
    .expect_err("embedded");
    assert!(
        matches!(err, OpenError::SecretNeedsAws { variable } if variable == "MIGRATIONAI_FILEVINE_SECRET_ARN"),
        "{err}"
    );
}

async fn delete_secret(aws: &migrationai_host::profile::AwsConfig, name: &str) {
    let keys = aws.static_keys.clone();
    let sdk = migrationai_adapters::aws::sdk_config(
        aws.secrets_endpoint.as_deref(),
        aws.region.as_deref(),
        keys.as_ref(),
    )
    .await;
    aws_sdk_secretsmanager::Client::new(&sdk)
        .delete_secret()
        .secret_id(name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("delete secret on moto");
}

/// Workers read the Filevine secret at their first push page, not when they start: given a
/// secret that does not exist yet, a worker opens and migrates a job (it never pushes), so
/// it never read it; once the secret exists the push reads it, and with the secret deleted
/// after that a second push still runs, so it was read once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_reads_the_filevine_secret_at_its_first_push_page_and_only_once() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();
    let dir = tempfile::tempdir().expect("tempdir");
    let aws = aws_common::aws_config(&env, "lazy").await;
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(dir.path())
    };
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let name = format!("filevine-lazy-{}", aws_common::unique("fv"));
    let vars = Env::from_pairs([
        ("MIGRATIONAI_FILEVINE_SECRET_ARN", name.clone()),
        (fv::GATEWAY_URL, emu.gateway_url()),
        (fv::IDENTITY_URL, emu.identity_url()),
    ]);
    // The secret is not there: opening the workers' services must not need it.
    let mut app = open::app(&config).await.expect("open the aws profile");
    app.services = open::delivering(&config, app.services.clone(), Some(&source(&vars)));
    app.migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &|_| {},
    )
    .await
    .expect("a migration, with a Filevine secret that does not exist");

    let c = emu.credentials().clone();
    let secret = serde_json::json!({
        "pat": c.pat, "client_id": c.client_id, "client_secret": c.client_secret,
        "org_id": c.org_id, "user_id": c.user_id.to_string(),
    });
    create_secret(&aws, &name, &secret.to_string()).await;
    let first = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("a push reads the secret");
    assert!(first.stats.token_exchanges > 0);
    let held = emu.snapshot();
    assert!(held.contacts > 0);

    delete_secret(&aws, &name).await;
    let second = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("a second push, the secret read once already");
    let again = second.report.filevine.as_ref().expect("a Filevine section");
    assert_eq!(
        again.pushed.values().map(|c| c.created).sum::<u64>(),
        0,
        "a second push created records: {:?}",
        again.pushed
    );
    assert_eq!(emu.snapshot().contacts, held.contacts);
}
