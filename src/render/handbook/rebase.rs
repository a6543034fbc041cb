//! Moves a chapter's rendered HTML from its own page into the handbook: ids get the chapter's
//! prefix, links to what the handbook holds lead within it, other relative links are made
//! relative to the handbook's URL. Works on the HTML that `markdown` writes, never checks it.

use std::collections::HashMap;

use super::{form_id, form_part_id};
use crate::site::Site;
use crate::url::UrlPath;

/// What the handbook holds for a site path.
pub(super) enum Anchor {
    /// A chapter, by its id (`ch3`); its ids are `ch3-<id>`.
    Chapter(String),
    /// A checklist's form, by checklist index.
    Form(usize),
}

/// Site paths (`toolkit/marco-legal/`) of everything the handbook holds.
#[derive(Default)]
pub(super) struct Anchors(HashMap<String, Anchor>);

impl Anchors {
    pub fn insert(&mut self, url: &UrlPath, anchor: Anchor) {
        self.0.entry(url.as_str().to_string()).or_insert(anchor);
    }
}

/// Moves one chapter's HTML from its own page into the handbook.
pub(super) struct Rebase<'a> {
    pub site: &'a Site,
    /// The chapter's own URL, which its relative links start from.
    pub from: &'a UrlPath,
    /// The handbook's URL.
    pub to: &'a UrlPath,
    /// The chapter's id, prefixed to every id inside it.
    pub prefix: &'a str,
    pub anchors: &'a Anchors,
}

impl Rebase<'_> {
    /// Prefixes every `id`, points `#fragment` links at the prefixed ids, turns links to pages
    /// and checklists in the handbook into links within it, and makes every other relative link
    /// (another page, an image) relative to the handbook's URL. External links stay as written.
    pub fn html(&self, html: &str) -> String {
        let html = map_attribute(html, "id", |id| format!("{}-{id}", self.prefix));
        let html = map_attribute(&html, "href", |href| self.link(href));
        mark_bare_urls(&map_attribute(&html, "src", |src| self.link(src)))
    }

    fn link(&self, href: &str) -> String {
        if let Some(fragment) = href.strip_prefix('#') {
            return format!("#{}-{fragment}", self.prefix);
        }
        if is_external(href) {
            return href.to_string();
        }
        let (path, fragment) = href
            .split_once('#')
            .map_or((href, None), |(p, f)| (p, Some(f)));
        let Some(target) = resolve(self.from, path) else {
            return href.to_string();
        };
        let fragment = fragment.filter(|f| !f.is_empty());
        match (self.anchors.0.get(target.as_str()), fragment) {
            (Some(Anchor::Chapter(id)), Some(f)) => return format!("#{id}-{f}"),
            (Some(Anchor::Chapter(id)), None) => return format!("#{id}"),
            (Some(Anchor::Form(c)), Some(f)) => {
                return format!("#{}", form_part_id(&self.site.checklists[*c], f))
            }
            (Some(Anchor::Form(c)), None) => {
                return format!("#{}", form_id(&self.site.checklists[*c]))
            }
            (None, _) => {}
        }
        let mut link = self.to.relative_to(&target, self.site.config.links);
        if let Some(f) = fragment {
            link.push('#');
            link.push_str(f);
        }
        link
    }
}

/// `https:`, `mailto:`, `//host`: anything with a scheme or a host is left alone.
pub(super) fn is_external(href: &str) -> bool {
    href.starts_with("//")
        || href
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '?', '#']))
}

