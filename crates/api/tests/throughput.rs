//! The console's throughput: after a small migration the admin API reports non-zero
//! messages and rows per minute, and the console's page draws them with a table beside.

mod common;

use std::time::{Duration, Instant};

use common::{migrated_sample, spawn_with, TestApp};
use migrationai_api::Settings;
use serde_json::Value;

async fn throughput(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app
        .http
        .get(format!("{}/admin/v1/throughput", app.admin))
        .bearer_auth(token)
        .send()
        .await
        .expect("throughput");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn sum(v: &Value) -> i64 {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).sum())
        .unwrap_or(0)
}

/// A console session of the operator: the login CSRF cookie, then the form.
async fn console_session(app: &TestApp) -> String {
    let page = app
        .http
        .get(format!("{}/sign-in", app.admin_web))
        .send()
        .await
        .expect("sign-in page");
    let pre = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("mai_pre="))
        .and_then(|v| v.split(';').next())
        .expect("pre cookie")
        .to_string();
    let r = app
        .http
        .post(format!("{}/sign-in", app.admin_web))
        .header("cookie", format!("mai_pre={pre}"))
        .form(&[
            ("email", "op@ops.test"),
            ("password", common::PASSWORD),
            ("csrf", pre.as_str()),
        ])
        .send()
        .await
        .expect("sign in");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mai_console="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_shows_in_the_throughput_chart() {
    let app = spawn_with(Settings {
        secure_cookies: false,
        throughput_every: Duration::from_millis(200),
        ..Settings::default()
    })
    .await;
    // Operators only.
    let r = app
        .http
        .get(format!("{}/admin/v1/throughput", app.admin))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(r.status(), 401);
    let (status, _) = throughput(&app, &app.a).await;
    assert_eq!(status, 403);
    let (status, before) = throughput(&app, &app.op).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["minute_starts"].as_array().map(Vec::len), Some(60));

    migrated_sample(&app, "throughput").await;
    // The sampler reads the totals a moment after the job ends.
    let start = Instant::now();
    let t = loop {
        let (_, t) = throughput(&app, &app.op).await;
        if sum(&t["rows"]) > 0 {
            break t;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no rows: {t}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let contacts = t["queues"]
        .as_array()
        .and_then(|q| q.iter().find(|q| q["kind"] == "contacts"))
        .expect("contacts series");
    assert!(sum(&contacts["messages"]) > 0, "{t}");
    assert_eq!(contacts["messages"].as_array().map(Vec::len), Some(60));

    let session = console_session(&app).await;
    let html = app
        .http
        .get(format!("{}/", app.admin_web))
        .header("cookie", &session)
        .send()
        .await
        .expect("console")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Throughput, last hour"), "{html}");
    assert!(
        html.contains(r#"role="img" aria-labelledby="msg-title msg-desc""#),
        "{html}"
    );
    assert!(html.contains("<polyline"), "no line drawn: {html}");
    assert!(html.contains("<rect x="), "no bar drawn: {html}");
    assert!(html.contains(r#"<table id="throughput-table">"#), "{html}");
    assert!(html.contains("contacts messages"), "{html}");
    app.stop().await;
}
