//! Accessible replacements for two pulldown-cmark outputs that fail axe-core: tables get a
//! focusable, labelled scroll region (rule scrollable-region-focusable), and task-list markers
//! become text instead of unlabelled checkboxes (rule label).

use pulldown_cmark::{CowStr, Event};

use super::primary_language;
use crate::lang::Lang;

/// Opens the scroll region around table `number` (1-based) of `count` in the document.
/// Several tables are numbered so that each region landmark has its own name
/// (axe rule landmark-unique).
pub(super) fn table_open(lang: &Lang, number: usize, count: usize) -> Event<'static> {
    let label = match primary_language(lang) {
        "es" => "Tabla",
        _ => "Table",
    };
    let label = if count > 1 {
        format!("{label} {number}")
    } else {
        label.to_string()
    };
    Event::Html(CowStr::from(format!(
        "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{label}\">"
    )))
}

pub(super) fn table_close() -> Event<'static> {
    Event::Html(CowStr::Borrowed("</div>\n"))
}

/// A task-list marker as a visible symbol plus text for screen readers. The theme is expected
/// to style `.task` and hide `.visually-hidden` off-screen.
pub(super) fn task_marker(done: bool, lang: &Lang) -> Event<'static> {
    let spanish = primary_language(lang) == "es";
    let html = match (done, spanish) {
        (true, true) => concat!(
            "<span class=\"task task-done\" aria-hidden=\"true\">☑</span>",
            "<span class=\"visually-hidden\">Hecho: </span>"
        ),
        (false, true) => concat!(
            "<span class=\"task task-todo\" aria-hidden=\"true\">☐</span>",
            "<span class=\"visually-hidden\">Pendiente: </span>"
        ),
        (true, false) => concat!(
            "<span class=\"task task-done\" aria-hidden=\"true\">☑</span>",
            "<span class=\"visually-hidden\">Done: </span>"
        ),
        (false, false) => concat!(
            "<span class=\"task task-todo\" aria-hidden=\"true\">☐</span>",
            "<span class=\"visually-hidden\">To do: </span>"
        ),
    };
    Event::InlineHtml(CowStr::Borrowed(html))
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render;

    #[test]
    fn tables_are_wrapped_in_a_labelled_scroll_region() {
        let table = "| a | b |\n|---|--:|\n| 1 | 2 |\n";
        let two = format!("{table}\n{table}");
        let cases: [(&str, &str, &[&str]); 3] = [
            (table, "es", &["Tabla"]),
            (table, "en", &["Table"]),
            (&two, "es", &["Tabla 1", "Tabla 2"]),
        ];
        for (md, lang, labels) in cases {
            let (out, _) = render(md, lang);
            let opens: Vec<String> = labels
                .iter()
                .map(|l| {
                    format!(
                        "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" \
                         aria-label=\"{l}\"><table>"
                    )
                })
                .collect();
            for open in &opens {
                assert!(out.html.contains(open.as_str()), "{md:?}: {}", out.html);
            }
            assert_eq!(out.html.matches("</table>\n</div>\n").count(), labels.len());
            assert!(out.html.contains("<td style=\"text-align: right\">2</td>"));
        }
    }

    #[test]
    fn task_markers_are_text_not_inputs() {
        let md = "- [x] hecho\n- [ ] falta\n";
        let cases = [
            ("es", "Hecho: ", "Pendiente: "),
            ("en", "Done: ", "To do: "),
            ("de", "Done: ", "To do: "),
        ];
        for (lang, done, todo) in cases {
            let (out, _) = render(md, lang);
            assert!(!out.html.contains("<input"), "{}", out.html);
            let expected = format!(
                "<li><span class=\"task task-done\" aria-hidden=\"true\">☑</span>\
                 <span class=\"visually-hidden\">{done}</span>hecho</li>\n\
                 <li><span class=\"task task-todo\" aria-hidden=\"true\">☐</span>\
                 <span class=\"visually-hidden\">{todo}</span>falta</li>"
            );
            assert!(out.html.contains(&expected), "{lang}: {}", out.html);
            assert_eq!(out.text, "hecho falta");
        }
    }
}
