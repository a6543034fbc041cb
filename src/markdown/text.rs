//! Plain text of markdown events: heading titles for the TOC and the body text for the search
//! index. Markup, raw HTML, task markers and footnote numbers are not text.

use pulldown_cmark::{Event, Tag, TagEnd};

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
/// boundary a space, whitespace collapsed. Raw HTML, task markers and footnote numbers are not
/// words. Also returns where each heading with an id starts in that text, so a search result
/// can link to the heading nearest its match.
pub(super) fn body_text(events: &[Located<'_>]) -> (String, Vec<TextHeading>) {
    let mut text = Collapsed::default();
    let mut headings = Vec::new();
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                text.push(" ");
                let offset = text.len_after_space();
                headings.push(TextHeading {
                    id: id.to_string(),
                    offset,
                    end: offset,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(last) = headings.last_mut() {
                    last.end = text.out.len().max(last.offset);
                }
                text.push(" ");
            }
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            Event::End(_) | Event::Rule => text.push(" "),
            Event::Text(t) | Event::Code(t) => text.push(t),
            Event::SoftBreak | Event::HardBreak => text.push(" "),
            _ => {}
        }
    }
    (text.out, headings)
}

/// Where a heading's text starts and ends in the search text (byte offsets), and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextHeading {
    pub id: String,
    pub offset: usize,
    pub end: usize,
}

/// Text with runs of whitespace collapsed to one space, none leading or trailing.
#[derive(Default)]
struct Collapsed {
    out: String,
    space: bool,
}

impl Collapsed {
    fn push(&mut self, piece: &str) {
        for (i, word) in piece.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.out.is_empty() {
                self.out.push(' ');
            }
            self.space = false;
            self.out.push_str(word);
        }
    }

    /// The offset the next word will start at.
    fn len_after_space(&self) -> usize {
        self.out.len() + usize::from(self.space && !self.out.is_empty())
    }
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
        assert_eq!(out.headings.len(), 1);
        assert_eq!(
            (out.headings[0].id.as_str(), out.headings[0].offset),
            ("titulo", 0)
        );
        let (out, _) = render("Intro *x*.\n\n## Dos {#two}\n\nMás.\n", "es");
        assert_eq!(out.text, "Intro x. Dos Más.");
        let heading = &out.headings[0];
        assert_eq!(&out.text[heading.offset..heading.end], "Dos");
        let (out, _) = render("<div>\nbloque\n</div>\n\nTexto.", "es");
        assert_eq!(out.text, "Texto.");
    }
}
