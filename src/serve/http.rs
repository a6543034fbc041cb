//! Request → response for the dev server, as plain values: `resolve` turns a request URL into a
//! key of the in-memory snapshot (traversal-safe), `handle` picks the reply. Only files of the
//! built site and the server's own `/__integridad/` files are ever served; nothing reads the disk.

use std::sync::Arc;

use super::reload;
use super::state::{ServeState, Snapshot};

/// The request methods the server tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
    Other,
}

/// A response to send: status, headers and body (the body is left out for `HEAD`). The body is
/// shared with the snapshot, so many clients sent one file hold one copy of it.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Arc<[u8]>,
}

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Handled {
    Reply(Reply),
    /// Hand the request to `reload::stream_events` on a thread of its own.
    Events,
}

/// Maps a request URL to a snapshot key: percent-decoded, query and fragment dropped, a leading
/// `/` removed; a key ending in `/` (or empty, the root) names a folder. `None` for anything that
/// is not a plain relative path: `.` or `..` segments (also encoded, `%2e%2e`), encoded `/` or `\`,
/// backslashes, NUL and other control characters, empty segments (`//x`), drive letters and
/// invalid UTF-8.
pub(crate) fn resolve(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let rest = path.strip_prefix('/')?;
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return None;
    }
    let decoded = percent_decode(rest)?;
    if decoded
        .chars()
        .any(|c| c.is_control() || c == '\\' || c == ':')
    {
        return None;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "" if i == last => {}
            "" | "." | ".." => return None,
            _ => {}
        }
    }
    Some(decoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes a snapshot key for a `Location` header.
fn encode_path(key: &str) -> String {
    let mut out = String::new();
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `Content-Type` for a file name; text types carry `charset=utf-8`.
pub(crate) fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" | "md" | "minisig" | "pub" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "yaml" | "yml" => "application/yaml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "wasm" => "application/wasm",
        "" if name == "SHA256SUMS" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Answers one request from the current snapshot.
pub(crate) fn handle(state: &ServeState, method: Method, url: &str) -> Handled {
    if method == Method::Other {
        let mut reply = text(405, "only GET and HEAD are served\n");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return Handled::Reply(reply);
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    match path {
        reload::EVENTS_PATH if method == Method::Head => {
            return Handled::Reply(file(200, "events.txt", Vec::new()))
        }
        reload::EVENTS_PATH => return Handled::Events,
        reload::SCRIPT_PATH => {
            return Handled::Reply(file(200, "reload.js", reload::SCRIPT.as_bytes().to_vec()))
        }
        reload::STYLES_PATH => {
            return Handled::Reply(file(200, "overlay.css", reload::STYLES.as_bytes().to_vec()))
        }
        reload::STATUS_PATH => {
            let json = reload::render_status(&state.status());
            return Handled::Reply(file(200, "status.json", json.into_bytes()));
        }
        _ if path.starts_with("/__integridad/") => return Handled::Reply(text(404, "not found\n")),
        _ => {}
    }
    let Some(key) = resolve(url) else {
        return Handled::Reply(text(400, "bad request path\n"));
    };
    Handled::Reply(serve_key(state, &key, url))
}

fn serve_key(state: &ServeState, key: &str, url: &str) -> Reply {
    let snapshot = state.snapshot();
    let wanted = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.to_string()
    };
    if let Some(stored) = snapshot.files.get(&wanted) {
        return page(state, &snapshot, 200, &wanted, stored);
    }
    if !key.is_empty()
        && !key.ends_with('/')
        && snapshot.files.get(&format!("{key}/index.html")).is_some()
    {
        let query = url
            .split_once('?')
            .map_or(String::new(), |(_, q)| format!("?{q}"));
        let mut reply = text(301, "moved\n");
        reply
            .headers
            .push(("Location", format!("/{}/{query}", encode_path(key))));
        return reply;
    }
    if snapshot.generation == 0 {
        let html = reload::render_error_page(state, &state.status());
        return file(503, "error.html", html.into_bytes());
    }
    not_found(state, &snapshot, key)
}

/// The site's 404 page (the language folder's own, if the theme writes one), with status 404.
fn not_found(state: &ServeState, snapshot: &Snapshot, key: &str) -> Reply {
    let localized = key
        .split_once('/')
        .map(|(first, _)| format!("{first}/404.html"));
    let found = localized
        .iter()
        .map(String::as_str)
        .chain(["404.html"])
        .find_map(|name| snapshot.files.get(name).map(|bytes| (name, bytes)));
    match found {
        Some((name, stored)) => page(state, snapshot, 404, name, stored),
        None => {
            let html = reload::render_not_found_page(state, &state.build_id(snapshot.generation));
            file(404, "404.html", html.into_bytes())
        }
    }
}

fn page(
    state: &ServeState,
    snapshot: &Snapshot,
    status: u16,
    name: &str,
    stored: &crate::session::Stored,
) -> Reply {
    let body = if name.ends_with(".html") {
        let build = state.build_id(snapshot.generation);
        stored.served(&build, |bytes| reload::inject_marker(bytes, &build))
    } else {
        stored.shared()
    };
    file(status, name, body)
}

/// A reply with the headers every reply carries: no caching, no type sniffing, and no reading
/// by pages of another origin (`Cross-Origin-Resource-Policy`, which browsers apply to
/// scripts, images and the like that such a page embeds).
fn file(status: u16, name: &str, body: impl Into<Arc<[u8]>>) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type", content_type(name).into()),
            ("Cache-Control", "no-store".into()),
            ("X-Content-Type-Options", "nosniff".into()),
            ("Cross-Origin-Resource-Policy", "same-origin".into()),
        ],
        body: body.into(),
    }
}

