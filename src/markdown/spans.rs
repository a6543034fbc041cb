//! Byte offsets in a markdown text → positions in its file, for diagnostics. Lines are offset
//! by `MdSource::first_line`, columns count characters (`diagnostics::line_col`).

use std::path::Path;

use super::MdSource;
use crate::diagnostics::{line_col, Span};

/// Byte offsets in the markdown text → file positions.
pub(super) struct SpanMap<'a> {
    text: &'a str,
    file: &'a Path,
    first_line: usize,
    line_starts: Vec<usize>,
}

impl<'a> SpanMap<'a> {
    pub(super) fn new(source: &MdSource<'a>) -> SpanMap<'a> {
        let line_starts = std::iter::once(0)
            .chain(source.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SpanMap {
            text: source.text,
            file: source.file,
            first_line: source.first_line.max(1),
            line_starts,
        }
    }

    pub(super) fn span(&self, offset: usize) -> Span {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self.line_starts[line - 1];
        let (_, col) = line_col(&self.text[start..], offset - start);
        Span::new(self.file, self.first_line + line - 1, col)
    }

    /// The span of a byte range, underlining it up to the end of its first line.
    pub(super) fn range_span(&self, range: &std::ops::Range<usize>) -> Span {
        let start = range.start.min(self.text.len());
        let end = range.end.clamp(start, self.text.len());
        let first_line = self.text[start..end].split('\n').next().unwrap_or_default();
        self.span(start)
            .with_len(first_line.trim_end_matches('\r').chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_characters_from_first_line() {
        let source = MdSource {
            text: "ab\n¿qué? x\n",
            file: Path::new("content/x.md"),
            first_line: 0,
        };
        let spans = SpanMap::new(&source);
        let cases = [(0, 1, 1), (3, 2, 1), (10, 2, 6), (11, 2, 7), (100, 3, 1)];
        for (offset, line, col) in cases {
            assert_eq!(
                spans.span(offset),
                Span::new("content/x.md", line, col),
                "{offset}"
            );
        }
    }
}
