//! Link resolution: a destination written to a source file (`02-codigo.md#sanciones`,
//! `../checklists/health.yaml`, `img/mapa.png`) becomes the relative URL of its target in the
//! linking page's language. Fragments are recorded and checked once every page has its anchors.

use std::cell::RefCell;
use unicode_normalization::UnicodeNormalization as _;

use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::Lang;
use crate::markdown::{LinkResolver, LinkTarget};
use crate::site::{Site, Target};
use crate::url::UrlPath;

/// A `#fragment` to verify against the target's anchors after rendering.
#[derive(Debug, Clone)]
pub(crate) struct FragmentCheck {
    pub target: Target,
    pub fragment: String,
    pub dest: String,
    pub span: Span,
}

/// Resolves the links of one source file: `dir` is its content-relative folder, `from` the URL
/// of the page being rendered, and `this` the page itself when links may point at its own anchors.
pub(crate) struct Resolver<'a> {
    pub site: &'a Site,
    pub dir: &'a str,
    pub lang: &'a Lang,
    pub from: &'a UrlPath,
    pub this: Option<Target>,
    pub fragments: RefCell<Vec<FragmentCheck>>,
    /// Warnings about links: to a page that exists only as a draft (fine while drafts are
    /// included, `serve` and `--drafts`, broken in the published build), citations of a law
    /// reformed after the page's legal review, and root-absolute links (`rooted`).
    pub draft_links: RefCell<Vec<Diagnostic>>,
    /// Laws whose freshness this source has been checked against: one warning per law and page.
    cited: RefCell<std::collections::BTreeSet<String>>,
    /// Laws whose name this source's links already carry as a title: only the first citation of
    /// each law gets one, which keeps pages that cite a law twenty times light.
    titled: RefCell<std::collections::BTreeSet<String>>,
}

/// What a content-relative path names.
pub(crate) enum Resolved {
    Target(Target, UrlPath),
    Asset(UrlPath),
}

impl<'a> Resolver<'a> {
    pub fn new(
        site: &'a Site,
        dir: &'a str,
        lang: &'a Lang,
        from: &'a UrlPath,
        this: Option<Target>,
    ) -> Self {
        Resolver {
            site,
            dir,
            lang,
            from,
            this,
            fragments: RefCell::new(Vec::new()),
            draft_links: RefCell::new(Vec::new()),
            cited: RefCell::new(std::collections::BTreeSet::new()),
            titled: RefCell::new(std::collections::BTreeSet::new()),
        }
    }

    /// The resolver of page `i`'s body: its folder, language and URL, its own anchors allowed.
    pub fn for_page(site: &'a Site, i: usize) -> Self {
        let page = &site.pages[i];
        Resolver::new(
            site,
            &page.dir,
            &page.lang,
            &site.urls[i],
            Some(Target::Page(i)),
        )
    }

    /// Moves the draft-link warnings into `diags`.
    pub fn report_draft_links(&self, diags: &mut Diagnostics) {
        for diagnostic in self.draft_links.take() {
            diags.push(diagnostic);
        }
    }

    /// Warns when a published source links to page `target` that only exists as a draft.
    fn check_draft(&self, target: Target, path: &str, span: &Span) {
        let Target::Page(index) = target else { return };
        let site = self.site;
        let source_is_draft =
            matches!(self.this, Some(Target::Page(i)) if site.pages[i].front.draft);
        if site.config.drafts || source_is_draft || !site.is_draft_only(index) {
            return;
        }
        self.draft_links.borrow_mut().push(
            Diagnostic::warning(format!(
                "link to `{path}`, a draft: the published build (without --drafts) will fail here with \"link target not found\""
            ))
            .at(span.clone())
            .with_help(format!(
                "publish `{}` (remove `draft: true`) or remove this link before publishing",
                crate::diagnostics::display_path(&site.pages[index].file)
            )),
        );
    }

    pub fn into_fragments(self) -> Vec<FragmentCheck> {
        self.fragments.into_inner()
    }

