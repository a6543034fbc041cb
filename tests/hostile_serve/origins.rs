//! `serve` and pages of other origins (issue 22 point 4): another site, or a page on another
//! port of this machine (the same *site* to a browser), may link to the preview but never read
//! it; and a large file sent to many slow clients at once is one copy in memory.

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use crate::client::{connect, Server};
use crate::harness::SiteTest;
use crate::one_at_a_time;

/// Sends `head` and reads the whole answer; returns the status and the head of the reply.
fn ask(port: u16, head: &str) -> (u16, String) {
    let mut stream = connect(port);
    stream.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string();
    (status, head)
}

#[test]
fn pages_of_other_origins_may_link_to_the_preview_but_never_read_it() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &["--drafts"]);
    let port = server.port;
    // The search index's manifest, a script at a fixed path in the dev server: every page's
    // text, drafts included.
    let script = "/search-index.es.js".to_string();
    let index = server.get(&script);
    assert!(index.body.contains("INTEGRIDAD_SEARCH"), "{}", index.body);
    let from = |site: &str, mode: &str, dest: &str, path: &str| {
        ask(
            port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nSec-Fetch-Site: {site}\r\n\
                 Sec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: {dest}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    for site in ["cross-site", "same-site"] {
        for (mode, dest, path) in [
            ("no-cors", "script", script.as_str()),
            ("cors", "empty", "/__integridad/events"),
            ("cors", "empty", "/__integridad/status.json"),
            ("no-cors", "image", "/toolkit/uno/"),
            ("navigate", "iframe", "/toolkit/uno/"),
        ] {
            let (status, head) = from(site, mode, dest, path);
            assert_eq!(status, 403, "{site} {mode} {dest} {path}: {head}");
        }
        // The user following a link from another page to the preview.
        let (status, _) = from(site, "navigate", "document", "/toolkit/uno/");
        assert_eq!(status, 200, "a navigation from {site}");
    }
    let (status, _) = from("same-origin", "no-cors", "script", &script);
    assert_eq!(status, 200);
    // Every reply says that no other origin may embed it, and what it is.
    for (head, expected) in [
        (
            format!("GET {script} HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            200,
        ),
        (
            "GET /toolkit/uno/ HTTP/1.1\r\nHost: localhost\r\n\r\n".into(),
            200,
        ),
        ("GET /nada/ HTTP/1.1\r\nHost: localhost\r\n\r\n".into(), 404),
        ("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n".into(), 403),
        ("GET /__integridad/events HTTP/1.0\r\n\r\n".into(), 200),
    ] {
        let (status, head) = ask(port, &head);
        assert_eq!(status, expected, "{head}");
        let lower = head.to_ascii_lowercase();
        assert!(
            lower.contains("cross-origin-resource-policy: same-origin")
                && lower.contains("x-content-type-options: nosniff"),
            "{head}"
        );
    }
}

/// `VmRSS` of a process in kB.
fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS")
}

/// Makes the system take in at most a few kilobytes for `stream` until it is read.
fn tiny_receive_window(stream: &std::net::TcpStream) {
    use std::os::fd::AsRawFd as _;
    let size: libc::c_int = 4096;
    // SAFETY: a valid socket and a pointer to an int that outlives the call.
    let status = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(status, 0);
}

#[test]
fn slow_readers_of_a_large_file_share_one_copy_and_do_not_delay_others() {
    let _alone = one_at_a_time();
    let site = SiteTest::fixture("serve/basic");
    // 12 MB of text (kept deflated in memory, so each reply inflates it) in `static/`.
    let line = "Registro de integridad, línea de prueba con algo de texto variado.\n";
    let big: String = (0..12 * 1024 * 1024 / line.len())
        .map(|i| format!("{i:08} {line}"))
        .collect();
    site.write("static/grande.txt", &big);
    let server = Server::start(&site, &[]);
    let (port, pid) = (server.port, server.child.id());
    assert_eq!(server.get("/grande.txt").body.len(), big.len());
    assert_eq!(server.get("/toolkit/uno/").status, 200);
    let before = resident_kb(pid);
    // 120 clients ask for it and read nothing, with a tiny receive window: every reply waits
    // in its connection, beyond what the system buffers.
    let readers: Vec<_> = (0..120)
        .map(|_| {
            let mut stream = connect(port);
            tiny_receive_window(&stream);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            stream
                .write_all(b"GET /grande.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .expect("send");
            stream
        })
        .collect();
    // Once every reply has begun (its first bytes wait to be read), a page still comes at once.
    for stream in &readers {
        let mut first = [0u8; 12];
        let begun = stream.peek(&mut first).expect("the reply begins");
        assert_eq!(&first[..begun.min(12)], &b"HTTP/1.1 200"[..begun.min(12)]);
    }
    // A liveness bound with a wide margin (a page takes milliseconds; a machine other builds
    // share can stall one for a second or two): before, a probe got no reply in 10 s.
    let started = Instant::now();
    assert_eq!(server.get("/toolkit/uno/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a page took {:?} behind the slow readers",
        started.elapsed()
    );
    // One copy of the file (12 MB) and what 120 connection threads cost in any case (stacks
    // and allocator pages, some tens of MB); a copy per client would be over 1.4 GB.
    let during = resident_kb(pid);
    assert!(
        during < before + 256 * 1024,
        "{during} kB resident with 120 slow readers of a 12 MB file, {before} kB before"
    );
}
