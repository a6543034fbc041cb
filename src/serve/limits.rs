//! How much and how long the dev server gives any client, and the table of open connections
//! that enforces the caps: at most `MAX_CONNECTIONS` open, at most `MAX_STREAMS` of them event
//! streams. Knows sockets only as something to shut down; never reads or writes them.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The most bytes of request line plus headers; a longer head gets 431.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// The most header lines in a request; more get 431.
pub(crate) const MAX_HEADERS: usize = 64;
/// A connection must send its whole request head within this long after it was accepted.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// A single write to a client may block this long before the connection is given up.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections open at once (each has a thread); see `Connections::admit`.
pub(crate) const MAX_CONNECTIONS: usize = 256;
/// The most live-reload event streams open at once; more get 503 (the page's script retries).
pub(crate) const MAX_STREAMS: usize = 64;
/// After an early reply (431, 413, …), what the client still sends is read and dropped for at
/// most this long and this many bytes, so that closing does not reset the connection before the
/// client has read the reply.
pub(crate) const LINGER_TIME: Duration = Duration::from_secs(2);
pub(crate) const LINGER_BYTES: usize = 2 * 1024 * 1024;
/// How many connections the system may queue until the accept loop takes them. The standard
/// library asks for 128: a burst of slow connections then fills the queue, and the system drops
/// a quick client's attempt to connect, which that client repeats only a second later.
#[cfg(unix)]
pub(crate) const LISTEN_BACKLOG: i32 = 1024;
/// Stack of each connection's thread: requests are answered from values on the heap.
pub(crate) const THREAD_STACK: usize = 512 * 1024;

/// What an open connection is doing, which decides whether it may be closed to make room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the request head: closed first when the table is full.
    Head,
    /// Being answered.
    Busy,
    /// Streaming live-reload events.
    Stream,
}

struct Open {
    stream: Arc<TcpStream>,
    phase: Phase,
}

#[derive(Default)]
struct Table {
    next: u64,
    /// By id, which grows with accept order: the first entry is the oldest.
    open: BTreeMap<u64, Open>,
}

impl Table {
    fn streams(&self) -> usize {
        self.open
            .values()
            .filter(|o| o.phase == Phase::Stream)
            .count()
    }

    /// Shuts down the oldest connection still waiting for its request head and forgets it; its
    /// thread sees the end of input and ends.
    fn evict_oldest_waiting(&mut self) -> bool {
        let oldest = self
            .open
            .iter()
            .find(|(_, o)| o.phase == Phase::Head)
            .map(|(id, _)| *id);
        let Some(open) = oldest.and_then(|id| self.open.remove(&id)) else {
            return false;
        };
        let _ = open.stream.shutdown(Shutdown::Both);
        true
    }
}

/// The open connections, shared by the accept loop and every connection's thread.
#[derive(Default)]
pub(crate) struct Connections {
    table: Mutex<Table>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers an accepted connection. When `MAX_CONNECTIONS` are open, the oldest one that
    /// has not sent its request yet is closed to make room (so a slow or silent client cannot
    /// keep out a quick one); `None` when every open connection is being answered or streaming.
    pub(crate) fn admit(self: &Arc<Self>, stream: Arc<TcpStream>) -> Option<Slot> {
        let mut table = self.lock();
        if table.open.len() >= MAX_CONNECTIONS && !table.evict_oldest_waiting() {
            return None;
        }
        let id = table.next;
        table.next += 1;
        table.open.insert(
            id,
            Open {
                stream,
                phase: Phase::Head,
            },
        );
        Some(Slot {
            connections: Arc::clone(self),
            id,
        })
    }

    /// Closes the oldest connection still waiting for its request head, to free its file
    /// handle; `false` when there is none.
    pub(crate) fn evict_oldest_waiting(&self) -> bool {
        self.lock().evict_oldest_waiting()
    }

