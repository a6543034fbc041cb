//! A client for the `serve` tests: starts the binary on a free port over a fixture copy, sends
//! raw HTTP requests (paths exactly as given) and follows the live-reload event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::SiteTest;

/// Generous, for a loaded 2-core CI machine; a passing run takes a fraction of it.
pub(crate) const DEADLINE: Duration = Duration::from_secs(20);
pub(crate) const POLL: Duration = Duration::from_millis(50);

pub(crate) struct Server {
    pub child: Child,
    pub port: u16,
    stderr: Arc<Mutex<String>>,
}

pub(crate) struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// A connection to the server at `port` whose reads give up after `DEADLINE`.
pub(crate) fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    stream
}

impl Server {
    /// Starts `serve --root <site> --port 0 <extra>` and waits for the URL it prints.
    pub(crate) fn start(site: &SiteTest, extra: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_integridad"));
        command.args(["serve", "--port", "0"]).args(extra);
        Server::launch(command, site, &std::env::var("PATH").unwrap_or_default())
    }

    /// Like `start`, with `dir` first in the server's `PATH` (for stand-in programs).
    #[cfg(unix)]
    pub(crate) fn start_with_path_first(
        site: &SiteTest,
        extra: &[&str],
        dir: &std::path::Path,
    ) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_integridad"));
        command.args(["serve", "--port", "0"]).args(extra);
        let path = format!(
            "{}:{}",
            dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Server::launch(command, site, &path)
    }

    /// Like `start`, with the server's limit of open files (`ulimit -n`) set to `limit`.
    #[cfg(unix)]
    // Used by the `hostile_serve` suite, which compiles this file too.
    #[allow(dead_code)]
    pub(crate) fn start_with_open_files(site: &SiteTest, limit: u32) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_integridad"))
            .args(["serve", "--port", "0"]);
        Server::launch(command, site, &std::env::var("PATH").unwrap_or_default())
    }

    fn launch(mut command: Command, site: &SiteTest, path: &str) -> Server {
        let mut child = command
            .arg("--root")
            .arg(&site.root)
            .env_clear()
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start integridad serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (lines, url) = std::sync::mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
        };
        let line = match url.recv_timeout(DEADLINE) {
            Ok(line) => line,
            Err(_) => panic!("serve printed no URL; stderr:\n{}", server.stderr()),
        };
        let port = line
            .strip_prefix("serving on http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok());
        server.port = port.unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        server
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends one request with the path exactly as given (no client-side normalisation).
    pub(crate) fn request(&self, method: &str, path: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read reply");
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Reply {
            status,
            headers: head.to_ascii_lowercase(),
            body: body.to_string(),
        }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.request("GET", path)
    }

    /// Polls `path` until `done` holds for the reply; panics with the last reply after `DEADLINE`.
    #[track_caller]
    pub(crate) fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let reply = self.get(path);
            if done(&reply) {
                return reply;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {path} to show {what}; last reply {}:\n{}\nserver stderr:\n{}",
                    reply.status,
                    reply.body,
                    self.stderr()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Follows the live-reload stream as a browser's `EventSource` does: each `data:` payload
    /// arrives as JSON on the receiver, and when the server ends a stream (the last chunk of its
    /// chunked body) the client hangs up and reconnects after the `retry:` delay.
    pub(crate) fn events(&self) -> Receiver<serde_json::Value> {
        let port = self.port;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || loop {
            let mut retry = Duration::from_secs(1);
            let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
                return;
            };
            write!(
                stream,
                "GET /__integridad/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            .expect("send");
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(data) = line.strip_prefix("data: ") {
                    if sender
                        .send(serde_json::from_str(data).expect("status JSON"))
                        .is_err()
                    {
                        return;
                    }
                } else if let Some(ms) = line.strip_prefix("retry: ") {
                    retry = Duration::from_millis(ms.parse().expect("retry in ms"));
                } else if line == "0" {
                    break; // the end of the chunked body
                }
            }
            std::thread::sleep(retry);
        });
        receiver
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a status on the stream for which `done` holds.
#[track_caller]
pub(crate) fn next_status(
    events: &Receiver<serde_json::Value>,
    server: &Server,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(status) if done(&status) => return status,
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                panic!(
                    "no matching status on the event stream; stderr:\n{}",
                    server.stderr()
                )
            }
        }
    }
}

pub(crate) fn errors(status: &serde_json::Value) -> usize {
    status["errors"].as_array().map_or(0, Vec::len)
}
