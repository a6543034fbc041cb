//! The page record: for each page of the published output, the key of everything it was made
//! from (`render::keys`), and for every file of that output its SHA-256, size and identity
//! (`FileId`) as they were right after the build wrote it. It is kept beside the output, in
//! `.<output>.integridad-cache/pages`, so that a later build can take a page whose key has not
//! changed from the published output instead of rendering it again (`OutputSink::reuse`).
//!
//! The record is trusted as far as the output folder is (whoever can write one can write the
//! other), and no further: a file is taken only while its identity is the recorded one, so a
//! published file edited, copied over or retimed since costs rendering time, never a wrong
//! page. It ends with its own hash, so a damaged record is ignored whole. A signed build does
//! not read it at all. The folder and the file are opened without
//! following links and read only when they are plain, the user's own and of a bounded size.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::reuse::{open_plain, owned, parse_hex, FileId};
use super::staging::prefix_beside;
use super::Sum;

/// The first line of the record; a record of another format is ignored.
const HEADER: &str = "integridad page record 2";

/// A record larger than this is not read (a 10,000-page site's is about 3 MB).
const MAX_BYTES: u64 = 64 << 20;

/// What each published page was made from, by the output path of its HTML, and what each
/// published file was written as.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pages: BTreeMap<String, RecordedPage>,
    files: BTreeMap<String, (Sum, Option<FileId>)>,
    /// When the record was saved (its modification time), once loaded: only identities of
    /// files changed strictly before it are trusted (`FileId::changed_before`).
    saved: Option<(i64, i64)>,
}

/// One page: its key and its files (the HTML first, then its downloads) with their SHA-256 and
/// size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedPage {
    pub key: u64,
    pub files: Vec<(String, Sum)>,
}

impl Record {
    /// The record kept beside `output`; empty when there is none, or it is not a plain file of
    /// the user's own in a plain folder of the user's own, or it is too large or cannot be read.
    pub fn load(output: &Path) -> Record {
        let path = path_of(output);
        let folder = path
            .parent()
            .and_then(|dir| std::fs::symlink_metadata(dir).ok());
        if !folder.is_some_and(|meta| meta.is_dir() && owned(&meta)) {
            return Record::default();
        }
        let Some((file, meta)) = open_plain(&path) else {
            return Record::default();
        };
        if !owned(&meta) || meta.len() > MAX_BYTES {
            return Record::default();
        }
        let mut text = String::new();
        if file.take(MAX_BYTES).read_to_string(&mut text).is_err() {
            return Record::default();
        }
        let Some(body) = unseal(&text) else {
            return Record::default();
        };
        let mut record = Record::parse(body);
        record.saved = modified(&meta);
        record
    }

    pub fn get(&self, html: &str) -> Option<&RecordedPage> {
        self.pages.get(html)
    }

    /// Path → hash, size and identity of every recorded file whose identity was taken strictly
    /// before the record was saved; empty for a record not loaded from disk.
    pub(super) fn proven_files(&self) -> HashMap<String, (Sum, FileId)> {
        let Some(saved) = self.saved else {
            return HashMap::new();
        };
        self.files
            .iter()
            .filter_map(|(path, (sum, id))| {
                let id = id.filter(|id| id.changed_before(saved))?;
                Some((path.clone(), (*sum, id)))
            })
            .collect()
    }

    /// Records a page whose files are recorded. A page whose HTML is not its first file, or
    /// whose paths cannot be written on a line of their own, is left out (it is simply
    /// rendered next time).
    fn insert(&mut self, html: String, page: RecordedPage) {
        let html_first = page.files.first().is_some_and(|(path, _)| *path == html);
        let recorded = page
            .files
            .iter()
            .all(|(path, sum)| self.files.get(path).is_some_and(|(s, _)| s == sum));
        if html_first && recorded {
            self.pages.insert(html, page);
        }
    }

    /// Records a file, unless its path cannot be written on a line of its own.
    fn insert_file(&mut self, path: String, sum: Sum, id: Option<FileId>) {
        if !path.contains(['\n', '\r']) {
            self.files.insert(path, (sum, id));
        }
    }

