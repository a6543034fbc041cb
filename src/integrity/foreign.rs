//! Files in the previous output that integridad did not write (a web team's `.htaccess`, a
//! verification file): named in a warning before the swap deletes them. Reads the old output
//! only; never changes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::sums::{is_unlisted, parse_sums, SUMS_FILE};
use crate::diagnostics::Diagnostic;

/// How many foreign files a warning names before it only counts the rest.
const NAMED: usize = 5;

/// A warning naming the files of the previous output at `output` that integridad did not write,
/// or `None` when there are none or the folder is not integridad's. What integridad wrote is
/// what the old `SHA256SUMS` lists, or, without it, what this build writes (`new_files`).
pub(crate) fn check_foreign_files<T>(
    output: &Path,
    shown_as: &str,
    new_files: &BTreeMap<String, T>,
) -> Option<Diagnostic> {
    if !output.join(crate::output::MARKER).is_file() {
        return None;
    }
    let (written, what): (BTreeSet<String>, &str) =
        match std::fs::read_to_string(output.join(SUMS_FILE)) {
            Ok(text) => (
                parse_sums(&text)
                    .entries
                    .into_iter()
                    .map(|e| e.path)
                    .collect(),
                "integridad did not write",
            ),
            // Without the old list, a page the new build no longer has cannot be told apart.
            Err(_) => (
                new_files.keys().cloned().collect(),
                "neither this build nor integridad's list of the old one has",
            ),
        };
    // A mount point's staging folder sits inside the output while the build runs.
    let staging = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 1
            && name != crate::output::MARKER
            && name.starts_with('.')
            && name.contains(".integridad-")
    };
    let foreign: Vec<String> = walkdir::WalkDir::new(output)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !staging(e))
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(output)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            (!is_unlisted(&rel) && !written.contains(&rel)).then_some(rel)
        })
        .collect();
    if foreign.is_empty() {
        return None;
    }
    let mut names: Vec<String> = foreign
        .iter()
        .take(NAMED)
        .map(|f| format!("`{f}`"))
        .collect();
    if foreign.len() > NAMED {
        names.push(format!("and {} more", foreign.len() - NAMED));
    }
    Some(
        Diagnostic::warning(format!(
            "`{shown_as}` holds {} that {what}, deleted by this build: {}",
            crate::plural(foreign.len(), "file", "files"),
            names.join(", ")
        ))
        .with_help(format!(
            "put files to publish in `{}/` beside `content/`: it is copied verbatim to the output root",
            crate::content::STATIC_DIR
        )),
    )
}
