//! The few operating-system calls the output swap needs beyond `std`: an atomic exchange of two
//! folders, mount-point detection, advisory locks, hidden attributes and telling a rename that
//! another program blocks. Each has a portable fallback, so the callers never need `cfg`.

use std::fs::File;
use std::io;
use std::path::Path;

/// Atomically swaps the folders at `a` and `b` (`renameat2(RENAME_EXCHANGE)` on Linux,
/// `renamex_np(RENAME_SWAP)` on macOS): `true` once swapped. Systems, file systems and kernels
/// without it answer `false`, and the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
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
    exchanged(status)
}

#[cfg(target_os = "macos")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::os::unix::ffi::OsStrExt as _;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let status = unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) };
    exchanged(status)
}

/// The answer of an exchange call's status: done, unsupported here, or an error.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
fn exchanged(status: libc::c_int) -> io::Result<bool> {
    if status == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
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

/// An exclusive lock on a lock file (`flock` on Unix, `LockFileEx` on Windows), released when
/// the value is dropped or the process dies, even by SIGKILL. One build of an output holds it
/// from the first look at leftovers to the end of the swap, so a live build's staging folder is
/// never taken for a leftover, and two builds of one output run one after the other.
pub(super) struct FileLock {
    _file: File,
}

/// Takes the lock of the file at `path` (created if missing, never truncated), waiting for it
/// when `wait` says so. `Ok(None)`: another process holds it. File systems without locks (some
/// network mounts) give an unlocked `FileLock`, as a lock there cannot be had at all.
pub(super) fn lock_file(path: &Path, wait: Wait) -> io::Result<Option<FileLock>> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    Ok(lock(&file, wait)?.then_some(FileLock { _file: file }))
}

#[cfg(unix)]
fn lock(file: &File, wait: Wait) -> io::Result<bool> {
    use std::os::fd::AsRawFd as _;
    let mut operation = libc::LOCK_EX;
    if let Wait::No = wait {
        operation |= libc::LOCK_NB;
    }
    loop {
        // SAFETY: the descriptor is open for the whole call.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(true);
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            Some(libc::ENOLCK | libc::EOPNOTSUPP) => return Ok(true),
            _ => return Err(error),
        }
    }
}

#[cfg(windows)]
fn lock(file: &File, wait: Wait) -> io::Result<bool> {
    use std::os::windows::io::AsRawHandle as _;
    use windows_sys::Win32::Foundation::{ERROR_LOCK_VIOLATION, ERROR_NOT_SUPPORTED, HANDLE};
    use windows_sys::Win32::Storage::FileSystem::{
        LockFileEx, LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY,
    };
    use windows_sys::Win32::System::IO::OVERLAPPED;
    let mut flags = LOCKFILE_EXCLUSIVE_LOCK;
    if let Wait::No = wait {
        flags |= LOCKFILE_FAIL_IMMEDIATELY;
    }
    // SAFETY: OVERLAPPED is plain old data; zero means "from offset 0", as LockFileEx expects.
    let mut overlapped: OVERLAPPED = unsafe { std::mem::zeroed() };
    // SAFETY: the handle is open for the whole call and `overlapped` outlives it; the call is
    // synchronous because the file was not opened for overlapped I/O.
    let status = unsafe {
        LockFileEx(
            file.as_raw_handle() as HANDLE,
            flags,
            0,
            u32::MAX,
            u32::MAX,
            &mut overlapped,
        )
    };
    if status != 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error().map(|code| code as u32) {
        Some(ERROR_LOCK_VIOLATION) => Ok(false),
        Some(ERROR_NOT_SUPPORTED) => Ok(true),
        _ => Err(error),
    }
}

#[cfg(not(any(unix, windows)))]
fn lock(_file: &File, _wait: Wait) -> io::Result<bool> {
    Ok(true)
}

/// Marks `path` hidden in Windows Explorer, or shows it again: the spare, the page record and
/// the lock beside the output are integridad's, and an editor uploading a folder must not pick
/// them by mistake (on other systems their names start with a dot, which hides them already).
/// Best effort: a file system without attributes leaves them visible.
pub(super) fn set_hidden(path: &Path, hidden: bool) {
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt as _;
        use windows_sys::Win32::Storage::FileSystem::{
            GetFileAttributesW, SetFileAttributesW, FILE_ATTRIBUTE_HIDDEN, INVALID_FILE_ATTRIBUTES,
        };
        let wide: Vec<u16> = path.as_os_str().encode_wide().chain([0]).collect();
        // SAFETY: `wide` is a NUL-terminated UTF-16 path that outlives both calls.
        unsafe {
            let attributes = GetFileAttributesW(wide.as_ptr());
            if attributes == INVALID_FILE_ATTRIBUTES {
                return;
            }
            let wanted = if hidden {
                attributes | FILE_ATTRIBUTE_HIDDEN
            } else {
                attributes & !FILE_ATTRIBUTE_HIDDEN
            };
            if wanted != attributes {
                SetFileAttributesW(wide.as_ptr(), wanted);
            }
        }
    }
    #[cfg(not(windows))]
    let _ = (path, hidden);
}

/// Whether `lock_file` waits for a lock held by another process.
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

/// Whether a rename failed because another program has the folder, or a file in it, open: on
/// Windows a terminal whose current folder is inside it, a server, an open document or an
/// indexer. Such a rename may succeed a moment later, and else the entries are replaced in place.
pub(super) fn is_in_use(error: &io::Error) -> bool {
    if error.kind() == io::ErrorKind::Other && error.to_string() == IN_USE_TEST {
        return true;
    }
    #[cfg(windows)]
    {
        // ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
        matches!(error.raw_os_error(), Some(5 | 32 | 33))
    }
    #[cfg(not(windows))]
    {
        false
    }
}

const IN_USE_TEST: &str = "in use by another program (test)";

/// `std::fs::rename`, except that in debug builds `INTEGRIDAD_TEST_IN_USE` (a comma-separated
/// list of file names) makes renaming a folder or file of one of those names fail as Windows
/// fails when another program has it open, so that the retry, the in-place fallback and its
/// rollback are tested on every system.
pub(super) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(debug_assertions)]
    if let (Ok(names), Some(name)) = (
        std::env::var("INTEGRIDAD_TEST_IN_USE"),
        from.file_name().and_then(|n| n.to_str()),
    ) {
        if names.split(',').any(|n| n == name) {
            return Err(io::Error::other(IN_USE_TEST));
        }
    }
    std::fs::rename(from, to)
}

/// How long a swap keeps retrying a rename that another program blocks before it replaces the
/// entries in place: long enough for an indexer or a virus scanner to let go.
pub(super) fn in_use_patience() -> std::time::Duration {
    if cfg!(debug_assertions) && std::env::var_os("INTEGRIDAD_TEST_IN_USE").is_some() {
        std::time::Duration::from_millis(200)
    } else {
        std::time::Duration::from_secs(3)
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
