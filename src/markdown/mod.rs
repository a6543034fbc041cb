//! Markdown → HTML for pages and checklist texts (SPEC "Content"): pulldown-cmark with the SPEC
//! extensions, then event passes for heading ids, links, raw HTML, alerts, tables, task lists and
//! footnotes. It knows nothing of the site: every link destination is decided by a `LinkResolver`.

mod a11y;
mod alerts;
mod footnotes;
mod headings;
mod links;
mod raw_html;
mod spans;
mod text;
pub(crate) use links::broken_link;
pub(crate) use text::TextHeading;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use spans::SpanMap;

use crate::diagnostics::{Diagnostics, Span};
use crate::lang::Lang;

/// The SPEC's heading-id rule; slugs of file names use it too.
pub(crate) use headings::{heading_id, level_number, IdSet};

/// How markdown is rendered: the `[markdown]` table of site.toml plus the page's language,
/// which picks the words of alert titles and accessibility labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MdOptions {
    pub unsafe_html: bool,
    pub smart_punctuation: bool,
    pub lang: Lang,
}

/// A markdown text and where it comes from, so diagnostics can point into the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MdSource<'a> {
    pub text: &'a str,
    /// Relative to the site root, as in every `Span`.
    pub file: &'a Path,
    /// The 1-based line of `file` on which `text` starts (after front matter, for example).
    pub first_line: usize,
}

/// What a link or image destination becomes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum LinkTarget {
    /// Leave the destination as written (external URLs, anchors within the page).
    Keep,
    /// Use this URL instead.
    Rewrite(String),
    /// Use this URL, and this title when the link has none (a citation of a law).
    Cite { url: String, title: String },
    /// Report an error at the link and leave the destination as written.
    Broken {
        message: String,
        help: Option<String>,
    },
}

/// Decides what every link and image destination becomes; the markdown module itself knows nothing of the site.
pub(crate) trait LinkResolver {
    /// `dest` is the destination exactly as parsed (email autolinks as `mailto:…`); `span` is
    /// where the link starts, for diagnostics the resolver may want to build.
    fn resolve_link(&self, dest: &str, span: &Span) -> LinkTarget;
}

/// One table-of-contents entry: an h2 with its h3s as `children` (an h3 before any h2 is a
/// top-level entry with `level` 3).
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TocEntry {
    pub level: u8,
    pub id: String,
    /// Plain text, without markup.
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// The result of `render_markdown`; plain data, independent of the source text.
#[derive(Debug, Clone)]
pub(crate) struct RenderedMarkdown {
    /// An HTML5 fragment (block-level elements), deterministic for the same input.
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every id in `html`: headings and footnotes (`fn-…`, `fnref-…`); the targets `#fragment`
    /// links into this document may use.
    pub anchors: BTreeSet<String>,
    /// Plain text of the body for the search index, whitespace collapsed to single spaces.
    pub text: String,
    /// Where each heading starts in `text`.
    pub headings: Vec<TextHeading>,
}

/// An event with its byte range in the source text.
type Located<'a> = (Event<'a>, Range<usize>);

/// Renders `source` to HTML. Never fails and never panics: content problems (broken links, raw
/// HTML without `unsafe_html`, duplicate heading ids) are pushed to `diags` with their position.
pub(crate) fn render_markdown(
    source: &MdSource<'_>,
    options: &MdOptions,
    resolver: &dyn LinkResolver,
    diags: &mut Diagnostics,
) -> RenderedMarkdown {
    convert(source, options, resolver, diags, Html::Write)
}

/// `render_markdown` without the HTML (`html` is empty): the same checks, ids, TOC and text, for
/// a caller that writes the HTML later.
pub(crate) fn analyze_markdown(
    source: &MdSource<'_>,
    options: &MdOptions,
    resolver: &dyn LinkResolver,
    diags: &mut Diagnostics,
) -> RenderedMarkdown {
    convert(source, options, resolver, diags, Html::Skip)
}

/// Every link destination of `text` with its byte offset, as pulldown-cmark reads them
/// (reference links resolved): for a scan of one kind of link before the site exists.
pub(crate) fn link_destinations(text: &str, options: &MdOptions) -> Vec<(String, usize)> {
    Parser::new_ext(text, parser_options(options))
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some((dest_url.to_string(), range.start)),
            _ => None,
        })
        .collect()
}

