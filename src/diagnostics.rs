//! Content problems as values: every phase pushes into a `Diagnostics` sink and keeps going,
//! so a build reports all of its errors at once. Only `render` formats them for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How many diagnostics are shown in full before the rest are only counted per file.
pub const SHOWN_IN_FULL: usize = 20;

/// How serious a diagnostic is; errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file: `file` is relative to the site root, `line` and `col` are 1-based;
/// `len` is how many characters the caret underlines (at least 1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Span {
    pub fn new(file: impl Into<PathBuf>, line: usize, col: usize) -> Span {
        Span {
            file: file.into(),
            line: line.max(1),
            col: col.max(1),
            len: 1,
        }
    }

    /// The same position, underlining `len` characters (of its line; at least one).
    pub fn with_len(mut self, len: usize) -> Span {
        self.len = len.max(1);
        self
    }

    /// A span for a whole file, pointing at its first character.
    pub fn file(file: impl Into<PathBuf>) -> Span {
        Span::new(file, 1, 1)
    }
}

/// One problem found in the content, with where it is and, optionally, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

/// The sink that phases push into. Order of reporting is made deterministic by `sorted`. It also
/// keeps the text of each file as it was loaded (the source map), so a caret is drawn under the
/// text that was checked even when the file has changed on disk since.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Looked up by file only; a site has thousands of files, so hashed rather than ordered.
    sources: std::collections::HashMap<PathBuf, Arc<str>>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.sources.extend(other.sources);
    }

    /// Records the text of `file` (relative to the site root) as it was loaded.
    pub fn add_source(&mut self, file: impl Into<PathBuf>, text: &str) {
        self.sources.insert(file.into(), Arc::from(text));
    }

    /// `add_source` for a text already shared.
    pub(crate) fn add_shared_source(&mut self, file: impl Into<PathBuf>, text: Arc<str>) {
        self.sources.insert(file.into(), text);
    }

    /// The diagnostics in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn extend_from(&mut self, items: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(items);
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The errors alone (`--quiet`).
    pub fn errors_only(&self) -> Diagnostics {
        let items = self.items.iter().filter(|d| d.severity == Severity::Error);
        Diagnostics {
            items: items.cloned().collect(),
            sources: self.sources.clone(),
        }
    }

    /// Counts distinct diagnostics, as they are shown.
    fn count(&self, severity: Severity) -> usize {
        self.sorted()
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// All diagnostics, ordered by file, line and column (spanless ones first), then by message,
    /// with exact duplicates removed, so that parallel phases report in a stable order.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (&a.span, a.severity, &a.message).cmp(&(&b.span, b.severity, &b.message))
        });
        items.dedup();
        items
    }

    /// Formats the diagnostics as the SPEC's `error: …` / ` --> file:line:col` / source line /
    /// caret. A flood is cut short: the first `SHOWN_IN_FULL` are shown in full (errors before
    /// warnings), the rest only counted per file.
    pub fn render(&self) -> String {
        self.render_subset(&self.sorted())
    }

    /// Like `render`, for some of these diagnostics (in the order given), with their sources.
    pub fn render_subset(&self, sorted: &[&Diagnostic]) -> String {
        let (shown, rest) = split_flood(sorted);
        let mut out = String::new();
        for diagnostic in &shown {
            out.push_str(&self.render_one(diagnostic));
        }
        if !rest.is_empty() {
            let _ = writeln!(out, "{}, not shown in full:", count_line(&rest, "more "));
            for (file, items) in per_file(&rest) {
                let _ = writeln!(out, "  {file}: {}", count_line(&items, ""));
            }
        }
        out
    }

    /// Formats one diagnostic; shared by the terminal output and the dev server.
    pub fn render_one(&self, diagnostic: &Diagnostic) -> String {
        let label = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{label}: {}\n", inert(&diagnostic.message));
        if let Some(span) = &diagnostic.span {
            let _ = writeln!(out, " --> {}", inert(&location(span)));
            if let Some(snippet) = self.snippet(span) {
                let _ = writeln!(out, "{snippet}");
            }
        }
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(out, "  = help: {}", inert(help));
        }
        out
    }

    /// The source line a span points at with its caret line under it (`12 | text` / `   | ^^^`),
    /// from the text the file had when it was loaded; `None` for a file not loaded as text.
    /// The one caret renderer, for the terminal and the overlay alike.
    pub fn snippet(&self, span: &Span) -> Option<String> {
        let text = self.sources.get(&span.file)?;
        let line = text.lines().nth(span.line.checked_sub(1)?)?;
        let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
        // Tabs stay, for the caret line below to line up; any other control is escaped.
        let shown: Vec<_> = line.split('\t').map(inert).collect();
        let shown = shown.join("\t");
        let number = span.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_pad: String = line
            .chars()
            .take(span.col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let left = line.chars().count().saturating_sub(span.col - 1);
        let carets = "^".repeat(span.len.min(left).max(1));
        Some(format!(
            "{pad} |\n{number} | {shown}\n{pad} | {caret_pad}{carets}"
        ))
    }
}

