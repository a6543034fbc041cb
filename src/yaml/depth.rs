//! A linear pre-scan of YAML nesting, run before any parser sees the text: YAML parsers slow
//! down quadratically on deep nesting (64,000 `[` took seconds) before they give up, so text
//! nested deeper than `MAX_DEPTH` is refused here with the position of the level that is too deep.
//! The scan estimates depth from flow brackets, indentation and `- `/`? ` indicators; it skips
//! quoted strings, comments and block scalars, so brackets inside text never count.

/// Deepest nesting of mappings and lists accepted in front matter and checklists (SPEC "Content"
/// needs at most 7). Documented in the README.
pub const MAX_DEPTH: usize = 64;

/// Where the nesting first goes past `MAX_DEPTH`: 1-based line and column in `text`.
pub(super) fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut scan = Scan::default();
    for (n, line) in text.split('\n').enumerate() {
        if let Some(col) = scan.line(line) {
            let col = line[..col].chars().count() + 1;
            return Some((n + 1, col));
        }
    }
    None
}

/// State carried from line to line.
#[derive(Default)]
struct Scan {
    /// Columns of the open block collections, innermost last.
    indents: Vec<usize>,
    /// Open `[`/`{` collections.
    flow: usize,
    /// Inside a quoted scalar that continues on the next line.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) whose parent node sits at this column.
    block_scalar: Option<usize>,
}

impl Scan {
    fn depth(&self) -> usize {
        self.indents.len() + self.flow
    }

    /// Scans one line; returns the byte offset at which the nesting becomes too deep.
    fn line(&mut self, line: &str) -> Option<usize> {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let rest = line[indent..].trim_end();
        if let Some(parent) = self.block_scalar {
            if rest.is_empty() || indent > parent {
                return None;
            }
            self.block_scalar = None;
        }
        let mut i = 0;
        if self.quote.is_none() && self.flow == 0 {
            if rest.is_empty() || rest.starts_with('#') || is_document_marker(line) {
                return None;
            }
            while self.indents.last().is_some_and(|&top| top > indent) {
                self.indents.pop();
            }
            if self.indents.last().is_none_or(|&top| top < indent) {
                self.indents.push(indent);
            }
            i = indent;
            // `- - x` and `? x` open one more level each, at the column after the indicator.
            while matches!(bytes.get(i), Some(b'-' | b'?'))
                && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'))
            {
                let indicator = i;
                i += 1;
                while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'#' {
                    break;
                }
                self.indents.push(i);
                if self.depth() > MAX_DEPTH {
                    return Some(indicator);
                }
            }
            if self.depth() > MAX_DEPTH {
                return Some(indent);
            }
        }
        self.tokens(bytes, i)
    }

    /// Scans the tokens of a line from `start`: quotes, flow brackets, comments, block scalars.
    fn tokens(&mut self, bytes: &[u8], start: usize) -> Option<usize> {
        let mut token_start = true;
        let mut in_property = false;
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            if let Some(quote) = self.quote {
                match b {
                    b'\\' if quote == b'"' => i += 1,
                    b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                    _ if b == quote => self.quote = None,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match b {
                b' ' | b'\t' => {
                    if in_property {
                        token_start = true;
                        in_property = false;
                    }
                }
                b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return None,
                b'"' | b'\'' if token_start => self.quote = Some(b),
                b'[' | b'{' if token_start || self.flow > 0 => {
                    self.flow += 1;
                    if self.depth() > MAX_DEPTH {
                        return Some(i);
                    }
                    token_start = true;
                }
                b']' | b'}' if self.flow > 0 => self.flow -= 1,
                b',' if self.flow > 0 => token_start = true,
                b':' if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')) || self.flow > 0 => {
                    token_start = true
                }
                b'|' | b'>' if token_start && self.flow == 0 => {
                    self.block_scalar = Some(self.indents.last().copied().unwrap_or(0));
                    return None;
                }
                b'&' | b'!' if token_start => {
                    in_property = true;
                    token_start = false;
                }
                _ => token_start = false,
            }
            i += 1;
        }
        None
    }
}

fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && matches!(line.as_bytes().get(3), None | Some(b' ' | b'\t' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_blocks(levels: usize) -> String {
        (0..levels)
            .map(|n| format!("{}k{n}:\n", "  ".repeat(n)))
            .collect::<String>()
            + &"  ".repeat(levels)
            + "v: 1\n"
    }

    #[test]
    fn deep_nesting_is_found_where_it_passes_the_limit() {
        let flow = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let dashes = format!("{}x\n", "- ".repeat(100));
        let maps = format!("a: {}\n", "{b: ".repeat(100));
        let cases = [
            (flow.as_str(), Some((1, 4 + MAX_DEPTH - 1))),
            (dashes.as_str(), Some((1, 2 * MAX_DEPTH - 1))),
            (maps.as_str(), Some((1, 4 + 4 * (MAX_DEPTH - 1)))),
        ];
        for (text, expected) in cases {
            assert_eq!(too_deep(text), expected, "{}", &text[..20]);
        }
        let blocks = nested_blocks(100);
        assert_eq!(too_deep(&blocks), Some((MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)));
    }

    #[test]
    fn nesting_up_to_the_limit_is_accepted() {
        let flow = format!(
            "a: {}{}\n",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(too_deep(&flow), None);
        assert_eq!(too_deep(&nested_blocks(MAX_DEPTH - 1)), None);
        assert!(too_deep(&nested_blocks(MAX_DEPTH)).is_some());
    }

    #[test]
    fn brackets_in_text_do_not_count() {
        let deep = "[".repeat(200);
        let cases = [
            format!("title: \"{deep}\"\n"),
            format!("title: '{deep} it''s'\n"),
            format!("title: \"multi\n  line {deep} \\\" {deep}\"\nb: 1\n"),
            format!("title: plain {deep}\n"),
            format!("# {deep}\ntitle: x # {deep}\n"),
            format!("guidance: |\n  {deep}\n  - - - - -\n\n  {deep}\nnext: 1\n"),
            format!("- a: >-\n    {deep}\n  b: 2\n"),
            "---\ntitle: &a !tag [x, {y: z}]\n...\n".to_string(),
        ];
        for text in cases {
            assert_eq!(too_deep(&text), None, "{text}");
        }
    }

    #[test]
    fn a_real_checklist_shape_is_shallow() {
        let text = "title: { es: A, en: B }\nsections:\n- id: s\n  items:\n    - id: i\n      question:\n        es: \"¿[x]?\"\n      references: [\"LGRA art. 25\", ../a.md]\n";
        let mut scan = Scan::default();
        let mut deepest = 0;
        for line in text.split('\n') {
            assert_eq!(scan.line(line), None);
            deepest = deepest.max(scan.depth());
        }
        assert!(deepest <= 6, "{deepest}");
    }
}
