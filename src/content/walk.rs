//! Walks an input folder (`content/`, a theme) in file-name order and keeps only files that may
//! become part of the site: nothing reached through a symbolic link that leaves the site root is
//! ever returned (so never read, copied or served), and file names must be printable UTF-8.

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization as _;

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// A file found under an input folder.
pub(crate) struct Found {
    /// Path relative to the walked folder, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
}

/// What a walk does with hidden names (`.htaccess`, `.well-known/`) that are not junk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// Left out silently (themes).
    Skip,
    /// An error pointing to the site's `static/` folder (`content/`).
    Refuse,
    /// Walked like any other name (`static/`, copied verbatim).
    Include,
}

/// Every file under `dir`, skipping junk (`is_junk_name`) before it is read, and hidden names as
/// `hidden` says. Symbolic links are followed while they resolve inside `root`; one that
/// resolves outside is an error naming the link and its target. A link loop or an unreadable
/// entry is a warning and the entry is skipped, so a walk always ends. File names that are not
/// UTF-8 or hold control characters are errors.
pub(crate) fn walk_files(
    root: &Path,
    dir: &Path,
    hidden: Hidden,
    diags: &mut Diagnostics,
) -> Vec<Found> {
    let mut found = Vec::new();
    let real_root = dunce::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let skipped =
        move |name: &str| is_junk_name(name) || (hidden == Hidden::Skip && is_ignored_name(name));
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            // A junk entry that cannot be followed (an Emacs lock file is a dangling symbolic
            // link) fails before the filter sees it: it is skipped without a word.
            Err(error)
                if error
                    .path()
                    .and_then(Path::file_name)
                    .is_some_and(|n| skipped(&n.to_string_lossy())) =>
            {
                continue
            }
            Err(error) => {
                diags.push(unreadable(root, &error));
                continue;
            }
        };
        if hidden == Hidden::Refuse
            && entry.depth() > 0
            && entry.file_name().to_string_lossy().starts_with('.')
        {
            diags.push(hidden_in_content(root, entry.path()));
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
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

/// Hidden files, and junk (`is_junk_name`): what the dev server does not watch.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_junk_name(name)
}

/// Files operating systems, editors and version control leave beside the site's files; they are
/// never read nor published, wherever they are (README "Ignored files"): `Thumbs.db`,
/// `ehthumbs.db`, `desktop.ini`, `.DS_Store`, `._*`, `*~`, `*.swp`, `*.swo`, `*.swx`, `.#*`,
/// `#*#`, `*.tmp`, `*.bak`, `4913`, `*.kate-swp`, `.goutputstream-*`, the owner files Word and
/// Excel keep beside an open document (`~$*`) and LibreOffice's lock files (`.~lock.*#`), and the
/// folders `.git`,
/// `.hg`, `.svn` and the editors' settings `.vscode`, `.idea`, `.obsidian`, `.trash` (an editor
/// opened on `content/` must not break the build).
pub(crate) fn is_junk_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "Thumbs.db",
        "ehthumbs.db",
        "desktop.ini",
        ".DS_Store",
        "4913",
        ".git",
        ".hg",
        ".svn",
        ".vscode",
        ".idea",
        ".obsidian",
        ".trash",
    ];
    const SUFFIXES: &[&str] = &["~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".kate-swp"];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || name.starts_with(".#")
        || name.starts_with("._")
        || name.starts_with(".goutputstream-")
        || name.starts_with("~$")
        || (name.starts_with(".~lock.") && name.ends_with('#'))
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

/// The error for a hidden file or folder under `content/`: those are published from `static/`.
fn hidden_in_content(root: &Path, path: &Path) -> Diagnostic {
    let rel = relative(root, path);
    let inner = rel.strip_prefix("content").unwrap_or(&rel);
    Diagnostic::error(format!(
        "hidden files under `content/` are not published: `{}`",
        display(&rel)
    ))
    .at(Span::file(&rel))
    .with_help(format!(
        "move it to `static/{}`, which is copied verbatim to the output root, dot files included",
        display(inner)
    ))
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
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
    let target = dunce::canonicalize(path).ok()?;
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

/// The `/`-separated relative path in Unicode NFC, or why the name cannot be published: it must
/// be UTF-8 and free of control characters, which could not be listed in `SHA256SUMS`. `what` is
/// `file` or `folder`. NFC because macOS may store `evaluación.pdf` decomposed (NFD) while links
/// and other systems write it composed: the site, its URLs and `SHA256SUMS` must not depend on
/// where a file was saved. `on_disk` finds the file again from this name.
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
    Ok(text.nfc().collect::<String>().replace('\\', "/"))
}

/// The file at the NFC relative path `rel` under `dir`, as it is named on disk: `rel` itself,
/// or its NFD form when only that exists (a name saved by macOS, read on Linux).
pub(crate) fn on_disk(dir: &Path, rel: &str) -> PathBuf {
    let path = dir.join(rel);
    if rel.is_ascii() || std::fs::symlink_metadata(&path).is_ok() {
        return path;
    }
    let decomposed = dir.join(rel.nfd().collect::<String>());
    if std::fs::symlink_metadata(&decomposed).is_ok() {
        decomposed
    } else {
        path
    }
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
