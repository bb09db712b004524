//! Two roles in one process through the host (`migrationai run --roles api,web`): both
//! listen, the web app reaches the API in the same process, and SIGTERM stops both with
//! exit 0. And `migrationai roles` says what a role wires, in order.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod harness;

use harness::{sigterm, status_code, wait_with_limit, GRACE};

struct Process {
    child: Child,
    _data: tempfile::TempDir,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange on a fresh connection; the whole answer.
fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut conn = TcpStream::connect(addr).expect("connect");
    conn.set_read_timeout(Some(GRACE)).expect("timeout");
    conn.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn api_and_web_in_one_process_answer_then_stop_on_sigterm() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_migrationai"))
        .args([
            "run",
            "--roles",
            "web,api",
            "--port",
            "0",
            "--insecure-cookies",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIGRATIONAI_DATA_DIR", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start migrationai");
    let stdout = child.stdout.take().expect("stdout");
    let mut process = Process { child, _data: data };
    // "<role> listening on http://<addr>", one line per HTTP role.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((role, addr)) = line.split_once(" listening on http://") {
                let _ = tx.send((role.to_string(), addr.to_string()));
            }
        }
    });
    let mut addrs: HashMap<String, SocketAddr> = HashMap::new();
    while addrs.len() < 2 {
        let (role, addr) = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("only {addrs:?} listening after 60 s"));
        addrs.insert(role, addr.parse().expect("address"));
    }
    let (api, web) = (addrs["api"], addrs["web"]);
    assert_ne!(api, web);

    let health = exchange(
        api,
        &format!("GET /health HTTP/1.1\r\nhost: {api}\r\nconnection: close\r\n\r\n"),
    );
    assert_eq!(status_code(&health), 200, "{health}");

    // A sign-in with a matching pre-session value goes from the web app to the API in the
    // same process, which refuses the unknown user: the form again with the API's reason.
    let body = "email=nobody%40firm.example&password=not-the-password&csrf=pre123";
    let sign_in = exchange(
        web,
        &format!(
            "POST /sign-in HTTP/1.1\r\nhost: {web}\r\ncookie: mai_pre=pre123\r\n\
             content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status_code(&sign_in), 200, "{sign_in}");
    assert!(
        sign_in.contains("Email or password is not right."),
        "{sign_in}"
    );

    sigterm(&process.child);
    let status = wait_with_limit(&mut process.child, GRACE)
        .unwrap_or_else(|| panic!("still running {GRACE:?} after SIGTERM"));
    assert!(status.success(), "exit status after SIGTERM: {status}");
    for addr in [api, web] {
        assert!(
            TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
            "{addr} still accepts connections after exit"
        );
    }
}

#[test]
fn roles_prints_what_api_wires_in_order() {
    let out = Command::new(env!("CARGO_BIN_EXE_migrationai"))
        .args(["roles", "api"])
        .output()
        .expect("run migrationai roles");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let steps: Vec<(&str, &str)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            Some((words.next()?, words.next()?))
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("open", "adapters"),
            ("open", "app"),
            ("open", "services-db"),
            ("open", "cache"),
            ("start", "api"),
            ("wait", "signal"),
            ("drain", "roles"),
        ],
        "{text}"
    );

    let unknown = Command::new(env!("CARGO_BIN_EXE_migrationai"))
        .args(["roles", "api,nope"])
        .output()
        .expect("run migrationai roles");
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("\"nope\"") && err.contains("admin-web") && err.contains("worker"),
        "{err}"
    );
}