    /// The record of a build's output: every file written with its hash (`written`) and the
    /// identity it had right after it was written (`ids`), and every page made
    /// (`render::Reuse::made`); a page with a file not written is left out.
    pub fn of_build(
        made: &[crate::render::PageFiles],
        written: &BTreeMap<String, Sum>,
        ids: &BTreeMap<String, FileId>,
    ) -> Record {
        let mut record = Record::default();
        for (path, sum) in written {
            record.insert_file(path.clone(), *sum, ids.get(path).copied());
        }
        for page in made {
            let files: Option<Vec<(String, Sum)>> = page
                .files
                .iter()
                .map(|path| Some((path.clone(), *written.get(path)?)))
                .collect();
            if let Some(files) = files {
                let html = page.files[0].clone();
                record.insert(
                    html,
                    RecordedPage {
                        key: page.key,
                        files,
                    },
                );
            }
        }
        record
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Replaces the record beside `output` (written aside, then renamed over the old one), and
    /// removes what a killed build left of its own attempt. A link where the cache folder
    /// belongs is removed, never followed; anything else there that is not a folder of the
    /// user's own is left alone, and no record is written.
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        let path = path_of(output);
        let dir = path.parent().unwrap_or(Path::new("."));
        plain_folder(dir)?;
        super::sys::set_hidden(dir, true);
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("pages.new-")
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let aside = dir.join(format!("pages.new-{}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&aside)
            .and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                out.write_all(seal(self.render()).as_bytes())?;
                out.into_inner().map_err(|e| e.into_error())?.sync_all()
            });
        match written.and_then(|()| std::fs::rename(&aside, &path)) {
            Ok(()) => Ok(()),
            Err(error) => {
                let _ = std::fs::remove_file(&aside);
                Err(error)
            }
        }
    }

    /// One `file <sha256> <size> <identity> <path>` line per file (`-` for an identity not
    /// known), then `page <key> <html path>` per page, followed by a `with <path>` line for
    /// each of its other files.
    fn render(&self) -> String {
        let mut text = format!("{HEADER}\n");
        for (path, (sum, id)) in &self.files {
            let hash = crate::integrity::hex(&sum.hash);
            let id = id.map_or_else(|| "-".to_string(), |id| id.render());
            text.push_str(&format!("file {hash} {} {id} {path}\n", sum.len));
        }
        for (html, page) in &self.pages {
            text.push_str(&format!("page {:016x} {html}\n", page.key));
            for (path, _) in &page.files[1..] {
                text.push_str(&format!("with {path}\n"));
            }
        }
        text
    }

    /// Reads what `render` wrote; anything else ends the record where it starts, and the page
    /// it interrupts is left out.
    fn parse(text: &str) -> Record {
        let mut record = Record::default();
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return record;
        }
        let mut current: Option<(String, RecordedPage)> = None;
        for line in lines {
            if let Some(rest) = line.strip_prefix("file ") {
                let Some((path, sum, id)) = parse_file(rest) else {
                    return record;
                };
                if current.is_some() {
                    return record;
                }
                record.insert_file(path, sum, id);
            } else if let Some(rest) = line.strip_prefix("page ") {
                if let Some((html, page)) = current.take() {
                    record.insert(html, page);
                }
                let Some((key, html)) = rest.split_once(' ') else {
                    return record;
                };
                let Ok(key) = u64::from_str_radix(key, 16) else {
                    return record;
                };
                let Some(sum) = record.files.get(html).map(|(sum, _)| *sum) else {
                    return record;
                };
                let files = vec![(html.to_string(), sum)];
                current = Some((html.to_string(), RecordedPage { key, files }));
            } else if let Some(path) = line.strip_prefix("with ") {
                let sum = record.files.get(path).map(|(sum, _)| *sum);
                match (sum, current.as_mut()) {
                    (Some(sum), Some((_, page))) => page.files.push((path.to_string(), sum)),
                    _ => return record,
                }
            } else {
                return record;
            }
        }
        if let Some((html, page)) = current {
            record.insert(html, page);
        }
        record
    }
}

/// The record's text with an `end <sha256>` line after it, the hash of all that precedes it: a
/// record damaged or cut anywhere is then ignored whole, since its hashes are taken on trust.
fn seal(mut text: String) -> String {
    use sha2::Digest as _;
    let hash = crate::integrity::hex(&sha2::Sha256::digest(text.as_bytes()));
    text.push_str(&format!("end {hash}\n"));
    text
}

