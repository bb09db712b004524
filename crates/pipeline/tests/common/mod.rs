//! Shared test setup: the small sample, its ground truth and the correct mapping for it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use migrationai_domain::catalogue::kind_def;
use migrationai_domain::value::DateOrder;
use migrationai_ingest::mapping::{FileMapping, Mapping};
use migrationai_ingest::tables::list_tables;
use migrationai_ingest::{Export, Limits};
use migrationai_pipeline::{Adapters, App, Config, ProcessingError};
use migrationai_sample::{generate, GroundTruth, SampleOptions, Size};

pub struct Sample {
    pub dir: tempfile::TempDir,
    pub export: PathBuf,
    pub mapping: PathBuf,
    pub truth: GroundTruth,
}

/// Generates the small sample and writes the mapping its ground truth says is correct, so
/// these tests measure the pipeline, not the mapping suggestion.
pub fn small_sample() -> Sample {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(&SampleOptions {
        size: Size::Small,
        seed: 7,
        out: dir.path().join("sample"),
        zip: false,
    })
    .expect("sample");
    let truth: GroundTruth =
        serde_json::from_slice(&std::fs::read(&summary.ground_truth).expect("truth"))
            .expect("truth json");
    let mapping = dir.path().join("mapping.toml");
    write_true_mapping(&summary.export, &truth, &mapping);
    Sample {
        export: summary.export,
        mapping,
        truth,
        dir,
    }
}

/// Writes to `out` the mapping of `export` that its ground truth says is correct.
pub fn write_true_mapping(export: &Path, truth: &GroundTruth, out: &Path) {
    let export = Export::open(export, &Limits::default()).expect("export");
    let (tables, _) = list_tables(&export);
    let mut mapping = Mapping {
        currency: truth.currency.clone(),
        ..Mapping::default()
    };
    for (path, file) in &truth.files {
        let def = kind_def(file.kind);
        let table = tables
            .iter()
            .find(|t| t.name == *path || t.name.starts_with(&format!("{path}#")))
            .unwrap_or_else(|| panic!("{path} not in export"));
        mapping.files.push(FileMapping {
            table: table.name.clone(),
            kind: Some(file.kind),
            left_out: false,
            date_order: file.date_order.as_deref().map(|_| DateOrder::Mdy),
            two_digit_years: None,
            minor_units: Vec::new(),
            serial_dates: Vec::new(),
            by_name: Vec::new(),
            from: None,
            times: Vec::new(),
            columns: file
                .columns
                .iter()
                .map(|c| {
                    (
                        c.header.clone(),
                        c.field
                            .as_deref()
                            .and_then(|f| def.field(f))
                            .map(|f| f.name),
                    )
                })
                .collect(),
            ignored: Vec::new(),
            key: Default::default(),
            defaults: Vec::new(),
            decimal: Vec::new(),
            encoding: None,
            quantity_unit: Default::default(),
        });
    }
    std::fs::write(out, mapping.to_toml(&[])).expect("mapping");
}

pub fn config(data_dir: &Path) -> Config {
    Config {
        data_dir: data_dir.to_path_buf(),
        ..Config::default()
    }
}

/// The system on the embedded adapters of `config.data_dir` (the host opens the same ones
/// for the embedded profile; these tests exercise the pipeline without the host).
pub async fn open(config: &Config) -> Result<App, ProcessingError> {
    use migrationai_adapters::embedded::{db_blob_store, local_blob_store, EmbeddedQueue};
    use migrationai_adapters::sql::SqlStore;
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| ProcessingError::Io {
        path: dir.clone(),
        source,
    })?;
    let adapters = Adapters {
        store: std::sync::Arc::new(SqlStore::open_sqlite(&dir.join("store.db")).await?),
        queue: std::sync::Arc::new(EmbeddedQueue::open_in_dir(dir).await?),
        blobs: local_blob_store(dir)?,
        batches: db_blob_store(dir).await?,
        ensure_queues: true,
        place: "the test's embedded adapters".into(),
    };
    App::open(config, adapters).await
}

