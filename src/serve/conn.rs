//! One connection's HTTP/1 framing: reads a request head within `HEAD_TIMEOUT` and `MAX_HEAD`
//! bytes, parses it with httparse, refuses bodies, (on loopback) foreign `Host`s and requests
//! another site's page makes, and writes replies that close the connection. Knows nothing of the site; `http::handle` answers.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Instant;

use super::http::{Method, Reply};
use super::limits::{HEAD_TIMEOUT, LINGER_BYTES, LINGER_TIME, MAX_HEAD, MAX_HEADERS};

/// Which `Host` headers are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hosts {
    /// Bound to loopback: only `localhost`, `127.0.0.1` and `[::1]`, with or without a port, so
    /// that a page of another site cannot reach the preview through DNS rebinding.
    Loopback,
    /// Bound to the network (phones on the LAN): any name.
    Any,
}

/// The HTTP version of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    Http10,
    Http11,
}

/// A request head that passed every check.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub method: Method,
    pub target: String,
    pub version: Version,
}

/// Why a connection gets no answer from the site.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The client hung up or never sent a byte: close without a word.
    Gone,
    /// Reply with this status, then close.
    Status(u16),
}

/// Reads one request head from `stream` and checks it: 431 beyond `MAX_HEAD` bytes, 408 when
/// it is incomplete after `HEAD_TIMEOUT` (`Gone` if nothing came at all). Bytes after the head
/// are ignored: no request has a body.
pub(crate) fn read_request(stream: &TcpStream, hosts: Hosts) -> Result<Request, Refusal> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    // On the stack, not the heap: a thread's stack is given back when it ends, while the
    // allocator keeps heap pages of ended threads for a while, so slow connections would
    // leave memory behind.
    let mut head = [0u8; MAX_HEAD + 1];
    let mut len = 0;
    while len <= MAX_HEAD {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(too_slow(len));
        }
        match (&*stream).read(&mut head[len..]) {
            Ok(0) => return Err(Refusal::Gone),
            Ok(n) => {
                let from = len.saturating_sub(3);
                len += n;
                if let Some(end) = find_head_end(&head[..len], from) {
                    if end > MAX_HEAD {
                        break;
                    }
                    return parse_request(&head[..end], hosts);
                }
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(too_slow(len));
            }
            Err(_) => return Err(Refusal::Gone),
        }
    }
    Err(Refusal::Status(431))
}

/// A silent connection (a browser's spare one, or a port scan) is closed without a reply; a
/// half-sent request gets 408.
fn too_slow(received: usize) -> Refusal {
    if received == 0 {
        Refusal::Gone
    } else {
        Refusal::Status(408)
    }
}

/// The length of the head up to its empty line (`\r\n\r\n`, or `\n\n` as httparse allows),
/// searching only from `from` so that a head arriving byte by byte is scanned once.
fn find_head_end(head: &[u8], from: usize) -> Option<usize> {
    let tail = &head[from..];
    let crlf = tail
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = tail.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(from + a.min(b)),
        (a, b) => a.or(b).map(|end| from + end),
    }
}

/// Parses and checks a complete request head: 400 for bad syntax or a missing `Host` on
/// HTTP/1.1, 431 for too many headers, 505 for other versions, 413 for a request with a body,
/// 403 for a foreign `Host` under `Hosts::Loopback`.
pub(crate) fn parse_request(head: &[u8], hosts: Hosts) -> Result<Request, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(Refusal::Status(400)),
        Err(httparse::Error::TooManyHeaders) => return Err(Refusal::Status(431)),
        Err(httparse::Error::Version) => return Err(Refusal::Status(505)),
        Err(_) => return Err(Refusal::Status(400)),
    }
    let version = match parsed.version {
        Some(0) => Version::Http10,
        _ => Version::Http11,
    };
    let mut host = None;
    let mut fetch = Fetch::default();
    for header in parsed.headers.iter() {
        let name = header.name;
        if fetch.read(name, header.value) {
            continue;
        }
        if name.eq_ignore_ascii_case("host") {
            if host.replace(header.value).is_some() {
                return Err(Refusal::Status(400));
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && !is_zero(header.value))
        {
            return Err(Refusal::Status(413));
        }
    }
    match (host, hosts) {
        (None, _) if version == Version::Http11 => return Err(Refusal::Status(400)),
        (Some(host), Hosts::Loopback) if !is_loopback_host(host) => {
            return Err(Refusal::Status(403))
        }
        _ => {}
    }
    if fetch.asked_by_another_site() {
        return Err(Refusal::Status(403));
    }
    let method = match parsed.method {
        Some("GET") => Method::Get,
        Some("HEAD") => Method::Head,
        _ => Method::Other,
    };
    Ok(Request {
        method,
        target: parsed.path.unwrap_or_default().to_string(),
        version,
    })
}

