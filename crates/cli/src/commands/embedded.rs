//! Options shared by the commands that work on the embedded system.

use migrationai_host::settings::{load, Env};
use migrationai_host::{Config, PoolRole};
use std::path::PathBuf;

#[derive(clap::Args, Clone)]
pub struct Embedded {
    /// Where the store, the queues and the blobs live (default: MIGRATIONAI_DATA_DIR, else
    /// .migrationai).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Environment prefix of queue names: <env>-migrationai-<kind> (default: MIGRATIONAI_ENV,
    /// else prod).
    #[arg(long)]
    pub env: Option<String>,
}

impl Embedded {
    /// The configuration (`MIGRATIONAI_PROFILE`: embedded, or aws with the variables Terraform
    /// gives the hosts), with this command's options over it: an operator command on `aws`
    /// must see the queues and the store the roles use, never a new local store.
    pub fn config(&self, env: &Env) -> anyhow::Result<Config> {
        self.config_for(env, PoolRole::Local)
    }

    /// The same, with the pool size of `role`.
    pub fn config_for(&self, env: &Env, role: PoolRole) -> anyhow::Result<Config> {
        let mut config = load::config(env, role)?;
        if let Some(dir) = &self.data_dir {
            config.pipeline.data_dir = dir.clone();
        }
        if let Some(name) = &self.env {
            config.pipeline.env = name.clone();
        }
        Ok(config)
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
