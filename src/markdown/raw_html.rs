//! Raw HTML policy when `unsafe_html` is off: each block or inline tag is shown as escaped text
//! with a warning, so nothing an editor typed can inject markup. HTML comments are dropped
//! silently: they are invisible either way, and showing them would leak editors' notes.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// Longest part of the offending HTML quoted in the warning, in characters.
const SHOWN_CHARS: usize = 40;

/// An HTML block being collected: pulldown-cmark reports it line by line.
#[derive(Debug)]
pub(super) struct RawBlock {
    pub span: Span,
    pub html: String,
}

/// The events that replace one inline HTML tag: escaped text, or nothing for a comment.
pub(super) fn escape_inline<'a>(
    html: CowStr<'a>,
    span: Span,
    diags: &mut Diagnostics,
) -> Option<Event<'a>> {
    if is_comment(&html) {
        return None;
    }
    warn(&html, span, diags);
    Some(Event::Text(html))
}

/// The events that replace a whole HTML block: its text as one escaped paragraph.
pub(super) fn escape_block(block: RawBlock, diags: &mut Diagnostics) -> Vec<Event<'static>> {
    let html = block.html.trim_end();
    if html.is_empty() || is_comment(html) {
        return Vec::new();
    }
    warn(html, block.span, diags);
    vec![
        Event::Start(Tag::Paragraph),
        Event::Text(CowStr::from(html.to_string())),
        Event::End(TagEnd::Paragraph),
    ]
}

fn warn(html: &str, span: Span, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::warning(format!("raw HTML is escaped: `{}`", shown(html)))
            .at(span)
            .with_help("set `unsafe_html = true` under `[markdown]` in site.toml to allow it"),
    );
}

/// A single `<!-- … -->` and nothing else, so a comment never hides following markup.
fn is_comment(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| !inner.contains("-->"))
}

/// The first line of the HTML, cut to `SHOWN_CHARS`, with backticks replaced so the quote holds.
fn shown(html: &str) -> String {
    let line = html.lines().next().unwrap_or_default().trim();
    let mut out: String = line
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c == '`' { '\'' } else { c })
        .collect();
    if line.chars().count() > SHOWN_CHARS || html.trim().lines().nth(1).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::{render, render_with};
    use crate::markdown::MdOptions;

    #[test]
    fn raw_html_is_escaped_with_one_warning_each() {
        let long = format!("<div class=\"{}\">\nx\n</div>", "a".repeat(50));
        let long_shown = format!("<div class=\"{}…", "a".repeat(SHOWN_CHARS - 12));
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "<div class=\"x\">\n<b>hi</b>\n</div>\n",
                "<p>&lt;div class=\"x\"&gt;\n&lt;b&gt;hi&lt;/b&gt;\n&lt;/div&gt;</p>\n",
                &["<div class=\"x\">…"],
            ),
            (
                "Un <span>x</span> y",
                "<p>Un &lt;span&gt;x&lt;/span&gt; y</p>\n",
                &["<span>", "</span>"],
            ),
            (
                "a <!-- nota --> b\n\n<!--\nbloque\n-->\n",
                "<p>a  b</p>\n",
                &[],
            ),
            (
                "<script>alert(1)</script>",
                "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
                &["<script>alert(1)</script>"],
            ),
            (&long, "", &[&long_shown]),
        ];
        for (md, html, shown) in cases {
            let (out, diags) = render(md, "es");
            if !html.is_empty() {
                assert_eq!(out.html, *html, "{md:?}");
            }
            let messages: Vec<String> = diags.sorted().iter().map(|d| d.message.clone()).collect();
            let expected: Vec<String> = shown
                .iter()
                .map(|s| format!("raw HTML is escaped: `{s}`"))
                .collect();
            assert_eq!(messages, expected, "{md:?}");
            for d in diags.sorted() {
                assert_eq!(
                    d.help.as_deref(),
                    Some("set `unsafe_html = true` under `[markdown]` in site.toml to allow it")
                );
            }
        }
    }

    #[test]
    fn unsafe_html_passes_through() {
        let options = MdOptions {
            unsafe_html: true,
            ..crate::markdown::tests::options("es")
        };
        let (out, diags) = render_with("<div>\n*x*\n</div>\n\nUn <b>y</b>\n", &options);
        assert_eq!(out.html, "<div>\n*x*\n</div>\n<p>Un <b>y</b></p>\n");
        assert!(diags.is_empty());
    }

    #[test]
    fn inline_warning_points_at_the_tag() {
        let (_, diags) = render("texto\n¿Sí? <em>x", "es");
        let span = diags.sorted()[0].span.clone().expect("span");
        assert_eq!((span.line, span.col), (6, 6));
    }
}
