//! `integridad init [DIR]`: writes a small working site (site.toml with every key explained, a
//! home page, one chapter, one checklist, each in both languages, and a `.gitignore`) that
//! builds with the built-in theme and passes `check` without warnings. Never writes into a
//! folder that holds anything.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The skeleton, as files under `src/init/site/`; `gitignore` is written as `.gitignore`.
static SKELETON: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/src/init/site");

/// Creates the site in `dir` (created when missing) and returns the files written, relative to
/// `dir`, in order. Errors: `dir` is a file or a folder that is not empty, or I/O.
pub(crate) fn init_site(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if dir.exists() {
        if !dir.is_dir() {
            anyhow::bail!("`{}` is a file, not a folder", dir.display());
        }
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entries.next().is_some() {
            anyhow::bail!(
                "`{}` is not empty; `init` creates a site only in a new or empty folder (nothing was written)",
                dir.display()
            );
        }
    }
    let mut files = Vec::new();
    collect(&SKELETON, &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let rel = if rel == Path::new("gitignore") {
            PathBuf::from(".gitignore")
        } else {
            rel
        };
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push(rel);
    }
    Ok(written)
}

fn collect(dir: &include_dir::Dir<'static>, files: &mut Vec<(PathBuf, &'static [u8])>) {
    for file in dir.files() {
        files.push((file.path().to_path_buf(), file.contents()));
    }
    for sub in dir.dirs() {
        collect(sub, files);
    }
}
