//! Options shared by the commands that work on the embedded system.

use migrationai_processing::config::Config;
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
    pub fn config(&self) -> Config {
        Config {
            data_dir: self.data_dir.clone(),
            env: self.env.clone(),
            ..Config::default()
        }
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
