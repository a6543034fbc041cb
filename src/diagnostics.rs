//! Content problems as values: every phase pushes into a `Diagnostics` sink and keeps going,
//! so a build reports all of its errors at once. Only `render` formats them for people.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is; errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file: `file` is relative to the site root, `line` and `col` are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl Span {
    pub fn new(file: impl Into<PathBuf>, line: usize, col: usize) -> Span {
        Span {
            file: file.into(),
            line: line.max(1),
            col: col.max(1),
        }
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

/// The sink that phases push into. Order of reporting is made deterministic by `sorted`.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
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

    /// Formats every diagnostic as the SPEC's `error: …` / ` --> file:line:col` / source line / caret.
    /// Source lines are read from `root`; a file that cannot be read just omits them.
    pub fn render(&self, root: &Path) -> String {
        let mut out = String::new();
        for diagnostic in self.sorted() {
            out.push_str(&render_one(diagnostic, root));
        }
        out
    }
}

/// Formats one diagnostic; shared by the terminal output and the dev server's overlay.
pub fn render_one(diagnostic: &Diagnostic, root: &Path) -> String {
    let label = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{label}: {}\n", diagnostic.message);
    if let Some(span) = &diagnostic.span {
        let _ = writeln!(
            out,
            " --> {}:{}:{}",
            display_path(&span.file),
            span.line,
            span.col
        );
        if let Some(line) = source_line(root, span) {
            let number = span.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_pad: String = line
                .chars()
                .take(span.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {line}");
            let _ = writeln!(out, "{pad} | {caret_pad}^");
        }
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}

/// The text of the line a span points at, without its line ending, if the file is readable.
/// A file that resolves outside `root` or into a hidden path of it (a symbolic link the build
/// refused) is never read.
pub fn source_line(root: &Path, span: &Span) -> Option<String> {
    let path = std::fs::canonicalize(root.join(&span.file)).ok()?;
    let real_root = std::fs::canonicalize(root).ok()?;
    let inside = path.strip_prefix(&real_root).ok()?;
    if inside
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().nth(span.line.checked_sub(1)?)?;
    Some(line.trim_start_matches('\u{feff}').to_string())
}

/// Paths are shown with forward slashes on every platform so messages are stable.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
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
    fn render_shows_line_and_caret() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.md"), "uno\ndos tres\n").unwrap();
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::error("bad `tres`")
                .at(Span::new("x.md", 2, 5))
                .with_help("fix it"),
        );
        let out = d.render(dir.path());
        assert_eq!(
            out,
            "error: bad `tres`\n --> x.md:2:5\n  |\n2 | dos tres\n  |     ^\n  = help: fix it\n"
        );
    }
}
