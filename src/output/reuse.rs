//! Reusing the published output: a file whose new bytes equal the published file's is hard-linked
//! into the staging folder instead of written again, so a rebuild after a small edit writes only
//! what changed. Never writes into the published output, and nothing writes through a link: the
//! staging folder creates every other file new (`create_new`), and the old output is only ever
//! deleted, which leaves the linked inode to the new output.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{Sum, MARKER};

/// The published output a build may link unchanged files from.
pub(super) struct Previous {
    dir: PathBuf,
    #[cfg(unix)]
    device: u64,
    /// Path → the hash, size and identity each file had right after the build that wrote it
    /// (from the page record); a published file that still has that identity holds those bytes.
    known: HashMap<String, (Sum, FileId)>,
}

impl Previous {
    /// The published output at `output`, if integridad wrote it (marker) and it is on the same
    /// file system as the staging folder `staging` (hard links cannot cross devices). `record`
    /// is what the last build wrote there; its identities alone let a file be taken unread.
    pub(super) fn find(output: &Path, staging: &Path, record: &super::Record) -> Option<Previous> {
        let device = device_of(staging)?;
        let meta = std::fs::symlink_metadata(output).ok()?;
        let marker = std::fs::symlink_metadata(output.join(MARKER)).ok()?;
        if !meta.is_dir() || !marker.is_file() || device_of(output)? != device {
            return None;
        }
        Some(Previous {
            dir: output.to_path_buf(),
            #[cfg(unix)]
            device,
            known: record.proven_files(),
        })
    }

    /// Hard-links the published `path`, found to match (`matching` gave `published`), to
    /// `target`; `false` when it cannot be linked, and the caller then writes the file. The
    /// link is checked to be the very file that was compared.
    pub(super) fn link(&self, path: &str, published: &std::fs::Metadata, target: &Path) -> bool {
        if std::fs::hard_link(self.dir.join(path), target).is_err() {
            return false;
        }
        if same_inode(published, target) {
            return true;
        }
        // The published file was replaced between the comparison and the link.
        let _ = std::fs::remove_file(target);
        false
    }

    /// The published file at `path` when it is a plain file on the staging folder's device that
    /// holds what `expected` says. A file whose identity is the recorded one (`FileId`: nothing
    /// has written, linked or retimed it since the build that recorded it) is known to hold the
    /// recorded bytes; any other is compared byte by byte with new bytes, and never taken for a
    /// page the record alone describes (`Expected::Sum`).
    pub(super) fn matching(&self, path: &str, expected: Expected<'_>) -> Option<std::fs::Metadata> {
        let (mut file, meta) = open_plain(&self.dir.join(path))?;
        if meta.len() != expected.len() || !self.same_device(&meta) {
            return None;
        }
        let proven = self
            .known
            .get(path)
            .filter(|(sum, id)| sum.len == meta.len() && FileId::of(&meta) == Some(*id));
        let same = match (proven, expected) {
            (Some((sum, _)), _) => sum.hash == *expected.hash(),
            (None, Expected::Bytes(bytes, _)) => same_bytes(&mut file, bytes),
            (None, Expected::Sum(_)) => false,
        };
        same.then_some(meta)
    }

    #[cfg(unix)]
    fn same_device(&self, meta: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        meta.dev() == self.device
    }

    #[cfg(not(unix))]
    fn same_device(&self, _meta: &std::fs::Metadata) -> bool {
        false
    }
}

