//! The printable handbook of each language (`manual/`, `en/handbook/`): every chapter in order
//! and every checklist as a blank paper form, on one page for trainers to print. Written only
//! when the theme has `handbook.html`; reads the model and rewrites rendered HTML, never checks.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::checklist::score::BANDS;
use crate::checklist::Checklist;
use crate::content::page::{slugify, PageKind};
use crate::diagnostics::{Diagnostics, Span};
use crate::lang::{Lang, Localized};
use crate::render::context::{
    BandView, FormItem, FormSection, HandbookChapter, HandbookContext, HandbookForm, HandbookView,
    Text,
};
use crate::render::pages::{FileResult, Renderer};
use crate::render::theme::Theme;
use crate::render::views::{self, Here};
use crate::site::{PageIndex, Site};
use crate::url::UrlPath;

/// The handbook's template; without it a theme simply has no handbook.
pub(crate) const TEMPLATE: &str = "handbook.html";

/// The handbook's URL in `lang`: the language prefix and the theme's `handbook_slug` string
/// (made a slug; `handbook` when the theme has none), or `None` without `handbook.html`.
pub(crate) fn handbook_url(site: &Site, theme: &Theme, lang: &Lang) -> Option<UrlPath> {
    if !theme.has_template(TEMPLATE) {
        return None;
    }
    let slug = theme
        .ui(lang.as_str(), "handbook_slug")
        .map(|s| slugify(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "handbook".to_string());
    Some(UrlPath::dir(format!("{}{slug}", site.lang_prefix(lang))))
}

/// The chapters of the handbook in `lang`: the pages of every top-level section except the
/// checklists index, in navigation order, subsections' pages after their section's; a page
/// missing in `lang` comes in the default language.
fn chapters(site: &Site, lang: &Lang) -> Vec<PageIndex> {
    fn walk(site: &Site, dir: &str, lang: &Lang, out: &mut Vec<PageIndex>) {
        for id in site.children_of(dir) {
            let Some(i) = site.page_or_fallback(id, lang) else {
                continue;
            };
            let page = &site.pages[i];
            match page.kind {
                PageKind::Page if !dir.is_empty() => out.push(i),
                PageKind::Section if page.dir != "checklists" => walk(site, &page.dir, lang, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(site, "", lang, &mut out);
    out
}

/// The edition date: the newest `updated` or `date` of the pages of `lang`.
fn edition_date(site: &Site, lang: &Lang) -> Option<String> {
    site.pages_in(lang)
        .flat_map(|i| {
            let front = &site.pages[i].front;
            [front.date.as_ref(), front.updated.as_ref()]
        })
        .flatten()
        .map(|d| d.as_str().to_string())
        .max()
}

fn text(localized: &Localized, lang: &Lang, default: &Lang) -> Text {
    let chosen = localized.get(lang, default);
    Text {
        text: chosen.text.to_string(),
        lang: (chosen.lang != lang).then(|| chosen.lang.to_string()),
    }
}

impl Renderer<'_> {
    /// One handbook per language, when the theme has the template.
    pub fn render_handbooks(&self, diags: &mut Diagnostics) -> anyhow::Result<usize> {
        let mut results = Vec::new();
        for language in &self.site.config.languages {
            if let Some(url) = handbook_url(self.site, self.theme, &language.lang) {
                results.push(self.render_handbook(&url, &language.lang));
            }
        }
        Self::collect(results, diags)
    }

    fn render_handbook(&self, url: &UrlPath, lang: &Lang) -> anyhow::Result<FileResult> {
        let site = self.site;
        let here = Here::new(url, lang);
        let order = chapters(site, lang);
        let forms = self.forms(lang);
        let mut anchors = Anchors::default();
        for (n, &i) in order.iter().enumerate() {
            anchors.insert(&site.urls[i], Anchor::Chapter(format!("ch{}", n + 1)));
        }
        for (c, urls) in site.checklist_urls.iter().enumerate() {
            for url in urls {
                anchors.insert(url, Anchor::Form(c));
            }
        }
        // Chapters render in parallel, like pages; `collect` keeps their order.
        let chapters = order
            .par_iter()
            .enumerate()
            .map(|(n, &i)| {
                let page = &site.pages[i];
                let id = format!("ch{}", n + 1);
                let (md, _) = super::render_page_markdown(site, i, &mut Diagnostics::new());
                let rebase = Rebase {
                    site,
                    from: &site.urls[i],
                    to: url,
                    prefix: &id,
                    anchors: &anchors,
                };
                HandbookChapter {
                    number: n + 1,
                    title: page.front.title.clone(),
                    lang: (&page.lang != lang).then(|| page.lang.to_string()),
                    description: page.front.description.clone(),
                    content: demote_headings(&rebase.html(&md.html)),
                    id,
                }
            })
            .collect();
        let title = self
            .theme
            .ui(lang.as_str(), "handbook_title")
            .unwrap_or_else(|| "Handbook".to_string());
        let page = views::generated_page(
            "handbook",
            &title,
            format!("{}{}", site.config.base_url, url.as_str()),
            views::breadcrumbs(site, &here, "", true),
        );
        let context = HandbookContext {
            site: self.site_view(&here, None),
            page,
            lang: lang.as_str(),
            root: url.root_prefix(),
            alternates: views::alternates(site, &here, &|other: &Lang| {
                handbook_url(site, self.theme, other)
            }),
            live_reload: self.options.mode == crate::render::Mode::Serve,
            handbook: HandbookView {
                site_address: format!("{}{}", site.config.base_url, site.lang_prefix(lang)),
                date: edition_date(site, lang),
                chapters,
                forms: forms.into_iter().map(|(_, form)| form).collect(),
                bands: BANDS
                    .iter()
                    .enumerate()
                    .map(|(b, band)| BandView {
                        id: band.id,
                        min_percent: band.min_percent,
                        below: BANDS.get(b + 1).map(|next| next.min_percent),
                    })
                    .collect(),
            },
        };
        let source = site.config.theme_dir.join("templates").join(TEMPLATE);
        let source = source
            .strip_prefix(&site.config.root)
            .unwrap_or(&source)
            .to_path_buf();
        self.write_template(TEMPLATE, &context, &url.output_file(), &Span::file(source))
    }

    /// Every checklist as a blank form, in the checklists index's order, with its index.
    fn forms(&self, lang: &Lang) -> Vec<(usize, HandbookForm)> {
        let site = self.site;
        let default = &site.config.default_lang;
        let l = site.lang_index(lang);
        let mut order: Vec<usize> = (0..site.checklists.len()).collect();
        order.sort_by_key(|&c| {
            let checklist = &site.checklists[c];
            (checklist.kind, checklist.weight, checklist.id.to_string())
        });
        order
            .into_iter()
            .map(|c| {
                let checklist = &site.checklists[c];
                let id = form_id(checklist);
                let mut number = 0;
                let sections = checklist
                    .sections
                    .iter()
                    .map(|section| FormSection {
                        id: form_part_id(checklist, &section.id.to_string()),
                        title: text(&section.title, lang, default),
                        items: section
                            .items
                            .iter()
                            .map(|item| {
                                number += 1;
                                FormItem {
                                    id: form_part_id(checklist, &item.id.to_string()),
                                    number,
                                    question: text(&item.question, lang, default),
                                    risk: item.risk.as_str(),
                                    weight: item.risk.weight(),
                                    element: item.element.map(|e| e.as_str()),
                                }
                            })
                            .collect(),
                    })
                    .collect();
                let form = HandbookForm {
                    kind: checklist.kind.as_str(),
                    title: text(&checklist.title, lang, default),
                    description: Text {
                        text: self.rendered.checklists[c][l].description.clone(),
                        lang: checklist
                            .description
                            .as_ref()
                            .and_then(|d| text(d, lang, default).lang),
                    },
                    item_count: checklist.items().count(),
                    sections,
                    id,
                };
                (c, form)
            })
            .collect()
    }
}

/// The id of a checklist's form: `form-<checklist id>`.
fn form_id(checklist: &Checklist) -> String {
    format!("form-{}", checklist.id)
}

/// The id of a section or item of a checklist's form: `form-<checklist>__<section>` and
/// `form-<checklist>_<item>`. Checklist, section and item ids never hold `_` and a section may
/// share its id with an item, so these never collide with each other or across checklists.
fn form_part_id(checklist: &Checklist, part: &str) -> String {
    let is_section = checklist.sections.iter().any(|s| s.id.to_string() == part);
    let separator = if is_section { "__" } else { "_" };
    format!("{}{separator}{part}", form_id(checklist))
}

/// What the handbook holds for a site path.
enum Anchor {
    /// A chapter, by its id (`ch3`); its ids are `ch3-<id>`.
    Chapter(String),
    /// A checklist's form, by checklist index.
    Form(usize),
}

/// Site paths (`toolkit/marco-legal/`) of everything the handbook holds.
#[derive(Default)]
struct Anchors(HashMap<String, Anchor>);

impl Anchors {
    fn insert(&mut self, url: &UrlPath, anchor: Anchor) {
        self.0.entry(url.as_str().to_string()).or_insert(anchor);
    }
}

/// Moves one chapter's HTML from its own page into the handbook.
struct Rebase<'a> {
    site: &'a Site,
    /// The chapter's own URL, which its relative links start from.
    from: &'a UrlPath,
    /// The handbook's URL.
    to: &'a UrlPath,
    /// The chapter's id, prefixed to every id inside it.
    prefix: &'a str,
    anchors: &'a Anchors,
}

impl Rebase<'_> {
    /// Prefixes every `id`, points `#fragment` links at the prefixed ids, turns links to pages
    /// and checklists in the handbook into links within it, and makes every other relative link
    /// (another page, an image) relative to the handbook's URL. External links stay as written.
    fn html(&self, html: &str) -> String {
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
fn is_external(href: &str) -> bool {
    href.starts_with("//")
        || href
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '?', '#']))
}

/// The site path a relative link from a page at `from` leads to (`../b/index.html` from
/// `toolkit/a/` → `toolkit/b/`); `None` when it climbs above the site root.
fn resolve(from: &UrlPath, href: &str) -> Option<UrlPath> {
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
fn demote_headings(html: &str) -> String {
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