    /// Resolves a link destination; `Ok(None)` means "leave it as written" (external, or
    /// root-absolute with a warning: `rooted::check`).
    pub fn resolve(
        &self,
        dest: &str,
        span: &Span,
    ) -> Result<Option<String>, (String, Option<String>)> {
        if is_external(dest) || dest.is_empty() {
            return Ok(None);
        }
        if dest.starts_with('/') {
            return match super::rooted::check(self.site, self.dir, dest, span) {
                super::rooted::Rooted::Warn(warning) => {
                    self.draft_links.borrow_mut().push(warning);
                    Ok(None)
                }
                super::rooted::Rooted::Refuse { message, help } => Err((message, Some(help))),
            };
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            if let (Some(target), Some(fragment)) = (self.this, fragment) {
                self.record(target, fragment, dest, span);
            }
            return Ok(None);
        }
        // File names are NFC in the model (`content::walk`); a link typed or pasted in another
        // form (macOS writes NFD) names the same file.
        let decoded: String = percent_decode(path).nfc().collect();
        let Some(rel) = join(self.dir, &decoded) else {
            return Err((
                format!("link `{dest}` points outside `content/`"),
                Some("link to files inside the content folder".into()),
            ));
        };
        match self.site.resolve_path(&rel, self.lang) {
            Some(Resolved::Target(target, url)) => {
                self.check_draft(target, path, span);
                let mut link = self.from.relative_to(&url, self.site.config.links);
                if let Some(fragment) = fragment {
                    self.record(target, fragment, dest, span);
                    link.push('#');
                    link.push_str(fragment);
                }
                Ok(Some(link))
            }
            Some(Resolved::Asset(url)) => {
                // Colocated file names may hold spaces or accents; a URL may not.
                let mut link = percent_encode(&self.from.relative_to(&url, self.site.config.links));
                if let Some(fragment) = fragment {
                    link.push('#');
                    link.push_str(fragment);
                }
                Ok(Some(link))
            }
            None if self.site.failed_to_load(&rel) => Ok(None),
            None => Err((
                format!("link target `{path}` not found"),
                Some(format!(
                    "links are relative to the file; `content/{rel}` does not exist (or is a draft)"
                )),
            )),
        }
    }

    fn record(&self, target: Target, fragment: &str, dest: &str, span: &Span) {
        self.fragments.borrow_mut().push(FragmentCheck {
            target,
            fragment: percent_decode(fragment),
            dest: dest.to_string(),
            span: span.clone(),
        });
    }
}

impl Resolver<'_> {
    /// Resolves `ley:<rest>` against the registry and, for a page, checks its review date
    /// against the cited law's last reform (once per law).
    fn resolve_law(&self, rest: &str, span: &Span) -> LinkTarget {
        let site = self.site;
        let failed = site.failed_to_load(crate::content::laws::FILE);
        let default = &site.config.default_lang;
        match super::laws::resolve_citation(site.laws.as_ref(), failed, rest, self.lang, default) {
            Ok(None) => LinkTarget::Keep,
            Err((message, help)) => LinkTarget::Broken { message, help },
            Ok(Some(target)) => {
                let (id, _) = super::laws::split_citation(rest);
                let law = site.laws.as_ref().and_then(|r| r.law(id));
                let reviewed = match self.this {
                    Some(Target::Page(i)) if !site.pages[i].generated => {
                        Some(site.pages[i].front.reviewed.as_ref().map(|(d, _)| d))
                    }
                    Some(Target::Checklist(c, _)) => {
                        Some(site.checklists[c].reviewed.as_ref().map(|(d, _)| d))
                    }
                    _ => None,
                };
                if let (Some(law), Some(reviewed)) = (law, reviewed) {
                    // Without a review date, one warning per file says so; with one, each law.
                    let key = if reviewed.is_some() { id } else { "" };
                    if self.cited.borrow_mut().insert(key.to_string()) {
                        if let Some(warning) = super::laws::check_freshness(reviewed, law, span) {
                            self.draft_links.borrow_mut().push(warning);
                        }
                    }
                }
                match target {
                    LinkTarget::Cite { url, .. } if !self.titled.borrow_mut().insert(id.into()) => {
                        LinkTarget::Rewrite(url)
                    }
                    other => other,
                }
            }
        }
    }
}

impl LinkResolver for Resolver<'_> {
    fn resolve_link(&self, dest: &str, span: &Span) -> LinkTarget {
        if let Some(rest) = dest.strip_prefix(crate::content::laws::SCHEME) {
            return self.resolve_law(rest, span);
        }
        match self.resolve(dest, span) {
            Ok(None) => LinkTarget::Keep,
            Ok(Some(url)) => LinkTarget::Rewrite(url),
            Err((message, help)) => LinkTarget::Broken { message, help },
        }
    }
}

