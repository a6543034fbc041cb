//! The page record: for each page of the published output, the key of everything it was made
//! from (`render::keys`) and its files with their SHA-256. It is kept beside the output, in
//! `.<output>.integridad-cache/pages`, so that a later build can take a page whose key has not
//! changed from the published output instead of rendering it again (`OutputSink::reuse`).
//!
//! The record is only a hint. Every file taken is checked against the published file's hash
//! first, so a stale, foreign or damaged record costs time, never a wrong page; that is also
//! why it may be written after the swap and lost to a kill without harm.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::reuse::parse_hex;
use super::staging::prefix_beside;
use super::Sum;

/// The first line of the record; a record of another format is ignored.
const HEADER: &str = "integridad page record 1";

/// What each published page was made from, by the output path of its HTML.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pages: BTreeMap<String, RecordedPage>,
}

/// One page: its key and its files (the HTML first, then its downloads) with their SHA-256 and
/// size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedPage {
    pub key: u64,
    pub files: Vec<(String, Sum)>,
}

impl Record {
    /// The record kept beside `output`; empty when there is none or it cannot be read.
    pub fn load(output: &Path) -> Record {
        std::fs::read_to_string(path_of(output))
            .map(|text| Record::parse(&text))
            .unwrap_or_default()
    }

    pub fn get(&self, html: &str) -> Option<&RecordedPage> {
        self.pages.get(html)
    }

    /// Records a page. A page whose HTML is not its first file, or whose paths cannot be
    /// written on a line of their own, is left out (it is simply rendered next time).
    pub fn insert(&mut self, html: String, page: RecordedPage) {
        let plain = |path: &str| !path.contains(['\n', '\r']);
        let html_first = page.files.first().is_some_and(|(path, _)| *path == html);
        if html_first && page.files.iter().all(|(path, _)| plain(path)) {
            self.pages.insert(html, page);
        }
    }

    /// The record of a build's output: every page made (`render::Reuse::made`) with the
    /// hashes its files were written with; a page with a file not written is left out.
    pub fn of_build(made: &[crate::render::PageFiles], written: &BTreeMap<String, Sum>) -> Record {
        let mut record = Record::default();
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
    /// removes what a killed build left of its own attempt.
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        let path = path_of(output);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
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
        let written = std::fs::File::create(&aside).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            out.write_all(self.render().as_bytes())?;
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

    /// `page <key> <html path>` followed by one `file <sha256> <size> <path>` line per file.
    fn render(&self) -> String {
        let mut text = format!("{HEADER}\n");
        for (html, page) in &self.pages {
            text.push_str(&format!("page {:016x} {html}\n", page.key));
            for (path, sum) in &page.files {
                let hash = crate::integrity::hex(&sum.hash);
                text.push_str(&format!("file {hash} {} {path}\n", sum.len));
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
            if let Some(rest) = line.strip_prefix("page ") {
                if let Some((html, page)) = current.take() {
                    record.insert(html, page);
                }
                let Some((key, html)) = rest.split_once(' ') else {
                    return record;
                };
                let Ok(key) = u64::from_str_radix(key, 16) else {
                    return record;
                };
                let files = Vec::new();
                current = Some((html.to_string(), RecordedPage { key, files }));
            } else if let Some(rest) = line.strip_prefix("file ") {
                let parsed = rest.split_once(' ').and_then(|(hex, rest)| {
                    let (len, path) = rest.split_once(' ')?;
                    let sum = Sum {
                        hash: parse_hex(hex)?,
                        len: len.parse().ok()?,
                    };
                    Some((path.to_string(), sum))
                });
                match (parsed, current.as_mut()) {
                    (Some(file), Some((_, page))) => page.files.push(file),
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

/// `.<output>.integridad-cache/pages` beside `output`.
fn path_of(output: &Path) -> PathBuf {
    output
        .with_file_name(format!("{}cache", prefix_beside(output)))
        .join("pages")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(key: u64, files: &[(&str, u8)]) -> RecordedPage {
        RecordedPage {
            key,
            files: files
                .iter()
                .map(|(p, b)| {
                    let sum = Sum {
                        hash: [*b; 32],
                        len: u64::from(*b) * 1000,
                    };
                    (p.to_string(), sum)
                })
                .collect(),
        }
    }

    #[test]
    fn a_saved_record_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let mut record = Record::default();
        record.insert(
            "a/index.html".into(),
            page(7, &[("a/index.html", 1), ("a/a.docx", 2)]),
        );
        record.insert(
            "b c/index.html".into(),
            page(u64::MAX, &[("b c/index.html", 3)]),
        );
        record.save(&output).unwrap();
        assert!(dir.path().join(".public.integridad-cache/pages").is_file());
        assert_eq!(Record::load(&output), record);
        // What a kill while saving leaves is removed by the next save.
        let left = dir.path().join(".public.integridad-cache/pages.new-1");
        std::fs::write(&left, "half").unwrap();
        record.save(&output).unwrap();
        assert!(!left.exists());
        assert_eq!(Record::load(&output), record);
    }

    #[test]
    fn damaged_records_keep_only_what_precedes_the_damage() {
        let hash = "ab".repeat(32);
        let good = format!("{HEADER}\npage 00000000000000ff x.html\nfile {hash} 10 x.html\n");
        assert_eq!(Record::parse(&good).len(), 1);
        assert_eq!(Record::parse(&good.replace(HEADER, "other")).len(), 0);
        let cut = format!("{good}page zz y.html\npage 01 z.html\n");
        assert_eq!(Record::parse(&cut).len(), 1);
        let odd_file = format!("{good}page 01 z.html\nfile {hash} 3 z.html\nfile 12 3 z.docx\n");
        assert_eq!(
            Record::parse(&odd_file).len(),
            1,
            "z is left out, not kept without a file"
        );
        let no_size = format!("{good}page 01 z.html\nfile {hash} z.html\n");
        assert_eq!(
            Record::parse(&no_size).len(),
            1,
            "a file line without a size is damage"
        );
        let no_files = format!("{good}page 01 z.html\n");
        assert_eq!(
            Record::parse(&no_files).len(),
            1,
            "a page without its HTML is left out"
        );
        assert_eq!(
            Record::parse(&format!("{HEADER}\nfile {hash} 1 x\n")).len(),
            0
        );
    }

    #[test]
    fn pages_with_line_breaks_in_a_path_are_not_recorded() {
        let mut record = Record::default();
        record.insert("a\nb/index.html".into(), page(1, &[("a\nb/index.html", 1)]));
        record.insert(
            "c/index.html".into(),
            page(1, &[("c/index.html", 1), ("c/x\r.docx", 1)]),
        );
        record.insert("d/index.html".into(), page(1, &[("d/other.html", 1)]));
        assert_eq!(record.len(), 0);
    }
}
