//! "Send to Filevine" over the API: a finished job of firm A is pushed through the queues
//! into the Filevine emulator by the workers `up` runs (which hold the credentials, not the
//! API), its progress per kind and the read-back result are reported, and neither firm B
//! nor a caller without a token can start or see it.

mod common;

use std::time::Duration;

use migrationai_filevine::settings::{env, Settings};
use migrationai_filevine_emulator::{Config as EmuConfig, Emulator};
use migrationai_host::settings::load::FilevineSource;
use serde_json::json;

fn credentials(emu: &Emulator) -> FilevineSource {
    let c = emu.credentials().clone();
    let gateway = emu.gateway_url();
    let identity = emu.identity_url();
    let mut s = Settings::from_lookup(move |k| match k {
        env::GATEWAY_URL => Some(gateway.clone()),
        env::IDENTITY_URL => Some(identity.clone()),
        env::PAT => Some(c.pat.clone()),
        env::CLIENT_ID => Some(c.client_id.clone()),
        env::CLIENT_SECRET => Some(c.client_secret.clone()),
        env::ORG_ID => Some(c.org_id.to_string()),
        env::USER_ID => Some(c.user_id.to_string()),
        _ => None,
    })
    .expect("settings");
    s.limits.backoff = Duration::from_millis(5);
    s.limits.max_backoff = Duration::from_millis(50);
    FilevineSource::Env(Box::new(s))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_finished_job_is_sent_to_filevine_and_read_back() {
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let app = common::spawn_delivering(credentials(&emu)).await;
    let job = common::migrated_sample(&app, "to filevine").await;
    let path = format!("/v1/jobs/{job}/push");

    let (status, _) = app.get_json(&app.a, &path).await;
    assert_eq!(status, 404, "never sent");
    // Another firm and a caller without a token can neither start nor see it.
    let body = json!({ "default_project_type": "General Litigation" });
    for token in [Some(app.b.as_str()), None] {
        let mut r = app.http.post(format!("{}{path}", app.api)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let status = r.send().await.expect("post").status().as_u16();
        assert_eq!(status, if token.is_some() { 404 } else { 401 });
    }
    let (status, _) = app.get_json(&app.b, &path).await;
    assert_eq!(status, 404);
    // A job that has not run is refused.
    let fresh = app.create_job(&app.a, "not run").await;
    let r = app
        .http
        .post(format!("{}/v1/jobs/{fresh}/push", app.api))
        .bearer_auth(&app.a)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 409);

    // The firm sends it from the job page ("Send to Filevine"), through the same API.
    let sid = web_session(&app).await;
    let page = web_page(&app, &sid, &format!("/jobs/{job}")).await;
    assert!(page.contains("Send to Filevine") && page.contains("id=\"push-form\""));
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let r = app
        .http
        .post(format!("{}/jobs/{job}/push", app.web))
        .header("cookie", &sid)
        .form(&[
            ("csrf", "0000"),
            ("default_project_type", "General Litigation"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "a form without its CSRF token is refused");
    let r = app
        .http
        .post(format!("{}/jobs/{job}/push", app.web))
        .header("cookie", &sid)
        .form(&[
            ("csrf", csrf.as_str()),
            ("default_project_type", "General Litigation"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let (status, started) = app.get_json(&app.a, &path).await;
    assert_eq!(status, 200);
    assert!(
        ["pushing", "reading", "done"].contains(&started["status"].as_str().unwrap_or("")),
        "{started}"
    );
    let done = common::poll(&app, &app.a, &path, |v| {
        v["status"] == "done" || v["status"] == "failed"
    })
    .await;
    assert_eq!(done["status"], "done", "{done}");
    let kinds = done["kinds"].as_array().expect("kinds");
    assert_eq!(kinds.len(), 12, "{done}");
    let created: u64 = kinds.iter().filter_map(|k| k["created"].as_u64()).sum();
    assert!(created > 0, "{done}");
    for k in kinds {
        assert_eq!(k["pages"], k["pages_done"], "{k}");
        let total: u64 = ["created", "adopted", "updated", "unchanged", "refused"]
            .iter()
            .filter_map(|f| k[*f].as_u64())
            .sum();
        assert_eq!(Some(total), k["records"].as_u64(), "{k}");
        assert!(k["label"].as_str().is_some_and(|l| !l.is_empty()));
    }
    let rb = &done["read_back"];
    for k in rb["kinds"].as_array().expect("read-back kinds") {
        assert_eq!(k["found"], k["expected"], "{k}");
        assert_eq!(
            (k["missing"].as_u64(), k["extra"].as_u64()),
            (Some(0), Some(0)),
            "{k}"
        );
    }
    assert!(rb["trust_checked"].as_u64().is_some_and(|n| n > 0), "{rb}");
    assert!(emu.snapshot().contacts > 0);
    // The job's report carries the delivery, as `migrationai report` shows it.
    let (status, report) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/report"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(report["verdict"]["migrated"], rb["migrated"], "{rb}");
    assert_eq!(
        report["filevine"]["read_back"]["kinds"]
            .as_array()
            .map(Vec::len),
        rb["kinds"].as_array().map(Vec::len)
    );
    // The job page shows the progress per kind and the read-back result.
    let page = web_page(&app, &sid, &format!("/jobs/{job}")).await;
    assert!(page.contains("id=\"push-kinds\"") && page.contains("Read back from Filevine"));
    assert!(page.contains("Trust balances checked"));
    assert!(
        page.contains("Delivered: every loaded record")
            || page.contains("Not everything was delivered"),
        "{page}"
    );
    assert!(
        !page.contains("data-refresh"),
        "a finished push stops refreshing"
    );

    // Sent again through the API: nothing new is created in Filevine.
    let before = emu.snapshot();
    let r = app
        .http
        .post(format!("{}{path}", app.api))
        .bearer_auth(&app.a)
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 202);
    let again = common::poll(&app, &app.a, &path, |v| {
        v["status"] == "done" || v["status"] == "failed"
    })
    .await;
    assert_eq!(again["status"], "done", "{again}");
    assert_eq!(emu.snapshot(), before, "a second push creates nothing");
    for k in again["kinds"].as_array().expect("kinds") {
        assert_eq!(k["created"], 0, "{k}");
    }
    app.stop().await;
}

/// A firm A session on the web app.
async fn web_session(app: &common::TestApp) -> String {
    let page = app
        .http
        .get(format!("{}/sign-in", app.web))
        .send()
        .await
        .expect("page");
    let pre = cookie_value(&page, "mai_pre").expect("pre cookie");
    let r = app
        .http
        .post(format!("{}/sign-in", app.web))
        .header("cookie", format!("mai_pre={pre}"))
        .form(&[
            ("email", "a@firm-a.test"),
            ("password", common::PASSWORD),
            ("csrf", pre.as_str()),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 303);
    format!(
        "mai_session={}",
        cookie_value(&r, "mai_session").expect("session cookie")
    )
}

fn cookie_value(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

async fn web_page(app: &common::TestApp, sid: &str, path: &str) -> String {
    let r = app
        .http
        .get(format!("{}{path}", app.web))
        .header("cookie", sid)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.expect("html")
}
