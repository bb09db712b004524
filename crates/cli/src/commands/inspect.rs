use crate::output::say;
use crate::output::TableBars;
use anyhow::Context;
use migrationai_domain::catalogue::kind_def;
use migrationai_ingest::inspect::{inspect, FileReport, InspectOptions, InspectReport};
use migrationai_ingest::mapping::{FileMapping, Mapping};
use migrationai_pipeline::jobs::submit::read_mapping;
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
    let mut mapping = a.mapping.as_deref().map(read_mapping).transpose()?;
    if let Some(m) = mapping.as_mut() {
        for (file, encoding) in &a.encodings {
            for fm in m.files.iter_mut() {
                let source = fm.source();
                if source == *file || source.split('#').next() == Some(file.as_str()) {
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
        say!("{}", serde_json::to_string_pretty(&report)?);
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
    say!(
        "Export {}: {} tables, {} rows, {} document files, {} emails",
        r.export,
        r.files.len(),
        r.total_rows(),
        r.documents,
        r.emails
    );
    let country = r.files.iter().find_map(|f| {
        let s = &f.suggestion;
        s.country_evidence.as_ref().zip(s.country.as_ref())
    });
    if let Some((why, proposed)) = country {
        let chosen = r.mapping.country.as_deref().unwrap_or(proposed);
        say!("Phone numbers without a country code are read in {chosen}: {why}");
    }
    let currency = r
        .files
        .iter()
        .find_map(|f| f.suggestion.currency_evidence.as_ref());
    if let Some(why) = currency {
        say!("Amounts are read in {}: {why}", r.mapping.currency);
    }
    for f in &r.files {
        print_file(f, r.mapping.file(&f.file), &r.mapping);
    }
    let questions: Vec<_> = r.questions().collect();
    if !questions.is_empty() {
        say!("\nQuestions for you ({}):", questions.len());
        for q in questions {
            say!("  - {}", q.line());
        }
    }
    if !r.unreadable.is_empty() {
        say!("\nUnreadable files:");
        for p in &r.unreadable {
            say!("  {}", p.message);
        }
    }
}

/// A table as it will run: the kind and the columns of the mapping in force (the given file's
/// or the proposal), with the proposal's confidence and examples beside each column.
/// `all`: the whole mapping, for the kinds read from this table.
fn print_file(f: &FileReport, mapping: Option<&FileMapping>, all: &Mapping) {
    let taken = all.taken_from(&f.file);
    let readers: Vec<&str> = all
        .files
        .iter()
        .filter(|m| m.from.as_deref() == Some(f.file.as_str()))
        .map(|m| m.table.as_str())
        .collect();
    let kind = f
        .kind
        .map(|k| k.to_string())
        .unwrap_or_else(|| "(left out)".into());
    let delim = f
        .delimiter
        .as_deref()
        .map(|d| format!(", delimiter '{d}'"))
        .unwrap_or_default();
    let proposed = f.suggestion.kind.map(|k| k.to_string());
    let detected = match proposed {
        Some(p) if Some(&p) != f.kind.map(|k| k.to_string()).as_ref() => {
            format!(
                "set by the mapping; detected {p} at {:.2}",
                f.kind_confidence
            )
        }
        None if f.kind.is_some() => "set by the mapping; not detected".to_string(),
        _ => format!("confidence {:.2}", f.kind_confidence),
    };
    say!(
        "\n{} → {} ({detected}); {} rows, {} valid; encoding {}{}",
        f.file,
        kind,
        f.rows,
        f.valid_rows,
        f.encoding,
        delim
    );
    let columns: Vec<(String, Option<&'static str>)> = match mapping {
        Some(m) => m.columns.iter().map(|(h, c)| (h.clone(), *c)).collect(),
        None => f
            .suggestion
            .columns
            .iter()
            .map(|c| (c.header.clone(), c.field))
            .collect(),
    };
    // Records read from another kind's table show only the columns they are made of.
    let derived = mapping.map_or(f.suggestion.from.is_some(), |m| m.from.is_some());
    for (header, field) in &columns {
        if derived && field.is_none() {
            continue;
        }
        if field.is_none() && taken.contains(&header.as_str()) {
            say!("  {header:<28}   (read into {})", readers.join(", "));
            continue;
        }
        let suggested = f.suggestion.columns.iter().find(|c| &c.header == header);
        let examples = suggested
            .map(|c| c.examples.join(" | "))
            .unwrap_or_default();
        match (field, suggested) {
            (Some(field), Some(c)) if c.field == Some(*field) => say!(
                "  {header:<28} → {field:<22} {:.2}  e.g. {examples}",
                c.confidence
            ),
            (Some(field), _) => {
                say!("  {header:<28} → {field:<22} (set by the mapping)  e.g. {examples}")
            }
            (None, Some(c)) => match (c.field, c.best_guess) {
                (Some(p), _) => say!(
                    "  {header:<28}   (left out by the mapping; proposed {p} at {:.2})",
                    c.confidence
                ),
                (None, Some((g, conf))) => {
                    say!("  {header:<28}   (unmapped; best guess {g} at {conf:.2})")
                }
                (None, None) => say!("  {header:<28}   (unmapped)"),
            },
            (None, None) => say!("  {header:<28}   (unmapped)"),
        }
    }
    if let Some(def) = f.kind.map(kind_def) {
        let id = def.id_field().name;
        let why = f
            .suggestion
            .key_evidence
            .as_deref()
            .filter(|_| f.key == f.suggestion.key)
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        say!("  key: {}{why}", f.key.describe(id));
    }
    if let Some(line) = date_order_line(f, mapping) {
        say!("  {line}");
    }
    let unit = mapping.map_or(f.suggestion.quantity_unit, |m| m.quantity_unit);
    let unit_evidence = f
        .suggestion
        .quantity_unit_evidence
        .as_deref()
        .filter(|_| unit == f.suggestion.quantity_unit);
    if f.kind == Some(migrationai_domain::Kind::BillingItems)
        && (unit != Default::default() || unit_evidence.is_some())
    {
        let why = unit_evidence.map(|e| format!(" ({e})")).unwrap_or_default();
        let converted = if unit == Default::default() {
            ""
        } else {
            ", converted to hours"
        };
        say!("  time entries' quantity: {unit}{converted}{why}");
    }
    let minor = mapping.map_or(&f.suggestion.minor_units, |m| &m.minor_units);
    if !minor.is_empty() {
        say!(
            "  amounts in minor units (cents), divided on reading: {}",
            minor.join(", ")
        );
    }
    let serials = mapping.map_or(&f.suggestion.serial_dates, |m| &m.serial_dates);
    if !serials.is_empty() {
        say!(
            "  dates written as spreadsheet day numbers (45006 is 2023-03-21), read as dates: {}",
            serials.join(", ")
        );
    }
    let by_name = mapping.map_or(&f.suggestion.by_name, |m| &m.by_name);
    for r in by_name {
        let parent = f.kind.map(kind_def).and_then(|def| {
            migrationai_ingest::by_name::ref_kind(&columns, def, &r.header).map(kind_def)
        });
        if parent.is_some_and(|p| r.forms.iter().all(|form| form.is_key(p))) {
            say!(
                "  \"{}\" holds ids written another way (leading zeros dropped, or in another case): each is read as the one record whose id it matches",
                r.header
            );
            continue;
        }
        let forms: Vec<String> = r.forms.iter().map(|f| format!("\"{f}\"")).collect();
        say!(
            "  \"{}\" holds names, not ids: each is read as the one record named {}",
            r.header,
            forms.join(" or ")
        );
    }
    let times = mapping.map_or(&f.suggestion.times, |m| &m.times);
    for (header, field) in times {
        say!("  \"{header}\" holds the time of day of {field}, whose date is the column before it");
    }
    if let Some(w) = mapping.map_or(f.suggestion.two_digit_years, |m| m.two_digit_years) {
        say!(
            "  two-digit years read as {}",
            migrationai_ingest::mapping::window_text(w)
        );
    }
    let defaults = mapping.map_or(&f.suggestion.defaults, |m| &m.defaults);
    for (field, value) in defaults {
        say!("  {field} = \"{value}\" on every row");
    }
    let unmet = match (f.kind.map(kind_def), mapping) {
        (Some(def), Some(m)) => def.unmet(|name| m.fills(def, name)),
        _ => Vec::new(),
    };
    if !unmet.is_empty() {
        say!("  missing required fields: {}", unmet.join(", "));
    }
    if !f.problem_totals.is_empty() {
        let totals: Vec<String> = f
            .problem_totals
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        say!("  problems: {}", totals.join(", "));
        for p in &f.problems {
            let row = p.row.map(|r| format!("row {r}")).unwrap_or_default();
            let col = p
                .column
                .as_deref()
                .map(|c| format!(", \"{c}\""))
                .unwrap_or_default();
            say!("    {row}{col}: {}", p.message);
        }
    }
}

/// How the table's dates such as 03/04/2024 are read, and on what evidence; `None` when none
/// of its sampled dates could be read two ways.
fn date_order_line(f: &FileReport, mapping: Option<&FileMapping>) -> Option<String> {
    use migrationai_domain::value::DateOrder;
    let (mdy, dmy, either) = f.suggestion.date_order_evidence;
    if mdy + dmy + either == 0 {
        return None;
    }
    let order = mapping.map_or(f.suggestion.date_order, |m| m.date_order);
    let chosen = mapping.is_some_and(|m| m.date_order != f.suggestion.date_order);
    Some(match order {
        Some(o) if chosen => format!("dates read {} (set by the mapping)", o.describe()),
        Some(o) => {
            let (with, against) = match o {
                DateOrder::Mdy => (mdy, dmy),
                DateOrder::Dmy => (dmy, mdy),
            };
            let why = if with == 0 {
                "as the export's other tables write them".to_string()
            } else {
                format!("{} read only that way", dates(with))
            };
            let slips = if against > 0 {
                format!("; {} only the other way, rejected as slips", dates(against))
            } else {
                String::new()
            };
            format!("dates read {}: {why}{slips}", o.describe())
        }
        None => format!(
            "date order unknown ({} read only month first, {} only day first): \
             dates such as 03/04/2024 are rejected as ambiguous; set date_order in the mapping",
            dates(mdy),
            dates(dmy)
        ),
    })
}

fn dates(n: usize) -> String {
    if n == 1 {
        "1 sampled date".into()
    } else {
        format!("{n} sampled dates")
    }
}
