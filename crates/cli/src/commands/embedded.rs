//! Options shared by the commands that work on the embedded system.

use migrationai_processing::config::{Config, PoolRole};
use migrationai_processing::profile::config_from_env;
use std::path::PathBuf;

#[derive(clap::Args, Clone)]
pub struct Embedded {
    /// Where the store, the queues and the blobs live.
    #[arg(long, env = "MIGRATIONAI_DATA_DIR", default_value = ".migrationai")]
    pub data_dir: PathBuf,
    /// Environment prefix of queue names: <env>-migrationai-<kind>.
    #[arg(long, env = "MIGRATIONAI_ENV", default_value = "prod")]
    pub env: String,
}

impl Embedded {
    /// The profile (`MIGRATIONAI_PROFILE`: embedded, or aws with the variables Terraform
    /// gives the hosts), with this command's options over it: an operator command on `aws`
    /// must see the queues and the store the roles use, never a new local store.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = config_from_env(PoolRole::Local)?;
        config.data_dir = self.data_dir.clone();
        config.env = self.env.clone();
        Ok(config)
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
