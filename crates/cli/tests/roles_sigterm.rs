//! Every long-running HTTP role started as a process, as a container runs it (PID 1 gets
//! SIGTERM from `docker stop`, ECS or CodeDeploy): a request in flight when SIGTERM arrives
//! still gets its normal answer, new connections are refused from then on, and the process
//! exits 0 within the drain period.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod harness;

use harness::{sigterm, status_code, wait_with_limit, GRACE};

struct Role {
    child: Child,
    addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl Drop for Role {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `migrationai <args> --listen 127.0.0.1:0` on a fresh data directory and reads the
/// bound address from the line the role prints when it listens.
fn start(args: &[&str]) -> Role {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_migrationai"))
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIGRATIONAI_DATA_DIR", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start migrationai");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://") {
                let rest = &line[at + "http://".len()..];
                let addr = rest.split('/').next().unwrap_or_default().to_string();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{args:?} printed no address within 60 s"));
    Role {
        child,
        addr: addr.parse().expect("listen address"),
        _data: data,
    }
}

/// Sends `body` to `path` in two halves with SIGTERM between them, and returns the whole
/// answer (status line, headers and body).
fn post_across_sigterm(role: &mut Role, path: &str, content_type: &str, body: &str) -> String {
    let mut conn = TcpStream::connect(role.addr).expect("connect");
    conn.set_read_timeout(Some(GRACE)).expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
        role.addr,
        body.len()
    );
    let (first, second) = body.split_at(body.len() / 2);
    conn.write_all(head.as_bytes()).expect("write head");
    conn.write_all(first.as_bytes()).expect("write first half");
    conn.flush().expect("flush");
    // The server has the head and is waiting for the rest of the body: in flight.
    std::thread::sleep(Duration::from_millis(500));
    sigterm(&role.child);
    let signalled = Instant::now();
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        role.child.try_wait().expect("try_wait").is_none(),
        "the role exited with a request in flight"
    );
    // The signal was taken: the role no longer accepts connections.
    assert!(
        TcpStream::connect_timeout(&role.addr, Duration::from_secs(2)).is_err(),
        "the role still accepts connections after SIGTERM"
    );
    conn.write_all(second.as_bytes())
        .expect("write second half");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read the answer");
    let status = wait_with_limit(&mut role.child, GRACE.saturating_sub(signalled.elapsed()))
        .unwrap_or_else(|| panic!("still running {GRACE:?} after SIGTERM"));
    assert!(status.success(), "exit status after SIGTERM: {status}");
    answer
}

#[test]
fn api_finishes_a_request_in_flight_on_sigterm_then_exits_0() {
    let mut role = start(&["api"]);
    let body = r#"{"email":"nobody@firm.example","password":"not-the-password"}"#;
    let answer = post_across_sigterm(&mut role, "/v1/auth/sign-in", "application/json", body);
    assert_eq!(status_code(&answer), 401, "{answer}");
}

#[test]
fn admin_api_finishes_a_request_in_flight_on_sigterm_then_exits_0() {
    let mut role = start(&["admin-api"]);
    let body = r#"{"email":"nobody@firm.example","password":"not-the-password"}"#;
    let answer = post_across_sigterm(
        &mut role,
        "/admin/v1/auth/sessions",
        "application/json",
        body,
    );
    assert_eq!(status_code(&answer), 401, "{answer}");
}

/// A frontend answers a sign-in form without its pre-session cookie with the form again
/// and the reason: its normal answer, made without the backend.
fn frontend(role: &str) {
    let mut role = start(&[role, "--backend-url", "http://127.0.0.1:9"]);
    let body = "email=nobody%40firm.example&password=not-the-password&csrf=stale";
    let answer = post_across_sigterm(
        &mut role,
        "/sign-in",
        "application/x-www-form-urlencoded",
        body,
    );
    assert_eq!(status_code(&answer), 200, "{answer}");
    assert!(answer.contains("Your sign-in form expired"), "{answer}");
}

#[test]
fn web_finishes_a_request_in_flight_on_sigterm_then_exits_0() {
    frontend("web");
}

#[test]
fn admin_web_finishes_a_request_in_flight_on_sigterm_then_exits_0() {
    frontend("admin-web");
}

/// tfp serves only `/health`, which answers before its body is read, so it has no request
/// to keep in flight: SIGTERM stops its polling and its health server, and it exits 0,
/// even with a keep-alive connection open.
#[test]
fn tfp_exits_0_on_sigterm() {
    let mut role = start(&["tfp", "--every-ms", "100"]);
    let mut conn = TcpStream::connect(role.addr).expect("connect");
    conn.set_read_timeout(Some(GRACE)).expect("timeout");
    let request = format!("GET /health HTTP/1.1\r\nhost: {}\r\n\r\n", role.addr);
    conn.write_all(request.as_bytes()).expect("write");
    let mut first = [0u8; 12];
    conn.read_exact(&mut first).expect("read the status line");
    assert_eq!(
        &first,
        b"HTTP/1.1 200",
        "{}",
        String::from_utf8_lossy(&first)
    );
    // Let tfp poll a few times, then stop it with the keep-alive connection still open.
    std::thread::sleep(Duration::from_millis(300));
    sigterm(&role.child);
    let status = wait_with_limit(&mut role.child, GRACE)
        .unwrap_or_else(|| panic!("tfp still running {GRACE:?} after SIGTERM"));
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
