//! `migrationai db setup`: once per deploy, before the roles move to a new image, the
//! migrating step connects with the master secret, creates or updates the owner role and the
//! runtime user (`migrationai_adapters::sql::roles`), and applies every migration as the
//! owner. The roles themselves connect as the runtime user and only check the schema
//! (`Profile::schema`). On AWS the step is the `db-setup` Lambda function, invoked by the
//! deploy (infra/README.md, "Database users").

use lambda_runtime::{service_fn, LambdaEvent};
use migrationai_adapters::sql::migrations;
use migrationai_adapters::sql::roles::{self, DatabaseRoles, SetupOutcome};

use secrecy::ExposeSecret;

use crate::error::OpenError;
use crate::profile::AwsConfig;

/// The owner role's name unless `MIGRATIONAI_DATABASE_OWNER` says otherwise.
pub const DEFAULT_OWNER: &str = "migrationai_owner";

/// Creates or updates both roles and migrates the database `aws`'s master secret names.
pub async fn setup_database(aws: &AwsConfig, owner: &str) -> Result<SetupOutcome, OpenError> {
    let runtime = aws.runtime_login().await?;
    let master = aws.resolve_secrets().await?;
    let master_url =
        master
            .database_url
            .ok_or_else(|| crate::settings::SettingsError::Missing {
                name: crate::settings::vars::DATABASE_URL_SECRET_ARN.name.into(),
                why: "db setup connects as the master user (or set MIGRATIONAI_DATABASE_URL)",
            })?;
    let roles = DatabaseRoles {
        owner: owner.to_owned(),
        runtime,
    };
    // The error may name a role or a statement, never the password (it is not logged or
    // quoted: PostgreSQL's errors about roles do not repeat the statement).
    roles::setup(
        master_url.expose_secret(),
        &roles,
        &[migrations::store(), migrations::services()],
    )
    .await
    .map_err(OpenError::DatabaseSetup)
}

/// The Lambda bootstrap of the `db-setup` function: each invocation runs the setup and
/// answers with what it did (an error fails the invocation, and so the deploy).
pub async fn run_setup_lambda(aws: AwsConfig, owner: String) -> Result<(), OpenError> {
    crate::lambda::check_runtime_env()?;
    let handler = service_fn(move |_: LambdaEvent<serde_json::Value>| {
        let aws = aws.clone();
        let owner = owner.clone();
        async move {
            let outcome = setup_database(&aws, &owner).await?;
            tracing::info!(created = ?outcome.created, transferred = ?outcome.transferred, applied = ?outcome.applied, "database set up");
            Ok::<serde_json::Value, lambda_runtime::Error>(serde_json::json!({
                "created": outcome.created,
                "transferred": outcome.transferred,
                "applied": outcome.applied,
            }))
        }
    });
    lambda_runtime::run(handler)
        .await
        .map_err(OpenError::LambdaRuntime)
}
