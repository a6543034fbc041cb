//! Heading ids (SPEC "Content": lowercase, no accents, runs of other characters → one hyphen,
//! `-1`, `-2` … for repeats, `{#id}` wins) and the h2/h3 table of contents built from them.
//! Also owns the page-wide set of ids, so footnote ids cannot collide with heading ids.

use std::collections::{BTreeSet, HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::spans::SpanMap;
use super::text::{collapse_whitespace, push_plain_text};
use super::{Located, TocEntry};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// The SPEC heading-id rule, also used for ids derived from other titles.
///
/// Letters and digits are kept (lowercased, accents stripped after NFD, so `ñ` → `n`); every run
/// of anything else becomes one hyphen, trimmed at both ends. Never returns an empty string:
/// a title with no letters or digits (say, only emoji) gets `section`.
pub(crate) fn heading_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.nfd().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_hyphen && !id.is_empty() {
                id.push('-');
            }
            pending_hyphen = false;
            id.push(c);
        } else {
            pending_hyphen = true;
        }
    }
    if id.is_empty() {
        id.push_str("section");
    }
    id
}

/// Every id given out in one document, so each is unique in the HTML. Claiming is constant time
/// on average: each base remembers the last suffix it tried, and since ids are never released,
/// every suffix below it is still taken (20,000 identical headings stay linear).
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl IdSet {
    /// Takes `id` exactly; false when it was already taken.
    pub(crate) fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// Takes `base`, or the first free `base-1`, `base-2` … when it is already taken.
    pub(crate) fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next_suffix.entry(base.to_string()).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{base}-{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    pub(super) fn into_set(self) -> BTreeSet<String> {
        self.used.into_iter().collect()
    }
}

/// One heading found in the event stream, before its id is decided.
struct Slot {
    index: usize,
    level: u8,
    explicit: Option<String>,
    duplicate: bool,
    title: String,
}

/// Gives every heading its `id` attribute (explicit ids first, so they win over generated ones)
/// and returns the table of contents. A repeated explicit id is warned about and suffixed.
pub(super) fn assign_ids(
    events: &mut [Located<'_>],
    ids: &mut IdSet,
    spans: &SpanMap<'_>,
    diags: &mut Diagnostics,
) -> Vec<TocEntry> {
    let mut slots = find_headings(events);
    for slot in &mut slots {
        let Some(explicit) = &slot.explicit else {
            continue;
        };
        if !ids.reserve(explicit) {
            slot.duplicate = true;
            let span = spans.span(events[slot.index].1.start);
            diags.push(
                Diagnostic::warning(format!("duplicate heading id `{explicit}`"))
                    .at(span)
                    .with_help("give each heading a different `{#id}`; this one gets a suffix"),
            );
        }
    }
    let mut entries = Vec::with_capacity(slots.len());
    for slot in slots {
        let id = match slot.explicit {
            Some(explicit) if !slot.duplicate => explicit,
            Some(explicit) => ids.claim(&explicit),
            None => ids.claim(&heading_id(&slot.title)),
        };
        if let Event::Start(Tag::Heading { id: slot_id, .. }) = &mut events[slot.index].0 {
            *slot_id = Some(CowStr::from(id.clone()));
        }
        entries.push((slot.level, id, slot.title));
    }
    build_toc(entries)
}

/// Without `unsafe_html`, `{key=value}` heading attributes are removed with a warning, as they
/// could carry event handlers like raw HTML; `{#id}` and `{.class}` stay.
pub(super) fn drop_attributes<'a>(
    event: Event<'a>,
    span: Span,
    diags: &mut Diagnostics,
) -> Event<'a> {
    let Event::Start(Tag::Heading {
        level,
        id,
        classes,
        attrs,
    }) = event
    else {
        return event;
    };
    if !attrs.is_empty() {
        let names: Vec<String> = attrs.iter().map(|(name, _)| format!("`{name}`")).collect();
        diags.push(
            Diagnostic::warning(format!("heading attributes removed: {}", names.join(", ")))
                .at(span)
                .with_help(
                    "set `unsafe_html = true` under `[markdown]` in site.toml to allow them",
                ),
        );
    }
    Event::Start(Tag::Heading {
        level,
        id,
        classes,
        attrs: Vec::new(),
    })
}

fn find_headings(events: &[Located<'_>]) -> Vec<Slot> {
    let mut slots = Vec::new();
    let mut open: Option<Slot> = None;
    for (index, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                open = Some(Slot {
                    index,
                    level: level_number(*level),
                    explicit: id
                        .as_ref()
                        .filter(|id| !id.is_empty())
                        .map(|id| id.to_string()),
                    duplicate: false,
                    title: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut slot) = open.take() {
                    slot.title = collapse_whitespace(&slot.title);
                    slots.push(slot);
                }
            }
            other => {
                if let Some(slot) = &mut open {
                    push_plain_text(other, &mut slot.title);
                }
            }
        }
    }
    slots
}

