//! A PostgreSQL server of the test's own (initdb into a temporary directory, loopback, a free
//! port), for tests that must do to the server what they cannot do to the shared one: stop it
//! mid-run and start it again, or serve it with their own certificate.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The server's certificate and key, PEM; the server then takes TLS connections only.
pub struct ServerTls<'a> {
    pub cert: &'a str,
    pub key: &'a str,
}

pub struct OwnPostgres {
    bin: PathBuf,
    data: PathBuf,
    /// As root, the server runs as this user (PostgreSQL refuses to run as root).
    user: Option<String>,
    pub port: u16,
    options: String,
    _dir: tempfile::TempDir,
}

impl OwnPostgres {
    /// initdb and start; trust authentication for the `postgres` user on loopback.
    pub fn start(bin: PathBuf, tls: Option<ServerTls<'_>>) -> OwnPostgres {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let user = is_root().then(|| {
            let exists = |u: &str| {
                Command::new("id")
                    .arg(u)
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            if exists("postgres") {
                "postgres"
            } else {
                "nobody"
            }
            .to_owned()
        });
        if let Some(user) = &user {
            chown(dir.path(), user);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.path().display()
        );
        let mut pg = OwnPostgres {
            bin,
            data,
            user,
            port,
            options: String::new(),
            _dir: dir,
        };
        let initdb = pg
            .command("initdb")
            .arg("-D")
            .arg(&pg.data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .output()
            .expect("run initdb");
        assert!(initdb.status.success(), "initdb: {initdb:?}");
        if let Some(tls) = tls {
            write_private(&pg.data.join("server.crt"), tls.cert);
            write_private(&pg.data.join("server.key"), tls.key);
            write_private(
                &pg.data.join("pg_hba.conf"),
                "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
            );
            options += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key";
        }
        if let Some(user) = &pg.user {
            chown(&pg.data, user);
        }
        pg.options = options;
        pg.start_again();
        pg
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` with `query` appended when not empty.
    pub fn url(&self, query: &str) -> String {
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        if query.is_empty() {
            url
        } else {
            format!("{url}?{query}")
        }
    }

    /// Starts the server (again) on its port and data directory, waiting until it accepts.
    pub fn start_again(&self) {
        let log = self.log_file();
        let started = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o", &self.options, "start"])
            .output()
            .expect("run pg_ctl");
        assert!(
            started.status.success(),
            "pg_ctl start: {started:?}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server as a crash or a failover would: every connection cut, no checkpoint.
    pub fn stop_immediately(&self) {
        let stopped = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output()
            .expect("run pg_ctl");
        assert!(stopped.status.success(), "pg_ctl stop: {stopped:?}");
    }

    fn log_file(&self) -> PathBuf {
        self.data
            .parent()
            .map(|p| p.join("log"))
            .unwrap_or_else(|| self.data.join("log"))
    }

    fn command(&self, tool: &str) -> Command {
        match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(self.bin.join(tool));
                command
            }
            None => Command::new(self.bin.join(tool)),
        }
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn chown(path: &Path, user: &str) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(user)
        .arg(path)
        .status()
        .expect("chown");
    assert!(status.success(), "chown {}", path.display());
}

/// PostgreSQL refuses a key file others can read.
fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}
