//! The firm app from review to sign-off, through its pages as a browser sends them (forms,
//! cookies, CSRF): a file the analysis did not recognise is given its kind and key column,
//! a start with a required field unmapped needs a confirmation, the data check says what
//! will migrate, the verdict and the report lead with what matters, rejects sort, filter
//! and page, a rejected row fixed in the grid re-runs, and every page answers 200.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{spawn, TestApp, PASSWORD};
use serde_json::Value;

/// Tasks under opaque headers in an unremarkable file: nothing says what they are.
const MISC: &str = "X1,X2,X3,X4\nT9001,M000001,Call the client about the settlement,2024-05-01\nT9002,M000002,File the motion,2024-05-02\nT9003,M000003,Review the medical records,2024-05-03\n";

fn zip_folder(dir: &Path, out: &Path) {
    let file = std::fs::File::create(out).expect("zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for e in std::fs::read_dir(&folder).expect("dir").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .expect("inside")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            zip.start_file(name, options).expect("entry");
            zip.write_all(&std::fs::read(&path).expect("read"))
                .expect("write");
        }
    }
    zip.finish().expect("finish");
}

/// A signed-in browser of the firm app: its session cookie and CSRF token.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
    csrf: String,
}

impl<'a> Browser<'a> {
    async fn sign_in(app: &'a TestApp, email: &str) -> Browser<'a> {
        let page = app
            .http
            .get(format!("{}/sign-in", app.web))
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
            .post(format!("{}/sign-in", app.web))
            .header("cookie", format!("mai_pre={pre}"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf", &pre)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 303);
        let session = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("mai_session="))
            .and_then(|v| v.split(';').next())
            .expect("session")
            .to_string();
        let mut b = Browser {
            app,
            cookie: format!("mai_session={session}"),
            csrf: String::new(),
        };
        let home = b.page("/").await;
        b.csrf = home
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf")
            .to_string();
        b
    }

    /// GETs a page, which must answer 200 with HTML.
    async fn page(&self, path: &str) -> String {
        let (status, html) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {html}");
        assert!(html.contains("</html>"), "{path} is not a whole page");
        html
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .app
            .http
            .get(format!("{}{path}", self.app.web))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("get");
        (r.status().as_u16(), r.text().await.expect("text"))
    }

    /// POSTs a form (with the CSRF token): (status, Location, body).
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let r = self
            .app
            .http
            .post(format!("{}{path}", self.app.web))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("post");
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, location, r.text().await.expect("text"))
    }