/// What `seal` sealed, if the seal holds.
fn unseal(text: &str) -> Option<&str> {
    use sha2::Digest as _;
    let body = text.strip_suffix('\n')?;
    let (body, hash) = body.rsplit_once('\n')?;
    let body = &text[..body.len() + 1];
    let hash = parse_hex(hash.strip_prefix("end ")?)?;
    let actual: [u8; 32] = sha2::Sha256::digest(body.as_bytes()).into();
    (actual == hash).then_some(body)
}

/// `<sha256> <size> <identity> <path>` of a `file` line.
fn parse_file(rest: &str) -> Option<(String, Sum, Option<FileId>)> {
    let mut parts = rest.splitn(4, ' ');
    let (hex, len, id, path) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let sum = Sum {
        hash: parse_hex(hex)?,
        len: len.parse().ok()?,
    };
    let id = match id {
        "-" => None,
        id => Some(FileId::parse(id)?),
    };
    Some((path.to_string(), sum, id))
}

/// Makes `dir` a plain folder of the user's own: a link in its place is removed (never
/// followed) and a folder made; a folder of another user or anything else there is an error
/// (left alone: no record is written).
fn plain_folder(dir: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() && owned(&meta) => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::remove_file(dir)?;
            std::fs::create_dir(dir)
        }
        Ok(_) => Err(std::io::Error::other(format!(
            "`{}` is not a folder of this user's own",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(dir),
        Err(e) => Err(e),
    }
}

/// A file's modification time as (seconds, nanoseconds) since the epoch.
#[cfg(unix)]
fn modified(meta: &std::fs::Metadata) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((meta.mtime(), meta.mtime_nsec()))
}

#[cfg(not(unix))]
fn modified(_meta: &std::fs::Metadata) -> Option<(i64, i64)> {
    None
}

