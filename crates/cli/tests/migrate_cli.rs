//! `migrationai migrate` as a person runs it: real signals sent to a real child process stop
//! it gracefully (the job is marked interrupted, the way to resume is printed, and resuming
//! ends exactly like an uninterrupted run); an empty export is not a success.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use migrationai_host::{open, Config};

const BIN: &str = env!("CARGO_BIN_EXE_migrationai");

fn migrationai(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("run migrationai")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sample(dir: &Path) -> std::path::PathBuf {
    let out = Command::new(BIN)
        .args(["sample", "--size", "small", "--out"])
        .arg(dir.join("demo"))
        .output()
        .expect("sample");
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("demo").join("export")
}

/// Batches done so far by the job named `job` in `data` (0 before it is planned).
async fn batches_done(data: &Path, job: &str) -> i64 {
    let Ok(app) = open::app(&Config::embedded(data)).await else {
        return 0;
    };
    let Ok(row) = app.find_job(job).await else {
        return 0;
    };
    app.services
        .store
        .progress(&row.tenant, &row.id)
        .await
        .map(|p| p.iter().map(|k| k.batches_done).sum())
        .unwrap_or(0)
}

/// Batches of 25 rows: the small sample then takes about 150 batches, so a signal sent
/// once a batch is done lands while most of the job is still to do. With the default 500
/// rows a batch, a resumed job could end before the test saw its next batch.
const BATCH_SIZE: &str = "25";

fn spawn_migrate(export: &Path, data: &Path) -> Child {
    Command::new(BIN)
        .arg("migrate")
        .arg(export)
        .args(["--batch-size", BATCH_SIZE])
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn migrate")
}

/// Sends `signal` to `child` once it has said which job it runs and stored a batch more,
/// and waits for it.
async fn interrupt(export: &Path, data: &Path, signal: &str) -> Output {
    let before = batches_done(data, "export").await;
    let mut child = spawn_migrate(export, data);
    // Stdout is read to its end on a thread, so a full pipe never blocks the child; its
    // first line ("job ...") comes once the signal handlers are in place.
    let stdout = child.stdout.take().expect("stdout");
    let (first_tx, first_rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = first_tx.send(line.clone());
            lines.push(line);
        }
        lines.join("\n")
    });
    let Ok(first) = first_rx.recv_timeout(Duration::from_secs(120)) else {
        let out = child.wait_with_output().expect("wait");
        panic!(
            "migrate printed nothing ({}): {}",
            out.status,
            text(&out.stderr)
        );
    };
    assert!(first.starts_with("job \"export\""), "{first}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while batches_done(data, "export").await <= before {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("migrate ended ({status}) before it could be interrupted");
        }
        assert!(Instant::now() < deadline, "no batch was done in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let out = child.wait_with_output().expect("wait");
    Output {
        stdout: reader.join().expect("stdout").into_bytes(),
        ..out
    }
}

fn report_json(data: &Path) -> serde_json::Value {
    let out = migrationai(data, &["report", "export", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("report json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_and_sigterm_stop_gracefully_and_the_job_resumes_to_the_same_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = sample(dir.path());
    let clean = dir.path().join("clean");
    let stopped = dir.path().join("stopped");

    // The uninterrupted run, alongside the interrupted one.
    let mut baseline = spawn_migrate(&export, &clean);

    for (signal, code, name) in [("-INT", 130, "SIGINT"), ("-TERM", 143, "SIGTERM")] {
        let out = interrupt(&export, &stopped, signal).await;
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(code), "{stdout}\n{stderr}");
        assert!(
            stderr.contains(&format!("interrupted by {name}")),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "resume with: migrationai migrate {}",
                export.display()
            )),
            "{stderr}"
        );
        let jobs = text(&migrationai(&stopped, &["jobs"]).stdout);
        let line = jobs
            .lines()
            .find(|l| l.starts_with("export "))
            .unwrap_or_else(|| panic!("no job line: {jobs}"));
        assert!(line.contains("interrupted"), "{jobs}");
        assert!(!line.contains("running"), "{jobs}");
    }

    // Resumed as printed: it says so, and ends like the run nobody interrupted.
    let resumed = migrationai(&stopped, &["migrate", &export.display().to_string()]);
    let stdout = text(&resumed.stdout);
    assert!(stdout.contains("resuming where it stopped"), "{stdout}");
    assert_eq!(
        resumed.status.code(),
        Some(2),
        "{stdout}{}",
        text(&resumed.stderr)
    );
    assert!(stdout.contains("does NOT migrate"), "{stdout}");
    let jobs = text(&migrationai(&stopped, &["jobs"]).stdout);
    assert!(jobs.contains(" done "), "{jobs}");

    let base = baseline.wait().expect("baseline");
    assert_eq!(base.code(), Some(2));
    assert_eq!(report_json(&stopped), report_json(&clean));
}