/// The `Sec-Fetch-*` headers a browser sends with each request, which say who asks.
#[derive(Default)]
struct Fetch {
    site: Option<Vec<u8>>,
    mode: Option<Vec<u8>>,
    dest: Option<Vec<u8>>,
}

impl Fetch {
    /// Takes the header if it is one of them; `true` when it was.
    fn read(&mut self, name: &str, value: &[u8]) -> bool {
        let slot = if name.eq_ignore_ascii_case("sec-fetch-site") {
            &mut self.site
        } else if name.eq_ignore_ascii_case("sec-fetch-mode") {
            &mut self.mode
        } else if name.eq_ignore_ascii_case("sec-fetch-dest") {
            &mut self.dest
        } else {
            return false;
        };
        *slot = Some(value.trim_ascii().to_ascii_lowercase());
        true
    }

    /// Whether a page of another origin made the request, other than by the user following a
    /// link to a page of the preview: another site (`cross-site`) or another port of this
    /// machine (`same-site`: ports do not make sites) loading a script, an image, a frame, a
    /// `fetch` or the event stream. Requests without the headers (tools, old browsers) pass.
    fn asked_by_another_site(&self) -> bool {
        let foreign = matches!(self.site.as_deref(), Some(b"cross-site" | b"same-site"));
        let navigation =
            self.mode.as_deref() == Some(b"navigate") && self.dest.as_deref() == Some(b"document");
        foreign && !navigation
    }
}

fn is_zero(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(|&b| b == b'0')
}

/// `localhost`, `127.0.0.1` or `[::1]`, in any case, optionally followed by `:port`.
pub(crate) fn is_loopback_host(host: &[u8]) -> bool {
    let Ok(host) = std::str::from_utf8(host) else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inside, port)) => (format!("[{inside}]"), port.to_string()),
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name.to_string(), format!(":{port}")),
            None => (host.clone(), String::new()),
        },
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|digits| {
            (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        });
    port_ok && matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

/// Writes `reply` with `Content-Length` and `Connection: close` (the body is left out for
/// `HEAD`), then ends the sending side.
pub(crate) fn write_reply(stream: &TcpStream, reply: &Reply, method: Method) {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    let mut out = stream;
    let sent = out.write_all(head.as_bytes()).and_then(|()| {
        if method == Method::Head {
            Ok(())
        } else {
            out.write_all(&reply.body)
        }
    });
    if sent.is_ok() {
        let _ = out.flush();
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// The reply for a refusal: the status and a one-line plain-text reason.
pub(crate) fn refusal_reply(status: u16) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", "text/plain; charset=utf-8".into()),
            ("Cache-Control", "no-store".into()),
            ("X-Content-Type-Options", "nosniff".into()),
            ("Cross-Origin-Resource-Policy", "same-origin".into()),
        ],
        body: format!("{}\n", reason(status).to_ascii_lowercase())
            .into_bytes()
            .into(),
    }
}