/// `.<output>.integridad-cache/pages` beside `output`.
fn path_of(output: &Path) -> PathBuf {
    output
        .with_file_name(format!("{}cache", prefix_beside(output)))
        .join("pages")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(b: u8) -> Sum {
        Sum {
            hash: [b; 32],
            len: u64::from(b) * 1000,
        }
    }

    /// A record of pages given as (key, [(path, byte)]), each file with that byte as its hash.
    fn record_of(pages: &[(u64, &[(&str, u8)])]) -> Record {
        let mut record = Record::default();
        for (key, files) in pages {
            for (path, b) in *files {
                record.insert_file(path.to_string(), sum(*b), None);
            }
            let files: Vec<(String, Sum)> = files
                .iter()
                .map(|(p, b)| (p.to_string(), sum(*b)))
                .collect();
            record.insert(files[0].0.clone(), RecordedPage { key: *key, files });
        }
        record
    }

    #[test]
    fn a_saved_record_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let mut record = record_of(&[
            (7, &[("a/index.html", 1), ("a/a.docx", 2)]),
            (u64::MAX, &[("b c/index.html", 3)]),
        ]);
        std::fs::write(dir.path().join("x"), "x").unwrap();
        let id = FileId::of(&std::fs::metadata(dir.path().join("x")).unwrap());
        record.insert_file("x".into(), sum(4), id);
        record.save(&output).unwrap();
        assert!(dir.path().join(".public.integridad-cache/pages").is_file());
        let loaded = Record::load(&output);
        assert_eq!(
            (&loaded.pages, &loaded.files),
            (&record.pages, &record.files)
        );
        // Off Unix no file has an identity, so none is proven.
        let proven = usize::from(cfg!(unix));
        assert_eq!(
            loaded.proven_files().len(),
            proven,
            "only x has an identity"
        );
        // What a kill while saving leaves is removed by the next save.
        let left = dir.path().join(".public.integridad-cache/pages.new-1");
        std::fs::write(&left, "half").unwrap();
        record.save(&output).unwrap();
        assert!(!left.exists());
        assert_eq!(Record::load(&output).pages, record.pages);
    }

    #[test]
    fn damaged_records_keep_only_what_precedes_the_damage() {
        let hash = "ab".repeat(32);
        let good = format!(
            "{HEADER}\nfile {hash} 10 - x.html\nfile {hash} 3 - z.html\npage 00000000000000ff x.html\n"
        );
        assert_eq!(Record::parse(&good).len(), 1);
        assert_eq!(Record::parse(&good.replace(HEADER, "other")).len(), 0);
        let cut = format!("{good}page zz y.html\npage 01 z.html\n");
        assert_eq!(Record::parse(&cut).len(), 1);
        let unknown = format!("{good}page 01 z.html\nwith z.docx\n");
        assert_eq!(
            Record::parse(&unknown).len(),
            1,
            "z is left out, not kept without a file"
        );
        let no_size = format!("{HEADER}\nfile {hash} - x.html\npage 01 x.html\n");
        assert_eq!(
            Record::parse(&no_size).len(),
            0,
            "a file line without a size is damage"
        );
        let bad_id = format!("{HEADER}\nfile {hash} 1 1:2 x.html\npage 01 x.html\n");
        assert_eq!(Record::parse(&bad_id).len(), 0, "a damaged identity too");
        let no_files = format!("{good}page 01 y.html\n");
        assert_eq!(
            Record::parse(&no_files).len(),
            1,
            "a page without its HTML is left out"
        );
        let late_file = format!("{good}file {hash} 1 - w.html\npage 02 z.html\n");
        assert_eq!(
            Record::parse(&late_file).len(),
            0,
            "a file line among the pages is damage, and the page it interrupts is left out"
        );
    }

    #[test]
    fn a_record_damaged_anywhere_is_ignored_whole() {
        let text = seal(record_of(&[(7, &[("a/index.html", 1)])]).render());
        assert!(unseal(&text).is_some());
        assert_eq!(Record::parse(unseal(&text).unwrap()).len(), 1);
        let flipped = text.replacen("page 0", "page 1", 1);
        assert_eq!(unseal(&flipped), None);
        assert_eq!(unseal(&text[..text.len() - 2]), None);
        assert_eq!(unseal(&text[..text.len() / 2]), None);
        assert_eq!(unseal(""), None);
    }

    #[test]
    fn pages_with_line_breaks_in_a_path_are_not_recorded() {
        let record = record_of(&[
            (1, &[("a\nb/index.html", 1)]),
            (1, &[("c/index.html", 1), ("c/x\r.docx", 1)]),
        ]);
        let mut other = Record::default();
        other.insert_file("d/other.html".into(), sum(1), None);
        other.insert(
            "d/index.html".into(),
            RecordedPage {
                key: 1,
                files: vec![("d/other.html".into(), sum(1))],
            },
        );
        assert_eq!(record.len() + other.len(), 0);
    }

    /// The record's folder or file replaced by a link or a special file: never followed, never
    /// read, and saving puts a plain folder back.
    #[test]
    #[cfg(unix)]
    fn a_record_or_folder_that_is_not_plain_is_neither_read_nor_followed() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let record = record_of(&[(7, &[("a/index.html", 1)])]);
        let cache = dir.path().join(".public.integridad-cache");
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, &cache).unwrap();
        record.save(&output).unwrap();
        assert_eq!(
            std::fs::read_dir(&outside).unwrap().count(),
            0,
            "written outside"
        );
        assert!(std::fs::symlink_metadata(&cache).unwrap().is_dir());
        assert_eq!(Record::load(&output).len(), 1);
        // A record that is a link to a good record elsewhere, then a FIFO, then /dev/zero.
        let pages = cache.join("pages");
        std::fs::rename(&pages, outside.join("pages")).unwrap();
        std::os::unix::fs::symlink(outside.join("pages"), &pages).unwrap();
        assert_eq!(Record::load(&output).len(), 0, "a link is not followed");
        std::fs::remove_file(&pages).unwrap();
        let fifo = std::ffi::CString::new(pages.to_str().unwrap()).unwrap();
        // SAFETY: a valid path string.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert_eq!(Record::load(&output).len(), 0, "a FIFO is not waited on");
        std::fs::remove_file(&pages).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &pages).unwrap();
        assert_eq!(Record::load(&output).len(), 0);
        record.save(&output).unwrap();
        assert_eq!(Record::load(&output).len(), 1);
    }
}
