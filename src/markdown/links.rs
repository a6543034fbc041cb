//! Sends every link and image destination through the caller's `LinkResolver` and applies
//! its answer. Which destinations exist is the resolver's business, not this module's.

use pulldown_cmark::{CowStr, LinkType, Tag};

use super::{LinkResolver, LinkTarget};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// Everything a link rewrite needs besides the link itself.
pub(super) struct LinkContext<'r> {
    pub resolver: &'r dyn LinkResolver,
    pub unsafe_html: bool,
}

/// Returns the link or image tag with its destination resolved. Other tags come back unchanged.
/// A broken destination is reported at `span` and left as written, so the page still renders.
pub(super) fn resolve_tag<'a>(
    tag: Tag<'a>,
    span: &Span,
    cx: &LinkContext<'_>,
    diags: &mut Diagnostics,
) -> Tag<'a> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => {
            // Email autolinks carry a bare address; give the resolver (and the HTML writer,
            // which adds `mailto:` only for this link type) the full URL instead.
            let (link_type, dest_url) = match link_type {
                LinkType::Email => (LinkType::Inline, CowStr::from(format!("mailto:{dest_url}"))),
                other => (other, dest_url),
            };
            let (dest_url, cited) = resolve_dest(dest_url, Kind::Link, span, cx, diags);
            let title = match cited {
                Some(cited) if title.is_empty() => CowStr::from(cited),
                _ => title,
            };
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
        }
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: resolve_dest(dest_url, Kind::Image, span, cx, diags).0,
            title,
            id,
        },
        other => other,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Link,
    Image,
}

/// The resolved destination, and the title a citation brings.
fn resolve_dest<'a>(
    dest: CowStr<'a>,
    kind: Kind,
    span: &Span,
    cx: &LinkContext<'_>,
    diags: &mut Diagnostics,
) -> (CowStr<'a>, Option<String>) {
    if !cx.unsafe_html && is_script_url(&dest, kind) {
        diags.push(
            Diagnostic::warning(format!("script URL removed: `{}`", shorten(&dest)))
                .at(span.clone())
                .with_help("set `unsafe_html = true` under `[markdown]` in site.toml to allow it"),
        );
        return (CowStr::Borrowed("#"), None);
    }
    match cx.resolver.resolve_link(&dest, span) {
        LinkTarget::Keep => (dest, None),
        LinkTarget::Rewrite(url) => (CowStr::from(url), None),
        LinkTarget::Cite { url, title } => (CowStr::from(url), Some(title)),
        LinkTarget::Broken { message, help } => {
            diags.push(broken_link(&message, help.as_deref(), span));
            (dest, None)
        }
    }
}

/// The error of a link the resolver could not resolve.
pub(crate) fn broken_link(message: &str, help: Option<&str>, span: &Span) -> Diagnostic {
    let diagnostic = Diagnostic::error(message).at(span.clone());
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// URLs that run code when followed. Raw HTML is refused without `unsafe_html`, so these are
/// too; `data:` stays allowed for images, where it cannot run scripts.
fn is_script_url(dest: &str, kind: Kind) -> bool {
    let scheme: String = dest
        .trim_start()
        .chars()
        .take_while(|&c| c != ':')
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    if !dest.contains(':') {
        return false;
    }
    match scheme.as_str() {
        "javascript" | "vbscript" => true,
        "data" => kind == Kind::Link,
        _ => false,
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Severity;
    use crate::markdown::tests::render;

    #[test]
    fn destinations_follow_the_resolver() {
        // The fake resolver (see markdown::tests) keeps `keep*`, rewrites `*.md` to `/…/`
        // and reports `missing*` as broken.
        let cases = [
            ("[a](keep.html)", r#"<a href="keep.html">a</a>"#),
            ("[a](capitulo.md#x)", r#"<a href="/capitulo/#x">a</a>"#),
            (
                "![f](keep.png \"t\")",
                r#"<img src="keep.png" alt="f" title="t" />"#,
            ),
            ("![f](foto.md)", r#"<img src="/foto/" alt="f" />"#),
            (
                "[a][r]\n\n[r]: capitulo.md",
                r#"<a href="/capitulo/">a</a>"#,
            ),
            (
                "<https://keep.org>",
                r#"<a href="https://keep.org">https://keep.org</a>"#,
            ),
            (
                "<keep@x.org>",
                r#"<a href="mailto:keep@x.org">keep@x.org</a>"#,
            ),
            ("[a](missing.md)", r#"<a href="missing.md">a</a>"#),
        ];
        for (md, expected) in cases {
            let (out, _) = render(md, "es");
            assert!(out.html.contains(expected), "{md:?}: {}", out.html);
        }
    }

    #[test]
    fn broken_link_is_an_error_at_the_link() {
        let md = "Título\n\nUn párrafo con [roto](missing.md) y\n![img](missing.png) más.\n";
        let (_, diags) = render(md, "es");
        let found: Vec<_> = diags
            .sorted()
            .iter()
            .map(|d| {
                let span = d.span.clone().expect("links have spans");
                (
                    d.severity,
                    d.message.clone(),
                    d.help.clone(),
                    span.line,
                    span.col,
                )
            })
            .collect();
        let help = Some("check the path".to_string());
        assert_eq!(
            found,
            [
                (
                    Severity::Error,
                    "missing `missing.md`".into(),
                    help.clone(),
                    7,
                    16
                ),
                (Severity::Error, "missing `missing.png`".into(), help, 8, 1),
            ]
        );
    }

    #[test]
    fn script_urls_are_removed_unless_unsafe() {
        let (out, diags) = render(
            "[x](JavaScript:alert(1)) ![i](data:image/png;base64,AA)",
            "es",
        );
        assert!(out.html.contains(r##"<a href="#">x</a>"##), "{}", out.html);
        assert!(out.html.contains(r#"src="data:image/png;base64,AA""#));
        assert_eq!(diags.warning_count(), 1);
    }
}
