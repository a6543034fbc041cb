//! `serve` under hostile and careless clients: slow and silent connections, oversized heads,
//! request bodies, foreign `Host` names, exhausted file handles. Each is refused or closed while
//! ordinary requests keep being answered, and memory and threads return to their baseline. The only timing assertions
//! are liveness bounds with a wide margin (`LIVE`, `DEADLINE`).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{connect, Server, DEADLINE, POLL};
use crate::harness::SiteTest;
use crate::one_at_a_time;
#[cfg(unix)]
use crate::UNO;

/// How long one ordinary request may take while the server is under attack: a liveness bound,
/// far above the few milliseconds a reply takes.
const LIVE: Duration = Duration::from_secs(1);

/// What came back on a connection: the status (0 if none) and the text, and whether the server
/// closed the connection (rather than the read timing out).
struct Answer {
    status: u16,
    text: String,
    closed: bool,
}

/// Sends `head` as given (a write error is fine: the server may stop reading once it has
/// refused) and reads until the server closes the connection.
fn exchange(port: u16, head: &[u8]) -> Answer {
    let mut stream = connect(port);
    let _ = stream.write_all(head);
    read_answer(&mut stream)
}

fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let ended = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let closed = match ended {
        Ok(_) => true,
        Err(error) => !matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    };
    Answer {
        status,
        text,
        closed,
    }
}

fn get_with_host(port: u16, host: &str) -> u16 {
    let head = format!("GET /toolkit/uno/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    exchange(port, head.as_bytes()).status
}

/// A request head with one header value of `size` bytes.
fn head_of(size: usize) -> Vec<u8> {
    let mut head = b"GET /toolkit/uno/ HTTP/1.1\r\nHost: localhost\r\nX-Big: ".to_vec();
    head.resize(head.len() + size, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    head
}

/// Opens `count` connections that each send the start of a request line and then nothing.
fn slow_connections(port: u16, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = connect(port);
            let _ = stream.write_all(b"GET /toolkit/uno/ HTTP/1.1\r\nHost: local");
            stream
        })
        .collect()
}

/// An ordinary client on its own thread: requests a page over and over until told to stop,
/// recording each reply's status and how long it took.
struct Visitor {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<Vec<(u16, Duration)>>,
}

impl Visitor {
    fn start(port: u16) -> Visitor {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let (stopped, counter) = (Arc::clone(&stop), Arc::clone(&done));
        let thread = std::thread::spawn(move || {
            let mut replies = Vec::new();
            while !stopped.load(Ordering::Relaxed) {
                let started = Instant::now();
                let answer = exchange(
                    port,
                    b"GET /toolkit/uno/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                );
                let ok = answer.text.contains("Texto original del capítulo uno.");
                replies.push((if ok { answer.status } else { 0 }, started.elapsed()));
                counter.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
            replies
        });
        Visitor { stop, done, thread }
    }

    /// Waits until `more` further requests have been answered.
    fn wait_for(&self, more: usize) {
        let target = self.done.load(Ordering::Relaxed) + more;
        let deadline = Instant::now() + DEADLINE;
        while self.done.load(Ordering::Relaxed) < target {
            assert!(Instant::now() < deadline, "the visitor is stuck");
            std::thread::sleep(POLL);
        }
    }

    fn finish(self) -> Vec<(u16, Duration)> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("visitor")
    }
}

#[test]
fn slow_connections_and_a_huge_header_do_not_keep_pages_from_being_served() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let port = server.port;
    let visitor = Visitor::start(port);
    visitor.wait_for(3);

    let slow = slow_connections(port, 600);
    let huge = std::thread::spawn(move || exchange(port, &head_of(1024 * 1024)));
    visitor.wait_for(20);
    let huge = huge.join().expect("huge header");
    assert_eq!(huge.status, 431, "{}", huge.text);
    assert!(huge.closed);
    drop(slow);
    visitor.wait_for(3);

    let replies = visitor.finish();
    let slowest = replies
        .iter()
        .map(|(_, took)| *took)
        .max()
        .unwrap_or_default();
    assert!(
        replies.iter().all(|(status, _)| *status == 200),
        "{replies:?}"
    );
    assert!(slowest < LIVE, "a page took {slowest:?}: {replies:?}");
    assert_eq!(server.get("/toolkit/uno/").status, 200);
}

#[test]
fn a_head_over_16_kb_gets_431_and_is_closed() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let over = exchange(server.port, &head_of(17 * 1024));
    assert_eq!(over.status, 431, "{}", over.text);
    assert!(over.closed);
    assert!(over.text.contains("Connection: close"), "{}", over.text);
    let under = exchange(server.port, &head_of(15 * 1024));
    assert_eq!(under.status, 200, "{}", under.text);
    let many = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\n{}\r\n",
        "X-A: b\r\n".repeat(100)
    );
    assert_eq!(exchange(server.port, many.as_bytes()).status, 431);
}

