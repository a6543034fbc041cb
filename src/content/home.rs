//! Home pages for languages whose `content/_index.md` (or `_index.<lang>.md`) is missing: an
//! empty or half-migrated site still opens at `/` and `/<lang>/`. Titles come from site.toml.

use std::path::Path;

use crate::config::Config;
use crate::content::front_matter::FrontMatter;
use crate::content::page::{Page, PageId, PageKind};
use crate::content::Content;

/// Adds a home page, marked `generated`, for every language that has pages but no home, or for
/// every language when `content/` has no page at all. A declared language without a single page
/// gets none in a site that has pages: the site warns about it and leaves it out of the switcher.
/// Keeps `pages` sorted.
pub(crate) fn add_missing_homes(config: &Config, content: &mut Content) {
    let id = PageId("_index.md".to_string());
    let empty_site = content.pages.is_empty();
    let mut added = false;
    for language in &config.languages {
        let in_language = |p: &&Page| p.lang == language.lang;
        let mut pages = content.pages.iter().filter(in_language);
        let has_home = pages.clone().any(|p| p.kind == PageKind::Home);
        if has_home || (!empty_site && pages.next().is_none()) {
            continue;
        }
        let file = if language.lang == config.default_lang {
            "_index.md".to_string()
        } else {
            format!("_index.{}.md", language.lang)
        };
        content.pages.push(Page {
            id: id.clone(),
            lang: language.lang.clone(),
            kind: PageKind::Home,
            file: Path::new("content").join(file),
            dir: String::new(),
            slug: String::new(),
            file_name: "_index.md".to_string(),
            front: FrontMatter::generated(
                language.title.clone(),
                Some(language.description.clone()).filter(|d| !d.is_empty()),
                crate::diagnostics::Span::file("site.toml"),
            ),
            body: crate::content::page::Body::from(""),
            body_line: 1,
            generated: true,
        });
        added = true;
    }
    if added {
        content
            .pages
            .sort_by(|a, b| (&a.id, &a.lang).cmp(&(&b.id, &b.lang)));
    }
}
