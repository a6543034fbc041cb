//! The dev server's sockets, on `std::net`: an accept loop that no accept error ends (it backs
//! off, and frees a waiting connection's handle when file handles run out), one thread per
//! connection within the caps of `limits`, request heads read and checked by `conn`, replies
//! from `http::handle` over the current snapshot, and event streams framed as chunks. Every
//! reply closes its connection; no request body is ever read.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::conn::{self, Hosts, Refusal, Version};
use super::http::{self, Handled, Method, Reply};
use super::limits::{Admitted, Connections, Slot, THREAD_STACK, WRITE_TIMEOUT};
use super::reload;
use super::state::ServeState;

/// The first pause after an accept error that is not about one connection (out of file
/// handles or memory); each further error in a row doubles it, up to `BACKOFF_MAX`.
const BACKOFF_MIN: Duration = Duration::from_millis(1);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// Accept errors are reported at most this often, so an attack cannot flood the terminal.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// Serves `listener` on a thread of its own until the process ends; the returned table of
/// connections lets the caller wait for event streams to end at shutdown.
pub(crate) fn start(
    listener: TcpListener,
    state: &Arc<ServeState>,
    hosts: Hosts,
) -> anyhow::Result<Arc<Connections>> {
    widen_backlog(&listener);
    let connections = Arc::new(Connections::default());
    let table = Arc::clone(&connections);
    let state = Arc::clone(state);
    std::thread::Builder::new()
        .name("serve-accept".into())
        .spawn(move || accept_loop(&listener, &table, &state, hosts))
        .context("cannot start the server")?;
    Ok(connections)
}

/// Asks for a queue of `LISTEN_BACKLOG` pending connections (listening again on a listening
/// socket only changes its queue); where that fails, the system's default queue stays.
fn widen_backlog(listener: &TcpListener) {
    #[cfg(unix)]
    let _ = rustix::net::listen(listener, super::limits::LISTEN_BACKLOG);
    #[cfg(not(unix))]
    let _ = listener;
}

fn accept_loop(
    listener: &TcpListener,
    connections: &Arc<Connections>,
    state: &Arc<ServeState>,
    hosts: Hosts,
) {
    let mut pause: Option<Duration> = None;
    let mut warned: Option<Instant> = None;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                pause = None;
                admit(stream, connections, state, hosts);
            }
            Err(error) if concerns_one_connection(&error) => {}
            Err(error) => {
                if warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                    eprintln!(
                        "warning: cannot accept a connection ({error}); the server keeps trying"
                    );
                    warned = Some(Instant::now());
                }
                connections.evict_oldest_waiting();
                let next = pause.map_or(BACKOFF_MIN, |p| (p * 2).min(BACKOFF_MAX));
                pause = Some(next);
                std::thread::sleep(next);
            }
        }
    }
}

/// Errors of a connection that went away before it was accepted: the next accept may succeed.
fn concerns_one_connection(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
    )
}

/// Gives an accepted connection a place in the table and a thread, or turns it away.
fn admit(stream: TcpStream, connections: &Arc<Connections>, state: &Arc<ServeState>, hosts: Hosts) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let stream = Arc::new(stream);
    let Some(slot) = connections.admit(Arc::clone(&stream)) else {
        return turn_away(&stream);
    };
    let state = Arc::clone(state);
    let own = Arc::clone(&stream);
    let spawned = std::thread::Builder::new()
        .name("serve-connection".into())
        .stack_size(THREAD_STACK)
        .spawn(move || serve(&own, &slot, &state, hosts));
    if spawned.is_err() {
        turn_away(&stream);
    }
}

/// Refuses a connection from the accept thread without ever waiting on the client: a 503 if
/// it fits in the socket's buffer at once, then the connection is closed.
fn turn_away(stream: &TcpStream) {
    if stream.set_nonblocking(true).is_ok() {
        conn::write_reply(stream, &conn::refusal_reply(503), Method::Get);
    }
}

/// One connection, on its own thread: one request, one reply (or one event stream), closed.
fn serve(stream: &TcpStream, slot: &Slot, state: &ServeState, hosts: Hosts) {
    let request = match conn::read_request(stream, hosts) {
        Ok(request) => request,
        Err(Refusal::Gone) => return,
        Err(Refusal::Status(status)) => return conn::refuse(stream, status),
    };
    if slot.answering() != Admitted::Yes {
        return;
    }
    match http::handle(state, request.method, &request.target) {
        Handled::Reply(reply) => conn::write_reply(stream, &reply, request.method),
        Handled::Events if request.version == Version::Http10 => {
            conn::write_reply(stream, &whole_events(state), Method::Get);
        }
        Handled::Events => match slot.streaming() {
            Admitted::Yes => stream_events(stream, state),
            Admitted::Full => conn::write_reply(stream, &conn::refusal_reply(503), Method::Get),
            Admitted::Closed => {}
        },
    }
}

/// For an HTTP/1.0 client, which cannot take chunks: the first events as a whole reply; it
/// reconnects after `reload::RETRY`.
fn whole_events(state: &ServeState) -> Reply {
    Reply {
        status: 200,
        headers: vec![
            ("Content-Type", "text/event-stream; charset=utf-8".into()),
            ("Cache-Control", "no-store".into()),
            ("X-Content-Type-Options", "nosniff".into()),
            ("Cross-Origin-Resource-Policy", "same-origin".into()),
        ],
        body: reload::first_events(state).1.into_bytes().into(),
    }
}

/// Streams events as the chunks of a reply that says `Connection: close`, until the server
/// stops or the client goes; then sends the last chunk if it can and closes the connection.
fn stream_events(stream: &TcpStream, state: &ServeState) {
    let mut out = stream;
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
        Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
        Cross-Origin-Resource-Policy: same-origin\r\nX-Accel-Buffering: no\r\n\
        Transfer-Encoding: chunked\r\n\
        Connection: close\r\n\r\n";
    let streamed = out
        .write_all(head)
        .and_then(|()| reload::stream_events(state, &mut Chunks(&mut out), || client_gone(stream)));
    if streamed.is_ok() {
        let _ = out.write_all(b"0\r\n\r\n").and_then(|()| out.flush());
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Whether the client of an event stream has closed its side (it sends nothing after its
/// request, so any end of input means it is gone). Never blocks.
fn client_gone(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut sink = [0u8; 512];
    let gone = match (&*stream).read(&mut sink) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => !matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted),
    };
    stream.set_nonblocking(false).is_err() || gone
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

    #[test]
    fn a_closed_client_is_noticed_without_blocking() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        assert!(!client_gone(&server), "a quiet client is still there");
        drop(client);
        let end = Instant::now() + Duration::from_secs(5);
        while !client_gone(&server) {
            assert!(Instant::now() < end, "the closed client was not noticed");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
