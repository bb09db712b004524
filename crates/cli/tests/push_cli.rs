//! `migrationai push JOB --target filevine` as an operator runs it, against the Filevine
//! emulator on loopback: the dry run sends nothing, a push killed with SIGKILL part-way and
//! run again ends with every record in Filevine exactly once, the outcome is in the exit
//! status and the stored report, and the credentials appear nowhere in the output.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use migrationai_filevine_emulator::{Config as EmuConfig, Emulator};

const BIN: &str = env!("CARGO_BIN_EXE_migrationai");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command with the emulator's connection in the environment, as an operator sets it.
fn migrationai(emu: &Emulator, data: &Path, args: &[&str]) -> Command {
    let c = emu.credentials();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--data-dir")
        .arg(data)
        .env("MIGRATIONAI_FILEVINE_GATEWAY_URL", emu.gateway_url())
        .env("MIGRATIONAI_FILEVINE_IDENTITY_URL", emu.identity_url())
        .env("MIGRATIONAI_FILEVINE_PAT", &c.pat)
        .env("MIGRATIONAI_FILEVINE_CLIENT_ID", &c.client_id)
        .env("MIGRATIONAI_FILEVINE_CLIENT_SECRET", &c.client_secret)
        .env("MIGRATIONAI_FILEVINE_ORG_ID", c.org_id.to_string())
        .env("MIGRATIONAI_FILEVINE_USER_ID", c.user_id.to_string())
        .env("MIGRATIONAI_LOG", "info");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run migrationai")
}

fn assert_no_secret(emu: &Emulator, out: &Output) {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let c = emu.credentials();
    assert!(!all.contains(&c.pat), "the PAT was printed");
    assert!(
        !all.contains(&c.client_secret),
        "the client secret was printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_killed_midway_and_run_again_delivers_each_record_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");

    let out = run(Command::new(BIN)
        .args(["sample", "--size", "small", "--out"])
        .arg(dir.path().join("demo")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let export = dir.path().join("demo").join("export");
    let out = run(migrationai(&emu, &data, &["migrate"]).arg(&export));
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 2),
        "{}",
        text(&out.stderr)
    );

    // The dry run lists the calls per kind and writes nothing: with credentials it reads
    // the org's layout (its token and GETs only) and says first which mapped section
    // fields have no place there.
    let before = emu.snapshot();
    let out = run(&mut migrationai(
        &emu,
        &data,
        &["push", "export", "--target", "filevine", "--dry-run"],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("contacts:"), "{listing}");
    assert!(listing.contains("POST /fv-app/v2/Contacts"), "{listing}");
    assert!(listing.contains("dry run: nothing was sent"), "{listing}");
    assert!(
        listing.contains("have no place in the org's project types"),
        "{listing}"
    );
    assert_eq!(emu.snapshot(), before, "a dry run writes nothing");
    let stats = emu.stats();
    for (route, n) in &stats.by_route {
        assert!(
            route.starts_with("GET ") || route == "POST /connect/token",
            "a dry run sent {n} {route}"
        );
    }

    // Killed with SIGKILL once billing items are going in (the third phase).
    let mut child = migrationai(
        &emu,
        &data,
        &[
            "push",
            "export",
            "--target",
            "filevine",
            "--default-project-type",
            "General Litigation",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("spawn push");
    let started = Instant::now();
    while emu.snapshot().billing_items == 0 {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the push ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    let partial = emu.snapshot();
    assert!(partial.contacts > 0 && partial.payments == 0, "{partial:?}");

    let out = run(&mut migrationai(
        &emu,
        &data,
        &[
            "push",
            "export",
            "--target",
            "filevine",
            "--default-project-type",
            "General Litigation",
        ],
    ));
    assert_no_secret(&emu, &out);
    let shown = text(&out.stdout);
    // The small sample holds records Filevine cannot take (contact-only notes, bills that
    // share time entries): the push says so and exits 2.
    assert_eq!(out.status.code(), Some(2), "{shown}\n{}", text(&out.stderr));
    assert!(shown.contains("NOT DELIVERED"), "{shown}");
    assert!(shown.contains("refused: "), "{shown}");

    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join("reports").join("export").join("report.json")).expect("report"),
    )
    .expect("json");
    let section = &report["filevine"];
    let kinds = section["read_back"]["kinds"].as_array().expect("kinds");
    assert!(!kinds.is_empty());
    for k in kinds {
        assert_eq!(k["missing"], 0, "{k}");
        assert_eq!(k["extra"], 0, "nothing twice: {k}");
        assert_eq!(k["found"], k["expected"], "{k}");
    }
    // Every loaded record is delivered or refused, exactly once, across both runs.
    let snap = emu.snapshot();
    for (kind, held) in [
        ("contacts", snap.contacts),
        ("projects", snap.projects),
        ("notes", snap.notes),
        ("tasks", snap.tasks),
        ("calendar", snap.appointments),
        ("billing-items", snap.billing_items),
        ("project-funds", snap.funds),
    ] {
        let loaded = report["kinds"][kind]["loaded"].as_u64().expect("loaded") as usize;
        let refused = section["refused"]
            .as_array()
            .expect("refused")
            .iter()
            .filter(|r| r["kind"] == kind)
            .count();
        assert_eq!(held + refused, loaded, "{kind}");
    }
    assert_eq!(report["verdict"]["migrated"], false);

    // `report` shows the delivery's problems.
    let out = run(&mut migrationai(&emu, &data, &["report", "export"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Filevine:"),
        "{}",
        text(&out.stdout)
    );

    // The other target, by configuration alone: into the canonical store, with no Filevine
    // credentials given, nothing is sent and the store is read back.
    let requests = emu.stats().requests;
    let out = run(Command::new(BIN)
        .args(["push", "export", "--target", "store", "--data-dir"])
        .arg(&data));
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}\n{}", text(&out.stderr));
    assert!(
        shown.contains("DELIVERED: every loaded record is in the canonical store once"),
        "{shown}"
    );
    assert_eq!(emu.stats().requests, requests, "nothing sent to Filevine");
    let out = run(Command::new(BIN)
        .args([
            "push",
            "export",
            "--target",
            "store",
            "--dry-run",
            "--data-dir",
        ])
        .arg(&data));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}
