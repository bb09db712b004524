//! Spawns every role on random ports over a fresh data directory, with two firms and an
//! operator (Zero To Production style).

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use migrationai_api::db::accounts::AccountRole;
use migrationai_api::{AppState, Settings};
use migrationai_host::Config;
use migrationai_host::{Role, Roles, Running};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "a long enough password";

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub running: Running,
    /// The system behind the roles.
    pub state: AppState,
    pub http: reqwest::Client,
    pub api: String,
    pub admin: String,
    pub web: String,
    pub admin_web: String,
    /// Bearer tokens of firm A, firm B and the operator.
    pub a: String,
    pub b: String,
    pub op: String,
}

pub async fn spawn() -> TestApp {
    spawn_with(Settings {
        secure_cookies: false,
        ..Settings::default()
    })
    .await
}

pub async fn spawn_with(settings: Settings) -> TestApp {
    spawn_with_config(settings, |c| c).await
}

/// Like `spawn_with`, with the embedded configuration changed first (e.g. to the AWS
/// profile).
pub async fn spawn_with_config(
    settings: Settings,
    change: impl FnOnce(Config) -> Config,
) -> TestApp {
    spawn_host(settings, change, None).await
}

/// Every role, with workers that push into Filevine with `filevine`'s credentials.
pub async fn spawn_delivering(
    filevine: migrationai_host::settings::load::FilevineSource,
) -> TestApp {
    spawn_host(
        Settings {
            secure_cookies: false,
            ..Settings::default()
        },
        |c| c,
        Some(filevine),
    )
    .await
}

async fn spawn_host(
    settings: Settings,
    change: impl FnOnce(Config) -> Config,
    filevine: Option<migrationai_host::settings::load::FilevineSource>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::embedded(dir.path().join("data"));
    config.pipeline.retry_delay = Duration::from_millis(50);
    let config = change(config);
    // Every role `up` runs, through the host as `up` starts them, on any free ports.
    let roles = Roles::all();
    let mut host = migrationai_host::Settings::new(Some(config), settings);
    host.listen = migrationai_host::addresses(&roles, IpAddr::V4(Ipv4Addr::LOCALHOST), Some(0));
    host.listen.remove(&Role::Tfp);
    host.tfp_every = Duration::from_millis(250);
    host.worker.concurrency = 1;
    host.worker.wait = Duration::from_millis(250);
    host.filevine = filevine;
    let running = migrationai_host::start(host, &roles, CancellationToken::new())
        .await
        .expect("start");
    let state = running.state.clone().expect("the roles' system");
    let s = &state;
    for (tenant, email, role) in [
        ("firm-a", "a@firm-a.test", AccountRole::Member),
        ("firm-b", "b@firm-b.test", AccountRole::Member),
        ("operators", "op@ops.test", AccountRole::Admin),
    ] {
        s.db.create_tenant(tenant, tenant).await.expect("tenant");
        s.app
            .services
            .store
            .ensure_tenant(tenant, tenant)
            .await
            .expect("store tenant");
        migrationai_api::auth::create_user(s, tenant, email, PASSWORD, role)
            .await
            .expect("user");
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let addr = |role: Role| format!("http://{}", running.addr(role).expect("listening"));
    let api = addr(Role::Api);
    let mut app = TestApp {
        dir,
        admin: addr(Role::AdminApi),
        web: addr(Role::Web),
        admin_web: addr(Role::AdminWeb),
        api,
        running,
        state,
        http,
        a: String::new(),
        b: String::new(),
        op: String::new(),
    };
    app.a = app.sign_in("a@firm-a.test").await;
    app.b = app.sign_in("b@firm-b.test").await;
    app.op = app.sign_in("op@ops.test").await;
    app
}

impl TestApp {
    pub async fn sign_in(&self, email: &str) -> String {
        let r = self
            .http
            .post(format!("{}/v1/auth/sign-in", self.api))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    pub async fn create_job(&self, token: &str, name: &str) -> String {
        let r = self
            .http
            .post(format!("{}/v1/jobs", self.api))
            .bearer_auth(token)
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .expect("create");
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.expect("json");
        v["id"].as_str().expect("id").to_string()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.api))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The API's operations from its OpenAPI document: (method, path template).
    pub async fn operations(&self) -> Vec<(String, String)> {
        let doc: Value = self
            .http
            .get(format!("{}/openapi.json", self.api))
            .send()
            .await
            .expect("openapi")
            .json()
            .await
            .expect("json");
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, _) in item.as_object().expect("item") {
                ops.push((method.to_uppercase(), path.clone()));
            }
        }
        ops
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>) -> reqwest::Response {
        let url = format!("{}{path}", self.api);
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(m, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req = match method {
            "PUT" if path.contains("/files/") => req.body("id,name\n1,x\n"),
            "PUT" => req.body(""),
            "PATCH" => req.json(&serde_json::json!([])),
            "POST" => req.json(
                &serde_json::json!({ "name": "x", "email": "x@y.z", "password": "p", "size": 1 }),
            ),
            _ => req,
        };
        req.send().await.expect("send")
    }

    pub async fn stop(self) {
        self.running.stop().await.expect("the roles stop cleanly");
    }
}

/// Fills a path template's parameters.
pub fn fill(template: &str, job: &str, token_id: &str) -> String {
    template
        .replace("{job_id}", job)
        .replace("{token_id}", token_id)
        .replace("{name}", "contacts.csv")
        .replace("{kind}", "contacts")
        .replace("{source_id}", "1")
        .replace("{request_id}", "r")
        .replace("{upload_id}", "0123456789abcdef0123456789abcdef")
}

/// Waits (bounded, no timing asserted) until `done` holds for the GET of `path`.
pub async fn poll(app: &TestApp, token: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = std::time::Instant::now();
    loop {
        let (status, v) = app.get_json(token, path).await;
        assert_eq!(status, 200, "{path}: {v}");
        if done(&v) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(240), "timed out: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Migrates the small sample for firm A and returns the job id.
pub async fn migrated_sample(app: &TestApp, name: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = migrationai_sample::generate(&migrationai_sample::SampleOptions {
        size: migrationai_sample::Size::Small,
        seed: 7,
        out: dir.path().join("sample"),
        zip: true,
    })
    .expect("sample");
    let job = app.create_job(&app.a, name).await;
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/files/export.zip", app.api))
        .bearer_auth(&app.a)
        .body(std::fs::read(&summary.export).expect("zip"))
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/analyse"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    let v = poll(app, &app.a, &format!("/v1/jobs/{job}"), |v| {
        v["status"] != "analysing"
    })
    .await;
    assert_eq!(v["status"], "review", "{v}");
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/start"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    let v = poll(app, &app.a, &format!("/v1/jobs/{job}"), |v| {
        v["run_status"] == "done" || v["run_status"] == "failed"
    })
    .await;
    assert_eq!(v["run_status"], "done", "{v}");
    job
}
