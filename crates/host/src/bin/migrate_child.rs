//! A small driver for the crash-safety test: migrates an export into a data directory and
//! prints the store's fingerprint. The test kills it with SIGKILL at random points.
//! Usage: migrate_child EXPORT MAPPING DATA_DIR JOB

use std::path::PathBuf;

use migrationai_host::{open, Config};
use migrationai_pipeline::fingerprint::fingerprint;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, export, mapping, data_dir, job] = args.as_slice() else {
        return Err("usage: migrate_child EXPORT MAPPING DATA_DIR JOB".into());
    };
    let app = open::app(&Config::embedded(data_dir)).await?;
    let report = app
        .migrate(
            &PathBuf::from(export),
            Some(&PathBuf::from(mapping)),
            Some(job.clone()),
            &|_| {},
        )
        .await?;
    let row = app.find_job(job).await?;
    let print = fingerprint(app.services.store.as_ref(), &row.tenant, &row.id).await?;
    println!("{print} {}", serde_json::to_string(&report)?);
    Ok(())
}
