//! `serve` under attack, in a test binary of its own: these tests measure that ordinary pages
//! keep coming within a liveness bound while hundreds of hostile connections are open, so they
//! run one at a time and never beside the builds and browsers of the other suites, which on a
//! two-core machine could stall a page for a second on their own.

#[allow(dead_code)]
#[path = "../it/harness.rs"]
mod harness;

#[allow(dead_code)]
#[path = "../it/serve/client.rs"]
mod client;

mod attacks;
// Reads /proc for the server's memory.
#[cfg(target_os = "linux")]
mod origins;

use std::sync::{Mutex, MutexGuard};

/// The chapter of the `serve/basic` fixture the attacks request.
#[cfg(unix)]
const UNO: &str = "content/toolkit/01-uno.md";

/// Held by every test of this binary, so that no two attacks share the machine.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
