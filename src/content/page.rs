//! Pages and sections as read from `content/`: their identity across translations, language,
//! slug (number prefix dropped) and sort key. URLs are the site's business, not the page's.

use std::path::PathBuf;

use crate::content::front_matter::FrontMatter;
use crate::lang::Lang;

/// Identifies a page across its translations: the content-relative path of the default-language
/// source file (`toolkit/02-codigo-de-conducta.md`, `toolkit/_index.md`, `_index.md`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub(crate) struct PageId(pub String);

impl PageId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageKind {
    /// `content/_index.md`.
    Home,
    /// `_index.md` of a folder below `content/`.
    Section,
    /// Any other markdown file.
    Page,
}

/// One language version of a page, section or home page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub id: PageId,
    pub lang: Lang,
    pub kind: PageKind,
    /// Relative to the site root (`content/toolkit/02-x.en.md`), for diagnostics.
    pub file: PathBuf,
    /// Content-relative folder of the file, `/`-separated, empty at the top.
    pub dir: String,
    /// Last URL segment: the front matter `slug`, else the file (or, for a section, the folder)
    /// name without its number prefix. Empty for the home page.
    pub slug: String,
    /// File name of the default-language source, the tie-breaker after `weight`.
    pub file_name: String,
    pub front: FrontMatter,
    /// The text after the front matter, shared with the diagnostics' copy of the file and
    /// between the dev server's cache, the model and the markdown facts.
    pub body: Body,
    pub body_line: usize,
    /// Made from site.toml because the language has no home page file (`content::home`);
    /// not a page an editor wrote, so it counts for no language or translation check.
    pub generated: bool,
}

impl Page {
    /// Sort key within a section: weighted pages first by weight, then by file name.
    /// Sections sort by their folder name.
    pub fn order_key(&self) -> (bool, i64, &str) {
        let name = match self.kind {
            PageKind::Page => self.file_name.as_str(),
            _ => self.dir.rsplit('/').next().unwrap_or(&self.dir),
        };
        (
            self.front.weight.is_none(),
            self.front.weight.unwrap_or(0),
            name,
        )
    }

    /// The folder this section page stands for (`toolkit`), or `""` for the home page.
    pub fn section_dir(&self) -> Option<&str> {
        match self.kind {
            PageKind::Home => Some(""),
            PageKind::Section => Some(&self.dir),
            PageKind::Page => None,
        }
    }
}

/// Drops a leading number prefix (`02-`) and normalizes the rest to a URL slug.
pub(crate) fn slug_from_name(name: &str) -> String {
    let without_prefix = match name.split_once('-') {
        Some((digits, rest))
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !rest.is_empty() =>
        {
            rest
        }
        _ => name,
    };
    slugify(without_prefix)
}

/// Lowercase, accents removed, every run of other characters becomes one hyphen (SPEC rule for
/// heading ids, used for slugs too so that file names with accents still give clean URLs).
pub(crate) fn slugify(text: &str) -> String {
    crate::markdown::heading_id(text)
}

/// Whether a front matter `slug` is a usable URL segment.
pub(crate) fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('-')
        && slug.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
        && slug != "."
        && slug != ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_drop_number_prefixes() {
        let cases = [
            ("02-codigo-de-conducta", "codigo-de-conducta"),
            ("10-mejora", "mejora"),
            ("2024", "2024"),
            ("Acerca de", "acerca-de"),
            ("03-Evaluación", "evaluacion"),
            ("007-", "007"),
        ];
        for (name, slug) in cases {
            assert_eq!(slug_from_name(name), slug, "{name}");
        }
    }

    #[test]
    fn slug_validation() {
        assert!(is_valid_slug("code-of-conduct"));
        for bad in ["", "a/b", "..", "Mayús", "-x", "a b"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }
}

/// A page's body: the end of its file's text, in one allocation shared by everyone who keeps
/// the text (at 10,000 pages, a second copy is 50 MB).
#[derive(Clone)]
pub(crate) struct Body {
    text: std::sync::Arc<str>,
    start: usize,
}

impl Body {
    /// The body `body`, taken from the end of `text` when it is that (the usual case: a file
    /// without `\r\n` line ends or a byte order mark), else a copy of its own.
    pub fn within(text: &std::sync::Arc<str>, body: &str) -> Body {
        if text.ends_with(body) {
            Body {
                text: std::sync::Arc::clone(text),
                start: text.len() - body.len(),
            }
        } else {
            Body::from(body)
        }
    }

    /// Whether both are the same slice of the same allocation (so surely equal).
    pub fn same(a: &Body, b: &Body) -> bool {
        std::sync::Arc::ptr_eq(&a.text, &b.text) && a.start == b.start
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body {
            text: std::sync::Arc::from(text),
            start: 0,
        }
    }
}

impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text[self.start..]
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