/// `HeadingLevel::H3` → 3.
pub(crate) fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// h2 entries with their h3 children; an h3 before any h2 stays at the top level rather than
/// being lost. h1 and h4–h6 are left out.
fn build_toc(headings: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for (level, id, title) in headings {
        let entry = TocEntry {
            level,
            id,
            title,
            children: Vec::new(),
        };
        match (level, toc.last_mut()) {
            (3, Some(parent)) if parent.level == 2 => parent.children.push(entry),
            (2 | 3, _) => toc.push(entry),
            _ => {}
        }
    }
    toc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::render;

    #[test]
    fn heading_id_follows_spec_rule() {
        let cases = [
            (
                "¿Qué es un conflicto de interés?",
                "que-es-un-conflicto-de-interes",
            ),
            ("Año de la niña", "ano-de-la-nina"),
            ("ÉTICA Y CUMPLIMIENTO", "etica-y-cumplimiento"),
            ("¡Denuncia ya!", "denuncia-ya"),
            ("🚀 Lanzamiento 🎉 rápido", "lanzamiento-rapido"),
            ("código-de-conducta", "codigo-de-conducta"),
            ("LGRA art. 25", "lgra-art-25"),
            ("a  --  b", "a-b"),
            ("🎉", "section"),
            ("", "section"),
            ("¿?", "section"),
            ("Straße", "straße"),
        ];
        for (text, expected) in cases {
            assert_eq!(heading_id(text), expected, "{text:?}");
        }
    }

    #[test]
    fn headings_get_unique_ids_and_explicit_ids_win() {
        let cases: &[(&str, &[&str])] = &[
            ("## ¿Qué es?\n", &["que-es"]),
            ("## A\n## A\n## A\n", &["a", "a-1", "a-2"]),
            ("## B\n## Otro {#b}\n", &["b-1", "b"]),
            ("## Uno {#x}\n## Dos {#x}\n", &["x", "x-1"]),
            ("## A\n## A\n## A 1\n", &["a", "a-1", "a-1-1"]),
            ("## 🎉\n## 🎉\n", &["section", "section-1"]),
            ("## Texto {#}\n", &["texto"]),
        ];
        for (md, expected) in cases {
            let (out, _) = render(md, "es");
            let ids: Vec<&str> = out.toc.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(&ids, expected, "{md:?}");
            for id in *expected {
                assert!(
                    out.html.contains(&format!("id=\"{id}\"")),
                    "{md:?}: {}",
                    out.html
                );
                assert!(out.anchors.contains(*id));
            }
        }
    }

    #[test]
    fn twenty_thousand_identical_headings_get_consecutive_ids() {
        let md = "## x\n\n".repeat(20_000);
        let (out, _) = render(&md, "es");
        assert_eq!(out.toc.len(), 20_000);
        for (n, entry) in out.toc.iter().enumerate() {
            let expected = if n == 0 {
                "x".to_string()
            } else {
                format!("x-{n}")
            };
            assert_eq!(entry.id, expected);
        }
        assert!(out.html.contains("<h2 id=\"x-19999\">x</h2>"));
        assert_eq!(out.anchors.len(), 20_000);
    }

    #[test]
    fn claimed_suffixes_skip_ids_taken_in_between() {
        let mut ids = IdSet::default();
        assert_eq!(ids.claim("a"), "a");
        assert_eq!(ids.claim("a"), "a-1");
        assert!(ids.reserve("a-2"));
        assert_eq!(ids.claim("a-1"), "a-1-1");
        assert_eq!(ids.claim("a"), "a-3");
        assert!(!ids.reserve("a-3"));
    }

    #[test]
    fn duplicate_explicit_id_is_warned_about() {
        let (_, diags) = render("## Uno {#x}\n\n## Dos {#x}\n", "es");
        let sorted = diags.sorted();
        assert_eq!(sorted.len(), 1);
        assert_eq!(sorted[0].message, "duplicate heading id `x`");
        assert_eq!(
            sorted[0].span.as_ref().map(|s| (s.line, s.col)),
            Some((7, 1))
        );
    }

    #[test]
    fn heading_attributes_other_than_id_and_class_need_unsafe_html() {
        let (out, diags) = render("## Hola {#h .grande onclick=x}\n", "es");
        assert_eq!(out.html, "<h2 id=\"h\" class=\"grande\">Hola</h2>\n");
        let messages: Vec<_> = diags.sorted().iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages, ["heading attributes removed: `onclick`"]);
    }

    #[test]
    fn toc_nests_h3_under_h2_and_skips_other_levels() {
        let md = "# T\n### Suelto\n## Uno\n### Uno.a\n#### Hondo\n### Uno.b\n## *Dos* `x`\n";
        let (out, _) = render(md, "es");
        let shape: Vec<(u8, &str, Vec<&str>)> = out
            .toc
            .iter()
            .map(|e| {
                let children = e.children.iter().map(|c| c.title.as_str()).collect();
                (e.level, e.title.as_str(), children)
            })
            .collect();
        assert_eq!(
            shape,
            [
                (3, "Suelto", vec![]),
                (2, "Uno", vec!["Uno.a", "Uno.b"]),
                (2, "Dos x", vec![]),
            ]
        );
        assert_eq!(out.toc[2].id, "dos-x");
    }
}
