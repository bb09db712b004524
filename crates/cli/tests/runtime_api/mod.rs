//! A small local implementation of the AWS Lambda Runtime API (2018-06-01), written from
//! AWS's documented protocol, to run the bootstrap binary the way Lambda runs it:
//!
//! - `GET /2018-06-01/runtime/invocation/next` answers with the next event and the headers
//!   `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms`,
//!   `Lambda-Runtime-Invoked-Function-Arn` and `Lambda-Runtime-Trace-Id`; with no event left
//!   it holds the request open, as Lambda does while the function is frozen;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../{id}/error` take the
//!   result (202 Accepted);
//! - `POST /2018-06-01/runtime/init/error` takes an initialisation failure.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub enum Seen {
    /// A `next` request, when it arrived.
    Next(Instant),
    Response {
        request_id: String,
        body: String,
    },
    Error {
        request_id: String,
        body: String,
    },
    InitError(String),
}

pub struct RuntimeApi {
    pub address: String,
    pub seen: Receiver<Seen>,
}

struct Shared {
    events: Mutex<VecDeque<(String, String)>>,
    seen: Mutex<Sender<Seen>>,
}

impl RuntimeApi {
    /// Serves `events` (request id, JSON payload) in order on a loopback port.
    pub fn start(events: Vec<(String, String)>) -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        let (tx, rx) = channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(events.into()),
            seen: Mutex::new(tx),
        });
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        RuntimeApi { address, seen: rx }
    }

    /// The next thing the runtime did, within `timeout`.
    pub fn wait(&self, timeout: Duration) -> Option<Seen> {
        self.seen.recv_timeout(timeout).ok()
    }
}

struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().ok()?,
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).ok()?;
    }
    Some(Request { method, path, body })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(String, String)], body: &str) {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Content-Type: application/json\r\n\r\n");
    out.push_str(body);
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

fn serve(stream: TcpStream, shared: &Shared) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let send = |seen: Seen| {
            if let Ok(tx) = shared.seen.lock() {
                let _ = tx.send(seen);
            }
        };
        let body = String::from_utf8_lossy(&request.body).into_owned();
        let path = request.path.as_str();
        let accepted = |w: &mut TcpStream| respond(w, "202 Accepted", &[], "{\"status\":\"OK\"}");
        if request.method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
            send(Seen::Next(Instant::now()));
            let next = shared.events.lock().ok().and_then(|mut e| e.pop_front());
            let Some((request_id, payload)) = next else {
                // No more events: hold the request, as a frozen sandbox would.
                std::thread::sleep(Duration::from_secs(3600));
                return;
            };
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() + 300_000)
                .unwrap_or(0);
            let headers = vec![
                ("Lambda-Runtime-Aws-Request-Id".to_owned(), request_id),
                (
                    "Lambda-Runtime-Deadline-Ms".to_owned(),
                    deadline.to_string(),
                ),
                (
                    "Lambda-Runtime-Invoked-Function-Arn".to_owned(),
                    "arn:aws:lambda:us-east-1:123456789012:function:migrationai-jobs".to_owned(),
                ),
                (
                    "Lambda-Runtime-Trace-Id".to_owned(),
                    "Root=1-5e1b4151-5ac6c58f5b5d1c5d5e5b5c5d;Parent=1;Sampled=0".to_owned(),
                ),
            ];
            respond(&mut writer, "200 OK", &headers, &payload);
        } else if let Some(rest) = path.strip_prefix("/2018-06-01/runtime/invocation/") {
            if let Some(id) = rest.strip_suffix("/response") {
                send(Seen::Response {
                    request_id: id.to_owned(),
                    body,
                });
                accepted(&mut writer);
            } else if let Some(id) = rest.strip_suffix("/error") {
                send(Seen::Error {
                    request_id: id.to_owned(),
                    body,
                });
                accepted(&mut writer);
            } else {
                respond(&mut writer, "404 Not Found", &[], "{}");
            }
        } else if path == "/2018-06-01/runtime/init/error" {
            send(Seen::InitError(body));
            accepted(&mut writer);
        } else {
            respond(&mut writer, "404 Not Found", &[], "{}");
        }
    }
}