    /// Reloads a page until it holds `needle`.
    async fn until(&self, path: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let html = self.page(path).await;
            if html.contains(needle) {
                return html;
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "{path} never showed {needle:?}: {html}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// The index of the table `name` in the review form (its fieldset `id="table-N"`).
fn table_index(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("data-table=\"{name}\""))
        .unwrap_or_else(|| panic!("{name} is not in the review"));
    let before = &html[..at];
    let id = before.rfind("id=\"table-").expect("fieldset id") + "id=\"table-".len();
    before[id..].split('"').next().expect("index").to_string()
}

async fn api(app: &TestApp, path: &str) -> Value {
    let (status, v) = app.get_json(&app.a, path).await;
    assert_eq!(status, 200, "{path}: {v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_fixes_the_mapping_and_the_rejects_in_the_browser() {
    let app = spawn().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = migrationai_sample::generate(&migrationai_sample::SampleOptions {
        size: migrationai_sample::Size::Small,
        seed: 7,
        out: dir.path().join("sample"),
        zip: false,
    })
    .expect("sample");
    std::fs::write(sample.export.join("Misc Data.csv"), MISC).expect("misc");
    let zip = dir.path().join("export.zip");
    zip_folder(&sample.export, &zip);

    let browser = Browser::sign_in(&app, "a@firm-a.test").await;
    let (status, location, _) = browser.post("/jobs", &[("name", "Review walk")]).await;
    assert_eq!(status, 303);
    let job = location.rsplit('/').next().expect("job id").to_string();
    let r = app
        .http
        .put(format!("{}/v1/jobs/{job}/files/export.zip", app.api))
        .bearer_auth(&app.a)
        .body(std::fs::read(&zip).expect("zip"))
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 201);
    let job_path = format!("/jobs/{job}");
    let (status, _, _) = browser.post(&format!("{job_path}/analyse"), &[]).await;
    assert_eq!(status, 303);
    let html = browser.until(&job_path, "Review the mapping").await;

    // Per file: the kind with what was detected, the key column, the fields by their names.
    assert!(html.contains("Activities.csv"), "{html}");
    assert!(html.contains("Time and expenses (billing-items)"));
    assert!(html.contains("Key column"));
    assert!(
        html.contains("Contact ID"),
        "fields by their names for people"
    );
    // ...with what each field holds, from the catalogue.
    let contacts = migrationai_domain::kind_def(migrationai_domain::Kind::Contacts);
    let described = contacts.id_field().description;
    assert!(html.contains(&crate_escape(described)), "{described}");
    assert!(html.contains("Required by Contacts: <span class=\"met\">✓ Contact ID</span>"));
    // The check of the proposal comes by itself.
    let html = browser.until(&job_path, "Will this migrate?").await;
    assert!(html.contains("Row problems per file"), "{html}");
    let t = table_index(&html, "Misc Data.csv");
    // Filters: both views answer and keep fewer columns than the whole review.
    let low = browser.page(&format!("{job_path}?only=low")).await;
    let problems = browser.page(&format!("{job_path}?only=problems")).await;
    let rows = |h: &str| h.matches("name=\"f.").count();
    assert!(rows(&low) < rows(&html), "only-low shows every column");
    assert!(
        rows(&problems) < rows(&html),
        "only-problems shows every column"
    );

    // The misdetected file becomes tasks; saved with a visible confirmation.
    let (status, location, _) = browser
        .post(
            &format!("{job_path}/mapping"),
            &[(&format!("kind.{t}"), "tasks")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("saved=1"), "{location}");
    let html = browser.page(&location).await;
    assert!(html.contains("Saved 1 change"), "{html}");
    let legend = html
        .split(&format!("id=\"table-{t}\""))
        .nth(1)
        .expect("table");
    assert!(
        legend.contains("→ <strong class=\"kind\">Tasks</strong>"),
        "{legend}"
    );
    assert!(
        legend.contains("Required and not mapped: Task ID"),
        "{legend}"
    );
    assert!(legend.contains("No key column"), "{legend}");

    // Starting now needs an explicit confirmation, and is refused with the fields named.
    let (status, _, page) = browser.post(&format!("{job_path}/start"), &[]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("required fields are unmapped"), "{page}");
    assert!(page.contains("Misc Data.csv"), "{page}");
    assert!(page.contains("id=\"confirm-unmet\""), "{page}");

    // The key column and the other columns, chosen by hand.
    let (status, location, _) = browser
        .post(
            &format!("{job_path}/mapping"),
            &[
                (&format!("key.{t}"), "X1"),
                (&format!("f.{t}.1"), "project_id"),
                (&format!("f.{t}.2"), "title"),
                (&format!("f.{t}.3"), "due_on"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location.contains("saved=4"), "{location}");
    let html = browser.until(&job_path, "Will this migrate?").await;
    let legend = html
        .split(&format!("id=\"table-{t}\""))
        .nth(1)
        .expect("table");
    assert!(
        legend.contains("Key: <strong>X1</strong> → Task ID"),
        "{legend}"
    );
    assert!(!legend.contains("Required and not mapped"), "{legend}");
    let check = api(&app, &format!("/v1/jobs/{job}/check")).await;
    assert_eq!(check["current"], true, "{check}");
    let misc = check["result"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["table"] == "Misc Data.csv")
        .expect("checked");
    assert_eq!(
        (misc["rows"].as_u64(), misc["valid_rows"].as_u64()),
        (Some(3), Some(3))
    );

    let (status, _, page) = browser.post(&format!("{job_path}/start"), &[]).await;
    assert_eq!(status, 303, "{page}");
    let html = browser.until(&job_path, "id=\"verdict\"").await;
    // The verdict leads, with the summary and names for kinds.
    assert!(html.find("id=\"verdict\"") < html.find("id=\"progress-h\""));
    assert!(
        html.contains("does NOT migrate"),
        "the sample's faults: {html}"
    );
    assert!(html.contains("What fixes it"), "{html}");
    assert!(html.contains("Trust held") && html.contains("Documents verified"));
    assert!(html.contains("Trust ledger <small class=\"slug\">project-funds</small>"));
    let report = api(&app, &format!("/v1/jobs/{job}/summary")).await;
    let tasks = report["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .find(|k| k["kind"] == "tasks")
        .expect("tasks");
    let truth: Value = serde_json::from_slice(&std::fs::read(&sample.ground_truth).expect("truth"))
        .expect("truth json");
    let truth_tasks = truth["kinds"]["tasks"]["loaded"].as_u64().unwrap_or(0);
    assert_eq!(
        tasks["loaded"].as_u64(),
        Some(truth_tasks + 3),
        "the three tasks of Misc Data.csv load too: {tasks}"
    );

    // The report: names beside ids, per-invoice balances, per-document checksums.
    let html = browser.page(&format!("{job_path}/report")).await;
    assert!(html.find("Verdict:") < html.find("Executive summary"));
    let matter = &report["trust_by_matter"][0];
    let name = matter["name"].as_str().expect("matter name");
    assert!(html.contains(&crate_escape(name)), "{name}");
    assert!(html.contains("id=\"invoices\"") && html.contains("id=\"documents\""));
    let sha = report["files"][0]["sha256"][0]
        .as_str()
        .expect("a checksum");
    assert_eq!(sha.len(), 64);
    assert!(html.contains(sha));
    assert!(html.contains("Bills <small class=\"slug\">billing-invoice</small>"));
    if let Some(group) = report["duplicates"].as_array().and_then(|d| d.first()) {
        let e = &group["evidence"][0];
        let field = e["fields"][0].as_str().expect("evidence");
        assert!(
            html.contains(&crate_escape(field)) && e["score"].as_f64().is_some(),
            "duplicates show their evidence: {e}"
        );
    }
    let signoff = browser.page(&format!("{job_path}/signoff")).await;
    assert!(signoff.contains("Migration sign-off") && signoff.contains("Signatures"));
    assert!(signoff.contains("data-print"));

    // Rejects: filtered by kind, sorted by row, a page at a time.
    let all = api(&app, &format!("/v1/jobs/{job}/rejects?per_page=500")).await;
    let funds: Vec<i64> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["kind"] == "project-funds")
        .map(|r| r["row"].as_i64().unwrap_or(0))
        .collect();
    assert!(funds.len() > 5);
    let html = browser
        .page(&format!(
            "{job_path}/rejects?kind=project-funds&sort=row&dir=desc&per_page=5&page=1"
        ))
        .await;
    let mut desc = funds.clone();
    desc.sort_unstable_by(|a, b| b.cmp(a));
    let first = format!("<td class=\"num\">{}</td>", desc[0]);
    assert!(html.contains(&first), "row {} first: {html}", desc[0]);
    assert!(html.contains(&format!(
        "{} of {} rejected rows match",
        funds.len(),
        all["all"]
    )));
    assert!(html.contains("id=\"next-page\""));
    assert!(html.contains("aria-sort=\"descending\""));

    // A rejected amount fixed in the grid: a new job re-runs it, and it loads.
    let bad = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["code"] == "invalid_amount" && r["kind"] == "billing-items")
        .expect("an invalid amount")
        .clone();
    let table = bad["file"].as_str().expect("file");
    let mapping = api(&app, &format!("/v1/jobs/{job}/mapping")).await;
    let column = mapping["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|x| x["table"] == table)
        .and_then(|x| {
            x["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .find(|c| c["field"] == bad["field"])
        })
        .and_then(|c| c["header"].as_str())
        .expect("the column of the field")
        .to_string();
    let fix_path = format!("{job_path}/fix?table={}", urlencode(table));
    let grid = browser.page(&fix_path).await;
    let row_at = grid
        .find(&format!("data-row=\"{}\"", bad["row"]))
        .expect("the rejected row is in the grid");
    let row_html = &grid[row_at..];
    let headers: Vec<&str> = grid
        .split("<thead>")
        .nth(1)
        .and_then(|h| h.split("</thead>").next())
        .expect("head")
        .split("<th scope=\"col\">")
        .skip(3)
        .map(|h| h.split('<').next().unwrap_or(""))
        .collect();
    let col = headers
        .iter()
        .position(|h| *h == column)
        .expect("column in the grid");
    let input = row_html
        .split("name=\"c.")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .expect("row index")
        .to_string();
    let (status, location, page) = browser
        .post(
            &format!("{job_path}/fix"),
            &[
                ("table", table),
                ("page", "1"),
                (&format!("c.{input}.{col}"), "12.34"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let fixed_job = location.rsplit('/').next().expect("new job").to_string();
    assert_ne!(fixed_job, job);
    browser.until(&location, "id=\"verdict\"").await;
    let fixed = api(&app, &format!("/v1/jobs/{fixed_job}/summary")).await;
    let loaded = |r: &Value| {
        r["kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .find(|k| k["kind"] == "billing-items")
            .and_then(|k| k["loaded"].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(loaded(&fixed), loaded(&report) + 1);
    // Sent back unchanged, the grid says there is nothing to re-run.
    let (status, _, page) = browser
        .post(
            &format!("{job_path}/fix"),
            &[("table", table), ("page", "1")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("nothing to re-run"), "{page}");

    // Every kind's records page answers (the browse page once failed for every kind).
    for kind in report["kinds"].as_array().expect("kinds") {
        let kind = kind["kind"].as_str().expect("kind");
        let html = browser.page(&format!("{job_path}/records/{kind}")).await;
        assert!(html.contains(&format!("Records: {kind}")), "{html}");
    }
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Text as the templates escape it.
fn crate_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}
