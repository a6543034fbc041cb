//! SIGINT and SIGTERM during `build`: every staging folder of the process is removed and the
//! process exits with 128 + the signal number (130, 143). A swap's renames finish first.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

/// Staging folders being written, which a signal must remove.
static ACTIVE: Mutex<Vec<Arc<Gate>>> = Mutex::new(Vec::new());

/// Guards one staging folder: writers hold it shared while they write; closing it waits for
/// them, after which nothing more is written there.
pub(super) struct Gate {
    dir: PathBuf,
    open: RwLock<bool>,
}

impl Gate {
    /// Lets one write proceed; an error once the build was interrupted or the folder swapped in.
    pub(super) fn enter(&self) -> anyhow::Result<RwLockReadGuard<'_, bool>> {
        let open = self.open.read().unwrap_or_else(|e| e.into_inner());
        if !*open {
            anyhow::bail!("the build was interrupted");
        }
        Ok(open)
    }

    fn close(&self) {
        *self.open.write().unwrap_or_else(|e| e.into_inner()) = false;
    }
}

fn active() -> MutexGuard<'static, Vec<Arc<Gate>>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Puts a new staging folder on the list a signal cleans up.
pub(super) fn register(dir: &Path) -> Arc<Gate> {
    let gate = Arc::new(Gate {
        dir: dir.to_path_buf(),
        open: RwLock::new(true),
    });
    active().push(Arc::clone(&gate));
    gate
}

/// Closes `gate`, takes it off the list and runs `f` (a swap's renames, or the removal of an
/// abandoned folder) while holding the list, so a signal arriving meanwhile waits for `f`.
pub(super) fn settle<T>(gate: &Arc<Gate>, f: impl FnOnce() -> T) -> T {
    let mut list = active();
    list.retain(|g| !Arc::ptr_eq(g, gate));
    gate.close();
    f()
}

/// From now on SIGINT and SIGTERM remove the staging folders and end the process with 130 or
/// 143 (SPEC "URLs and output": an interrupted build leaves the previous output intact). Call it
/// before any thread is started: the signals are blocked in this thread, which every later
/// thread inherits, and a dedicated thread waits for them.
#[cfg(unix)]
pub fn exit_on_signals() -> anyhow::Result<()> {
    // SAFETY: the set is initialised by sigemptyset before use; pthread_sigmask only reads it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        let status = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if status != 0 {
            anyhow::bail!(
                "cannot block SIGINT and SIGTERM: {}",
                std::io::Error::from_raw_os_error(status)
            );
        }
        set
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            let mut signal = 0;
            // SAFETY: `set` is a valid, initialised signal set owned by this thread.
            if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
                remove_staging_and_exit(signal);
            }
        })
        .map_err(|e| anyhow::anyhow!("cannot start the signal thread: {e}"))?;
    Ok(())
}

/// On Windows: Ctrl-C, Ctrl-Break and closing the console window remove the staging folders and
/// end the process with 130, as SIGINT does elsewhere.
#[cfg(not(unix))]
pub fn exit_on_signals() -> anyhow::Result<()> {
    /// The exit status of an interrupted build: 128 + SIGINT, whatever the system.
    const SIGINT: i32 = 2;
    ctrlc::set_handler(|| remove_staging_and_exit(SIGINT))
        .map_err(|e| anyhow::anyhow!("cannot watch for Ctrl-C: {e}"))
}

fn remove_staging_and_exit(signal: i32) -> ! {
    use std::io::Write as _;
    let list = active();
    let mut stderr = std::io::stderr();
    for gate in list.iter() {
        gate.close();
        if let Err(error) = super::removal::remove_leftover(&gate.dir) {
            let _ = writeln!(stderr, "error: {error:#}");
        }
    }
    // Not `eprintln!`: it panics when stderr is closed, and then nothing would exit.
    let _ = writeln!(stderr, "build interrupted");
    std::process::exit(128 + signal)
}
