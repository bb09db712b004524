use crate::output::TableBars;
use anyhow::Context;
use migrationai_ingest::inspect::{inspect, FileReport, InspectOptions, InspectReport};
use migrationai_ingest::mapping::Mapping;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The export: a folder or a .zip file.
    export: PathBuf,
    /// A reviewed mapping file (TOML) to use instead of the proposal.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Write the proposed (or given) mapping to this file, to review and pass back.
    #[arg(long)]
    write_mapping: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// A file's text encoding, over detection and the mapping: FILE=LABEL (e.g.
    /// "Contacts.csv=ISO-8859-15"); repeat for several files.
    #[arg(long = "encoding", value_name = "FILE=LABEL", value_parser = parse_encoding)]
    encodings: Vec<(String, migrationai_ingest::TextEncoding)>,
    /// Confidence below which a column stays unmapped.
    #[arg(long, default_value_t = migrationai_ingest::suggest::DEFAULT_THRESHOLD)]
    threshold: f64,
}

pub fn load_mapping(path: &Path) -> anyhow::Result<Mapping> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Mapping::parse(&path.display().to_string(), &text)?)
}

/// `FILE=LABEL` of `--encoding`.
pub fn parse_encoding(s: &str) -> Result<(String, migrationai_ingest::TextEncoding), String> {
    let (file, label) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("\"{s}\" is not FILE=LABEL"))?;
    let encoding = migrationai_ingest::TextEncoding::from_label(label).ok_or_else(|| {
        format!("unknown encoding \"{label}\" (e.g. UTF-8, windows-1252, ISO-8859-15, macintosh)")
    })?;
    Ok((file.to_string(), encoding))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut mapping = a.mapping.as_deref().map(load_mapping).transpose()?;
    if let Some(m) = mapping.as_mut() {
        for (file, encoding) in &a.encodings {
            for fm in m.files.iter_mut() {
                if fm.table == *file || fm.table.split('#').next() == Some(file.as_str()) {
                    fm.encoding = Some(*encoding);
                }
            }
        }
    }
    let opts = InspectOptions {
        threshold: a.threshold,
        mapping,
        encodings: a.encodings.clone(),
        ..InspectOptions::default()
    };
    let size = dir_size(&a.export);
    let bars = TableBars::new(size);
    let report = inspect(&a.export, &opts, &bars).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(path) = &a.write_mapping {
        std::fs::write(path, &report.mapping_toml)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn dir_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}

fn print_report(r: &InspectReport) {
    println!(
        "Export {}: {} tables, {} rows, {} document files, {} emails",
        r.export,
        r.files.len(),
        r.total_rows(),
        r.documents,
        r.emails
    );
    for f in &r.files {
        print_file(f);
    }
    let questions: Vec<_> = r.questions().collect();
    if !questions.is_empty() {
        println!("\nQuestions for you ({}):", questions.len());
        for q in questions {
            println!("  - {}", q.line());
        }
    }
    if !r.unreadable.is_empty() {
        println!("\nUnreadable files:");
        for p in &r.unreadable {
            println!("  {}", p.message);
        }
    }
}

fn print_file(f: &FileReport) {
    let kind = f
        .kind
        .map(|k| k.to_string())
        .unwrap_or_else(|| "(unknown kind)".into());
    let delim = f
        .delimiter
        .as_deref()
        .map(|d| format!(", delimiter '{d}'"))
        .unwrap_or_default();
    println!(
        "\n{} → {} (confidence {:.2}); {} rows, {} valid; encoding {}{}",
        f.file, kind, f.kind_confidence, f.rows, f.valid_rows, f.encoding, delim
    );
    for c in &f.suggestion.columns {
        match (c.field, c.best_guess) {
            (Some(field), _) => println!(
                "  {:<28} → {:<22} {:.2}  e.g. {}",
                c.header,
                field,
                c.confidence,
                c.examples.join(" | ")
            ),
            (None, Some((g, conf))) => println!(
                "  {:<28}   (unmapped; best guess {g} at {conf:.2})",
                c.header
            ),
            (None, None) => println!("  {:<28}   (unmapped)", c.header),
        }
    }
    if let Some(def) = f.kind.and_then(migrationai_domain::catalogue::kind_def) {
        let id = def.id_field().name;
        let why = f
            .suggestion
            .key_evidence
            .as_deref()
            .filter(|_| f.key == f.suggestion.key)
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        println!("  key: {}{why}", f.key.describe(id));
    }
    for (field, value) in &f.suggestion.defaults {
        println!("  {field} = \"{value}\" on every row (from the file's name)");
    }
    if !f.suggestion.missing_required.is_empty() {
        println!(
            "  missing required fields: {}",
            f.suggestion.missing_required.join(", ")
        );
    }
    if !f.problem_totals.is_empty() {
        let totals: Vec<String> = f
            .problem_totals
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        println!("  problems: {}", totals.join(", "));
        for p in &f.problems {
            let row = p.row.map(|r| format!("row {r}")).unwrap_or_default();
            let col = p
                .column
                .as_deref()
                .map(|c| format!(", \"{c}\""))
                .unwrap_or_default();
            println!("    {row}{col}: {}", p.message);
        }
    }
}
