//! The few operating-system calls the output swap needs beyond `std`: an atomic exchange of two
//! folders, mount-point detection and advisory locks. Each has a portable fallback, so the
//! callers never need `cfg`.

use std::fs::File;
use std::io;
use std::path::Path;

/// What `exchange` did: swapped both names atomically, or could not on this file system.
pub(super) enum Exchange {
    Done,
    Unsupported,
}

/// Atomically swaps the folders at `a` and `b` (`renameat2(RENAME_EXCHANGE)`). File systems and
/// kernels without it answer `Unsupported`, and the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<Exchange> {
    use std::os::unix::ffi::OsStrExt as _;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE as libc::c_uint,
        )
    };
    if status == 0 {
        return Ok(Exchange::Done);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(Exchange::Unsupported),
        _ => Err(error),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<Exchange> {
    Ok(Exchange::Unsupported)
}

/// Whether `path` is the root of a mount (a Docker volume, a bind mount): such a folder cannot
/// be renamed, so its entries are replaced instead. Uses `statx`'s mount-root attribute where
/// the kernel reports it, else compares the device with the parent's.
pub(super) fn is_mount_point(path: &Path) -> bool {
    if let Some(answer) = statx_mount_root(path) {
        return answer;
    }
    device_differs_from_parent(path)
}

#[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
fn statx_mount_root(path: &Path) -> Option<bool> {
    use std::os::unix::ffi::OsStrExt as _;
    // The value of STATX_ATTR_MOUNT_ROOT in <linux/stat.h> (Linux 5.8+).
    const MOUNT_ROOT: u64 = 0x2000;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `statx` is plain old data; the kernel fills it in.
    let mut buf: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: valid path string and buffer, both alive for the call.
    let status = unsafe {
        libc::statx(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
            libc::STATX_BASIC_STATS,
            &mut buf,
        )
    };
    (status == 0 && buf.stx_attributes_mask & MOUNT_ROOT != 0)
        .then_some(buf.stx_attributes & MOUNT_ROOT != 0)
}

#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
fn statx_mount_root(_path: &Path) -> Option<bool> {
    None
}

#[cfg(unix)]
fn device_differs_from_parent(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let (Ok(own), Some(Ok(parent))) = (
        std::fs::symlink_metadata(path),
        path.parent().map(std::fs::metadata),
    ) else {
        return false;
    };
    own.is_dir() && own.dev() != parent.dev()
}

#[cfg(not(unix))]
fn device_differs_from_parent(_path: &Path) -> bool {
    false
}

/// An advisory lock on a folder (`flock`), released when the value is dropped or the process
/// dies, even by SIGKILL. It tells a staging folder in use by a live build from a leftover.
pub(super) struct FolderLock {
    _file: File,
}

/// Takes an exclusive lock on the folder `dir`, waiting for it when `wait` says so. `Ok(None)`:
/// another process holds it.
#[cfg(unix)]
pub(super) fn lock_folder(dir: &Path, wait: Wait) -> io::Result<Option<FolderLock>> {
    use std::os::fd::AsRawFd as _;
    let file = File::open(dir)?;
    let mut operation = libc::LOCK_EX;
    if let Wait::No = wait {
        operation |= libc::LOCK_NB;
    }
    loop {
        // SAFETY: the descriptor is open for the whole call.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(Some(FolderLock { _file: file }));
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(None),
            // File systems without flock (some network mounts): proceed unlocked.
            Some(libc::ENOLCK | libc::EOPNOTSUPP) => return Ok(Some(FolderLock { _file: file })),
            _ => return Err(error),
        }
    }
}

#[cfg(not(unix))]
pub(super) fn lock_folder(dir: &Path, _wait: Wait) -> io::Result<Option<FolderLock>> {
    Ok(Some(FolderLock {
        _file: File::open(dir)?,
    }))
}

/// Whether `lock_folder` waits for a lock held by another process.
#[derive(Clone, Copy)]
pub(super) enum Wait {
    Yes,
    No,
}

/// Whether a rename failed because `path` is a mount point or on another device.
pub(super) fn is_busy_or_cross_device(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(error.raw_os_error(), Some(libc::EBUSY | libc::EXDEV))
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// Test hook, compiled into debug builds only: when `INTEGRIDAD_TEST_PAUSE` names `step`, says
/// so on stderr and waits forever, so a test can kill the build exactly there.
pub(super) fn pause_at(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("INTEGRIDAD_TEST_PAUSE").is_ok_and(|s| s == step) {
        eprintln!("paused at {step}");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

/// Test hook, debug builds only: `INTEGRIDAD_TEST_NO_EXCHANGE=1` acts as if the file system had
/// no atomic exchange, to test the two-rename fallback and its repair.
pub(super) fn exchange_disabled() -> bool {
    cfg!(debug_assertions) && std::env::var_os("INTEGRIDAD_TEST_NO_EXCHANGE").is_some()
}

/// Test hook, debug builds only: `INTEGRIDAD_TEST_NO_SPARE=1` deletes the old output after the
/// swap instead of keeping it as the spare, as a build does when another build left a spare
/// meanwhile, to test that deletion under kills.
pub(super) fn spare_disabled() -> bool {
    cfg!(debug_assertions) && std::env::var_os("INTEGRIDAD_TEST_NO_SPARE").is_some()
}
