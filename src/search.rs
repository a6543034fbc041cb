//! The search index: one small script per language (`search-index.es.js`) that sets
//! `self.INTEGRIDAD_SEARCH`. A script rather than JSON so that search also works from file://,
//! where browsers refuse `fetch`. Text is accent-folded and lowercased for matching.

use serde::Serialize;

use crate::markdown::RenderedMarkdown;
use std::collections::BTreeMap;

use crate::lang::Lang;
use crate::render::theme::hashed_name;
use crate::site::Site;

/// Longest body text kept per page: enough for matching and snippets, small enough for phones.
const MAX_TEXT: usize = 6000;

#[derive(Serialize)]
struct Doc {
    title: String,
    url: String,
    description: String,
    section: String,
    text: String,
}

#[derive(Serialize)]
struct Index {
    lang: String,
    docs: Vec<Doc>,
}

/// The index script of every language: output path (with a content hash, so that mirrors and
/// browsers may cache it forever) and bytes.
pub(crate) fn render_search_indexes(
    site: &Site,
    rendered: &[RenderedMarkdown],
) -> anyhow::Result<BTreeMap<Lang, (String, Vec<u8>)>> {
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
                .map(|s| site.pages[s].front.title.clone())
                .unwrap_or_default();
            docs.push(Doc {
                title: page.front.title.clone(),
                url: from_root(site, &site.urls[i]),
                description: page.front.description.clone().unwrap_or_default(),
                section,
                text: truncate(&rendered[i].text, MAX_TEXT),
            });
        }
        for (c, checklist) in site.checklists.iter().enumerate() {
            let default = &site.config.default_lang;
            let mut text = String::new();
            for item in checklist.sections.iter().flat_map(|s| s.items.iter()) {
                text.push_str(item.question.get(lang, default).text);
                text.push(' ');
            }
            docs.push(Doc {
                title: checklist.title.get(lang, default).text.to_string(),
                url: site.checklist_urls[c][site.lang_index(lang)]
                    .as_str()
                    .to_string(),
                description: checklist
                    .description
                    .as_ref()
                    .map(|d| d.get(lang, default).text.to_string())
                    .unwrap_or_default(),
                section: String::new(),
                text: truncate(&text, MAX_TEXT),
            });
        }
        let index = Index {
            lang: lang.to_string(),
            docs,
        };
        let json = serde_json::to_string(&index)?;
        let script = format!("self.INTEGRIDAD_SEARCH = {json};\n").into_bytes();
        let name = hashed_name(&format!("search-index.{lang}.js"), &script);
        indexes.insert(lang.clone(), (name, script));
    }
    Ok(indexes)
}

/// A URL relative to the site root in the site's link style (`x/` or `x/index.html`).
fn from_root(site: &Site, url: &crate::url::UrlPath) -> String {
    crate::url::UrlPath::dir("").relative_to(url, site.config.links)
}

fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
