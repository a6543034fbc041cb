//! `SHA256SUMS` in coreutils format (sorted paths; every file but itself and its signature), so
//! `sha256sum -c SHA256SUMS` verifies a mirror; and `verify`, which checks a folder against it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

pub(crate) const SUMS_FILE: &str = "SHA256SUMS";
pub(crate) const SIGNATURE_FILE: &str = "SHA256SUMS.minisig";

/// Formats the checksum file: `<hex>  <path>` per line, in path order.
pub(crate) fn render_sums(hashes: &BTreeMap<String, [u8; 32]>) -> String {
    let mut out = String::new();
    for (path, hash) in hashes {
        if path == SUMS_FILE || path == SIGNATURE_FILE {
            continue;
        }
        for byte in hash {
            out.push_str(&format!("{byte:02x}"));
        }
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub checked: usize,
    pub mismatched: Vec<String>,
    pub missing: Vec<String>,
    /// Files present in the folder but not listed (a mirror must not add files).
    pub unlisted: Vec<String>,
    pub malformed: Vec<usize>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.mismatched.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.malformed.is_empty()
    }
}

/// Checks every file listed in `dir/SHA256SUMS`, and that no unlisted file was added.
pub fn verify_dir(dir: &Path) -> anyhow::Result<Verification> {
    let sums_path = dir.join(SUMS_FILE);
    let sums = std::fs::read_to_string(&sums_path)
        .with_context(|| format!("cannot read `{}`", sums_path.display()))?;
    let mut result = Verification::default();
    let mut listed = std::collections::BTreeSet::new();
    for (n, line) in sums.lines().enumerate() {
        let Some((hex, path)) = line.split_once("  ") else {
            result.malformed.push(n + 1);
            continue;
        };
        if hex.len() != 64
            || path.split('/').any(|s| s == ".." || s.is_empty())
            || path.starts_with('/')
        {
            result.malformed.push(n + 1);
            continue;
        }
        listed.insert(path.to_string());
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                let actual: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if actual != hex.to_ascii_lowercase() {
                    result.mismatched.push(path.to_string());
                }
                result.checked += 1;
            }
            Err(_) => result.missing.push(path.to_string()),
        }
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel != SUMS_FILE && rel != SIGNATURE_FILE && !listed.contains(&rel) {
            result.unlisted.push(rel);
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_and_exclude_themselves() {
        let mut hashes = BTreeMap::new();
        hashes.insert("b.html".to_string(), [1u8; 32]);
        hashes.insert("a/index.html".to_string(), [0u8; 32]);
        hashes.insert(SUMS_FILE.to_string(), [2u8; 32]);
        let text = render_sums(&hashes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with("  a/index.html") && lines[0].starts_with("0000"));
        assert!(lines[1].ends_with("  b.html") && lines[1].starts_with("0101"));
    }
}
