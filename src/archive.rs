//! ZIP archives (the offline bundle, Word documents, spreadsheets) whose bytes do not depend on
//! the system that wrote them. On Windows the `zip` crate records FAT as each entry's host in
//! "version made by" and sets MS-DOS attribute bits (folder, read-only) in the low half of its
//! external attributes, which it leaves empty elsewhere; the Unix mode in the high half is the
//! same. Those bytes are set to what a Unix build writes afterwards, so `SHA256SUMS` agrees
//! between a Linux and a Windows build.

/// The host code of Unix in the high byte of "version made by" (APPNOTE 4.4.2).
const UNIX_HOST: u8 = 3;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const ZIP64_END: u32 = 0x0606_4b50;

/// `bytes`, a whole ZIP archive, with every central-directory entry marked as made on Unix and
/// without MS-DOS attributes.
/// An archive whose directory cannot be read is returned unchanged (it was just written by a
/// ZIP library, so that would be a bug there, not in the content).
pub(crate) fn made_on_unix(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some((mut at, count)) = central_directory(&bytes) {
        for _ in 0..count {
            if u32_at(&bytes, at) != Some(CENTRAL_HEADER) {
                break;
            }
            let lengths = [28, 30, 32].map(|field| u16_at(&bytes, at + field).map(usize::from));
            let [Some(name), Some(extra), Some(comment)] = lengths else {
                break;
            };
            bytes[at + 5] = UNIX_HOST;
            bytes[at + 38..at + 40].fill(0);
            at += 46 + name + extra + comment;
        }
    }
    bytes
}

/// Where the central directory starts and how many entries it has, from the end record (or its
/// ZIP64 form when the plain one says "see ZIP64").
fn central_directory(bytes: &[u8]) -> Option<(usize, u64)> {
    // The end record is 22 bytes plus a comment of at most 65,535 bytes.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(END_OF_CENTRAL))?;
    let count = u16_at(bytes, end + 10)?;
    let offset = u32_at(bytes, end + 16)?;
    if count != u16::MAX && offset != u32::MAX {
        return Some((usize::try_from(offset).ok()?, u64::from(count)));
    }
    let locator = end.checked_sub(20)?;
    if u32_at(bytes, locator) != Some(ZIP64_LOCATOR) {
        return None;
    }
    let record = usize::try_from(u64_at(bytes, locator + 8)?).ok()?;
    if u32_at(bytes, record) != Some(ZIP64_END) {
        return None;
    }
    let count = u64_at(bytes, record + 32)?;
    let offset = usize::try_from(u64_at(bytes, record + 48)?).ok()?;
    Some((offset, count))
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn archive(names: &[&str]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for name in names {
            zip.start_file(*name, options).unwrap();
            zip.write_all(name.as_bytes()).unwrap();
        }
        zip.set_comment("a comment that is not a header: PK\x05\x06");
        zip.finish().unwrap().into_inner()
    }

    /// The offsets of the host bytes, found independently of the code under test: every
    /// central header signature followed by the Unix or FAT host.
    fn host_bytes(bytes: &[u8]) -> Vec<usize> {
        (0..bytes.len().saturating_sub(46))
            .filter(|&at| bytes[at..at + 4] == CENTRAL_HEADER.to_le_bytes())
            .map(|at| at + 5)
            .collect()
    }

    #[test]
    fn entries_made_on_fat_are_marked_as_made_on_unix_and_nothing_else_changes() {
        let written = archive(&["a.txt", "carpeta/evaluación.html", "b.css"]);
        let unix = made_on_unix(written.clone());
        let hosts = host_bytes(&unix);
        assert_eq!(hosts.len(), 3);
        let mut fat = unix.clone();
        for &at in &hosts {
            assert_eq!(unix[at], UNIX_HOST);
            assert_eq!(unix[at + 33..at + 35], [0, 0]);
            fat[at] = 0;
            // The MS-DOS folder bit, as written on Windows for a folder entry.
            fat[at + 33] = 0x10;
        }
        assert_ne!(fat, unix);
        assert_eq!(made_on_unix(fat), unix);
        assert_eq!(made_on_unix(unix.clone()), unix);
        // Only those bytes may differ from what the library wrote (nothing, on Unix).
        assert_eq!(written.len(), unix.len());
        let changed: Vec<usize> = (0..unix.len()).filter(|&i| written[i] != unix[i]).collect();
        let allowed: Vec<usize> = hosts
            .iter()
            .flat_map(|&at| [at, at + 33, at + 34])
            .collect();
        assert!(changed.iter().all(|i| allowed.contains(i)), "{changed:?}");
        let read = zip::ZipArchive::new(std::io::Cursor::new(unix)).unwrap();
        assert_eq!(read.len(), 3);
    }

    #[test]
    fn what_is_not_an_archive_is_left_as_it_is() {
        for bytes in [
            Vec::new(),
            b"PK\x05\x06".to_vec(),
            vec![0x50; 100],
            b"PK\x05\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00"
                .to_vec(),
        ] {
            assert_eq!(made_on_unix(bytes.clone()), bytes);
        }
    }
}
