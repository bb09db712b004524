//! The queue port on Amazon SQS (standard queues), through aws-sdk-sqs.
//!
//! Queues are addressed by name, as in the port. A name resolves to its URL from the URLs
//! given at construction (the `MIGRATIONAI_QUEUE_URL_<KIND>` variables Lambda and the EC2
//! hosts receive) or else through `GetQueueUrl`, once per process. An optional name prefix
//! lets several runs share one account or one moto server.

mod convert;
mod errors;
mod ops;
mod redrive;
mod tracker;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;
use migrationai_ports::queue::{QueueError, QueueErrorCode};

pub use errors::code_for;

/// How to reach SQS.
#[derive(Debug, Clone, Default)]
pub struct SqsSettings {
    /// Endpoint override (moto, LocalStack); `None` uses the regional AWS endpoint.
    pub endpoint: Option<String>,
    /// Region; `None` takes it from the environment (`AWS_REGION`).
    pub region: Option<String>,
    /// Prepended to every queue name before it reaches SQS.
    pub name_prefix: String,
    /// Known queue URLs by (unprefixed) queue name.
    pub urls: HashMap<String, String>,
    /// Fixed access keys, for endpoints such as moto; `None` uses the environment's
    /// credential chain (keys, web identity, container or instance role).
    pub static_keys: Option<super::StaticKeys>,
}

/// Queue adapter over SQS.
pub struct SqsQueue {
    client: Client,
    prefix: String,
    urls: RwLock<HashMap<String, String>>,
    arns: RwLock<HashMap<String, String>>,
    tracker: Mutex<tracker::Tracker>,
    /// Set once the endpoint has refused `StartMessageMoveTask` (moto does).
    move_task_unsupported: AtomicBool,
}

impl std::fmt::Debug for SqsQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsQueue")
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// SDK configuration from the environment (credentials chain, region), with the endpoint
/// and region overrides applied.
pub async fn sdk_config(
    endpoint: Option<&str>,
    region: Option<&str>,
    static_keys: Option<&super::StaticKeys>,
) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some((id, secret)) = static_keys {
        loader = loader.credentials_provider(aws_sdk_sqs::config::Credentials::new(
            id.clone(),
            secrecy::ExposeSecret::expose_secret(secret).to_owned(),
            None,
            None,
            "migrationai-static",
        ));
    }
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    loader.load().await
}

impl SqsQueue {
    /// An adapter over an existing client.
    pub fn new(client: Client, settings: &SqsSettings) -> Self {
        SqsQueue {
            client,
            prefix: settings.name_prefix.clone(),
            urls: RwLock::new(settings.urls.clone()),
            arns: RwLock::default(),
            tracker: Mutex::default(),
            move_task_unsupported: AtomicBool::new(false),
        }
    }

    /// An adapter with a client built from the environment and `settings`.
    pub async fn connect(settings: &SqsSettings) -> Self {
        let config = sdk_config(
            settings.endpoint.as_deref(),
            settings.region.as_deref(),
            settings.static_keys.as_ref(),
        )
        .await;
        Self::new(Client::new(&config), settings)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn sqs_name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn cached_url(&self, name: &str) -> Option<String> {
        self.urls.read().ok().and_then(|u| u.get(name).cloned())
    }

    /// The URL of a queue, from the given URLs or `GetQueueUrl`.
    pub async fn url(&self, name: &str) -> Result<String, QueueError> {
        if let Some(url) = self.cached_url(name) {
            return Ok(url);
        }
        let out = self
            .client
            .get_queue_url()
            .queue_name(self.sqs_name(name))
            .send()
            .await
            .map_err(errors::map_sdk)?;
        let url = out
            .queue_url()
            .ok_or_else(|| QueueError::queue_does_not_exist(name))?
            .to_owned();
        self.remember_url(name, &url);
        Ok(url)
    }

    fn remember_url(&self, name: &str, url: &str) {
        if let Ok(mut urls) = self.urls.write() {
            urls.insert(name.to_owned(), url.to_owned());
        }
    }

    /// The ARN of a queue (for redrive policies and move tasks).
    async fn arn(&self, name: &str) -> Result<String, QueueError> {
        if let Some(arn) = self.arns.read().ok().and_then(|a| a.get(name).cloned()) {
            return Ok(arn);
        }
        let url = self.url(name).await?;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(errors::map_sdk)?;
        let arn = out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .ok_or_else(|| QueueError::backend(format!("SQS gave no ARN for {name}")))?;
        if let Ok(mut arns) = self.arns.write() {
            arns.insert(name.to_owned(), arn.clone());
        }
        Ok(arn)
    }

    fn track<T>(&self, f: impl FnOnce(&mut tracker::Tracker) -> T) -> Option<T> {
        self.tracker.lock().ok().map(|mut t| f(&mut t))
    }

    fn is_stale(&self, receipt: &str) -> bool {
        self.track(|t| t.is_stale(receipt)).unwrap_or(false)
    }
}

/// SQS takes whole seconds; a fractional wait is rounded up so a short wait still waits.
fn whole_seconds(d: Duration) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    i32::try_from(secs).unwrap_or(i32::MAX)
}

fn queue_missing(err: &QueueError) -> bool {
    err.code == QueueErrorCode::QueueDoesNotExist
}