#[derive(PartialEq)]
enum Html {
    Write,
    Skip,
}

fn convert(
    source: &MdSource<'_>,
    options: &MdOptions,
    resolver: &dyn LinkResolver,
    diags: &mut Diagnostics,
    html_out: Html,
) -> RenderedMarkdown {
    let spans = SpanMap::new(source);
    let mut events: Vec<Located<'_>> = Parser::new_ext(source.text, parser_options(options))
        .into_offset_iter()
        .collect();
    let mut ids = headings::IdSet::default();
    let toc = headings::assign_ids(&mut events, &mut ids, &spans, diags);
    let footnotes = footnotes::Footnotes::collect(&events, &mut ids);
    let (text, headings) = text::body_text(&events);
    let table_count = events
        .iter()
        .filter(|(event, _)| matches!(event, Event::Start(Tag::Table(_))))
        .count();
    let mut pass = Pass {
        options,
        links: links::LinkContext {
            resolver,
            unsafe_html: options.unsafe_html,
        },
        spans: &spans,
        diags,
        footnotes,
        tables: (0, table_count),
        raw_block: None,
        out: Vec::with_capacity(events.len()),
    };
    for (event, range) in events {
        pass.event(event, range);
    }
    let mut html = String::new();
    if html_out == Html::Write {
        html.reserve(source.text.len() + source.text.len() / 2);
        pulldown_cmark::html::push_html(&mut html, pass.out.into_iter());
    }
    RenderedMarkdown {
        html,
        toc,
        anchors: ids.into_set(),
        text,
        headings,
    }
}

pub(crate) fn parser_options(options: &MdOptions) -> Options {
    let mut parser = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM;
    if options.smart_punctuation {
        parser |= Options::ENABLE_SMART_PUNCTUATION;
    }
    parser
}

/// The event pass that turns pulldown-cmark's events into the ones pushed to its HTML writer.
struct Pass<'p, 'a> {
    options: &'p MdOptions,
    links: links::LinkContext<'p>,
    spans: &'p SpanMap<'p>,
    diags: &'p mut Diagnostics,
    footnotes: footnotes::Footnotes,
    /// Tables opened so far, and tables in the document.
    tables: (usize, usize),
    /// An HTML block being collected for escaping (only without `unsafe_html`).
    raw_block: Option<raw_html::RawBlock>,
    out: Vec<Event<'a>>,
}

impl<'a> Pass<'_, 'a> {
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if !self.options.unsafe_html && self.raw_html(&event, &range) {
            return;
        }
        let lang = &self.options.lang;
        let event = match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let span = self.spans.range_span(&range);
                Event::Start(links::resolve_tag(tag, &span, &self.links, self.diags))
            }
            Event::Start(Tag::Heading { .. }) if !self.options.unsafe_html => {
                headings::drop_attributes(event, self.spans.span(range.start), self.diags)
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => alerts::open(kind, lang),
            Event::End(TagEnd::BlockQuote(Some(_))) => alerts::close(),
            Event::Start(Tag::Table(_)) => {
                self.tables.0 += 1;
                self.out
                    .push(a11y::table_open(lang, self.tables.0, self.tables.1));
                event
            }
            Event::End(TagEnd::Table) => {
                self.out.push(event);
                a11y::table_close()
            }
            Event::TaskListMarker(done) => a11y::task_marker(done, lang),
            Event::FootnoteReference(label) => self.footnotes.reference(label),
            Event::Start(Tag::FootnoteDefinition(label)) => self.footnotes.definition(label),
            other => other,
        };
        self.out.push(event);
    }

    /// Escapes raw HTML; true when `event` was raw HTML and has been dealt with.
    fn raw_html(&mut self, event: &Event<'a>, range: &Range<usize>) -> bool {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.raw_block = Some(raw_html::RawBlock {
                    span: self.spans.span(range.start),
                    html: String::new(),
                });
            }
            Event::Html(html) if self.raw_block.is_some() => {
                if let Some(block) = &mut self.raw_block {
                    block.html.push_str(html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = self.raw_block.take() {
                    self.out.extend(raw_html::escape_block(block, self.diags));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let span = self.spans.span(range.start);
                let escaped = raw_html::escape_inline(html.clone(), span, self.diags);
                self.out.extend(escaped);
            }
            _ => return false,
        }
        true
    }
}