fn text(status: u16, body: &str) -> Reply {
    file(status, "reply.txt", body.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::serve::state::Files;

    #[test]
    fn resolve_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("")),
            ("/index.html", Some("index.html")),
            ("/toolkit/", Some("toolkit/")),
            ("/toolkit", Some("toolkit")),
            ("/toolkit/codigo/?x=1#top", Some("toolkit/codigo/")),
            ("/static/style.1a2b.css", Some("static/style.1a2b.css")),
            ("/en/toolkit/a%20b/", Some("en/toolkit/a b/")),
            ("/gu%C3%ADa/", Some("guía/")),
            ("/%252e%252e/", Some("%2e%2e/")),
            ("/../etc/passwd", None),
            ("/a/../../etc/passwd", None),
            ("/./index.html", None),
            ("/%2e%2e/etc/passwd", None),
            ("/%2E%2E/%2e%2e/x", None),
            ("/.%2e/x", None),
            ("/a%2f..%2f..%2fx", None),
            ("/a%2Fb", None),
            ("/a%5c..%5cx", None),
            ("/a\\..\\x", None),
            ("//etc/passwd", None),
            ("/a//b", None),
            ("/C:/Windows/win.ini", None),
            ("/x%00.html", None),
            ("/x%0a", None),
            ("/%ff", None),
            ("/%zz", None),
            ("/%2", None),
            ("etc/passwd", None),
            ("http://example.org/", None),
            ("", None),
        ];
        for (url, expected) in cases {
            assert_eq!(resolve(url).as_deref(), *expected, "{url}");
        }
    }

    #[test]
    fn text_types_carry_the_charset() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("static/style.1a2b.css", "text/css; charset=utf-8"),
            ("static/main.js", "text/javascript; charset=utf-8"),
            (
                "checklists/obra/checklist.json",
                "application/json; charset=utf-8",
            ),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("SHA256SUMS", "text/plain; charset=utf-8"),
            ("toolkit/MAPA.PNG", "image/png"),
            ("guia.pdf", "application/pdf"),
            (
                "plantillas/registro/registro.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("noext", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    fn state_with(files: &[(&str, &str)]) -> ServeState {
        let files: Files = files
            .iter()
            .map(|(k, v)| (k.to_string(), crate::session::Stored::new(v.as_bytes())))
            .collect();
        let build = move |_: Option<&[String]>| {
            let built = crate::session::Built {
                files: files.clone(),
                later: Vec::new(),
                pages_rendered: 0,
            };
            Ok((Some(built), Diagnostics::new()))
        };
        let state = ServeState::new("es".into(), "t".into(), Box::new(build));
        state.rebuild(None, false);
        state
    }

    fn get(state: &ServeState, url: &str) -> Reply {
        match handle(state, Method::Get, url) {
            Handled::Reply(reply) => reply,
            Handled::Events => panic!("unexpected event stream for {url}"),
        }
    }

    fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
        reply
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn pages_redirects_and_not_found() {
        let state = state_with(&[
            (
                "index.html",
                "<html><head></head><body>inicio</body></html>",
            ),
            ("toolkit/a/index.html", "<head></head>a"),
            ("404.html", "<head></head>no existe"),
            ("en/404.html", "<head></head>not found"),
            ("static/s.css", "body{}"),
        ]);
        let home = get(&state, "/");
        assert_eq!(home.status, 200);
        let body = String::from_utf8_lossy(&home.body);
        assert!(
            body.contains("<meta name=\"integridad-build\" content=\"t:1\">"),
            "{body}"
        );
        assert_eq!(
            header(&home, "Content-Type"),
            Some("text/html; charset=utf-8")
        );

        let css = get(&state, "/static/s.css");
        assert_eq!((css.status, &css.body[..]), (200, &b"body{}"[..]));
        for reply in [&home, &css] {
            assert_eq!(
                header(reply, "Cross-Origin-Resource-Policy"),
                Some("same-origin")
            );
            assert_eq!(header(reply, "X-Content-Type-Options"), Some("nosniff"));
        }

        let redirect = get(&state, "/toolkit/a?x=1");
        assert_eq!(
            (redirect.status, header(&redirect, "Location")),
            (301, Some("/toolkit/a/?x=1"))
        );

        let missing = get(&state, "/toolkit/b/");
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("no existe"));
        let missing_en = get(&state, "/en/toolkit/b/");
        assert!(String::from_utf8_lossy(&missing_en.body).contains("not found"));

        assert_eq!(get(&state, "/%2e%2e/%2e%2e/etc/passwd").status, 400);
        assert_eq!(get(&state, "/__integridad/nada").status, 404);
        assert_eq!(get(&state, "/__integridad/reload.js").status, 200);
        assert!(matches!(
            handle(&state, Method::Get, "/__integridad/events"),
            Handled::Events
        ));
        match handle(&state, Method::Other, "/") {
            Handled::Reply(reply) => assert_eq!(reply.status, 405),
            Handled::Events => panic!("POST must not stream"),
        }
    }
}
