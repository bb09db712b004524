//! A whole migration of the small sample on the AWS profile (SQS and S3 on moto,
//! PostgreSQL) ends with the same report as on the embedded profile.

mod aws_common;
mod common;

use migrationai_pipeline::profile::Profile;
use migrationai_pipeline::{migrate, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_profile_report_equals_embedded_report() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();

    let embedded_dir = tempfile::tempdir().expect("tempdir");
    let embedded = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &common::config(embedded_dir.path()),
        &|_| {},
    )
    .await
    .expect("embedded migrate");

    let aws_dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: aws_dir.path().to_path_buf(),
        profile: Profile::Aws(Box::new(aws_common::aws_config(&env, "mig").await)),
        ..Config::default()
    };
    let on_aws = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("aws migrate");

    // The sample seeds problems on purpose: both runs must find exactly the same ones.
    assert_eq!(embedded.problems(), on_aws.problems());
    assert!(on_aws.kinds.values().map(|c| c.loaded).sum::<u64>() > 0);
    assert_eq!(common::comparable(&embedded), common::comparable(&on_aws));
}
