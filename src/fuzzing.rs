//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_corpus.rs`: each takes any
//! bytes, runs one parser of the pipeline on them over a tiny in-memory site, and returns
//! normally whatever the input; a panic is a bug. Reads and writes nothing on disk.
//! Not part of the public API.

use std::path::Path;

use crate::checklist::{self, Checklist, ChecklistId, Languages};
use crate::config::{self, Config};
use crate::content::page::PageId;
use crate::content::{self, Content};
use crate::diagnostics::Diagnostics;
use crate::lang::Lang;
use crate::site::Site;

/// The `site.toml` of the in-memory site: Spanish first, English second, like the bundled site.
const SITE_TOML: &str = r#"
title = "Integridad"
description = "Sitio de prueba"
base_url = "https://integridad.example.org/"
default_language = "es"
theme = "default"

[languages.es]
name = "Español"

[languages.en]
name = "English"
title = "Integrity"
"#;

/// The fixed pages beside the fuzzed one, so that links, fragments and translations resolve.
const PAGES: &[(&str, &str)] = &[
    ("_index.md", "---\ntitle: Inicio\n---\nHola.\n"),
    ("_index.en.md", "---\ntitle: Home\n---\nHello.\n"),
    ("toolkit/_index.md", "---\ntitle: Guía\n---\n"),
    (
        "toolkit/01-codigo.md",
        "---\ntitle: Código\n---\n## Sanciones {#sanciones}\n\n[Lista](../checklists/obra.yaml#lic-01)[^1].\n\n[^1]: Nota.\n",
    ),
    (
        "toolkit/01-codigo.en.md",
        "---\ntitle: Code\nslug: code\n---\n## Sanctions\n",
    ),
];

