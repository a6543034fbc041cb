//! What the search index holds: one document per page of a language, per checklist and per
//! checklist item, with the plain text, headings and link each result needs. Reads the model and
//! the rendered markdown; writes nothing.

use std::borrow::Cow;

use crate::lang::Lang;
use crate::markdown::{RenderedMarkdown, TextHeading};
use crate::search::{truncate, MAX_TEXT};
use crate::site::Site;

/// One search result as the index knows it: a page, a checklist or one checklist item.
pub(super) struct SearchDoc<'a> {
    pub title: String,
    /// Relative to the site root, in the site's link style; may end in `#fragment`.
    pub url: String,
    /// The section (or checklist) the result belongs to, shown above its title.
    pub section: String,
    pub description: String,
    /// A page's text is borrowed from its rendered markdown (the largest part of the index).
    pub text: Cow<'a, str>,
    /// Headings within `text`, in order.
    pub headings: Vec<TextHeading>,
}

/// Every page of `lang`, every checklist, and every checklist item, in that order.
pub(super) fn collect_docs<'a>(
    site: &Site,
    rendered: &[&'a RenderedMarkdown],
    lang: &Lang,
) -> Vec<SearchDoc<'a>> {
    let mut docs = Vec::new();
    push_pages(site, rendered, lang, &mut docs);
    push_checklists(site, lang, &mut docs);
    docs
}

fn push_pages<'a>(
    site: &Site,
    rendered: &[&'a RenderedMarkdown],
    lang: &Lang,
    docs: &mut Vec<SearchDoc<'a>>,
) {
    for i in site.pages_in(lang) {
        let page = &site.pages[i];
        let section = Site::parent_dir(page)
            .filter(|d| !d.is_empty())
            .and_then(|d| {
                site.page_or_fallback(
                    &crate::content::page::PageId(format!("{d}/_index.md")),
                    lang,
                )
            })
            .map_or("", |s| site.pages[s].front.title.as_str());
        let text = &rendered[i].text;
        docs.push(SearchDoc {
            title: page.front.title.clone(),
            url: from_root(site, &site.urls[i]),
            section: section.to_string(),
            description: page.front.description.clone().unwrap_or_default(),
            text: Cow::Borrowed(text),
            headings: rendered[i]
                .headings
                .iter()
                .filter(|h| h.end <= text.len())
                .cloned()
                .collect(),
        });
    }
}

/// A checklist is a result (its title, description and section titles), and so is each item
/// (its question and guidance), linking to the item on the checklist page.
fn push_checklists(site: &Site, lang: &Lang, docs: &mut Vec<SearchDoc<'_>>) {
    let default = &site.config.default_lang;
    for (c, checklist) in site.checklists.iter().enumerate() {
        let url = from_root(site, &site.checklist_urls[c][site.lang_index(lang)]);
        let title = checklist.title.get(lang, default).text;
        let mut sections = String::new();
        for section in &checklist.sections {
            sections.push_str(section.title.get(lang, default).text);
            sections.push_str(". ");
        }
        docs.push(SearchDoc {
            title: title.to_string(),
            url: url.clone(),
            section: String::new(),
            description: checklist
                .description
                .as_ref()
                .map_or_else(String::new, |d| plain_text(d.get(lang, default).text)),
            text: Cow::Owned(sections.trim_end().to_string()),
            headings: Vec::new(),
        });
        for item in checklist.items() {
            docs.push(SearchDoc {
                title: item.question.get(lang, default).text.to_string(),
                url: format!("{url}#{}", item.id),
                section: title.to_string(),
                description: String::new(),
                text: Cow::Owned(item.guidance.as_ref().map_or_else(String::new, |g| {
                    truncate(&plain_text(g.get(lang, default).text), MAX_TEXT)
                })),
                headings: Vec::new(),
            });
        }
    }
}

/// The words of a markdown text (checklist descriptions and guidance), without markup.
fn plain_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link | TagEnd::Strikethrough,
            ) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A URL relative to the site root in the site's link style (`x/` or `x/index.html`).
fn from_root(site: &Site, url: &crate::url::UrlPath) -> String {
    crate::url::UrlPath::dir("").relative_to(url, site.config.links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("Un **regalo** y [un enlace](x.md).\n\n- uno"),
            "Un regalo y un enlace. uno"
        );
    }
}