/// `es` for `es-MX`: localized labels only distinguish primary languages.
pub(super) fn primary_language(lang: &Lang) -> &str {
    lang.as_str().split('-').next().unwrap_or_default()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Keeps `keep…` and anything with a scheme, rewrites `name.md#x` to `/name/#x`, and reports
    /// `missing…` as broken.
    struct FakeResolver;

    impl LinkResolver for FakeResolver {
        fn resolve_link(&self, dest: &str, _span: &Span) -> LinkTarget {
            let (path, fragment) = dest.split_once('#').unwrap_or((dest, ""));
            if dest.starts_with("missing") {
                LinkTarget::Broken {
                    message: format!("missing `{dest}`"),
                    help: Some("check the path".into()),
                }
            } else if let Some(stem) = path.strip_suffix(".md") {
                let hash = if fragment.is_empty() { "" } else { "#" };
                LinkTarget::Rewrite(format!("/{stem}/{hash}{fragment}"))
            } else {
                LinkTarget::Keep
            }
        }
    }

    pub(crate) fn options(lang: &str) -> MdOptions {
        MdOptions {
            unsafe_html: false,
            smart_punctuation: true,
            lang: Lang::try_from(lang).expect("test language"),
        }
    }

    /// Renders as if `md` started on line 5 of `content/x.md`.
    pub(crate) fn render_with(md: &str, options: &MdOptions) -> (RenderedMarkdown, Diagnostics) {
        let source = MdSource {
            text: md,
            file: Path::new("content/x.md"),
            first_line: 5,
        };
        let mut diags = Diagnostics::new();
        let out = render_markdown(&source, options, &FakeResolver, &mut diags);
        (out, diags)
    }

    pub(crate) fn render(md: &str, lang: &str) -> (RenderedMarkdown, Diagnostics) {
        render_with(md, &options(lang))
    }

    #[test]
    fn odd_inputs_never_panic_and_stay_balanced() {
        let deep_list: String = (0..60)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let cases = [
            String::new(),
            "\u{feff}".into(),
            "---\ntitle: x\n---\n".into(),
            "```rust\nunclosed".into(),
            "<div\n".into(),
            "<!--".into(),
            "[link](".into(),
            "[^".into(),
            "[^a]:".into(),
            "> [!NOTE]".into(),
            "> [!NOTE]\n".into(),
            "| a |\n|---|".into(),
            "# 🎉\n# 🎉\n## \n### {#}\n".into(),
            "*a **b ~~c".into(),
            "- [ ]".into(),
            "Término\n: def\n: def2".into(),
            "\r\n\r\n# CRLF\r\ntexto\r\n".into(),
            ">".repeat(200),
            deep_list,
            "\0\u{7}\u{200b}".into(),
        ];
        for md in &cases {
            let (out, _) = render(md, "es");
            for tag in ["div", "aside", "table", "blockquote", "ul", "p"] {
                let opens = out.html.matches(&format!("<{tag}>")).count()
                    + out.html.matches(&format!("<{tag} ")).count();
                let closes = out.html.matches(&format!("</{tag}>")).count();
                assert_eq!(opens, closes, "<{tag}> in {md:?}: {}", out.html);
            }
        }
    }

    #[test]
    fn smart_punctuation_follows_the_option() {
        let cases = [
            (true, "<p>“Hola” — dijo…</p>\n"),
            (false, "<p>\"Hola\" --- dijo...</p>\n"),
        ];
        for (smart, html) in cases {
            let options = MdOptions {
                smart_punctuation: smart,
                ..options("es")
            };
            let (out, _) = render_with("\"Hola\" --- dijo...", &options);
            assert_eq!(out.html, html);
        }
    }

    #[test]
    fn output_is_deterministic() {
        let md = "## A\n\nx[^n] [l](capitulo.md)\n\n| a |\n|---|\n| b |\n\n[^n]: nota\n";
        let first = render(md, "es").0;
        let second = render(md, "es").0;
        assert_eq!(first.html, second.html);
        assert_eq!(first.anchors, second.anchors);
    }
}
