//! The template context is the theme's API (STYLE "Templates get typed contexts"): these
//! snapshots of what a few fixture pages hand to the embedded theme make any change to it show
//! up in review (`cargo insta review`).

use std::path::Path;

use super::pages::Renderer;
use super::{render_markdown_all, render_page_markdown, theme, Mode, RenderOptions};
use crate::content::Drafts;
use crate::diagnostics::Diagnostics;
use crate::site::Site;

#[test]
fn template_context_of_fixture_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/basic");
    let mut diags = Diagnostics::new();
    let config = crate::config::load_config_into(&root, &mut diags)
        .expect("site.toml readable")
        .expect("site.toml valid");
    let mut content =
        crate::content::load_content(&config, Drafts::Exclude, &mut diags).expect("content");
    crate::content::home::add_missing_homes(&config, &mut content);
    let site = Site::new(&config, content, &mut diags);
    // The fixture has no theme of its own: the embedded default theme is the one snapshotted.
    let theme = theme::load_theme(&config, &mut diags)
        .expect("theme readable")
        .expect("theme valid");
    let rendered = render_markdown_all(&site, None, &mut diags).expect("fixture renders");
    assert!(!diags.has_errors(), "{}", diags.render());
    let options = RenderOptions {
        mode: Mode::Build,
        public_key: None,
        bundle: None,
    };
    let sink = crate::output::NullSink;
    let renderer = Renderer {
        search_indexes: crate::search::write_search_indexes(
            &site,
            &rendered.markdown(),
            crate::search::Naming::Hashed,
            &sink,
        )
        .expect("search index"),
        site: &site,
        theme: &theme,
        rendered: &rendered,
        options: &options,
        sink: &sink,
        downloads: Vec::new(),
        pages: crate::render::Pages::All,
        shared: Default::default(),
    };
    let pages = [
        ("home_es", "content/_index.md"),
        ("section_es", "content/toolkit/_index.md"),
        ("page_es", "content/toolkit/01-riesgos.md"),
        ("page_en", "content/toolkit/01-riesgos.en.md"),
        (
            "page_en_fallback",
            "content/toolkit/02-codigo-de-conducta.md",
        ),
    ];
    for (name, file) in pages {
        let i = site
            .pages
            .iter()
            .position(|p| p.file == Path::new(file))
            .unwrap_or_else(|| panic!("{file} is a page of the fixture"));
        let html = render_page_markdown(&site, i);
        let (template, context) = renderer
            .page_context(i, &html.html)
            .unwrap_or_else(|d| panic!("{}", d.message));
        let json = serde_json::to_string_pretty(&context).expect("context serializes");
        // The index's name carries a hash of the whole index, which is not this API.
        let json = redact_index_hash(&json);
        insta::assert_snapshot!(name, format!("template: {template}\n{json}"));
    }
}

/// `search-index.es.0c578b96.js` → `search-index.es.[hash].js`.
fn redact_index_hash(json: &str) -> String {
    let mut out = String::new();
    let mut rest = json;
    while let Some(at) = rest.find("search-index.") {
        let (before, after) = rest.split_at(at + "search-index.".len());
        out.push_str(before);
        let end = after.find(".js").unwrap_or(0);
        match after[..end].split_once('.') {
            Some((lang, hash)) if hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
                out.push_str(&format!("{lang}.[hash]"));
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}