/// Replies to a refused request and closes the connection once the client has had the chance
/// to read the reply: what it still sends is dropped, within `LINGER_TIME` and `LINGER_BYTES`.
pub(crate) fn refuse(stream: &TcpStream, status: u16) {
    write_reply(stream, &refusal_reply(status), Method::Get);
    let end = Instant::now() + LINGER_TIME;
    let mut dropped = 0;
    let mut sink = [0u8; 4096];
    while dropped < LINGER_BYTES {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&*stream).read(&mut sink) {
            Ok(0) => break,
            Ok(n) => dropped += n,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_table() {
        let cases: &[(&str, bool)] = &[
            ("localhost", true),
            ("localhost:1111", true),
            ("LocalHost:80", true),
            ("127.0.0.1", true),
            ("127.0.0.1:1111", true),
            ("[::1]", true),
            ("[::1]:1111", true),
            (" localhost:1 ", true),
            ("example.org", false),
            ("example.org:1111", false),
            ("localhost.example.org", false),
            ("127.0.0.2:1111", false),
            ("127.0.0.1.nip.io", false),
            ("localhost:", false),
            ("localhost:abc", false),
            ("localhost:123456", false),
            ("localhost:1:2", false),
            ("[::1", false),
            ("[::2]:1111", false),
            ("[::1]x", false),
            ("::1", false),
            ("", false),
        ];
        for (host, expected) in cases {
            assert_eq!(is_loopback_host(host.as_bytes()), *expected, "{host:?}");
        }
        assert!(!is_loopback_host(b"localhost\xff"));
    }

    #[test]
    fn request_table() {
        use Refusal::Status;
        let ok = |method, target: &str, version| {
            Ok(Request {
                method,
                target: target.into(),
                version,
            })
        };
        let cases: Vec<(&str, Hosts, Result<Request, Refusal>)> = vec![
            (
                "GET /a/?x=1 HTTP/1.1\r\nHost: localhost:1111\r\n\r\n",
                Hosts::Loopback,
                ok(Method::Get, "/a/?x=1", Version::Http11),
            ),
            (
                "HEAD / HTTP/1.0\r\n\r\n",
                Hosts::Loopback,
                ok(Method::Head, "/", Version::Http10),
            ),
            (
                "POST / HTTP/1.1\nHost: [::1]\nContent-Length: 0\n\n",
                Hosts::Loopback,
                ok(Method::Other, "/", Version::Http11),
            ),
            (
                "GET / HTTP/1.1\r\nHost: phone.lan:1111\r\n\r\n",
                Hosts::Any,
                ok(Method::Get, "/", Version::Http11),
            ),
            (
                "GET / HTTP/1.1\r\nHost: evil.example:1111\r\n\r\n",
                Hosts::Loopback,
                Err(Status(403)),
            ),
            ("GET / HTTP/1.1\r\n\r\n", Hosts::Any, Err(Status(400))),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
                Hosts::Any,
                Err(Status(400)),
            ),
            (
                "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n",
                Hosts::Loopback,
                Err(Status(413)),
            ),
            (
                "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                Hosts::Loopback,
                Err(Status(413)),
            ),
            ("GET / HTTP/2.0\r\n\r\n", Hosts::Any, Err(Status(505))),
            (
                "GET /search/es.js HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n\r\n",
                Hosts::Loopback,
                Err(Status(403)),
            ),
            (
                "GET /search/es.js HTTP/1.1\r\nHost: localhost\r\nsec-fetch-site: Same-Site\r\nSec-Fetch-Dest: script\r\n\r\n",
                Hosts::Loopback,
                Err(Status(403)),
            ),
            (
                "GET /__integridad/events HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n\r\n",
                Hosts::Any,
                Err(Status(403)),
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n\r\n",
                Hosts::Loopback,
                Err(Status(403)),
            ),
            (
                "GET /a/ HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n\r\n",
                Hosts::Loopback,
                ok(Method::Get, "/a/", Version::Http11),
            ),
            (
                "GET /s.js HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Dest: script\r\n\r\n",
                Hosts::Loopback,
                ok(Method::Get, "/s.js", Version::Http11),
            ),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nSec-Fetch-Site: none\r\nSec-Fetch-Mode: navigate\r\n\r\n",
                Hosts::Loopback,
                ok(Method::Get, "/", Version::Http11),
            ),
            ("GET\0/ HTTP/1.1\r\n\r\n", Hosts::Any, Err(Status(400))),
            ("\r\n\r\n", Hosts::Any, Err(Status(400))),
        ];
        for (head, hosts, expected) in cases {
            assert_eq!(parse_request(head.as_bytes(), hosts), expected, "{head:?}");
        }
        let many = format!(
            "GET / HTTP/1.1\r\nHost: localhost\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS)
        );
        assert_eq!(parse_request(many.as_bytes(), Hosts::Any), Err(Status(431)));
    }

    #[test]
    fn the_head_end_is_found_across_reads() {
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\nrest", 0), Some(18));
        assert_eq!(find_head_end(b"GET / HTTP/1.0\n\n", 10), Some(16));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r", 0), None);
        let head = b"GET / HTTP/1.1\r\nA: b\r\n\r\n";
        assert_eq!(find_head_end(head, head.len() - 4), Some(head.len()));
    }
}