#[test]
fn on_loopback_only_local_host_names_are_answered() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let port = server.port;
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("LocalHost:{port}"),
        "localhost".into(),
    ] {
        assert_eq!(get_with_host(port, &host), 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("127.0.0.1.nip.io:{port}"),
        format!("192.168.1.20:{port}"),
    ] {
        let answer = exchange(
            port,
            format!("GET /toolkit/uno/ HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        assert_eq!(answer.status, 403, "{host}");
        assert!(!answer.text.contains("capítulo uno"), "{}", answer.text);
    }
    let no_host = exchange(port, b"GET /toolkit/uno/ HTTP/1.1\r\n\r\n");
    assert_eq!(no_host.status, 400);
    let old_client = exchange(port, b"GET /toolkit/uno/ HTTP/1.0\r\n\r\n");
    assert_eq!(old_client.status, 200, "HTTP/1.0 needs no Host");
}

#[test]
fn on_the_network_any_host_name_is_answered() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &["--bind", "0.0.0.0"]);
    assert_eq!(get_with_host(server.port, "telefono.lan:1111"), 200);
    assert_eq!(get_with_host(server.port, "192.168.1.20"), 200);
    let no_host = exchange(server.port, b"GET /toolkit/uno/ HTTP/1.1\r\n\r\n");
    assert_eq!(no_host.status, 400);
}

#[test]
fn a_request_with_a_body_is_refused() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let sized = exchange(
        server.port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nhola, mundo",
    );
    assert_eq!((sized.status, sized.closed), (413, true), "{}", sized.text);
    let chunked = exchange(
        server.port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhola\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.status, 413, "{}", chunked.text);
}

#[test]
fn idle_and_half_sent_connections_are_closed_after_a_few_seconds() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let mut silent = connect(server.port);
    let mut half = connect(server.port);
    half.write_all(b"GET /toolkit/uno/ HTTP/1.1\r\nHost: loc")
        .expect("send");
    let silent = read_answer(&mut silent);
    assert!(silent.closed, "a silent connection stays open");
    assert_eq!(silent.text, "", "nothing is sent to a silent connection");
    let half = read_answer(&mut half);
    assert!(half.closed, "a half-sent request stays open");
    assert_eq!(half.status, 408, "{}", half.text);
    assert_eq!(server.get("/toolkit/uno/").status, 200);
}

#[cfg(unix)]
#[test]
fn running_out_of_file_handles_does_not_stop_the_server() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start_with_open_files(&site, 64);
    let port = server.port;
    let slow = slow_connections(port, 200);
    let answer = exchange(
        port,
        b"GET /toolkit/uno/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        server.stderr().contains("Too many open files"),
        "the limit was not reached:\n{}",
        server.stderr()
    );
    drop(slow);
    assert_eq!(server.get("/toolkit/uno/").status, 200);
    site.write(
        UNO,
        "---\ntitle: \"Capítulo uno\"\n---\n\nDespués del ataque.\n",
    );
    server.wait_for("/toolkit/uno/", "the edit", |r| {
        r.body.contains("Después del ataque.")
    });
}

/// `VmRSS` (kB) and `Threads` of a process, from `/proc/<pid>/status`.
#[cfg(target_os = "linux")]
fn memory_and_threads(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {status}"))
    };
    (field("VmRSS:"), field("Threads:"))
}

/// How long a connection thread may take to end after its response was read (it frees its
/// buffers, which after an attack can mean returning memory to the system).
#[cfg(target_os = "linux")]
const SETTLE: Duration = Duration::from_millis(200);

/// The names of a process's threads, for a failure message.
#[cfg(target_os = "linux")]
fn thread_names(pid: u32) -> String {
    let mut names: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .collect();
    names.sort();
    names.join(", ")
}

#[cfg(target_os = "linux")]
#[test]
fn memory_and_threads_return_to_their_baseline_after_an_attack() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let (port, pid) = (server.port, server.child.id());
    for _ in 0..20 {
        assert_eq!(server.get("/toolkit/uno/").status, 200);
    }
    // Each request has its connection thread, which ends a moment after the response is read:
    // the counts are taken once that moment has passed, here and after each request below.
    std::thread::sleep(SETTLE);
    let (rss_before, threads_before) = memory_and_threads(pid);

    let slow = slow_connections(port, 300);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..8 {
                    let _ = exchange(port, &head_of(4 * 1024 * 1024));
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().expect("sender");
    }
    drop(slow);

    // The allocator gives freed pages back to the system a little later, on its next calls:
    // ordinary requests go on until the numbers are back near the baseline, or `DEADLINE`.
    let deadline = Instant::now() + DEADLINE;
    let (rss_after, threads_after) = loop {
        assert_eq!(server.get("/toolkit/uno/").status, 200);
        std::thread::sleep(SETTLE);
        let (rss, threads) = memory_and_threads(pid);
        let settled = threads <= threads_before && rss < rss_before + 16 * 1024;
        if settled || Instant::now() > deadline {
            break (rss, threads);
        }
    };
    assert!(
        threads_after <= threads_before,
        "{threads_after} threads, {threads_before} before; now: {}",
        thread_names(pid)
    );
    assert!(
        rss_after < rss_before + 16 * 1024,
        "128 MB of headers left {rss_after} kB resident, {rss_before} kB before"
    );
    assert_eq!(server.get("/toolkit/uno/").status, 200);
}