    /// How many connections are open.
    #[cfg(test)]
    pub(crate) fn open(&self) -> usize {
        self.lock().open.len()
    }

    /// Waits up to `timeout` until no event stream is open (after `ServeState::shut_down`, so
    /// that each stream can send its last chunk before the process exits).
    pub(crate) fn wait_for_streams(&self, timeout: Duration) {
        let end = Instant::now() + timeout;
        while self.lock().streams() > 0 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn set_phase(&self, id: u64, phase: Phase) -> Admitted {
        let mut table = self.lock();
        if phase == Phase::Stream && table.streams() >= MAX_STREAMS {
            return Admitted::Full;
        }
        match table.open.get_mut(&id) {
            Some(open) => {
                open.phase = phase;
                Admitted::Yes
            }
            None => Admitted::Closed,
        }
    }
}

/// Whether a connection may go on to its next phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admitted {
    Yes,
    /// The connection was closed to make room; its thread should end.
    Closed,
    /// Too many event streams are open.
    Full,
}

/// One connection's place in the table, held by its thread; dropping it frees the place.
pub(crate) struct Slot {
    connections: Arc<Connections>,
    id: u64,
}

impl Slot {
    /// The request head has arrived: the connection can no longer be closed to make room.
    pub(crate) fn answering(&self) -> Admitted {
        self.connections.set_phase(self.id, Phase::Busy)
    }

    /// The connection becomes an event stream, if fewer than `MAX_STREAMS` are open.
    pub(crate) fn streaming(&self) -> Admitted {
        self.connections.set_phase(self.id, Phase::Stream)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.connections.lock().open.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// A connected pair: the server's side (registered in tables) and the client's.
    fn pair(listener: &TcpListener) -> (Arc<TcpStream>, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        (Arc::new(server), client)
    }

    #[test]
    fn a_full_table_closes_the_oldest_waiting_connection_and_refuses_when_all_are_busy() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let connections = Arc::new(Connections::default());
        let mut slots = Vec::new();
        let mut clients = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            let (server, client) = pair(&listener);
            slots.push(connections.admit(server).expect("room"));
            clients.push(client);
        }
        assert_eq!(slots[1].answering(), Admitted::Yes);

        let (server, _client) = pair(&listener);
        let newest = connections.admit(server).expect("room made");
        assert_eq!(connections.open(), MAX_CONNECTIONS);
        let mut byte = [0u8; 1];
        assert_eq!(clients[0].read(&mut byte).expect("end of input"), 0);
        assert_eq!(slots[0].answering(), Admitted::Closed);

        let (server, _client) = pair(&listener);
        let again = connections.admit(server).expect("room made again");
        assert_eq!(slots[1].answering(), Admitted::Yes, "busy ones stay");
        assert_eq!(slots[2].answering(), Admitted::Closed);

        for slot in slots[3..].iter().chain([&newest, &again]) {
            assert_eq!(slot.answering(), Admitted::Yes);
        }
        let (server, _client) = pair(&listener);
        assert!(connections.admit(server).is_none(), "all busy: refused");
        drop(slots);
        assert_eq!(connections.open(), 2);
    }

    #[test]
    fn event_streams_are_capped() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let connections = Arc::new(Connections::default());
        let mut kept = Vec::new();
        for _ in 0..MAX_STREAMS {
            let (server, client) = pair(&listener);
            let slot = connections.admit(server).expect("room");
            assert_eq!(slot.streaming(), Admitted::Yes);
            kept.push((slot, client));
        }
        let (server, _client) = pair(&listener);
        let extra = connections.admit(server).expect("room");
        assert_eq!(extra.streaming(), Admitted::Full);
        kept.pop();
        assert_eq!(extra.streaming(), Admitted::Yes);
        drop(kept);
        connections.wait_for_streams(Duration::from_secs(5));
        drop(extra);
        connections.wait_for_streams(Duration::from_secs(5));
        assert_eq!(connections.open(), 0);
    }
}
