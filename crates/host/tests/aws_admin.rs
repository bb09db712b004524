//! The first operator on aws, end to end: `admin-api` on the aws profile (moto, Redis,
//! PostgreSQL), told an email and the ARN of a generated password as the Terraform tells it,
//! creates the operator as it starts, and that operator can sign in.

mod aws_common;

use migrationai_host::profile::Profile;
use migrationai_host::settings::{load, Env};
use migrationai_host::{addresses, start, Config, Role, Roles, Settings};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_creates_the_operator_whose_password_is_in_a_secret() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let aws = aws_common::aws_config(&env, "admin").await;
    let sdk = migrationai_adapters::aws::sdk_config(
        aws.secrets_endpoint.as_deref(),
        aws.region.as_deref(),
        aws.static_keys.as_ref(),
    )
    .await;
    let arn = aws_sdk_secretsmanager::Client::new(&sdk)
        .create_secret()
        .name(format!("admin-{}", aws_common::unique("pw")))
        .secret_string("Gener4tedPassw0rd")
        .send()
        .await
        .expect("create secret on moto")
        .arn()
        .expect("ARN")
        .to_owned();
    let http = load::http(&Env::from_pairs([
        ("MIGRATIONAI_ADMIN_EMAIL", "ops@firm.example"),
        ("MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN", arn.as_str()),
    ]))
    .expect("http settings");

    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws)),
        ..Config::embedded(dir.path())
    };
    let roles = Roles::one(Role::AdminApi);
    let mut settings = Settings::new(
        Some(config),
        migrationai_api::Settings {
            secure_cookies: false,
            ..migrationai_api::Settings::default()
        },
    );
    settings.admin_secret = http.admin_secret.clone();
    settings.listen = addresses(&roles, [127, 0, 0, 1].into(), Some(0));
    let running = start(settings, &roles, CancellationToken::new())
        .await
        .expect("admin-api starts");
    let addr = running.addrs[&Role::AdminApi];

    let client = reqwest::Client::new();
    let sign_in = |password: &'static str| {
        client
            .post(format!("http://{addr}/admin/v1/auth/sessions"))
            .header("content-type", "application/json")
            .body(
                serde_json::json!({"email": "ops@firm.example", "password": password}).to_string(),
            )
            .send()
    };
    let ok = sign_in("Gener4tedPassw0rd").await.expect("request");
    assert_eq!(ok.status(), 201, "{:?}", ok.text().await);
    let wrong = sign_in("guess").await.expect("request");
    assert_eq!(wrong.status(), 401);
    running.stop().await.expect("stops");
}