/// The site path a relative link from a page at `from` leads to (`../b/index.html` from
/// `toolkit/a/` → `toolkit/b/`); `None` when it climbs above the site root.
pub(super) fn resolve(from: &UrlPath, href: &str) -> Option<UrlPath> {
    let mut segments: Vec<&str> = from.as_str().split('/').filter(|s| !s.is_empty()).collect();
    if !from.is_dir() {
        segments.pop();
    }
    let href = href.split_once('?').map_or(href, |(p, _)| p);
    let href = href.strip_suffix("index.html").unwrap_or(href);
    let parts: Vec<&str> = href.split('/').collect();
    for part in &parts {
        match *part {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    let joined = segments.join("/");
    let is_dir = href.is_empty() || matches!(parts.last(), Some(&("" | "." | "..")));
    Some(if is_dir {
        UrlPath::dir(joined)
    } else {
        UrlPath::file(joined)
    })
}

/// Replaces the value of every ` name="…"` attribute. Rendered markdown writes attributes with
/// double quotes and escapes quotes inside values, so the value ends at the next `"`.
fn map_attribute(html: &str, name: &str, map: impl Fn(&str) -> String) -> String {
    let needle = format!(" {name}=\"");
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        let value_start = start + needle.len();
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        out.push_str(&rest[..value_start]);
        out.push_str(&map(&rest[value_start..value_start + len]));
        rest = &rest[value_start + len..];
    }
    out.push_str(rest);
    out
}

/// Gives a link whose text is its own address (`<a href="https://x">https://x</a>`) the class
/// `bare-url`, so print does not repeat the address after it.
fn mark_bare_urls(html: &str) -> String {
    const OPEN: &str = "<a href=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let value_start = start + OPEN.len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let Some(end) = rest.find('"') else { break };
        let href = &rest[..end];
        let bare = rest[end..]
            .strip_prefix("\">")
            .and_then(|after| after.strip_prefix(href))
            .is_some_and(|after| after.starts_with("</a>"));
        out.push_str(href);
        out.push('"');
        if bare {
            out.push_str(" class=\"bare-url\"");
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Chapter headings start at `<h2>`; in the handbook the chapter title is the `<h2>`, so every
/// heading inside goes one level down (`<h6>` stays).
pub(super) fn demote_headings(html: &str) -> String {
    let mut html = html.to_string();
    for level in (2..=5).rev() {
        html = html
            .replace(&format!("<h{level}"), &format!("<h{}", level + 1))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 1));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_page() {
        let from = UrlPath::dir("toolkit/a");
        for (href, expected) in [
            ("../b/", Some("toolkit/b/")),
            ("../b/index.html", Some("toolkit/b/")),
            ("./", Some("toolkit/a/")),
            ("", Some("toolkit/a/")),
            ("../../", Some("")),
            ("../../acerca/", Some("acerca/")),
            ("img.png", Some("toolkit/a/img.png")),
            ("../", Some("toolkit/")),
            ("../../../x/", None),
        ] {
            assert_eq!(
                resolve(&from, href).as_ref().map(UrlPath::as_str),
                expected,
                "{href}"
            );
        }
    }

    #[test]
    fn external_links_are_recognised() {
        for (href, expected) in [
            ("https://dof.gob.mx/", true),
            ("mailto:a@b.mx", true),
            ("//cdn.example/x", true),
            ("../b/", false),
            ("b/?q=a:b", false),
            ("#fn-1", false),
        ] {
            assert_eq!(is_external(href), expected, "{href}");
        }
    }

    #[test]
    fn links_that_show_their_address_are_marked() {
        let html = r#"<a href="https://a.mx/">https://a.mx/</a> <a href="https://b.mx/">B</a> <a href="https://c.mx/">https://c.mx/x</a>"#;
        assert_eq!(
            mark_bare_urls(html),
            r#"<a href="https://a.mx/" class="bare-url">https://a.mx/</a> <a href="https://b.mx/">B</a> <a href="https://c.mx/">https://c.mx/x</a>"#
        );
    }

    #[test]
    fn attributes_are_rewritten_and_headings_demoted() {
        let html = r##"<h2 id="a">A</h2><p data-id="x"><a href="#a">a</a></p><h3 id="b">B</h3>"##;
        let ids = map_attribute(html, "id", |v| format!("ch1-{v}"));
        assert_eq!(
            ids,
            r##"<h2 id="ch1-a">A</h2><p data-id="x"><a href="#a">a</a></p><h3 id="ch1-b">B</h3>"##
        );
        assert_eq!(
            demote_headings(&ids),
            r##"<h3 id="ch1-a">A</h3><p data-id="x"><a href="#a">a</a></p><h4 id="ch1-b">B</h4>"##
        );
    }
}
