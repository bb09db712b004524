//! A whole migration of the small sample on the AWS profile (SQS and S3 on moto,
//! PostgreSQL) ends with the same report as on the embedded profile.

mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use migrationai_host::profile::Profile;
use migrationai_host::{open, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_profile_report_equals_embedded_report() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();

    let embedded_dir = tempfile::tempdir().expect("tempdir");
    let embedded = open::app(&Config::embedded(embedded_dir.path()))
        .await
        .expect("open the embedded profile")
        .migrate(
            &sample.export,
            Some(&sample.mapping),
            Some("sample".into()),
            &|_| {},
        )
        .await
        .expect("embedded migrate");

    let aws_dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws_common::aws_config(&env, "mig").await)),
        ..Config::embedded(aws_dir.path())
    };
    let on_aws = open::app(&config)
        .await
        .expect("open the aws profile")
        .migrate(
            &sample.export,
            Some(&sample.mapping),
            Some("sample".into()),
            &|_| {},
        )
        .await
        .expect("aws migrate");

    // The sample seeds problems on purpose: both runs must find exactly the same ones.
    assert_eq!(embedded.problems(), on_aws.problems());
    assert!(on_aws.kinds.values().map(|c| c.loaded).sum::<u64>() > 0);
    assert_eq!(common::comparable(&embedded), common::comparable(&on_aws));
}