/// A checklist the fixed site always has, so `../checklists/obra.yaml#item` links resolve.
const CHECKLIST: &str = "\
title: { es: Obra, en: Construction }
sections:
  - id: licitaciones
    title: { es: Licitaciones, en: Tenders }
    items:
      - id: lic-01
        question: { es: \"¿Hay reglas?\", en: \"Rules?\" }
        risk: high
";

/// Content-relative source of the fuzzed page.
const FUZZ_PAGE: &str = "toolkit/02-prueba.md";

/// Tag names the markdown pipeline may write when raw HTML is off; any other tag in its output
/// came from the input unescaped.
const SAFE_TAGS: &[&str] = &[
    "a",
    "aside",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "span",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

fn base_config() -> Config {
    config::parse_config(SITE_TOML, Path::new("/fuzz")).expect("the fixed site.toml is valid")
}

fn lang(code: &str) -> Lang {
    Lang::try_from(code).expect("a fixed language code")
}

/// Parses a page source as `content/<rel>` (`name.en.md` is English) and adds it to `content`.
fn add_page(content: &mut Content, rel: &str, text: &str, diags: &mut Diagnostics) {
    let (id, code) = match rel.strip_suffix(".en.md") {
        Some(base) => (format!("{base}.md"), "en"),
        None => (rel.to_string(), "es"),
    };
    let page = content::parse_page(text, rel, &PageId(id), &lang(code), diags);
    match page {
        Some(page) => content.pages.push(page),
        None => {
            content.failed.insert(rel.to_string());
        }
    }
}

fn parse_fixed_checklist(
    config: &Config,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Checklist> {
    let langs = config.langs();
    let languages = Languages {
        default: &config.default_lang,
        all: &langs,
    };
    let id = ChecklistId::try_from("obra").expect("a fixed checklist id");
    let file = Path::new("content/checklists/obra.yaml");
    checklist::parse_checklist(text, file, id, languages, diags)
}

/// The fixed site's content, plus `extra` (content-relative source, text) when given.
fn fixed_content(config: &Config, extra: Option<(&str, &str)>, diags: &mut Diagnostics) -> Content {
    let mut content = Content::default();
    for (rel, text) in PAGES.iter().copied().chain(extra) {
        add_page(&mut content, rel, text, diags);
    }
    content
        .checklists
        .extend(parse_fixed_checklist(config, CHECKLIST, diags));
    content
        .pages
        .sort_by(|a, b| (&a.id, &a.lang).cmp(&(&b.id, &b.lang)));
    content
}

/// Models the site and renders the markdown of every page and checklist, checking links and
/// fragments, as `build` does before any template runs.
fn render_all(config: &Config, content: Content, diags: &mut Diagnostics) -> Site {
    let site = Site::new(config, content, diags);
    crate::render::render_markdown_all(&site, None, diags);
    site
}

/// A whole page source (front matter and body) as `content/toolkit/02-prueba.md`, through
/// parsing, the site model and markdown rendering.
pub fn front_matter(data: &[u8]) {
    let config = base_config();
    let mut diags = Diagnostics::new();
    let content = fixed_content(&config, Some((FUZZ_PAGE, &text(data))), &mut diags);
    render_all(&config, content, &mut diags);
}

/// A checklist YAML file as `content/checklists/obra.yaml`: parsing, validation, then its texts
/// and links rendered in every language.
pub fn checklist(data: &[u8]) {
    let config = base_config();
    let mut diags = Diagnostics::new();
    let mut content = fixed_content(&config, None, &mut diags);
    content.checklists = parse_fixed_checklist(&config, &text(data), &mut diags)
        .into_iter()
        .collect();
    render_all(&config, content, &mut diags);
}

/// A `site.toml`; when valid, the fixed pages are modelled and rendered under it.
pub fn site_toml(data: &[u8]) {
    let Ok(config) = config::parse_config(&text(data), Path::new("/fuzz")) else {
        return;
    };
    let mut diags = Diagnostics::new();
    let content = fixed_content(&config, None, &mut diags);
    render_all(&config, content, &mut diags);
}

/// A markdown body (the first byte picks the language, `unsafe_html` and smart punctuation) as
/// a page of the fixed site, rendered with links resolved and fragments checked. Without
/// `unsafe_html`, every tag of the HTML must be one markdown itself writes.
pub fn markdown(data: &[u8]) {
    let (flags, body) = data.split_first().map_or((0, &[][..]), |(f, b)| (*f, b));
    let mut config = base_config();
    config.unsafe_html = flags & 1 != 0;
    config.smart_punctuation = flags & 2 != 0;
    let rel = if flags & 4 != 0 {
        "toolkit/02-prueba.en.md"
    } else {
        FUZZ_PAGE
    };
    let source = format!("---\ntitle: Prueba\n---\n{}", text(body));
    let mut diags = Diagnostics::new();
    let content = fixed_content(&config, Some((rel, &source)), &mut diags);
    let site = render_all(&config, content, &mut diags);
    let Some(index) = (site.pages.iter()).position(|p| p.file == Path::new("content").join(rel))
    else {
        panic!("the fuzzed page `{rel}` did not load");
    };
    let rendered = crate::render::render_page_markdown(&site, index);
    if !config.unsafe_html {
        if let Some(tag) = unexpected_tag(&rendered.html) {
            panic!("raw `<{tag}>` in the HTML of a page without unsafe_html");
        }
    }
}

/// The first tag name in `html` that is not in `SAFE_TAGS`.
fn unexpected_tag(html: &str) -> Option<String> {
    html.split('<').skip(1).find_map(|rest| {
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        (!SAFE_TAGS.contains(&name.as_str())).then_some(name)
    })
}

/// A request URL through the dev server's path decoding: whatever it accepts must be a plain
/// relative path that cannot leave the snapshot.
pub fn request_path(data: &[u8]) {
    let url = text(data);
    let Some(key) = crate::serve::http::resolve(&url) else {
        return;
    };
    assert!(!escapes(&key), "`{url}` resolved to the unsafe key `{key}`");
    crate::serve::http::content_type(&key);
}

/// Whether a snapshot key could name something outside the snapshot on a file system.
fn escapes(key: &str) -> bool {
    key.starts_with('/')
        || key.contains(['\\', ':'])
        || key.chars().any(char::is_control)
        || key.split('/').any(|s| s == "." || s == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_site_is_valid() {
        let config = base_config();
        let mut diags = Diagnostics::new();
        let content = fixed_content(&config, None, &mut diags);
        let site = Site::new(&config, content, &mut diags);
        assert!(crate::render::render_markdown_all(&site, None, &mut diags).is_some());
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!((site.pages.len(), site.checklists.len()), (5, 1));
    }

    #[test]
    fn unsafe_keys_are_recognised() {
        for key in ["", "a/b/", "gu\u{ed}a/index.html", "%2e%2e/"] {
            assert!(!escapes(key), "{key}");
        }
        for key in ["/etc", "a/../b", "..", "./a", "a\\b", "C:/x", "a\u{0}"] {
            assert!(escapes(key), "{key}");
        }
    }

    #[test]
    fn unexpected_tags_are_found() {
        assert_eq!(
            unexpected_tag("<p>a &lt;b&gt;</p>\n<a href=\"x\">y</a>"),
            None
        );
        assert_eq!(
            unexpected_tag("<p><Script>alert(1)</script></p>").as_deref(),
            Some("script")
        );
        assert_eq!(
            unexpected_tag("<p>a</p></iframe>").as_deref(),
            Some("iframe")
        );
    }
}
