//! HTTP/1.1 connections for the dev server: one thread per connection (so a long-lived event
//! stream never holds up anything else), request heads read with size and time limits, replies
//! written with `Content-Length` and keep-alive. Only `GET` and `HEAD` without a body are served.
//!
//! Why not tiny_http: its connection pool (`util/task_pool.rs`, 0.12) can queue a new connection
//! behind busy threads when several arrive at once, and a queued connection then waits until some
//! other connection ends; with event streams open that can be forever (reproduced with ten
//! simultaneous event streams). Owning the accept loop is less code than working around it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::http::{self, Handled, Method, Reply};
use super::reload;
use super::state::ServeState;

/// A keep-alive connection with no new request for this long is closed.
const IDLE: Duration = Duration::from_secs(30);
/// A client that accepts no bytes for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Upper bound for a request line plus headers.
const MAX_HEAD: u64 = 16 * 1024;
/// Request bodies up to this size are read and ignored; larger ones close the connection.
const MAX_BODY: u64 = 64 * 1024;

/// Accepts connections forever, each on its own thread.
pub(crate) fn accept(listener: &TcpListener, state: &Arc<ServeState>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(state);
        let spawned = std::thread::Builder::new()
            .name("serve-connection".into())
            .spawn(move || {
                let _ = serve_connection(stream, &state);
            });
        if let Err(error) = spawned {
            eprintln!("warning: cannot answer a request ({error})");
        }
    }
}

/// A parsed request head: only what the server uses.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub method: Method,
    pub target: String,
    pub keep_alive: bool,
    pub body: Body,
}

/// What follows the head.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Body {
    None,
    Length(u64),
    /// Chunked or otherwise unknown length: the connection cannot be reused.
    Unknown,
}

fn serve_connection(stream: TcpStream, state: &ServeState) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut raw = Vec::new();
        (&mut reader).take(MAX_HEAD).read_until(b'\n', &mut raw)?;
        while raw.trim_ascii().is_empty() {
            if raw.is_empty() {
                return Ok(()); // the client closed the connection
            }
            raw.clear(); // a stray empty line between requests (RFC 9112 §2.2)
            (&mut reader).take(MAX_HEAD).read_until(b'\n', &mut raw)?;
        }
        loop {
            let before = raw.len();
            (&mut reader).take(MAX_HEAD).read_until(b'\n', &mut raw)?;
            if raw.len() == before || raw.ends_with(b"\n\r\n") || raw.ends_with(b"\n\n") {
                break;
            }
            if raw.len() as u64 > MAX_HEAD {
                return write_reply(
                    &mut writer,
                    &plain(431, "request header too large\n"),
                    false,
                    Method::Get,
                );
            }
        }
        let Some(head) = parse_head(&raw) else {
            return write_reply(
                &mut writer,
                &plain(400, "bad request\n"),
                false,
                Method::Get,
            );
        };
        let mut keep_alive = head.keep_alive;
        match head.body {
            Body::None => {}
            Body::Length(n) if n <= MAX_BODY => {
                std::io::copy(&mut (&mut reader).take(n), &mut std::io::sink())?;
            }
            Body::Length(_) | Body::Unknown => keep_alive = false,
        }
        match http::handle(state, head.method, &head.target) {
            Handled::Reply(reply) => write_reply(&mut writer, &reply, keep_alive, head.method)?,
            Handled::Events => return reload::stream_events(state, &mut writer),
        }
        if !keep_alive {
            return Ok(());
        }
    }
}

/// Parses a request line and headers; `None` when they are not HTTP/1.x.
pub(crate) fn parse_head(raw: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut lines = text.lines();
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || target.is_empty() {
        return None;
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return None,
    };
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        _ => Method::Other,
    };
    let mut keep_alive = http11;
    let mut body = Body::None;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "connection" => {
                let value = value.to_ascii_lowercase();
                if value.contains("close") {
                    keep_alive = false;
                } else if value.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "content-length" => {
                let length: u64 = value.parse().ok()?;
                if length > 0 && body == Body::None {
                    body = Body::Length(length);
                }
            }
            "transfer-encoding" => body = Body::Unknown,
            _ => {}
        }
    }
    Some(Head {
        method,
        target: target.to_string(),
        keep_alive,
        body,
    })
}

fn plain(status: u16, text: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: text.as_bytes().to_vec(),
    }
}

fn write_reply(
    writer: &mut TcpStream,
    reply: &Reply,
    keep_alive: bool,
    method: Method,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        reply.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    ));
    writer.write_all(head.as_bytes())?;
    if method != Method::Head {
        writer.write_all(&reply.body)?;
    }
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads() {
        let head =
            parse_head(b"GET /toolkit/?x=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
                .expect("valid");
        assert_eq!(
            head,
            Head {
                method: Method::Get,
                target: "/toolkit/?x=1".into(),
                keep_alive: true,
                body: Body::None
            }
        );
        let head = parse_head(b"HEAD / HTTP/1.0\r\n\r\n").expect("valid");
        assert_eq!((head.method, head.keep_alive), (Method::Head, false));
        let head = parse_head(b"GET / HTTP/1.1\r\nconnection: Close\r\n\r\n").expect("valid");
        assert!(!head.keep_alive);
        let head = parse_head(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").expect("valid");
        assert_eq!((head.method, head.body), (Method::Other, Body::Length(5)));
        let head =
            parse_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").expect("valid");
        assert_eq!(head.body, Body::Unknown);
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"\xff / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        ] {
            assert_eq!(parse_head(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
