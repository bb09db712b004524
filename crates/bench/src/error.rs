//! Why a benchmark could not run to its figures (the workload's own failures, or the bench's
//! set-up: copying a store, starting the emulator), with their sources kept.

use std::path::PathBuf;

use migrationai_host::OpenError;
use migrationai_pipeline::ProcessingError;
use migrationai_ports::blob::BlobError;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Pipeline(#[from] ProcessingError),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error("copying {} to {}", from.display(), to.display())]
    Copy {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("starting the Filevine emulator")]
    Emulator(#[source] std::io::Error),
    #[error("the emulator's connection settings")]
    FilevineSettings(#[source] migrationai_filevine::settings::SettingsError),
    #[error("the push stored no Filevine section")]
    NoFilevineSection,
    #[error("the parallel reads gave other hashes, or another order, than one at a time")]
    HashesDiffer,
}
