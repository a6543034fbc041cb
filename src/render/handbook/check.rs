//! Checks the links the handbook itself writes, as the build checks written ones: every
//! `#fragment` must name an id the handbook holds, and no relative link may climb above the
//! site's root. Reads the rebased chapters and the forms; never changes them.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Span};
use crate::render::context::{HandbookChapter, HandbookForm};
use crate::url::UrlPath;

/// Every value of ` name="…"` in `html`, in order.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        let value = &rest[start + needle.len()..];
        let Some(end) = value.find('"') else { break };
        found.push(&value[..end]);
        rest = &value[end..];
    }
    found
}

/// Every id of the handbook's chapters and forms.
fn ids(chapters: &[HandbookChapter], forms: &[HandbookForm]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for chapter in chapters {
        ids.insert(chapter.id.clone());
        ids.extend(
            attributes(&chapter.content, "id")
                .into_iter()
                .map(String::from),
        );
    }
    for form in forms {
        ids.insert(form.id.clone());
        for section in &form.sections {
            ids.insert(section.id.clone());
            ids.extend(section.items.iter().map(|item| item.id.clone()));
        }
    }
    ids
}

/// A chapter's source: its file, markdown body and the line the body starts on.
pub(super) struct Source<'a> {
    pub file: &'a Path,
    pub body: &'a str,
    pub body_line: usize,
}

impl Source<'_> {
    /// Where the source writes the link that became `href` in chapter `prefix`: the first place
    /// its text (the fragment without the chapter's prefix) appears, else the file.
    fn place(&self, href: &str, prefix: &str) -> Span {
        let written = match href.strip_prefix('#') {
            Some(fragment) => {
                let own = fragment
                    .strip_prefix(prefix)
                    .and_then(|f| f.strip_prefix('-'));
                format!("#{}", own.unwrap_or(fragment))
            }
            None => href.to_string(),
        };
        match self.body.find(&written) {
            Some(at) => {
                let (line, col) = crate::diagnostics::line_col(self.body, at);
                Span::new(self.file, self.body_line + line - 1, col)
            }
            None => Span::file(self.file),
        }
    }
}

/// The broken links of the handbook at `url`: one error per link, at the place in the source
/// of the chapter it comes from (`sources` is parallel to `chapters`).
pub(super) fn check_links(
    url: &UrlPath,
    chapters: &[HandbookChapter],
    forms: &[HandbookForm],
    sources: &[Source<'_>],
) -> Vec<Diagnostic> {
    let ids = ids(chapters, forms);
    let mut found = Vec::new();
    for (chapter, source) in chapters.iter().zip(sources) {
        let mut seen = BTreeSet::new();
        for href in attributes(&chapter.content, "href") {
            if !seen.insert(href) {
                continue;
            }
            let problem = if let Some(fragment) = href.strip_prefix('#') {
                (!ids.contains(fragment))
                    .then(|| format!("the handbook links `{href}`, but holds no such id"))
            } else if super::rebase::is_external(href) || href.starts_with('/') {
                None
            } else {
                let path = href.split('#').next().unwrap_or_default();
                super::rebase::resolve(url, path).is_none().then(|| {
                    format!("the handbook links `{href}`, which leads above the site's root")
                })
            };
            if let Some(message) = problem {
                found.push(
                    Diagnostic::error(message)
                        .at(source.place(href, &chapter.id))
                        .with_help(format!(
                            "the link comes from chapter {} (`{}`); check its links and their `#fragment`s",
                            chapter.number, chapter.title
                        )),
                );
            }
        }
    }
    found
}
