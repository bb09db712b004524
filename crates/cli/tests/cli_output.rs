//! What the operator commands print when things are not as expected: a closed pipe, a port
//! in use, an unknown queue, logs going to a file.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migrationai");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(args: &[&str], data: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .expect("run migrationai")
}

#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).expect("mkdir");
    std::fs::write(
        export.join("contacts.csv"),
        "contact_id,first_name,last_name\nC1,Ann,Lee\nC2,Bo,Ng\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let out = run(&["migrate", &export.display().to_string()], &data);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // `true` closes its end at once: every write of the report meets a closed pipe.
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -o pipefail; "$0" report export --json --data-dir "$1" | true"#)
        .arg(BIN)
        .arg(&data)
        .output()
        .expect("bash");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_port_in_use_is_named_with_how_to_choose_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let out = run(
        &["up", "--port", &port.to_string()],
        &dir.path().join("data"),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
}

#[test]
fn an_unknown_queue_is_named_with_the_known_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    for action in ["list", "redrive"] {
        let out = run(&["dlq", action, "nope"], &data);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("unknown queue \"nope\""), "{stderr}");
        assert!(stderr.contains("contacts, projects"), "{stderr}");
        assert!(!stderr.contains("AWS."), "{stderr}");
    }
    let out = run(&["dlq", "list", "contacts"], &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("no dead letters"));
    let out = run(&["dlq", "list", "prod-migrationai-contacts"], &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn logs_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["dlq", "list", "contacts", "--log", "trace", "--data-dir"])
        .arg(dir.path().join("data"))
        .output()
        .expect("run");
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.lines().count() > 1,
        "no log lines to check: {stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

/// `migrate` and `jobs` (or any two commands) opening a new data directory at the same time
/// both work: its migrations run once.
#[test]
fn commands_opening_a_new_data_directory_at_once_both_work() {
    for round in 0..5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let children: Vec<_> = ["jobs", "queues", "jobs", "queues"]
            .iter()
            .map(|cmd| {
                Command::new(BIN)
                    .arg(cmd)
                    .arg("--data-dir")
                    .arg(&data)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "round {round}: {}", text(&out.stderr));
        }
    }
}
