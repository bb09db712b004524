//! The backend API end to end: authentication on every route, tenant isolation on every
//! route (both enumerated from the OpenAPI document), uploads and their limits, and the
//! whole life cycle of a migration of the small sample.

mod common;

use std::time::{Duration, Instant};

use common::{fill, spawn, spawn_with};
use migrationai_api::Settings;
use serde_json::Value;

const PUBLIC: &[&str] = &["/health", "/v1/auth/sign-in", "/v1/auth/sessions"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_but_health_and_sign_in_needs_a_valid_token() {
    let app = spawn().await;
    let job = app.create_job(&app.a, "auth check").await;
    let ops = app.operations().await;
    assert!(ops.len() >= 25, "{ops:?}");
    for (method, template) in &ops {
        if PUBLIC.contains(&template.as_str()) {
            continue;
        }
        let path = fill(template, &job, "t");
        for token in [None, Some("mai_not-a-token"), Some("")] {
            let r = app.call(method, &path, token).await;
            assert_eq!(r.status(), 401, "{method} {path} with {token:?}");
        }
    }
    let r = app
        .http
        .get(format!("{}/health", app.api))
        .send()
        .await
        .expect("health");
    assert_eq!(r.status(), 200);
    // A wrong password and an unknown email answer alike.
    for (email, pw) in [
        ("a@firm-a.test", "wrong password!"),
        ("nobody@x.test", "whatever123"),
    ] {
        let r = app
            .http
            .post(format!("{}/v1/auth/sign-in", app.api))
            .json(&serde_json::json!({ "email": email, "password": pw }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 401);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firm_gets_404_for_every_resource_of_another() {
    let app = spawn().await;
    let b_job = app.create_job(&app.b, "firm b secret").await;
    let r = app
        .http
        .put(format!("{}/v1/jobs/{b_job}/files/contacts.csv", app.api))
        .bearer_auth(&app.b)
        .body("id,name\n1,x\n")
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let (_, tokens) = app.get_json(&app.b, "/v1/auth/tokens").await;
    let b_token_id = tokens[0]["id"].as_str().expect("token id").to_string();
    let ops = app.operations().await;
    let mut checked = 0;
    for (method, template) in &ops {
        if !(template.contains("{job_id}") || template.contains("{token_id}")) {
            continue;
        }
        let path = fill(template, &b_job, &b_token_id);
        let r = app.call(method, &path, Some(&app.a)).await;
        assert_eq!(r.status(), 404, "{method} {path} as firm A");
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} routes checked");
    // Firm A's lists do not show firm B's things; B's job and token are untouched.
    let (_, jobs) = app.get_json(&app.a, "/v1/jobs").await;
    assert_eq!(jobs.as_array().map(Vec::len), Some(0));
    let (status, job) = app.get_json(&app.b, &format!("/v1/jobs/{b_job}")).await;
    assert_eq!(status, 200);
    assert_eq!(job["status"], "created");
    assert_eq!(job["files"].as_array().map(Vec::len), Some(1));
    let (status, _) = app.get_json(&app.b, "/v1/me").await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_uploads_and_bad_names_are_refused_and_nothing_remains() {
    let app = spawn_with(Settings {
        secure_cookies: false,
        upload_limit: 64 * 1024,
        ..Settings::default()
    })
    .await;
    let job = app.create_job(&app.a, "limits").await;
    let big = vec![b'x'; 200 * 1024];
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/files/big.csv", app.api))
        .bearer_auth(&app.a)
        .body(big)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.expect("json");
    assert!(v["message"].as_str().unwrap_or("").contains("limit"), "{v}");
    let (_, files) = app.get_json(&app.a, &format!("/v1/jobs/{job}/files")).await;
    assert_eq!(files.as_array().map(Vec::len), Some(0));
    let blobs = app
        .state
        .app
        .services
        .blobs
        .list("uploads/")
        .await
        .expect("list");
    assert!(blobs.is_empty(), "{blobs:?}");
    for bad in ["..%2Fescape.csv", ".hidden", "a%20b.csv"] {
        let r = app
            .http
            .put(format!("{}/v1/jobs/{job}/files/{bad}", app.api))
            .bearer_auth(&app.a)
            .body("x")
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), 400, "{bad}");
    }
    // Analysing nothing is refused.
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/analyse"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 409);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malicious_archive_is_refused_with_a_clear_message() {
    let app = spawn().await;
    let job = app.create_job(&app.a, "zip slip").await;
    // Not a zip at all behind a .zip name: analysis fails and says why; the job goes back
    // to accepting uploads.
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/files/export.zip", app.api))
        .bearer_auth(&app.a)
        .body("PK\u{3}\u{4}garbage")
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/analyse"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    let v = wait_for(&app, &app.a, &job, |v| v["status"] != "analysing").await;
    assert_eq!(v["status"], "created", "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("analysis failed"),
        "{v}"
    );
    app.stop().await;
}

fn files_below(dir: &std::path::Path) -> usize {
    let Ok(items) = std::fs::read_dir(dir) else {
        return 0;
    };
    items
        .flatten()
        .map(|i| {
            if i.path().is_dir() {
                files_below(&i.path())
            } else {
                1
            }
        })
        .sum()
}

async fn wait_for(
    app: &common::TestApp,
    token: &str,
    job: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let (_, v) = app.get_json(token, &format!("/v1/jobs/{job}")).await;
        if done(&v) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(240), "timed out: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_small_sample_migrates_through_the_api() {
    let app = spawn().await;
    let sample_dir = tempfile::tempdir().expect("tempdir");
    let summary = migrationai_sample::generate(&migrationai_sample::SampleOptions {
        size: migrationai_sample::Size::Small,
        seed: 7,
        out: sample_dir.path().join("sample"),
        zip: true,
    })
    .expect("sample");
    let job = app.create_job(&app.a, "small sample").await;
    // Same name again: conflict.
    let r = app.call("POST", "/v1/jobs", Some(&app.a)).await;
    assert_eq!(r.status(), 201);
    let r = app
        .http
        .post(format!("{}/v1/jobs", app.api))
        .bearer_auth(&app.a)
        .json(&serde_json::json!({ "name": "small sample" }))
        .send()
        .await
        .expect("dup");
    assert_eq!(r.status(), 409);

    let bytes = std::fs::read(&summary.export).expect("zip");
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/files/export.zip", app.api))
        .bearer_auth(&app.a)
        .body(bytes.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let f: Value = r.json().await.expect("json");
    assert_eq!(f["size"].as_u64(), Some(bytes.len() as u64));

    let r = app
        .call("POST", &format!("/v1/jobs/{job}/analyse"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    let v = wait_for(&app, &app.a, &job, |v| v["status"] != "analysing").await;
    assert_eq!(v["status"], "review", "{v}");

    let (status, mapping) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/mapping"))
        .await;
    assert_eq!(status, 200, "{mapping}");
    let toml = mapping["toml"].as_str().expect("toml").to_string();
    assert!(!mapping["tables"].as_array().expect("tables").is_empty());
    assert!(
        mapping["proposal"][0]["columns"][0]["confidence"].is_number(),
        "{}",
        mapping["proposal"]
    );
    // A broken edit is refused; the proposed file put back is accepted.
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/mapping", app.api))
        .bearer_auth(&app.a)
        .body("this is = = not toml")
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 422);
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/mapping", app.api))
        .bearer_auth(&app.a)
        .body(toml)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    // A column change through PATCH: leave one column out, then put it back.
    let table = mapping["tables"][0].clone();
    let col = table["columns"][0].clone();
    for field in [Value::Null, col["field"].clone()] {
        let r = app
            .http
            .patch(format!("{}/v1/jobs/{job}/mapping", app.api))
            .bearer_auth(&app.a)
            .json(&serde_json::json!([{ "table": table["table"], "column": col["header"], "field": field }]))
            .send()
            .await
            .expect("patch");
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["tables"][0]["columns"][0]["field"], field);
    }

    let r = app
        .call("POST", &format!("/v1/jobs/{job}/start"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/start"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 409, "a second start");

    // Server-sent events: the first progress event arrives.
    let mut sse = app
        .http
        .get(format!("{}/v1/jobs/{job}/events", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("events");
    assert_eq!(sse.status(), 200);
    let chunk = sse.chunk().await.expect("chunk").expect("some");
    assert!(String::from_utf8_lossy(&chunk).contains("event: progress"));
    drop(sse);

    let start = Instant::now();
    let progress = loop {
        let (_, p) = app
            .get_json(&app.a, &format!("/v1/jobs/{job}/progress"))
            .await;
        if p["finished"] == true {
            break p;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "timed out: {p}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(progress["run_status"], "done", "{progress}");
    assert!(progress["kinds"].as_array().map(Vec::len).unwrap_or(0) >= 5);

    let (status, report) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/report"))
        .await;
    assert_eq!(status, 200);
    let contacts = &report["kinds"]["contacts"];
    assert!(contacts["loaded"].as_u64().unwrap_or(0) > 0, "{report}");
    let html = app
        .http
        .get(format!("{}/v1/jobs/{job}/report.html", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("html");
    assert_eq!(html.status(), 200);
    let html = html.text().await.expect("text");
    assert!(html.contains("<html"));
    // The firm sees the file it uploaded, never where a server keeps it.
    assert_eq!(report["export"], "export.zip", "{}", report["export"]);
    let data_dir = app.dir.path().display().to_string();
    assert!(!html.contains(&data_dir), "the report shows a server path");
    assert!(!report.to_string().contains(&data_dir), "{report}");
    let csv = app
        .http
        .get(format!("{}/v1/jobs/{job}/rejects.csv", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.expect("text");
    assert!(csv.starts_with("kind,file,row,source_id,field,code,reason"));
    let rejected: u64 = report["kinds"]
        .as_object()
        .expect("kinds")
        .values()
        .map(|k| k["rejected"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(csv.lines().count() as u64, rejected + 1 - multiline(&csv));

    // tfp split the job: every document reached the store with the checksum the ground
    // truth gives, from the copies tfp made, and nothing it fetched or unpacked is left on
    // its disk.
    let truth: Value =
        serde_json::from_slice(&std::fs::read(&summary.ground_truth).expect("ground truth"))
            .expect("truth json");
    assert!(summary.documents > 0);
    assert_eq!(report["documents"], truth["documents"]);
    assert_eq!(report["email_attachments"], truth["email_attachments"]);
    let blobs = &app.state.app.services.blobs;
    let staged = blobs
        .list(&format!("tenants/firm-a/jobs/{job}/staged"))
        .await
        .expect("list");
    assert!(staged.iter().any(|b| b.key.ends_with("manifest.jsonl")));
    let data = app.dir.path().join("data");
    for d in ["exports", "work"] {
        assert_eq!(files_below(&data.join(d)), 0, "files left in {d}");
    }

    // Records: paging, search, one record; the second read comes from the cache.
    let (status, page) = app
        .get_json(
            &app.a,
            &format!("/v1/jobs/{job}/records/contacts?per_page=5"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(page["total"].as_u64(), contacts["loaded"].as_u64());
    let (_, again) = app
        .get_json(
            &app.a,
            &format!("/v1/jobs/{job}/records/contacts?per_page=5"),
        )
        .await;
    assert_eq!(page, again);
    // Every page in turn holds every record once, in source id order.
    let mut walked: Vec<String> = Vec::new();
    for n in 1.. {
        let (_, p) = app
            .get_json(
                &app.a,
                &format!("/v1/jobs/{job}/records/contacts?per_page=7&page={n}"),
            )
            .await;
        let items = p["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        assert_eq!(p["total"], page["total"]);
        walked.extend(
            items
                .iter()
                .filter_map(|i| i["source_id"].as_str().map(str::to_string)),
        );
    }
    assert_eq!(Some(walked.len() as u64), page["total"].as_u64());
    assert!(walked.windows(2).all(|w| w[0] < w[1]), "{walked:?}");
    let first = page["items"][0].clone();
    let sid = first["source_id"].as_str().expect("sid");
    let (status, one) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/contacts/{sid}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["record"]["source_id"], first["source_id"]);
    let (status, found) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/contacts?q={sid}"))
        .await;
    assert_eq!(status, 200);
    assert!(found["total"].as_u64().unwrap_or(0) >= 1);
    let (status, _) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/no-such-kind"))
        .await;
    assert_eq!(status, 404);
    // Firm B sees none of it, even with the cache warm.
    let (status, _) = app
        .get_json(
            &app.b,
            &format!("/v1/jobs/{job}/records/contacts?per_page=5"),
        )
        .await;
    assert_eq!(status, 404);

    // A finished job cannot be cancelled; the readiness and metrics endpoints answer.
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/cancel"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 409);
    let (status, ready) = app.get_json(&app.a, "/ready").await;
    assert_eq!(status, 200, "{ready}");
    let metrics = app
        .http
        .get(format!("{}/metrics", app.api))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("migrationai_http_requests_total{route=\"/v1/jobs/{job_id}/progress\"")
    );
    assert!(metrics.contains("migrationai_dlq_depth"));

    // Revoking the token signs it out at once.
    let (_, me) = app.get_json(&app.a, "/v1/me").await;
    let token_id = me["token_id"].as_str().expect("id").to_string();
    let r = app
        .call(
            "DELETE",
            &format!("/v1/auth/tokens/{token_id}"),
            Some(&app.a),
        )
        .await;
    assert_eq!(r.status(), 204);
    let (status, _) = app.get_json(&app.a, "/v1/me").await;
    assert_eq!(status, 401);
    app.stop().await;
}

/// Lines inside quoted CSV cells (a reject's raw columns may hold line breaks).
fn multiline(csv: &str) -> u64 {
    let mut inside = false;
    let mut extra = 0;
    for c in csv.chars() {
        match c {
            '"' => inside = !inside,
            '\n' if inside => extra += 1,
            _ => {}
        }
    }
    extra
}
