//! Live reload and the error overlay: the body of the events stream every open tab listens to
//! (`server` frames it), the script and stylesheet it uses (embedded files, so pages stay free of
//! inline code under a strict CSP), and the server's own pages for when no good build exists yet.
//! Never reads the built site.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::{
    count_line, location, per_file, split_flood, Diagnostic, Diagnostics, Severity,
};

use super::state::{OverlayError, ServeState, Status, Wait};

/// The script every served page loads (the theme includes it when `live_reload` is set).
pub(crate) const SCRIPT: &str = include_str!("reload.js");
/// Styles of the overlay, loaded by the script.
pub(crate) const STYLES: &str = include_str!("overlay.css");
pub(crate) const SCRIPT_PATH: &str = "/__integridad/reload.js";
pub(crate) const STYLES_PATH: &str = "/__integridad/overlay.css";
pub(crate) const EVENTS_PATH: &str = "/__integridad/events";
pub(crate) const STATUS_PATH: &str = "/__integridad/status";

/// A comment line is sent on a quiet stream this often, so that a client gone without closing
/// its socket is noticed by a failed write.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often a quiet stream asks whether its client has closed the connection.
const CLIENT_CHECK: Duration = Duration::from_secs(1);
/// How long the browser waits before reconnecting once a stream ends (sent as `retry:`).
pub(crate) const RETRY: Duration = Duration::from_millis(500);

/// The errors of `diagnostics` as the overlay shows them, carets drawn by the one renderer
/// (`Diagnostics::snippet`) from the text that was loaded. A flood is cut short as in the
/// terminal: the first errors in full, then one entry counting the rest per file.
pub(crate) fn overlay_errors(diagnostics: &Diagnostics) -> Vec<OverlayError> {
    let sorted = diagnostics.sorted();
    let errors: Vec<&Diagnostic> = sorted
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let (shown, rest) = split_flood(&errors);
    let mut overlay: Vec<OverlayError> = shown
        .into_iter()
        .map(|d| OverlayError {
            message: d.message.clone(),
            location: d.span.as_ref().map(location),
            source: d.span.as_ref().and_then(|span| {
                let snippet = diagnostics.snippet(span)?;
                Some(snippet.split_once('\n')?.1.to_string())
            }),
            help: d.help.clone(),
        })
        .collect();
    if !rest.is_empty() {
        let files: Vec<String> = per_file(&rest)
            .into_iter()
            .map(|(file, items)| format!("{file} ({})", items.len()))
            .collect();
        overlay.push(OverlayError {
            message: format!("{}: {}", count_line(&rest, "more "), files.join(", ")),
            location: None,
            source: None,
            help: None,
        });
    }
    overlay
}

/// The status as the JSON the script reads.
pub(crate) fn render_status(status: &Status) -> String {
    serde_json::to_string(status).unwrap_or_else(|_| "{}".into())
}

/// The start of every event stream: the reconnect delay and the current status. A tab that
/// (re)connects compares that status with the build its page came from, so a build finished while
/// it was not connected still reloads it. Also the whole reply for clients that cannot stream.
pub(crate) fn first_events(state: &ServeState) -> (u64, String) {
    let status = state.status();
    let text = format!(
        "retry: {}\n\ndata: {}\n\n",
        RETRY.as_millis(),
        render_status(&status)
    );
    (status.event, text)
}

/// Streams server-sent events to one tab for as long as it listens: the current status at once,
/// then each new one and a comment line when quiet for `HEARTBEAT`. Returns when the server
/// stops, when a write fails, or when `client_gone` (asked every `CLIENT_CHECK` while quiet)
/// says the tab closed the connection. Writes only the body; blocks the thread.
pub(crate) fn stream_events(
    state: &ServeState,
    body: &mut impl Write,
    mut client_gone: impl FnMut() -> bool,
) -> std::io::Result<()> {
    let (mut seen, first) = first_events(state);
    body.write_all(first.as_bytes())?;
    body.flush()?;
    let mut last_write = Instant::now();
    loop {
        let message = match state.wait_for_status(seen, CLIENT_CHECK) {
            Wait::Changed(status) => {
                seen = status.event;
                format!("data: {}\n\n", render_status(&status))
            }
            Wait::TimedOut if client_gone() => return Ok(()),
            Wait::TimedOut if last_write.elapsed() >= HEARTBEAT => ": keep-alive\n\n".to_string(),
            Wait::TimedOut => continue,
            Wait::ShutDown => return Ok(()),
        };
        body.write_all(message.as_bytes())?;
        body.flush()?;
        last_write = Instant::now();
    }
}

/// The page shown for every HTML request while no build has succeeded yet: the errors as text,
/// plus the script, which shows the overlay and reloads once a build succeeds.
pub(crate) fn render_error_page(state: &ServeState, status: &Arc<Status>) -> String {
    let english = !state.lang().starts_with("es");
    let (title, intro) = if english {
        (
            "The site could not be built",
            "Fix the errors below and save: this page reloads by itself.",
        )
    } else {
        (
            "El sitio no se pudo compilar",
            "Corrija los errores de abajo y guarde: esta página se recargará sola.",
        )
    };
    let mut details = String::new();
    for error in &status.errors {
        details.push_str(&error.message);
        details.push('\n');
        for line in [&error.location, &error.source, &error.help]
            .into_iter()
            .flatten()
        {
            details.push_str(line);
            details.push('\n');
        }
        details.push('\n');
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"integridad-build\" content=\"{build}\">\n<link rel=\"stylesheet\" href=\"{STYLES_PATH}\">\n\
         <script src=\"{SCRIPT_PATH}\" defer></script>\n</head>\n<body class=\"integridad-page\">\n<main>\n\
         <h1>{title}</h1>\n<p>{intro}</p>\n<pre>{details}</pre>\n</main>\n</body>\n</html>\n",
        lang = escape(state.lang()),
        build = escape(&status.build),
        details = escape(details.trim_end()),
    )
}

