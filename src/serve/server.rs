//! The dev server's sockets, on tiny_http: every request is answered on a thread of its own from
//! the current snapshot (`http::handle`), and an event stream keeps its thread until it ends.
//!
//! Working around tiny_http 0.12's connection pool (`util/task_pool.rs`): when several
//! connections arrive at once, one can be queued although no thread is free, and it then waits
//! until some thread's whole connection ends; with long-lived event streams that could be
//! forever. So every connection's thread is freed soon: an event stream ends after
//! `STREAM_LIFETIME` with `Connection: close` (tiny_http refuses that header, so the stream is
//! written raw through `into_writer`), the browser closes the socket and reconnects after
//! `reload::RETRY`, and the page compares build ids, so no reload is missed. And while requests
//! come in, every `NUDGE` the server opens and drops connections to itself: each one's task ends
//! at once, and the thread that ran it takes a queued connection. A burst of connections is what
//! leaves some queued, so the more requests since the last nudge, the more connections it opens.

use std::io::{Cursor, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tiny_http::{HTTPVersion, Header, Request, Response, StatusCode};

use super::http::{self, Handled, Method, Reply};
use super::reload;
use super::state::ServeState;

/// An event stream ends after this long; the browser then reconnects on a new connection.
const STREAM_LIFETIME: Duration = Duration::from_secs(15);
/// How often the server connects to itself to free connections stuck in tiny_http's queue...
const NUDGE: Duration = Duration::from_millis(200);
/// ... while the last request is at most this old (open tabs reconnect every `STREAM_LIFETIME`).
const NUDGE_AFTER_REQUEST: Duration = Duration::from_secs(30);
/// The most connections one nudge opens.
const NUDGE_MAX: u64 = 64;

/// Serves `listener` with tiny_http until the process ends.
pub(crate) fn start(listener: TcpListener, state: &Arc<ServeState>) -> anyhow::Result<()> {
    let addr = listener.local_addr().context("the server has no address")?;
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|error| anyhow::anyhow!("cannot start the server: {error}"))?;
    let state = Arc::clone(state);
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    spawn("serve-requests", move || {
        for request in server.incoming_requests() {
            counter.fetch_add(1, Ordering::Relaxed);
            let state = Arc::clone(&state);
            // On failure the request is dropped, which answers it with status 500.
            if let Err(error) = spawn("serve-request", move || answer(request, &state)) {
                eprintln!("warning: cannot answer a request ({error})");
            }
        }
    })
    .context("cannot start the server")?;
    spawn("serve-nudge", move || nudge(addr, &requests)).context("cannot start the server")
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .map(drop)
}

fn answer(request: Request, state: &ServeState) {
    let method = match request.method() {
        tiny_http::Method::Get => Method::Get,
        tiny_http::Method::Head => Method::Head,
        _ => Method::Other,
    };
    match http::handle(state, method, request.url()) {
        Handled::Reply(reply) => {
            let _ = request.respond(response(reply));
        }
        Handled::Events => stream(request, state),
    }
}

/// `reply` with a `Content-Length` (never chunked, so `HEAD` reports the length too).
fn response(reply: Reply) -> Response<Cursor<Vec<u8>>> {
    let length = reply.body.len();
    let headers = reply
        .headers
        .iter()
        .filter_map(|(name, value)| Header::from_bytes(name.as_bytes(), value.as_bytes()).ok())
        .collect();
    Response::new(
        StatusCode(reply.status),
        headers,
        Cursor::new(reply.body),
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX)
}

/// Streams events as chunks of a response that closes its connection. An HTTP/1.0 client (which
/// cannot take chunks) gets the first events as a whole reply, and reconnects.
fn stream(request: Request, state: &ServeState) {
    if *request.http_version() != HTTPVersion(1, 1) {
        let reply = Reply {
            status: 200,
            headers: vec![
                ("Content-Type", "text/event-stream; charset=utf-8".into()),
                ("Cache-Control", "no-store".into()),
            ],
            body: reload::first_events(state).1.into_bytes(),
        };
        let _ = request.respond(response(reply));
        return;
    }
    let mut writer = request.into_writer();
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
        Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n\
        Connection: close\r\n\r\n";
    let streamed = writer
        .write_all(head)
        .and_then(|()| reload::stream_events(state, &mut Chunks(&mut writer), STREAM_LIFETIME));
    if streamed.is_ok() {
        let _ = writer.write_all(b"0\r\n\r\n").and_then(|()| writer.flush());
    }
}

/// Writes each buffer as one chunk of a `Transfer-Encoding: chunked` body.
struct Chunks<'a, W: Write>(&'a mut W);

impl<W: Write> Write for Chunks<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !buf.is_empty() {
            write!(self.0, "{:x}\r\n", buf.len())?;
            self.0.write_all(buf)?;
            self.0.write_all(b"\r\n")?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Every `NUDGE`, while requests come in, connects to the server and hangs up at once: one
/// connection plus two per request counted in `requests` since the last time (see the module docs).
fn nudge(addr: SocketAddr, requests: &AtomicU64) {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let target = SocketAddr::new(ip, addr.port());
    let (mut seen, mut last_request) = (0, Instant::now());
    loop {
        std::thread::sleep(NUDGE);
        let count = requests.load(Ordering::Relaxed);
        let new = count.saturating_sub(seen);
        seen = count;
        if new > 0 {
            last_request = Instant::now();
        } else if last_request.elapsed() > NUDGE_AFTER_REQUEST {
            continue;
        }
        for _ in 0..(1 + 2 * new).min(NUDGE_MAX) {
            drop(TcpStream::connect_timeout(&target, NUDGE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_frame_each_write() {
        let mut out = Vec::new();
        let mut chunks = Chunks(&mut out);
        chunks.write_all(b"data: {}\n\n").expect("write");
        chunks.write_all(b"").expect("write");
        chunks.write_all(&[b'x'; 26]).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            format!("a\r\ndata: {{}}\n\n\r\n1a\r\n{}\r\n", "x".repeat(26))
        );
    }
}
