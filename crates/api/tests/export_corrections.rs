//! A finished migration's canonical export and the re-run of corrected rejects, through
//! the backend API of the spawned app: the small sample migrated, its export downloaded
//! and unzipped (line counts per kind equal the report's loaded counts, a record
//! round-trips), then rejected contacts with an invalid email fixed in the correction file,
//! sent back, and the new job's report showing them loaded.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

use common::{spawn, TestApp};
use serde_json::Value;
use sha2::Digest;

async fn wait_report(app: &TestApp, job: &str) -> Value {
    let start = Instant::now();
    loop {
        let (_, p) = app
            .get_json(&app.a, &format!("/v1/jobs/{job}/progress"))
            .await;
        if p["finished"] == true {
            assert_eq!(p["run_status"], "done", "{p}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(400), "timed out: {p}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (status, report) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/report"))
        .await;
    assert_eq!(status, 200, "{report}");
    report
}

/// The small sample migrated through the API; the job id and its report.
async fn migrate_small_sample(app: &TestApp) -> (String, Value) {
    let job = common::migrated_sample(app, "export me").await;
    let (status, report) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/report"))
        .await;
    assert_eq!(status, 200, "{report}");
    (job, report)
}

fn total_rejected(report: &Value) -> u64 {
    report["kinds"]
        .as_object()
        .expect("kinds")
        .values()
        .map(|k| k["rejected"].as_u64().unwrap_or(0))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_every_loaded_record_and_corrections_rerun_the_job() {
    let app = spawn().await;
    let (job, report) = migrate_small_sample(&app).await;

    // Export: one JSON-lines file per kind and the report.
    let r = app
        .http
        .get(format!("{}/v1/jobs/{job}/export", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/zip")
    );
    let bytes = r.bytes().await.expect("bytes");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut text = String::new();
        f.read_to_string(&mut text).expect("read");
        files.insert(f.name().to_string(), text);
    }
    let in_zip: Value = serde_json::from_str(&files["report.json"]).expect("report.json");
    assert_eq!(in_zip, report);
    let kinds = report["kinds"].as_object().expect("kinds");
    assert!(kinds.len() >= 5, "{report}");
    for (kind, k) in kinds {
        let text = files
            .get(&format!("{kind}.jsonl"))
            .unwrap_or_else(|| panic!("{kind}.jsonl missing"));
        assert_eq!(
            text.lines().count() as u64,
            k["loaded"].as_u64().unwrap_or(0),
            "{kind}"
        );
    }
    // A known record round-trips: the export's line equals the API's record.
    let contacts: Vec<Value> = files["contacts.jsonl"]
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let first = &contacts[0];
    let sid = first["source_id"].as_str().expect("source id");
    let (status, one) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/contacts/{sid}"))
        .await;
    assert_eq!(status, 200);
    let rec = &one["record"];
    assert_eq!(first["canonical_id"], rec["canonical_id"]);
    assert_eq!(first["source_row"], rec["row"]);
    assert_eq!(first["source_file"], rec["file"]);
    assert_eq!(first["fields"], rec["data"]["fields"]);
    assert_eq!(first["refs"], rec["data"]["refs"]);
    // Documents carry their blob key and checksum, and the blob has that checksum.
    let doc = files["document.jsonl"].lines().next().expect("a document");
    let doc: Value = serde_json::from_str(doc).expect("doc");
    let f = &doc["files"][0];
    let key = f["blob_key"].as_str().expect("blob key");
    let blob = app
        .state
        .app
        .services
        .blobs
        .get(key)
        .await
        .expect("document blob");
    assert_eq!(
        f["sha256"].as_str(),
        Some(hex::encode(sha2::Sha256::digest(&blob)).as_str()),
        "{doc}"
    );
    // Another firm gets 404.
    let r = app
        .call("GET", &format!("/v1/jobs/{job}/export"), Some(&app.b))
        .await;
    assert_eq!(r.status(), 404);

    // Corrections: the rejected contacts of one table, invalid emails fixed.
    let rejects = app
        .http
        .get(format!("{}/v1/jobs/{job}/rejects.csv", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("rejects")
        .text()
        .await
        .expect("text");
    // (file, row) → source id of each contact rejected for its email.
    let mut bad_emails = BTreeMap::new();
    let mut rows = csv::Reader::from_reader(rejects.as_bytes());
    for rec in rows.records() {
        let rec = rec.expect("reject");
        if &rec[0] == "contacts" && &rec[5] == "invalid_email" {
            bad_emails.insert((rec[1].to_string(), rec[2].to_string()), rec[3].to_string());
        }
    }
    let table = bad_emails
        .keys()
        .next()
        .map(|(file, _)| file.clone())
        .expect("an invalid email reject");
    let r = app
        .http
        .get(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", &table)])
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), 200);
    let template = r.text().await.expect("text");
    let mut reader = csv::Reader::from_reader(template.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let row_col = headers.iter().position(|h| h == "source_row").expect("row");
    let code_col = headers.iter().position(|h| h == "code").expect("code");
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).expect("write");
    let mut fixed = Vec::new();
    for rec in reader.records() {
        let rec = rec.expect("record");
        let mut cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if cells[code_col] == "invalid_email" {
            // The bad email is the cell ending in '@'; give it a domain.
            let col = cells[..row_col]
                .iter()
                .position(|c| c.ends_with('@'))
                .expect("the bad email cell");
            cells[col] = format!("{}example.com", cells[col]);
            let key = (table.clone(), cells[row_col].clone());
            fixed.push(bad_emails[&key].clone());
        }
        out.write_record(&cells).expect("write");
    }
    assert!(!fixed.is_empty());
    let body = out.into_inner().expect("csv");
    // Another firm cannot post corrections to this job.
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", &table)])
        .bearer_auth(&app.b)
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404);
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", &table)])
        .bearer_auth(&app.a)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let run: Value = r.json().await.expect("json");
    assert_eq!(
        run["corrected_rows"].as_array().map(Vec::len),
        Some(fixed.len()),
        "{run}"
    );
    assert_eq!(run["job"]["name"], "export me (corrections 1)");
    let new_job = run["job"]["id"].as_str().expect("id").to_string();
    let new_report = wait_report(&app, &new_job).await;
    assert_eq!(
        total_rejected(&new_report),
        total_rejected(&report) - fixed.len() as u64,
        "{new_report}"
    );
    assert_eq!(
        new_report["kinds"]["contacts"]["loaded"].as_u64(),
        report["kinds"]["contacts"]["loaded"]
            .as_u64()
            .map(|n| n + fixed.len() as u64)
    );
    for sid in &fixed {
        let (status, one) = app
            .get_json(
                &app.a,
                &format!("/v1/jobs/{new_job}/records/contacts/{sid}"),
            )
            .await;
        assert_eq!(status, 200, "{sid} not loaded: {one}");
    }
    // The parent is untouched, and sending the file again unchanged runs nothing.
    let (_, again) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/report"))
        .await;
    assert_eq!(again, report);
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", &table)])
        .bearer_auth(&app.a)
        .body(template)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    app.stop().await;
}

/// The correction file of `table` with `fix` applied to the cells of each rejected line
/// (given the header of the rejected field's column, the line's field and code); the file to
/// send back and how many lines `fix` changed.
async fn corrected_file(
    app: &TestApp,
    job: &str,
    table: &str,
    fix: impl Fn(&str, &str, &mut String) -> bool,
) -> (Vec<u8>, usize) {
    let r = app
        .http
        .get(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", table)])
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), 200, "{table}");
    let template = r.text().await.expect("text");
    let (_, mapping) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/mapping"))
        .await;
    let columns = mapping["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["table"] == table))
        .map(|t| t["columns"].clone())
        .unwrap_or_else(|| panic!("{table} is not in the mapping: {mapping}"));
    let header_of = |field: &str| {
        columns
            .as_array()
            .and_then(|c| c.iter().find(|c| c["field"] == field))
            .and_then(|c| c["header"].as_str())
            .map(str::to_string)
    };
    let mut reader = csv::Reader::from_reader(template.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (field_col, code_col) = (col("field"), col("code"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).expect("write");
    let mut changed = 0;
    for rec in reader.records() {
        let mut cells: Vec<String> = rec.expect("line").iter().map(str::to_string).collect();
        let (field, code) = (cells[field_col].clone(), cells[code_col].clone());
        if let Some(i) = header_of(&field).and_then(|h| headers.iter().position(|x| x == h)) {
            if fix(&field, &code, &mut cells[i]) {
                changed += 1;
            }
        }
        out.write_record(&cells).expect("write");
    }
    (out.into_inner().expect("csv"), changed)
}

async fn send_corrections(app: &TestApp, job: &str, table: &str, body: Vec<u8>) -> Value {
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/corrections", app.api))
        .query(&[("table", table)])
        .bearer_auth(&app.a)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201, "{table}");
    r.json().await.expect("json")
}

/// Waits for a corrections run: exactly the `fixed` rows of `kind` load this time, and the
/// rest is as in the parent's report. The run's job id.
async fn the_fixed_rows_load(
    app: &TestApp,
    parent: &Value,
    run: &Value,
    kind: &str,
    fixed: usize,
) -> String {
    let job = run["job"]["id"].as_str().expect("id").to_string();
    let after = wait_report(app, &job).await;
    let loaded = |r: &Value| r["kinds"][kind]["loaded"].as_u64().unwrap_or(0);
    assert_eq!(loaded(&after), loaded(parent) + fixed as u64, "{after}");
    assert_eq!(
        total_rejected(&after),
        total_rejected(parent) - fixed as u64
    );
    job
}

/// Worksheets and JSON tables take corrections too: the table comes back as a CSV beside its
/// file, the new job's mapping follows it, and the fixed rows load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_of_a_worksheet_and_a_json_table() {
    let app = spawn().await;
    let (job, report) = migrate_small_sample(&app).await;
    let (status, tables) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/corrections/tables"))
        .await;
    assert_eq!(status, 200);
    let tables: Vec<String> = serde_json::from_value(tables).expect("names");
    let notes = tables
        .iter()
        .find(|t| t.ends_with(".jsonl"))
        .expect("a JSON lines table with rejects")
        .clone();
    let sheet = tables
        .iter()
        .find(|t| t.contains(".xlsx#"))
        .expect("a worksheet with rejects")
        .clone();
    let (status, _) = app
        .get_json(&app.b, &format!("/v1/jobs/{job}/corrections/tables"))
        .await;
    assert_eq!(status, 404, "another firm's job");

    // Notes missing their text get one.
    let (body, fixed) = corrected_file(&app, &job, &notes, |field, code, cell| {
        let fix = field == "body" && code == "required";
        if fix {
            *cell = "Called the client back.".into();
        }
        fix
    })
    .await;
    assert!(fixed > 0);
    let run = send_corrections(&app, &job, &notes, body).await;
    assert_eq!(run["corrected_rows"].as_array().map(Vec::len), Some(fixed));
    let first = the_fixed_rows_load(&app, &report, &run, "notes", fixed).await;
    let (_, mapping) = app
        .get_json(&app.a, &format!("/v1/jobs/{first}/mapping"))
        .await;
    assert!(
        mapping["toml"]
            .as_str()
            .is_some_and(|t| t.contains(&format!("{notes} (corrected).csv"))),
        "{mapping}"
    );

    // Custom fields of unknown matters are moved to a matter that was migrated.
    let (_, projects) = app
        .get_json(
            &app.a,
            &format!("/v1/jobs/{job}/records/projects?per_page=1"),
        )
        .await;
    let matter = projects["items"][0]["source_id"]
        .as_str()
        .expect("a migrated matter")
        .to_string();
    let (body, fixed) = corrected_file(&app, &job, &sheet, |field, code, cell| {
        let fix = field == "project_id" && code == "orphan_reference";
        if fix {
            *cell = matter.clone();
        }
        fix
    })
    .await;
    assert!(fixed > 0);
    let run = send_corrections(&app, &job, &sheet, body).await;
    assert_eq!(run["job"]["name"], "export me (corrections 2)");
    the_fixed_rows_load(&app, &report, &run, "sections", fixed).await;
    app.stop().await;
}
