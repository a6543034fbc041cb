//! Writing the output folder safely: refuse dangerous targets (judged by their real location),
//! write into a staging folder, and swap it in only when the build succeeded (`staging`). A folder
//! that integridad did not create (no marker file) is never deleted.

mod in_place;
mod interrupt;
mod record;
mod removal;
mod reuse;
mod staging;
mod sys;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::bail;

use crate::config::Config;

pub use interrupt::exit_on_signals;
pub(crate) use record::{Record, RecordedPage};
pub(crate) use staging::{abandon, start_report_staging, start_staging, swap_in, StagingSink};

/// Marks a folder as written by integridad, so a later build may replace it.
pub(crate) const MARKER: &str = ".integridad-output";
const MARKER_TEXT: &[u8] =
    b"This folder is written by integridad build; it is replaced on every build.\n";
/// The marker's text in a folder `integridad report` wrote: a build never replaces a report,
/// nor a report a built site.
const REPORT_MARKER_TEXT: &[u8] =
    b"This folder is written by integridad report; it is replaced on every report.\n";

/// What a staging folder holds, which its marker says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Made {
    Site,
    Report,
}

impl Made {
    fn marker(self) -> &'static [u8] {
        match self {
            Made::Site => MARKER_TEXT,
            Made::Report => REPORT_MARKER_TEXT,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Made::Site => "integridad build",
            Made::Report => "integridad report",
        }
    }
}

/// Receives each output file as soon as it is rendered. Implementations must be thread-safe.
pub(crate) trait OutputSink: Sync {
    /// `path` is relative to the output root, `/`-separated.
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()>;

    /// Takes one page's files (output path, hash and size) unchanged from the published output
    /// instead of writing them, all or none; `false` when this sink cannot (it has no published
    /// output, or a file there is missing or differs), and the page is then rendered.
    fn reuse(&self, _files: &[(String, Sum)]) -> anyhow::Result<bool> {
        Ok(false)
    }
}

/// A file of the output as written: its SHA-256 and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sum {
    pub hash: [u8; 32],
    pub len: u64,
}

/// A file name with a content hash, so mirrors and browsers may cache it forever:
/// `css/style.css` → `css/style.1a2b3c4d.css`.
pub(crate) fn hashed_name(rel: &str, bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(bytes);
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    match rel.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') && !stem.is_empty() => {
            format!("{stem}.{hash}.{ext}")
        }
        _ => format!("{rel}.{hash}"),
    }
}

/// Refuses output folders whose replacement would destroy the site or more (SPEC "URLs and
/// output"). Judged by real locations: `out/link/x`, where `link` leads into `content/`, is
/// refused like `content/x`.
pub(crate) fn check_output_dir(config: &Config, output: &Path) -> anyhow::Result<()> {
    let given = normalize(output);
    let output = real_path(&given);
    let root = real_path(&config.root);
    let refuse = |what: &str| -> anyhow::Result<()> {
        let real = if output == given {
            String::new()
        } else {
            format!(" (really `{}`)", output.display())
        };
        bail!(
            "refusing to use `{}`{real} as the output folder: it is {what}",
            given.display()
        )
    };
    if output.parent().is_none() {
        return refuse("the file-system root");
    }
    if output == root {
        return refuse("the site root");
    }
    if root.starts_with(&output) {
        return refuse("a parent of the site root");
    }
    for (dir, name) in [
        (&config.content_dir, "`content/`"),
        (&config.theme_dir, "the theme folder"),
    ] {
        if output.starts_with(real_path(dir)) {
            return refuse(&format!("{name} or inside it"));
        }
    }
    if output.starts_with(real_path(&root.join("themes"))) {
        return refuse("`themes/` or inside it");
    }
    // Its files are published verbatim: an output there would be published by the next build.
    if output.starts_with(real_path(&root.join(crate::content::STATIC_DIR))) {
        return refuse("`static/` or inside it");
    }
    if output.starts_with(real_path(&root.join(".git"))) {
        return refuse("inside `.git/`");
    }
    // `HOME` on Unix (and in Git Bash or MSYS on Windows), `USERPROFILE` in Windows itself.
    for variable in ["HOME", "USERPROFILE"] {
        if let Some(home) = std::env::var_os(variable).filter(|h| !h.is_empty()) {
            if output == real_path(Path::new(&home)) {
                return refuse("the home folder");
            }
        }
    }
    Ok(())
}

/// Where `path` really is: its longest existing ancestor with every symlink resolved, then the
/// components that do not exist yet. `path` is made absolute and normalized first.
pub(crate) fn real_path(path: &Path) -> PathBuf {
    let path = normalize(path);
    for ancestor in path.ancestors() {
        if let Ok(real) = dunce::canonicalize(ancestor) {
            let rest = path.strip_prefix(ancestor).unwrap_or(Path::new(""));
            return if rest.as_os_str().is_empty() {
                real
            } else {
                real.join(rest)
            };
        }
    }
    path
}

/// Makes a path absolute and resolves `.` and `..` without touching the disk (the folder may not exist).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A sink that keeps nothing: `check` renders everything to find errors and writes nothing.
pub(crate) struct NullSink;

impl OutputSink for NullSink {
    fn write(&self, _path: &str, _bytes: &[u8]) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A sink that keeps every file in memory (the dev server's snapshot).
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_default()
    }
}

impl OutputSink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| anyhow::anyhow!("output writer poisoned"))?;
        files.insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}
