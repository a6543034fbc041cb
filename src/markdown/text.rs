//! Plain text of markdown events: heading titles for the TOC and the body text for the search
//! index. Markup, raw HTML, task markers and footnote numbers are not text.

use pulldown_cmark::{Event, TagEnd};

use super::Located;

/// Appends the visible text of one inline event; breaks count as spaces.
pub(super) fn push_plain_text(event: &Event<'_>, out: &mut String) {
    match event {
        Event::Text(text) | Event::Code(text) => out.push_str(text),
        Event::SoftBreak | Event::HardBreak => out.push(' '),
        _ => {}
    }
}

/// The words of the whole document for the search index: text and code, with every block
/// boundary a space. Raw HTML, task markers and footnote numbers are not words.
pub(super) fn body_text(events: &[Located<'_>]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            Event::End(_) | Event::Rule => text.push(' '),
            other => push_plain_text(other, &mut text),
        }
    }
    collapse_whitespace(&text)
}

pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render;

    #[test]
    fn body_text_is_plain_and_collapsed() {
        let md = "# Título\n\nUn *párrafo*   con `código`\ny [enlace](keep.html).\n\n\
                  - uno\n- dos\n\n| a | b |\n|---|---|\n| c | d |\n\nFin<b>x</b>.\n";
        let (out, _) = render(md, "es");
        assert_eq!(
            out.text,
            "Título Un párrafo con código y enlace. uno dos a b c d Finx."
        );
        let (out, _) = render("<div>\nbloque\n</div>\n\nTexto.", "es");
        assert_eq!(out.text, "Texto.");
    }
}
