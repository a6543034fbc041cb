//! Footnote references and definitions with ids that are valid HTML and unique in the page
//! (`fn-<name>`, `fnref-<name>`): pulldown-cmark would use the raw label, spaces included.
//! Rendering otherwise follows pulldown-cmark: definitions stay where they are written.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pulldown_cmark::{CowStr, Event, Tag};

use super::headings::{heading_id, IdSet};
use super::Located;

/// Numbers and ids decided before rendering, handed out in event order while rendering.
#[derive(Debug, Default)]
pub(super) struct Footnotes {
    /// Normalized label → (number, id of the first definition).
    notes: BTreeMap<String, (usize, String)>,
    /// One id per definition, in document order (a repeated label still needs its own id).
    definition_ids: VecDeque<String>,
    /// One id per reference, in document order.
    reference_ids: VecDeque<String>,
}

impl Footnotes {
    /// Numbers labels by first appearance (reference or definition), as pulldown-cmark does,
    /// and claims their ids in `ids`. Only labels with a definition become footnotes.
    pub(super) fn collect(events: &[Located<'_>], ids: &mut IdSet) -> Footnotes {
        let defined: BTreeSet<String> = events
            .iter()
            .filter_map(|(event, _)| match event {
                Event::Start(Tag::FootnoteDefinition(label)) => Some(normalize(label)),
                _ => None,
            })
            .collect();
        let mut notes = Footnotes::default();
        for (event, _) in events {
            let label = match event {
                Event::Start(Tag::FootnoteDefinition(label)) => label,
                Event::FootnoteReference(label) => label,
                _ => continue,
            };
            let key = normalize(label);
            if !defined.contains(&key) {
                continue;
            }
            let base = heading_id(label);
            let definition_id = if matches!(event, Event::FootnoteReference(_)) {
                let id = ids.claim(&format!("fnref-{base}"));
                notes.reference_ids.push_back(id);
                None
            } else {
                let id = ids.claim(&format!("fn-{base}"));
                notes.definition_ids.push_back(id.clone());
                Some(id)
            };
            let number = notes.notes.len() + 1;
            let note = notes.notes.entry(key).or_insert((number, String::new()));
            if let (true, Some(id)) = (note.1.is_empty(), definition_id) {
                note.1 = id;
            }
        }
        notes
    }

    /// The superscript link for a reference, or plain `[^label]` text when the label has no
    /// definition. (pulldown-cmark never puts a reference inside image alt text.)
    pub(super) fn reference<'a>(&mut self, label: CowStr<'a>) -> Event<'a> {
        let Some((number, target)) = self.notes.get(&normalize(&label)) else {
            return Event::Text(CowStr::from(format!("[^{label}]")));
        };
        let id = self.reference_ids.pop_front().unwrap_or_default();
        Event::InlineHtml(CowStr::from(format!(
            "<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"#{target}\">{number}</a></sup>"
        )))
    }

    /// The opening of a definition; `TagEnd::FootnoteDefinition` still closes it with `</div>`.
    pub(super) fn definition<'a>(&mut self, label: CowStr<'a>) -> Event<'a> {
        let number = self.notes.get(&normalize(&label)).map_or(0, |note| note.0);
        let id = self.definition_ids.pop_front().unwrap_or_default();
        Event::Html(CowStr::from(format!(
            "<div class=\"footnote-definition\" id=\"{id}\">\
             <sup class=\"footnote-definition-label\">{number}</sup>"
        )))
    }
}

/// Labels match case-insensitively with whitespace collapsed, as CommonMark link labels do.
fn normalize(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render;

    #[test]
    fn footnotes_get_valid_unique_ids() {
        let md = "## Fn mi nota\n\nUno[^mi nota] dos[^2] otra[^mi nota] nada[^x].\n\n\
                  [^mi nota]: Primera.\n[^2]: Segunda.\n";
        let (out, _) = render(md, "es");
        let expected = [
            "<h2 id=\"fn-mi-nota\">Fn mi nota</h2>",
            "Uno<sup class=\"footnote-reference\" id=\"fnref-mi-nota\"><a href=\"#fn-mi-nota-1\">1</a></sup>",
            " dos<sup class=\"footnote-reference\" id=\"fnref-2\"><a href=\"#fn-2\">2</a></sup>",
            " otra<sup class=\"footnote-reference\" id=\"fnref-mi-nota-1\"><a href=\"#fn-mi-nota-1\">1</a></sup>",
            " nada[^x].",
            "<div class=\"footnote-definition\" id=\"fn-mi-nota-1\"><sup class=\"footnote-definition-label\">1</sup>",
            "<div class=\"footnote-definition\" id=\"fn-2\"><sup class=\"footnote-definition-label\">2</sup>",
        ];
        for fragment in expected {
            assert!(out.html.contains(fragment), "{fragment}\n{}", out.html);
        }
        let anchors: Vec<&str> = out.anchors.iter().map(String::as_str).collect();
        assert_eq!(
            anchors,
            [
                "fn-2",
                "fn-mi-nota",
                "fn-mi-nota-1",
                "fnref-2",
                "fnref-mi-nota",
                "fnref-mi-nota-1"
            ]
        );
    }
}
