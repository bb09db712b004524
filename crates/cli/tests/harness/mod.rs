//! What the tests that run the binary as a process share: signals, waiting for an exit, and
//! reading an HTTP answer.
#![allow(dead_code)]

use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// How long `serve` lets requests in flight finish (`serve::Limits::drain`), plus slack for
/// a shared machine.
pub const GRACE: Duration = Duration::from_secs(10 + 5);

/// Waits for the child to exit, up to `limit`.
pub fn wait_with_limit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGTERM, as `docker stop`, ECS or CodeDeploy send it.
pub fn sigterm(child: &Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill -TERM failed");
}

/// The status code of an HTTP/1.1 answer.
pub fn status_code(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

/// A file the child writes its logs to, as far as it got.
pub fn logs_of(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
