//! Walks an input folder (`content/`, a theme) in file-name order and keeps only files that may
//! become part of the site: nothing reached through a symbolic link that leaves the site root is
//! ever returned (so never read, copied or served), and file names must be printable UTF-8.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// A file found under an input folder.
pub(crate) struct Found {
    /// Path relative to the walked folder, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
}

/// Every file under `dir`, skipping hidden and editor files. Symbolic links are followed while
/// they resolve inside `root`; one that resolves outside is an error naming the link and its
/// target. A link loop or an unreadable entry is a warning and the entry is skipped, so a walk
/// always ends. File names that are not UTF-8 or hold control characters are errors.
pub(crate) fn walk_files(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<Found> {
    let mut found = Vec::new();
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                diags.push(unreadable(root, &error));
                continue;
            }
        };
        if entry.path_is_symlink() || entry.depth() == 0 {
            if let Some(error) = check_inside(root, &real_root, entry.path()) {
                diags.push(error);
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        let is_dir = entry.file_type().is_dir();
        if entry.depth() == 0 || !(is_dir || entry.file_type().is_file()) {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        match check_name(rel, if is_dir { "folder" } else { "file" }) {
            Ok(_) if is_dir => {}
            Ok(rel) => found.push(Found {
                rel,
                abs: entry.path().to_path_buf(),
            }),
            Err(message) => {
                diags.push(bad_name(root, entry.path(), message));
                // One error for a folder, not one for each file in it.
                if is_dir {
                    walker.skip_current_dir();
                }
            }
        }
    }
    found
}

/// Hidden files, editor swap and backup files never become part of the site.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

pub(crate) fn relative(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

fn unreadable(root: &Path, error: &walkdir::Error) -> Diagnostic {
    let message = if error.loop_ancestor().is_some() {
        "symbolic link loop; the folder is skipped".to_string()
    } else {
        format!(
            "cannot read this entry ({})",
            error
                .io_error()
                .map_or_else(|| error.to_string(), |e| e.to_string())
        )
    };
    let mut d = Diagnostic::warning(message);
    if let Some(path) = error.path() {
        d = d.at(Span::file(relative(root, path)));
    }
    d
}

/// An error when `path` (a symbolic link, or a folder that may be one) resolves outside the
/// root, or into a hidden path of it (`.git/config`), which the walk itself never enters.
fn check_inside(root: &Path, real_root: &Path, path: &Path) -> Option<Diagnostic> {
    let target = std::fs::canonicalize(path).ok()?;
    let hidden = |rest: &Path| {
        rest.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    };
    let written = std::fs::read_link(path).unwrap_or_else(|_| target.clone());
    let link = relative(root, path);
    let mut message = match target.strip_prefix(real_root) {
        Ok(rest) if !hidden(rest) => return None,
        Ok(rest) => format!(
            "the symbolic link `{}` points to a hidden path of the site, `{}`",
            link.display(),
            rest.display()
        ),
        Err(_) => format!(
            "the symbolic link `{}` points outside the site root, to `{}`",
            link.display(),
            written.display()
        ),
    };
    if written.is_relative() && !target.starts_with(real_root) {
        message.push_str(&format!(" (`{}`)", target.display()));
    }
    Some(
        Diagnostic::error(message).at(Span::file(link)).with_help(
            "copy the file into the site, or link to a visible file inside the site root",
        ),
    )
}

/// The `/`-separated relative path, or why the name cannot be published: it must be UTF-8 and
/// free of control characters, which could not be listed in `SHA256SUMS`. `what` is `file` or
/// `folder`.
fn check_name(rel: &Path, what: &str) -> Result<String, String> {
    let Some(text) = rel.to_str() else {
        return Err(format!(
            "the {what} name `{}` is not UTF-8 text",
            rel.to_string_lossy()
        ));
    };
    if let Some(c) = text.chars().find(|&c| c.is_control()) {
        return Err(format!(
            "the {what} name `{}` holds the control character U+{:04X}",
            text.escape_debug(),
            u32::from(c)
        ));
    }
    Ok(text.replace('\\', "/"))
}

/// The error for an unpublishable name. Its position shows the path with `?` for each control
/// character, so that the ` --> file:line:col` line stays one line.
fn bad_name(root: &Path, path: &Path, message: String) -> Diagnostic {
    let shown: String = relative(root, path)
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    Diagnostic::error(message)
        .at(Span::file(shown))
        .with_help("rename it using printable UTF-8 characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_printable_utf8() {
        assert_eq!(
            check_name(Path::new("a/b c.pdf"), "file"),
            Ok("a/b c.pdf".into())
        );
        assert_eq!(check_name(Path::new("año.md"), "file"), Ok("año.md".into()));
        let cases = [
            (
                "a\nb.md",
                "the file name `a\\nb.md` holds the control character U+000A",
            ),
            (
                "a\tb.md",
                "the file name `a\\tb.md` holds the control character U+0009",
            ),
            ("x/\u{1b}[31m.md", "holds the control character U+001B"),
        ];
        for (name, expected) in cases {
            let message = check_name(Path::new(name), "file").unwrap_err();
            assert!(message.contains(expected), "{message}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_named_as_such() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        let message = check_name(Path::new(name), "folder").unwrap_err();
        assert_eq!(
            message,
            "the folder name `caf\u{fffd}.md` is not UTF-8 text"
        );
    }
}
