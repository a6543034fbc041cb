//! GitHub-style alerts (`> [!NOTE]` …) as labelled `<aside>` notes with a localized title,
//! instead of pulldown-cmark's plain blockquote with a class.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event};

use super::primary_language;
use crate::lang::Lang;

/// Opens the alert. `role="note"` for every kind: `alert` would make screen readers interrupt
/// the reader for static text.
pub(super) fn open(kind: BlockQuoteKind, lang: &Lang) -> Event<'static> {
    let title = title(kind, lang);
    let class = class(kind);
    Event::Html(CowStr::from(format!(
        "<aside class=\"alert alert-{class}\" role=\"note\" aria-label=\"{title}\">\
         <p class=\"alert-title\">{title}</p>\n"
    )))
}

pub(super) fn close() -> Event<'static> {
    Event::Html(CowStr::Borrowed("</aside>\n"))
}

fn class(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// Spanish and English titles; any other language falls back to English.
fn title(kind: BlockQuoteKind, lang: &Lang) -> &'static str {
    let spanish = primary_language(lang) == "es";
    match (kind, spanish) {
        (BlockQuoteKind::Note, true) => "Nota",
        (BlockQuoteKind::Tip, true) => "Consejo",
        (BlockQuoteKind::Important, true) => "Importante",
        (BlockQuoteKind::Warning, true) => "Advertencia",
        (BlockQuoteKind::Caution, true) => "Precaución",
        (BlockQuoteKind::Note, false) => "Note",
        (BlockQuoteKind::Tip, false) => "Tip",
        (BlockQuoteKind::Important, false) => "Important",
        (BlockQuoteKind::Warning, false) => "Warning",
        (BlockQuoteKind::Caution, false) => "Caution",
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render;

    #[test]
    fn alerts_render_as_localized_asides() {
        let cases = [
            ("> [!NOTE]\n> Hola", "es", "note", "Nota"),
            ("> [!TIP]\n> Hola", "es", "tip", "Consejo"),
            ("> [!IMPORTANT]\n> Hola", "es-MX", "important", "Importante"),
            ("> [!WARNING]\n> Hola", "es", "warning", "Advertencia"),
            ("> [!CAUTION]\n> Hola", "es", "caution", "Precaución"),
            ("> [!NOTE]\n> Hi", "en", "note", "Note"),
            ("> [!TIP]\n> Hi", "en", "tip", "Tip"),
            ("> [!IMPORTANT]\n> Hi", "en", "important", "Important"),
            ("> [!WARNING]\n> Hi", "en", "warning", "Warning"),
            ("> [!CAUTION]\n> Salut", "fr", "caution", "Caution"),
        ];
        for (md, lang, class, title) in cases {
            let (out, diags) = render(md, lang);
            let open = format!(
                "<aside class=\"alert alert-{class}\" role=\"note\" aria-label=\"{title}\">\
                 <p class=\"alert-title\">{title}</p>\n<p>"
            );
            assert!(out.html.starts_with(&open), "{md:?}: {}", out.html);
            assert!(
                out.html.ends_with("</p>\n</aside>\n"),
                "{md:?}: {}",
                out.html
            );
            assert!(!out.html.contains("blockquote"));
            assert!(diags.is_empty());
        }
    }

    #[test]
    fn plain_and_nested_blockquotes_stay_blockquotes() {
        let (out, _) = render("> [!NOTE]\n> > cita\n> texto\n\n> normal\n", "es");
        assert_eq!(out.html.matches("<blockquote>").count(), 2, "{}", out.html);
        assert_eq!(out.html.matches("</blockquote>").count(), 2);
        assert_eq!(out.html.matches("<aside").count(), 1);
        assert_eq!(out.html.matches("</aside>").count(), 1);
    }
}
