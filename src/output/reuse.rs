//! Reusing the published output: a file whose new bytes equal the published file's is hard-linked
//! into the staging folder instead of written again, so a rebuild after a small edit writes only
//! what changed. Never writes into the published output, and nothing writes through a link: the
//! staging folder creates every other file new (`create_new`), and the old output is only ever
//! deleted, which leaves the linked inode to the new output.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Sum, MARKER};

/// The checksum list a build writes at the top of its output (`integrity::SUMS_FILE`, which a
/// test keeps equal); read here only as a hint, so a missing or odd list just means reading the
/// published files instead.
pub(crate) const PREVIOUS_SUMS: &str = "SHA256SUMS";

/// The published output a build may link unchanged files from.
pub(super) struct Previous {
    dir: PathBuf,
    #[cfg(unix)]
    device: u64,
    /// Path → SHA-256 from the published `SHA256SUMS`, when it was there.
    sums: HashMap<String, [u8; 32]>,
    /// When that list was written: only a file modified strictly before it is trusted to match
    /// it (file times are coarse, so a hand edit right after a build can carry the list's time).
    sums_written: Option<SystemTime>,
}

impl Previous {
    /// The published output at `output`, if integridad wrote it (marker) and it is on the same
    /// file system as the staging folder `staging` (hard links cannot cross devices).
    pub(super) fn find(output: &Path, staging: &Path) -> Option<Previous> {
        let device = device_of(staging)?;
        let meta = std::fs::symlink_metadata(output).ok()?;
        if !meta.is_dir() || !output.join(MARKER).is_file() || device_of(output)? != device {
            return None;
        }
        let sums_path = output.join(PREVIOUS_SUMS);
        let sums_written = std::fs::symlink_metadata(&sums_path)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok());
        let sums = match sums_written {
            Some(_) => std::fs::read_to_string(&sums_path)
                .map(|text| parse_sums(&text))
                .unwrap_or_default(),
            None => HashMap::new(),
        };
        Some(Previous {
            dir: output.to_path_buf(),
            #[cfg(unix)]
            device,
            sums,
            sums_written,
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
    /// holds what `expected` says. Its hash is taken from the published `SHA256SUMS` when that
    /// list is trusted for the file (the file is older than the list: file times are coarse, so
    /// a hand edit right after a build can carry the list's time), else from its bytes.
    pub(super) fn matching(&self, path: &str, expected: Expected<'_>) -> Option<std::fs::Metadata> {
        let (mut file, meta) = open_plain(&self.dir.join(path))?;
        if meta.len() != expected.len() || !self.same_device(&meta) {
            return None;
        }
        let listed = self
            .sums
            .get(path)
            .filter(|_| matches!((meta.modified(), self.sums_written), (Ok(m), Some(w)) if m < w));
        let same = match (listed, expected) {
            (Some(listed), _) => listed == expected.hash(),
            (None, Expected::Bytes(bytes, _)) => same_bytes(&mut file, bytes),
            (None, Expected::Sum(sum)) => hash_of(&mut file).is_some_and(|h| h == sum.hash),
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

/// Opens `path` without following a symlink at its end; `None` unless it is a plain file.
fn open_plain(path: &Path) -> Option<(File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// The SHA-256 of what `file` holds.
fn hash_of(file: &mut File) -> Option<[u8; 32]> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(file, &mut hasher).ok()?;
    Some(hasher.finalize().into())
}

/// Whether `file` holds exactly `bytes` (its size was checked already; a file growing meanwhile
/// reads as different).
fn same_bytes(file: &mut File, bytes: &[u8]) -> bool {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    file.read_to_end(&mut content).is_ok() && content == bytes
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

/// The plain `<64 hex>  <path>` lines of a checksum list; escaped names and anything malformed
/// are skipped (those files are compared byte by byte instead).
fn parse_sums(text: &str) -> HashMap<String, [u8; 32]> {
    text.lines()
        .filter_map(|line| {
            let (hex, path) = line.split_once("  ")?;
            Some((path.to_string(), parse_hex(hex)?))
        })
        .collect()
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
    fn only_plain_lines_of_the_list_are_read() {
        let hash = "ab".repeat(32);
        let text = format!(
            "{hash}  a/index.html\n\\{hash}  b\\nc\n{hash} *bin\nzz{}  z\n+f{}  plus\n",
            "0".repeat(62),
            "0".repeat(62)
        );
        let sums = parse_sums(&text);
        assert_eq!(sums.len(), 1, "{sums:?}");
        assert_eq!(sums.get("a/index.html"), Some(&[0xab; 32]));
    }
}