/// Opens the system on `config` and migrates `export` to the end ([`App::migrate`]).
pub async fn migrate(
    export: &Path,
    mapping: Option<&Path>,
    job: Option<String>,
    config: &Config,
    progress: &(dyn Fn(&migrationai_pipeline::Progress) + Send + Sync),
) -> Result<migrationai_pipeline::Report, ProcessingError> {
    open(config)
        .await?
        .migrate(export, mapping, job, progress)
        .await
}

/// "file.xlsx#Sheet" names a worksheet; the ground truth names the file.
pub fn file_of(table: &str) -> String {
    table.split('#').next().unwrap_or(table).to_string()
}

/// A report as two runs of the same export and mapping must agree on it: everything but the
/// job's own ids and timestamps.
pub fn comparable(report: &migrationai_pipeline::Report) -> serde_json::Value {
    let mut value = serde_json::to_value(report).expect("report json");
    if let Some(map) = value.as_object_mut() {
        map.remove("job");
    }
    value
}

/// An export inspected with the default options, for the tests of exports in styles nothing
/// here was written for.
pub struct Inspected(pub migrationai_ingest::inspect::InspectReport);

impl Inspected {
    pub fn of(export: &Path) -> Inspected {
        use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
        Inspected(inspect(export, &InspectOptions::default(), &NoProgress).expect("inspect"))
    }

    /// The proposal for one table.
    pub fn table(&self, name: &str) -> &migrationai_ingest::suggest::TableSuggestion {
        &self
            .0
            .files
            .iter()
            .find(|f| f.file == name)
            .unwrap_or_else(|| panic!("{name} is inspected"))
            .suggestion
    }

    /// The field proposed for one column of a table.
    pub fn field_of(&self, table: &str, header: &str) -> Option<&'static str> {
        self.table(table)
            .columns
            .iter()
            .find(|c| c.header == header)
            .and_then(|c| c.field)
    }
}

/// Each kind loaded every one of its rows: `(kind, rows)` pairs, failing with the first
/// rejects when one did not.
pub fn assert_all_loaded(
    report: &migrationai_pipeline::Report,
    kinds: &[(migrationai_domain::Kind, usize)],
) {
    for (kind, rows) in kinds {
        let counts = &report.kinds[kind.as_str()];
        assert_eq!(
            (counts.source_rows, counts.loaded),
            (*rows as u64, *rows as u64),
            "{kind}: {:?}",
            report.rejects.iter().take(3).collect::<Vec<_>>()
        );
    }
}

/// Writes each (file name, text) table of a hand-written export into `dir`.
pub fn write_tables(dir: &Path, tables: &[(&str, String)]) {
    std::fs::create_dir_all(dir).expect("export folder");
    for (name, text) in tables {
        std::fs::write(dir.join(name), text).expect("write table");
    }
}

/// The stored fields of the loaded record `source_id` of a kind, as JSON.
pub async fn stored_fields(
    config: &Config,
    job: &str,
    kind: migrationai_domain::Kind,
    source_id: &str,
) -> serde_json::Value {
    let rows = stored(config, job, kind).await;
    let row = rows
        .iter()
        .find(|r| r.source_id == source_id)
        .unwrap_or_else(|| panic!("{kind} {source_id} stored"));
    let data: serde_json::Value = serde_json::from_str(&row.data).expect("stored JSON");
    data["fields"].clone()
}

/// The stored JSON of every loaded record of a kind, for a test to read values back.
pub async fn stored(
    config: &Config,
    job: &str,
    kind: migrationai_domain::Kind,
) -> Vec<migrationai_ports::store::RecordRow> {
    use migrationai_ports::store::Store as _;
    let store = migrationai_adapters::sql::SqlStore::open_sqlite(&config.data_dir.join("store.db"))
        .await
        .expect("the store");
    store
        .records_page(&config.tenant, job, kind, None, 10_000)
        .await
        .expect("records")
}