/// `file:line:col` of a span, as ` --> ` and the overlay show it.
pub fn location(span: &Span) -> String {
    format!("{}:{}:{}", display_path(&span.file), span.line, span.col)
}

/// Splits sorted diagnostics into those shown in full (at most `SHOWN_IN_FULL`, errors first,
/// kept in their sorted order) and those only counted.
pub fn split_flood<'a>(sorted: &[&'a Diagnostic]) -> (Vec<&'a Diagnostic>, Vec<&'a Diagnostic>) {
    if sorted.len() <= SHOWN_IN_FULL {
        return (sorted.to_vec(), Vec::new());
    }
    let errors = sorted
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut warnings_left = SHOWN_IN_FULL.saturating_sub(errors);
    let mut errors_left = SHOWN_IN_FULL;
    let (mut shown, mut rest) = (Vec::new(), Vec::new());
    for &d in sorted {
        let left = match d.severity {
            Severity::Error => &mut errors_left,
            Severity::Warning => &mut warnings_left,
        };
        if *left > 0 {
            *left -= 1;
            shown.push(d);
        } else {
            rest.push(d);
        }
    }
    (shown, rest)
}

/// Diagnostics grouped by file (`site` for those without one), in file order.
pub fn per_file<'a>(items: &[&'a Diagnostic]) -> BTreeMap<String, Vec<&'a Diagnostic>> {
    let mut files: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for &d in items {
        let file = d
            .span
            .as_ref()
            .map_or_else(|| "(no file)".to_string(), |s| display_path(&s.file));
        files.entry(file).or_default().push(d);
    }
    files
}

/// `3 errors and 1 warning` (with `more ` before each noun when asked).
pub fn count_line(items: &[&Diagnostic], more: &str) -> String {
    let errors = items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = items.len() - errors;
    let noun = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {more}{one}"),
        n => format!("{n} {more}{many}"),
    };
    match (errors, warnings) {
        (e, 0) => noun(e, "error", "errors"),
        (0, w) => noun(w, "warning", "warnings"),
        (e, w) => format!(
            "{} and {}",
            noun(e, "error", "errors"),
            noun(w, "warning", "warnings")
        ),
    }
}