/// Opens `path` for reading without following a symlink at its end and without waiting on a
/// FIFO; `None` unless it is a plain file.
pub(super) fn open_plain(path: &Path) -> Option<(File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// Whether the current user owns the file or folder `meta` describes (always off Unix, where
/// ownership is not told this way).
#[cfg(unix)]
pub(super) fn owned(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
pub(super) fn owned(_meta: &std::fs::Metadata) -> bool {
    true
}

/// What tells a file this tool wrote from any other file, even one with the same bytes, size
/// and modification time: its device, inode and change time. The kernel sets the change time
/// on every write, link, rename, `chmod` and `utime`, and no call sets it back, so a file that
/// still has the one recorded right after the build wrote it has not been touched since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
    ctime: i64,
    ctime_nsec: i64,
}

impl FileId {
    /// The identity of the file `meta` describes; `None` off Unix, where nothing is taken
    /// unread (std has no stable change time there).
    #[cfg(unix)]
    pub(crate) fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt as _;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
            ctime: meta.ctime(),
            ctime_nsec: meta.ctime_nsec(),
        })
    }

    #[cfg(not(unix))]
    pub(crate) fn of(_meta: &std::fs::Metadata) -> Option<FileId> {
        None
    }

    /// Whether the file changed strictly before `time` (seconds, nanoseconds): change times are
    /// as coarse as the kernel's clock tick, so a change in the same tick as `time` could carry
    /// the same stamp as one right after it.
    pub(crate) fn changed_before(&self, time: (i64, i64)) -> bool {
        (self.ctime, self.ctime_nsec) < time
    }

    /// `<dev>:<ino>:<seconds>.<nanoseconds>`, as the page record keeps it.
    pub(crate) fn render(&self) -> String {
        format!(
            "{}:{}:{}.{:09}",
            self.dev, self.ino, self.ctime, self.ctime_nsec
        )
    }

    pub(crate) fn parse(text: &str) -> Option<FileId> {
        let mut parts = text.split(':');
        let (dev, ino, time) = (parts.next()?, parts.next()?, parts.next()?);
        let (ctime, nsec) = time.split_once('.')?;
        if parts.next().is_some() || nsec.len() != 9 {
            return None;
        }
        Some(FileId {
            dev: dev.parse().ok()?,
            ino: ino.parse().ok()?,
            ctime: ctime.parse().ok()?,
            ctime_nsec: nsec.parse().ok()?,
        })
    }
}

/// Whether `file` holds exactly `bytes` (its size was checked already; a file growing meanwhile
/// reads as different).
fn same_bytes(file: &mut File, bytes: &[u8]) -> bool {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    let limit = bytes.len() as u64 + 1;
    file.take(limit).read_to_end(&mut content).is_ok() && content == bytes
}

#[cfg(unix)]
fn device_of(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).ok().map(|m| m.dev())
}

/// Off Unix nothing is linked: there is no portable way to tell a file's identity.
#[cfg(not(unix))]
fn device_of(_path: &Path) -> Option<u64> {
    None
}

fn same_inode(compared: &std::fs::Metadata, linked: &Path) -> bool {
    std::fs::symlink_metadata(linked).is_ok_and(|m| same_identity(compared, &m))
}

/// Whether two files are the same file (one inode on one device).
#[cfg(unix)]
pub(super) fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.ino() == b.ino() && a.dev() == b.dev()
}

#[cfg(not(unix))]
pub(super) fn same_identity(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    false
}

/// What a file of the new output must hold: bytes in hand (with their SHA-256), or the size and
/// hash of a page's file taken from the published output (`record`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Expected<'a> {
    Bytes(&'a [u8], &'a [u8; 32]),
    Sum(&'a Sum),
}

impl Expected<'_> {
    fn len(&self) -> u64 {
        match self {
            Expected::Bytes(bytes, _) => bytes.len() as u64,
            Expected::Sum(sum) => sum.len,
        }
    }

    fn hash(&self) -> &[u8; 32] {
        match self {
            Expected::Bytes(_, hash) => hash,
            Expected::Sum(sum) => &sum.hash,
        }
    }
}

pub(super) fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_reads_back_and_nothing_else_parses() {
        let id = FileId {
            dev: 2049,
            ino: 123,
            ctime: -5,
            ctime_nsec: 7,
        };
        assert_eq!(id.render(), "2049:123:-5.000000007");
        assert_eq!(FileId::parse(&id.render()), Some(id));
        for bad in [
            "",
            "1:2",
            "1:2:3",
            "1:2:3.4",
            "1:2:3.000000004:5",
            "x:2:3.000000004",
        ] {
            assert_eq!(FileId::parse(bad), None, "{bad}");
        }
        assert!(id.changed_before((-5, 8)));
        assert!(!id.changed_before((-5, 7)), "the same tick proves nothing");
    }
}
