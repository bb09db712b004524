//! Workers on SQS (moto) and PostgreSQL under the queues' own settings: the heartbeat keeps
//! each queue's visibility timeout, failed messages back off, and a message that can never
//! be processed goes to its dead-letter queue at once.

mod aws_common;

use std::time::Duration;

use migrationai_domain::Kind;
use migrationai_processing::profile::Profile;
use migrationai_processing::roles::processor_for;
use migrationai_processing::{App, Config};

/// An app on the AWS profile whose queues were made with `visibility`, as the Terraform
/// makes them.
async fn app_with_queues(
    env: &aws_common::AwsEnv,
    tag: &str,
    dir: &std::path::Path,
    visibility: Duration,
) -> (Config, App) {
    let aws = aws_common::aws_config(env, tag).await;
    let config = Config {
        data_dir: dir.to_path_buf(),
        profile: Profile::Aws(Box::new(aws)),
        visibility_timeout: visibility,
        ..Config::default()
    };
    let app = App::open(&config).await.expect("open the AWS profile");
    (config, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_keeps_the_queues_own_visibility() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let terraform = Duration::from_secs(1805);
    let (made, app) = app_with_queues(&env, "vis", dir.path(), terraform).await;
    // A role started without MIGRATIONAI_VISIBILITY_TIMEOUT, as the Terraform starts them.
    let role = Config {
        visibility_timeout: Config::default().visibility_timeout,
        ..made
    };
    assert_ne!(role.visibility_timeout, terraform);
    for kind in [Kind::Contacts, Kind::Jobs] {
        let processor = processor_for(kind, &app.services, &role)
            .await
            .expect("processor");
        assert_eq!(processor.visibility(), terraform, "{kind:?}");
    }
}