impl Site {
    /// Whether every language version of page `index` is a draft, so that a build without
    /// drafts has no page to link to.
    pub(crate) fn is_draft_only(&self, index: usize) -> bool {
        let id = &self.pages[index].id;
        self.config.languages.iter().all(|l| {
            self.page(id, &l.lang)
                .is_none_or(|i| self.pages[i].front.draft)
        })
    }

    /// What a content-relative path (`toolkit/02-x.md`, `toolkit/02-x.en.md`, `checklists/a.yaml`,
    /// `toolkit/`, `img/a.png`) names, in `lang` with the SPEC's fallback to the default language.
    pub(crate) fn resolve_path(&self, rel: &str, lang: &Lang) -> Option<Resolved> {
        if let Some(stem) = rel.strip_suffix(".md") {
            let (id, lang) = match stem.rsplit_once('.') {
                Some((base, suffix)) => match Lang::try_from(suffix) {
                    Ok(l) if self.config.language(&l).is_some() => (format!("{base}.md"), l),
                    _ => (rel.to_string(), lang.clone()),
                },
                None => (rel.to_string(), lang.clone()),
            };
            let index = self.page_or_fallback(&crate::content::page::PageId(id), &lang)?;
            return Some(Resolved::Target(
                Target::Page(index),
                self.urls[index].clone(),
            ));
        }
        if rel == crate::content::laws::FILE {
            let index = self.page_or_fallback(&super::laws::page_id(), lang)?;
            return Some(Resolved::Target(
                Target::Page(index),
                self.urls[index].clone(),
            ));
        }
        if let Some(name) = rel.strip_prefix("checklists/") {
            let stem = name
                .strip_suffix(".yaml")
                .or_else(|| name.strip_suffix(".yml"));
            if let Some(c) = stem.and_then(|id| self.checklist_index(id)) {
                let url = self.checklist_urls[c][self.lang_index(lang)].clone();
                return Some(Resolved::Target(
                    Target::Checklist(c, self.lang_index(lang)),
                    url,
                ));
            }
        }
        if rel.is_empty() || rel.ends_with('/') || self.asset(rel).is_none() {
            let index_id = if rel.is_empty() {
                "_index.md".to_string()
            } else {
                format!("{}/_index.md", rel.trim_end_matches('/'))
            };
            if let Some(index) =
                self.page_or_fallback(&crate::content::page::PageId(index_id), lang)
            {
                return Some(Resolved::Target(
                    Target::Page(index),
                    self.urls[index].clone(),
                ));
            }
        }
        self.asset(rel)
            .map(|a| Resolved::Asset(UrlPath::file(a.rel.clone())))
    }
}

pub(crate) fn is_external(dest: &str) -> bool {
    let scheme = dest.split_once(':').map(|(s, _)| s);
    let has_scheme = scheme.is_some_and(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    });
    has_scheme || dest.starts_with("//")
}

/// Joins a relative path to a content folder, resolving `.` and `..`; `None` if it escapes.
pub(crate) fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// Encodes every byte outside the URL path characters that need no escaping.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths() {
        let cases = [
            ("toolkit", "02-x.md", Some("toolkit/02-x.md")),
            ("toolkit", "../checklists/a.yaml", Some("checklists/a.yaml")),
            ("", "./a.md", Some("a.md")),
            ("", "../a.md", None),
            ("toolkit", "../", Some("")),
            ("a/b", "../c/", Some("a/c/")),
        ];
        for (dir, path, expected) in cases {
            assert_eq!(join(dir, path).as_deref(), expected, "{dir} + {path}");
        }
    }

    #[test]
    fn external_links_are_recognised() {
        for dest in ["https://x.org", "mailto:a@b.c", "//cdn.x", "tel:+52"] {
            assert!(is_external(dest), "{dest}");
        }
        for dest in ["a.md", "../a.md#x", "img/a b.png"] {
            assert!(!is_external(dest), "{dest}");
        }
    }

    #[test]
    fn percent_encoding_round_trips() {
        assert_eq!(
            percent_encode("../mi imagen ñ.png"),
            "../mi%20imagen%20%C3%B1.png"
        );
        assert_eq!(percent_decode(&percent_encode("a b/ñ.pdf")), "a b/ñ.pdf");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("mi%20archivo.md"), "mi archivo.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%C3%B1"), "ñ");
    }
}
