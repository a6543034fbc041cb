//! Live-reload event streams over the wire: a stream says `Connection: close` and really ends
//! (last chunk, then the socket closes) when the server stops; streams beyond the cap get 503
//! and a closed tab frees its place; a tab that reconnects sees the builds it missed.

#[cfg(unix)]
use std::io::Read;
use std::io::{BufRead, BufReader, Write};
#[cfg(unix)]
use std::net::TcpStream;
#[cfg(unix)]
use std::process::Command;
use std::time::Instant;

use super::client::{connect, next_status, Server, DEADLINE, POLL};
use super::UNO;
use crate::harness::SiteTest;

const EVENTS: &[u8] = b"GET /__integridad/events HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// Reads an event stream's head and first status; returns the head (lowercase) and the reader.
#[cfg(unix)]
fn open_stream(port: u16) -> (String, BufReader<TcpStream>) {
    let mut stream = connect(port);
    stream.write_all(EVENTS).expect("send");
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).expect("a line") > 0,
            "the stream ended early: {head}"
        );
        if line.starts_with("data: ") {
            return (head, reader);
        }
        head.push_str(&line.to_ascii_lowercase());
    }
}

#[cfg(unix)]
#[test]
fn an_event_stream_ends_with_its_last_chunk_and_closes_when_the_server_stops() {
    let site = SiteTest::fixture("serve/basic");
    let mut server = Server::start(&site, &[]);
    let (head, mut reader) = open_stream(server.port);
    for expected in [
        "content-type: text/event-stream; charset=utf-8",
        "transfer-encoding: chunked",
        "connection: close",
        "retry: 500",
    ] {
        assert!(head.contains(expected), "{expected}:\n{head}");
    }
    let sent = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let mut rest = String::new();
    reader
        .read_to_string(&mut rest)
        .expect("the server closes the stream");
    assert!(rest.ends_with("\r\n0\r\n\r\n"), "{rest:?}");
    let status = server.child.wait().expect("wait");
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_reconnected_stream_sees_a_build_finished_while_none_was_open() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let first = next_status(&server.events(), &server, |_| true);
    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nEn la pausa.\n");
    server.wait_for("/toolkit/uno/", "the edit", |r| {
        r.body.contains("En la pausa.")
    });
    let status = next_status(&server.events(), &server, |_| true);
    assert_ne!(status["build"], first["build"], "{status}");
}

#[test]
fn event_streams_beyond_the_cap_get_503_and_closed_tabs_free_their_place() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let mut open = Vec::new();
    let refused = loop {
        assert!(open.len() < 200, "no cap on event streams");
        let mut stream = connect(server.port);
        stream.write_all(EVENTS).expect("send");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status line");
        if line.starts_with("HTTP/1.1 503") {
            break reader;
        }
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        open.push(reader);
    };
    assert!(open.len() >= 8, "only {} streams", open.len());
    drop(refused);
    assert_eq!(
        server.get("/toolkit/uno/").status,
        200,
        "pages still served"
    );
    drop(open);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let mut stream = connect(server.port);
        stream.write_all(EVENTS).expect("send");
        let mut line = String::new();
        BufReader::new(stream)
            .read_line(&mut line)
            .expect("status line");
        if line.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "closed streams keep their place");
        std::thread::sleep(POLL);
    }
}
