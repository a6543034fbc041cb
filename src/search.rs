//! The search index: one small script per language (`search-index.es.js`) that sets
//! `self.INTEGRIDAD_SEARCH`. A script rather than JSON so that search also works from file://,
//! where browsers refuse `fetch`. The theme's script folds accents and case when matching.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::lang::Lang;
use crate::markdown::RenderedMarkdown;
use crate::render::theme::hashed_name;
use crate::render::OutputSink;
use crate::site::Site;

/// Longest body text kept per page: enough for matching and snippets, small enough for phones.
pub(crate) const MAX_TEXT: usize = 6000;

/// One searchable page; borrows from the model so the index is not copied before it is written.
#[derive(Serialize)]
struct Doc<'a> {
    title: &'a str,
    url: String,
    description: &'a str,
    section: &'a str,
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct Index<'a> {
    lang: &'a str,
    docs: Vec<Doc<'a>>,
}

/// Writes the index script of every language and returns each one's output path, which carries
/// a content hash so that mirrors and browsers may cache it forever.
pub(crate) fn write_search_indexes(
    site: &Site,
    rendered: &[RenderedMarkdown],
    sink: &dyn OutputSink,
) -> anyhow::Result<BTreeMap<Lang, String>> {
    let mut indexes = BTreeMap::new();
    for language in &site.config.languages {
        let lang = &language.lang;
        let mut docs = Vec::new();
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
            docs.push(Doc {
                title: &page.front.title,
                url: from_root(site, &site.urls[i]),
                description: page.front.description.as_deref().unwrap_or_default(),
                section,
                text: Cow::Borrowed(&rendered[i].text),
            });
        }
        for (c, checklist) in site.checklists.iter().enumerate() {
            let default = &site.config.default_lang;
            let mut text = String::new();
            for item in checklist.items() {
                text.push_str(item.question.get(lang, default).text);
                text.push(' ');
            }
            docs.push(Doc {
                title: checklist.title.get(lang, default).text,
                url: from_root(site, &site.checklist_urls[c][site.lang_index(lang)]),
                description: checklist
                    .description
                    .as_ref()
                    .map_or("", |d| d.get(lang, default).text),
                section: "",
                text: Cow::Owned(truncate(&text, MAX_TEXT)),
            });
        }
        let index = Index {
            lang: lang.as_str(),
            docs,
        };
        let mut script = b"self.INTEGRIDAD_SEARCH = ".to_vec();
        serde_json::to_writer(&mut script, &index)?;
        script.extend_from_slice(b";\n");
        let name = hashed_name(&format!("search-index.{lang}.js"), &script);
        sink.write(&name, &script)?;
        indexes.insert(lang.clone(), name);
    }
    Ok(indexes)
}

/// A URL relative to the site root in the site's link style (`x/` or `x/index.html`).
fn from_root(site: &Site, url: &crate::url::UrlPath) -> String {
    crate::url::UrlPath::dir("").relative_to(url, site.config.links)
}

pub(crate) fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