/// A plain 404 page for sites whose theme has none.
pub(crate) fn render_not_found_page(state: &ServeState, build: &str) -> String {
    let title = if state.lang().starts_with("es") {
        "Página no encontrada"
    } else {
        "Page not found"
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"integridad-build\" content=\"{build}\">\n<script src=\"{SCRIPT_PATH}\" defer></script>\n</head>\n\
         <body>\n<h1>404 · {title}</h1>\n</body>\n</html>\n",
        lang = escape(state.lang()),
        build = escape(build),
    )
}

/// Adds the build marker (and the script, for themes that forgot it) before `</head>` of a page,
/// so the script knows which build the page came from. Pages without `</head>` are left alone.
pub(crate) fn inject_marker(html: &[u8], build: &str) -> Vec<u8> {
    let Some(at) = find_ascii_ci(html, b"</head>") else {
        return html.to_vec();
    };
    let mut tag = format!(
        "<meta name=\"integridad-build\" content=\"{}\">\n",
        escape(build)
    );
    if find_ascii_ci(html, SCRIPT_PATH.as_bytes()).is_none() {
        tag.push_str(&format!("<script src=\"{SCRIPT_PATH}\" defer></script>\n"));
    }
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Diagnostic, Span};

    #[test]
    fn overlay_errors_carry_location_source_and_caret() {
        let mut d = Diagnostics::new();
        // The text as loaded: the caret follows it even if the file has changed since.
        d.add_source("content/a.md", "---\ntitel: x\n---\n");
        d.push(Diagnostic::warning("not shown"));
        d.push(
            Diagnostic::error("unknown key `titel`")
                .at(Span::new("content/a.md", 2, 1).with_len(5))
                .with_help("use `title`"),
        );
        let errors = overlay_errors(&d);
        assert_eq!(
            errors,
            [OverlayError {
                message: "unknown key `titel`".into(),
                location: Some("content/a.md:2:1".into()),
                source: Some("2 | titel: x\n  | ^^^^^".into()),
                help: Some("use `title`".into()),
            }]
        );
    }

    #[test]
    fn overlay_of_a_flood_shows_twenty_then_counts_per_file() {
        let mut d = Diagnostics::new();
        for line in 1..=23 {
            d.push(Diagnostic::error("e").at(Span::new("content/b.md", line, 1)));
        }
        d.push(Diagnostic::error("e").at(Span::new("content/c.md", 1, 1)));
        let errors = overlay_errors(&d);
        assert_eq!(errors.len(), 21);
        assert_eq!(
            errors[20].message,
            "4 more errors: content/b.md (3), content/c.md (1)"
        );
    }

    #[test]
    fn an_event_stream_sends_each_status_and_ends_when_the_client_goes_or_the_server_stops() {
        let build = |_: Option<&[String]>| Ok((Some(Default::default()), Diagnostics::new()));
        let state = Arc::new(ServeState::new("es".into(), "t".into(), Box::new(build)));
        state.rebuild(None, false);
        let mut body = Vec::new();
        let mut asked = 0;
        stream_events(&state, &mut body, || {
            asked += 1;
            if asked == 1 {
                state.rebuild(None, false);
            }
            asked == 2
        })
        .expect("stream");
        let body = String::from_utf8(body).expect("utf-8");
        assert!(
            body.starts_with("retry: 500\n\ndata: {\"event\":1,\"build\":\"t:1\""),
            "{body}"
        );
        assert!(
            body.ends_with("\n\ndata: {\"event\":2,\"build\":\"t:2\",\"generation\":2,\"full_since\":2,\"errors\":[]}\n\n"),
            "{body}"
        );

        let stopper = Arc::clone(&state);
        let stop = std::thread::spawn(move || stopper.shut_down());
        let mut body = Vec::new();
        stream_events(&state, &mut body, || false).expect("stream");
        stop.join().expect("stop");
        assert_eq!(
            String::from_utf8(body).expect("utf-8"),
            first_events(&state).1
        );
    }

    #[test]
    fn marker_goes_before_head_end_once() {
        let page = b"<html><head><script src=\"/__integridad/reload.js\" defer></script></HEAD><body></body></html>";
        let out = String::from_utf8(inject_marker(page, "a:3")).expect("utf-8");
        assert_eq!(
            out,
            "<html><head><script src=\"/__integridad/reload.js\" defer></script><meta name=\"integridad-build\" content=\"a:3\">\n</HEAD><body></body></html>"
        );
        let bare = String::from_utf8(inject_marker(b"<head></head>", "a:1")).expect("utf-8");
        assert!(
            bare.contains("<script src=\"/__integridad/reload.js\" defer></script>"),
            "{bare}"
        );
        assert_eq!(inject_marker(b"no head", "a:1"), b"no head");
    }
}