/// Paths are shown with forward slashes on every platform so messages are stable.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Text from files, servers or exports made safe to print: every control character (C0 with
/// line breaks and tabs, DEL, C1) and every character that reorders or hides text (bidi
/// controls, zero-width marks) is written as a Rust escape (`\u{1b}`), so no such text can move
/// the cursor, set a window title, write the clipboard (OSC 52) or draw a line of its own. The
/// one helper for untrusted text reaching the terminal or the dev server's overlay.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let hostile = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if !text.chars().any(hostile) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Converts a byte offset in `text` to a 1-based line and column (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_is_printed_inert() {
        for (text, shown) in [
            ("plain `ruta/a b.html` ñ", "plain `ruta/a b.html` ñ"),
            ("\x1b]0;pwned\x07", "\\u{1b}]0;pwned\\u{7}"),
            ("\x1b]52;c;ZXZpbA==\x1b\\", "\\u{1b}]52;c;ZXZpbA==\\u{1b}\\"),
            (
                "a\r\x1b[2K\x1b[1Averified 67 files",
                "a\\u{d}\\u{1b}[2K\\u{1b}[1Averified 67 files",
            ),
            ("x\ny\tz\u{7f}\u{9b}", "x\\u{a}y\\u{9}z\\u{7f}\\u{9b}"),
            ("abc\u{202e}fdp.exe\u{200b}", "abc\\u{202e}fdp.exe\\u{200b}"),
        ] {
            assert_eq!(inert(text), shown, "{text:?}");
        }
        assert!(matches!(inert("sin nada"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn messages_help_and_source_lines_are_rendered_inert() {
        let mut diags = Diagnostics::new();
        diags.add_source("x.md", "a\x1b[31m\tb\n");
        diags.push(
            Diagnostic::error("unknown key `\x1b]0;t\x07`")
                .at(Span::new("x.md", 1, 1))
                .with_help("see \x1b[2J"),
        );
        let out = diags.render();
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
        assert!(out.contains("a\\u{1b}[31m\tb"), "{out}");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\n¿qué?\nx";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        let q = text.find('?').unwrap();
        assert_eq!(line_col(text, q), (2, 5));
        assert_eq!(line_col(text, text.len()), (3, 2));
    }

    #[test]
    fn sorted_orders_by_span_and_removes_duplicates() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error("b").at(Span::new("b.md", 2, 1)));
        d.push(Diagnostic::error("a").at(Span::new("a.md", 9, 1)));
        d.push(Diagnostic::error("a").at(Span::new("a.md", 9, 1)));
        d.push(Diagnostic::warning("w"));
        let messages: Vec<_> = d.sorted().iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages, ["w", "a", "b"]);
    }

    #[test]
    fn render_underlines_the_span_in_the_loaded_text() {
        let mut d = Diagnostics::new();
        d.add_source("x.md", "uno\r\ndos\ttres cuatro\r\n");
        d.push(
            Diagnostic::error("bad `tres`")
                .at(Span::new("x.md", 2, 5).with_len(4))
                .with_help("fix it"),
        );
        d.push(Diagnostic::error("past the end").at(Span::new("x.md", 1, 3).with_len(9)));
        d.push(Diagnostic::error("not loaded").at(Span::new("y.md", 1, 1)));
        assert_eq!(
            d.render(),
            "error: past the end\n --> x.md:1:3\n  |\n1 | uno\n  |   ^\n\
             error: bad `tres`\n --> x.md:2:5\n  |\n2 | dos\ttres cuatro\n  |    \t^^^^\n  = help: fix it\n\
             error: not loaded\n --> y.md:1:1\n"
        );
    }

    #[test]
    fn a_flood_shows_twenty_in_full_then_counts_per_file() {
        let mut d = Diagnostics::new();
        for line in 1..=30 {
            d.push(Diagnostic::warning("w").at(Span::new("a.md", line, 1)));
        }
        for line in 1..=25 {
            d.push(Diagnostic::error("e").at(Span::new("b.md", line, 1)));
        }
        d.push(Diagnostic::error("e").at(Span::new("c.md", 1, 1)));
        let out = d.render();
        assert_eq!(out.matches("error: e").count(), 20);
        assert_eq!(out.matches("warning: w").count(), 0);
        assert!(out.ends_with(
            "6 more errors and 30 more warnings, not shown in full:\n  a.md: 30 warnings\n  b.md: 5 errors\n  c.md: 1 error\n"
        ), "{out}");
    }
}
