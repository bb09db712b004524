//! `migrationai bench sqs`: the SQS adapter's throughput against bare SDK calls.
use crate::output::say;

use std::process::ExitCode;

use migrationai_adapters::aws::SqsSettings;
use migrationai_bench::bench_sqs;

pub fn sqs(endpoint: Option<String>, messages: usize) -> anyhow::Result<ExitCode> {
    let keys = match (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        // A moto endpoint takes any keys; real SQS uses the credential chain.
        (Err(_), Err(_)) if endpoint.is_some() => Some(("testing".into(), "testing".into())),
        _ => None,
    };
    let settings = SqsSettings {
        region: std::env::var("AWS_REGION")
            .ok()
            .or_else(|| Some("us-east-1".into())),
        endpoint,
        static_keys: keys,
        ..SqsSettings::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(bench_sqs(&settings, messages))?;
    say!(
        "sqs: {} messages sent in batches of 10, received and deleted in batches of 10",
        figures.messages
    );
    say!(
        "sqs: bare SDK calls   {:.0} messages/s",
        figures.sdk_per_sec
    );
    say!(
        "sqs: through adapter  {:.0} messages/s",
        figures.adapter_per_sec
    );
    say!("sqs: adapter overhead {:+.1}%", figures.overhead_percent());
    Ok(ExitCode::SUCCESS)
}
