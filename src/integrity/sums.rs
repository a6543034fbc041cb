//! `SHA256SUMS` in coreutils format (SPEC "URLs and output"): one `<hex>  <path>` line per file,
//! in path order, every file but itself and its signature. Written by `build`, read by `verify`.

use std::collections::BTreeMap;

pub(crate) const SUMS_FILE: &str = "SHA256SUMS";
pub(crate) const SIGNATURE_FILE: &str = "SHA256SUMS.minisig";

/// Formats the checksum file from output path → SHA-256, skipping `SHA256SUMS`, its signature
/// and the output folder's marker. A name holding `\`, a newline or a carriage return is
/// written the way `sha256sum` writes it (a leading `\` and escapes), so `sha256sum -c` reads
/// every line.
pub(crate) fn render_sums(hashes: &BTreeMap<String, [u8; 32]>) -> String {
    let mut out = String::new();
    for (path, hash) in hashes {
        if is_unlisted(path) {
            continue;
        }
        let escaped = escape_name(path);
        if escaped.len() != path.len() {
            out.push('\\');
        }
        out.push_str(&hex(hash));
        out.push_str("  ");
        out.push_str(&escaped);
        out.push('\n');
    }
    out
}

/// Files that are never listed: the list itself, its signature and the output folder's marker
/// (a dot file that `cp -r public/* mirror/` leaves behind).
pub(crate) fn is_unlisted(path: &str) -> bool {
    path == SUMS_FILE || path == SIGNATURE_FILE || path == crate::output::MARKER
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn escape_name(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_name(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// One listed file: its path below the copy's root and its expected SHA-256 (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
}

/// The lines of a `SHA256SUMS` file: the entries, and the numbers (1-based) of lines that are
/// not `<sha256>  <path>` with a safe relative path (no `..`, no leading `/`, no empty segment).
#[derive(Debug, Default)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub malformed: Vec<usize>,
}

pub(crate) fn parse_sums(text: &str) -> Listing {
    let mut listing = Listing::default();
    for (n, line) in text.lines().enumerate() {
        match parse_line(line) {
            Some(entry) if is_unlisted(&entry.path) => {}
            Some(entry) => listing.entries.push(entry),
            None => listing.malformed.push(n + 1),
        }
    }
    listing
}

fn parse_line(line: &str) -> Option<Entry> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, name) = line.split_once("  ").or_else(|| line.split_once(" *"))?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let path = if escaped {
        unescape_name(name)?
    } else {
        name.to_string()
    };
    let path = path.strip_prefix("./").unwrap_or(&path).to_string();
    // `\` and `:` would be separators or drive letters on Windows (`..\x`, `C:x`), and a
    // name no system can hold cannot be in a copy: such lines are malformed everywhere.
    if path.starts_with('/')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        || crate::portable::path_problem(&path).is_some()
    {
        return None;
    }
    Some(Entry {
        path,
        sha256: hex.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_and_exclude_themselves_and_the_marker() {
        let mut hashes = BTreeMap::new();
        hashes.insert("b.html".to_string(), [1u8; 32]);
        hashes.insert("a/index.html".to_string(), [0u8; 32]);
        hashes.insert(SUMS_FILE.to_string(), [2u8; 32]);
        hashes.insert(crate::output::MARKER.to_string(), [3u8; 32]);
        let text = render_sums(&hashes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with("  a/index.html") && lines[0].starts_with("0000"));
        assert!(lines[1].ends_with("  b.html") && lines[1].starts_with("0101"));
    }

    #[test]
    fn names_with_control_characters_are_written_in_coreutils_form_and_never_accepted() {
        // A build never writes such a name (`portable`); should one reach the list, it is
        // escaped the way `sha256sum` does, and `verify` refuses the line.
        let mut hashes = BTreeMap::new();
        hashes.insert("a\nb\\c.txt".to_string(), [0xab; 32]);
        let text = render_sums(&hashes);
        assert_eq!(text, format!("\\{}  a\\nb\\\\c.txt\n", "ab".repeat(32)));
        let listing = parse_sums(&text);
        assert_eq!(listing.malformed, vec![1]);
        assert_eq!(
            unescape_name("a\\nb\\\\c.txt").as_deref(),
            Some("a\nb\\c.txt")
        );
    }

    #[test]
    fn unsafe_or_malformed_lines_are_reported_by_number() {
        let ok = "0".repeat(64);
        let text = format!(
            "{ok}  index.html\n{ok}  ../etc/passwd\n{ok}  /abs\nnot a line\n{ok}  a//b\n{}  short\n{ok}  .integridad-output\n\\{ok}  ..\\\\x\n{ok}  C:x\n{ok}  sub/con.txt\n"
            ,"0".repeat(10)
        );
        let listing = parse_sums(&text);
        assert_eq!(listing.entries.len(), 1);
        assert_eq!(listing.malformed, vec![2, 3, 4, 5, 6, 8, 9, 10]);
    }
}