#[test]
fn an_empty_export_is_not_a_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("export");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let out = migrationai(
        &dir.path().join("data"),
        &["migrate", &empty.display().to_string()],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("nothing to migrate: found no table"),
        "{stderr}"
    );
    let canonical = std::fs::canonicalize(&empty).expect("canonical");
    assert!(
        stderr.contains(&canonical.display().to_string()),
        "{stderr}"
    );
}

#[test]
fn a_missing_mapping_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = sample(dir.path());
    let out = migrationai(
        &dir.path().join("data"),
        &[
            "migrate",
            &export.display().to_string(),
            "--mapping",
            "edited.toml",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("edited.toml"), "{stderr}");
}

/// `inspect --mapping FILE` shows the file's mapping, not the proposal it was edited from.
#[test]
fn inspect_shows_the_mapping_it_was_given() {
    use migrationai_ingest::mapping::Mapping;
    let dir = tempfile::tempdir().expect("tempdir");
    let export = sample(dir.path());
    let export = export.display().to_string();
    let file = dir.path().join("mapping.toml");
    let inspect = |args: &[&str]| {
        Command::new(BIN)
            .arg("inspect")
            .arg(&export)
            .args(args)
            .output()
            .expect("inspect")
    };
    let out = inspect(&["--write-mapping", &file.display().to_string()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let proposed = text(&out.stdout);
    assert!(
        proposed.contains("Activities.csv → billing-items"),
        "{proposed}"
    );

    let mut mapping = Mapping::parse(
        "mapping.toml",
        &std::fs::read_to_string(&file).expect("read"),
    )
    .expect("proposal parses");
    for f in &mut mapping.files {
        if f.table == "Activities.csv" {
            f.kind = None;
            for c in &mut f.columns {
                c.1 = None;
            }
        }
        if f.table == "Bills.csv" {
            for c in &mut f.columns {
                if c.0 == "Amount Due" {
                    c.1 = None;
                }
            }
        }
    }
    std::fs::write(&file, mapping.to_toml(&[])).expect("write");
    let out = inspect(&["--mapping", &file.display().to_string()]);
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(shown.contains("Activities.csv → (left out)"), "{shown}");
    assert!(!shown.contains("→ item_id"), "{shown}");
    let amount_due = shown
        .lines()
        .find(|l| l.trim_start().starts_with("Amount Due"))
        .expect("Amount Due line");
    assert!(
        amount_due.contains("left out by the mapping"),
        "{amount_due}"
    );
}

/// A run with no mapping says what the proposal decided for nobody to review: each table's
/// kind, the questions it answered, and how to review them. A run with a mapping does not.
#[test]
fn a_run_with_no_mapping_says_what_the_proposal_decided() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).expect("export");
    // Six-digit numbers with no country code: several countries read them, so the country
    // is a question the proposal answers.
    let mut people = String::from("Person ID,Full Name,Phone\n");
    for i in 0..12 {
        people.push_str(&format!(
            "P{i},Ann Lee {i},04{} {:06}\n",
            i % 10,
            234_567 + i
        ));
    }
    std::fs::write(export.join("People.csv"), people).expect("write");
    let data = dir.path().join("data");
    let out = migrationai(&data, &["migrate", &export.display().to_string()]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("no mapping given: the proposed one runs"),
        "{stdout}"
    );
    assert!(stdout.contains("People.csv → contacts"), "{stdout}");
    assert!(stdout.contains("--write-mapping mapping.toml"), "{stdout}");

    let file = dir.path().join("mapping.toml");
    let wrote = Command::new(BIN)
        .args(["inspect", &export.display().to_string(), "--write-mapping"])
        .arg(&file)
        .output()
        .expect("inspect");
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    let reviewed = migrationai(
        &dir.path().join("data2"),
        &[
            "migrate",
            &export.display().to_string(),
            "--mapping",
            &file.display().to_string(),
        ],
    );
    let stdout = text(&reviewed.stdout);
    assert!(!stdout.contains("no mapping given"), "{stdout}");
}
