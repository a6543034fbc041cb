//! Writing the output folder safely: refuse dangerous targets, write into a staging folder beside
//! the output, and swap it in only when the build succeeded. A folder that integridad did not
//! create (no marker file) is never deleted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::render::OutputSink;

/// Marks a folder as written by integridad, so a later build may replace it.
pub(crate) const MARKER: &str = ".integridad-output";
const MARKER_TEXT: &[u8] =
    b"This folder is written by integridad build; it is replaced on every build.\n";

/// Refuses output folders whose replacement would destroy the site or more (SPEC "URLs and output").
pub(crate) fn check_output_dir(config: &Config, output: &Path) -> anyhow::Result<()> {
    let output = normalize(output);
    let root = normalize(&config.root);
    let refuse = |what: &str| -> anyhow::Result<()> {
        bail!(
            "refusing to use `{}` as the output folder: it is {what}",
            output.display()
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
        let dir = normalize(dir);
        if output.starts_with(&dir) {
            return refuse(&format!("{name} or inside it"));
        }
    }
    if output.starts_with(normalize(&root.join("themes"))) {
        return refuse("`themes/` or inside it");
    }
    if output.starts_with(normalize(&root.join(".git"))) {
        return refuse("inside `.git/`");
    }
    if let Ok(home) = std::env::var("HOME") {
        if !home.is_empty() && output == normalize(Path::new(&home)) {
            return refuse("the home folder");
        }
    }
    Ok(())
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

/// Writes files under a staging folder and remembers each file's SHA-256 for `SHA256SUMS`.
pub(crate) struct StagingSink {
    dir: PathBuf,
    hashes: Mutex<BTreeMap<String, [u8; 32]>>,
}

impl StagingSink {
    pub fn hashes(&self) -> BTreeMap<String, [u8; 32]> {
        self.hashes.lock().map(|h| h.clone()).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl OutputSink for StagingSink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if path.split('/').any(|s| s == ".." || s.is_empty()) {
            bail!("refusing to write outside the output folder: `{path}`");
        }
        {
            let mut hashes = self
                .hashes
                .lock()
                .map_err(|_| anyhow::anyhow!("output writer poisoned"))?;
            if hashes
                .insert(path.to_string(), Sha256::digest(bytes).into())
                .is_some()
            {
                bail!("two outputs would be written to `{path}`; check aliases, slugs and colocated files");
            }
        }
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&target, bytes)
            .with_context(|| format!("cannot write `{}`", target.display()))
    }
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

fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.{suffix}"))
}

/// Prepares an empty staging folder beside `output`, after recovering from an interrupted swap.
pub(crate) fn start_staging(output: &Path) -> anyhow::Result<StagingSink> {
    let old = sibling(output, "integridad-old");
    if !output.exists() && old.join(MARKER).is_file() {
        std::fs::rename(&old, output)
            .with_context(|| format!("cannot restore `{}`", output.display()))?;
    }
    let dir = sibling(output, "integridad-new");
    if dir.exists() {
        remove_ours(&dir)?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    std::fs::write(dir.join(MARKER), MARKER_TEXT)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    Ok(StagingSink {
        dir,
        hashes: Mutex::new(BTreeMap::from([(
            MARKER.to_string(),
            Sha256::digest(MARKER_TEXT).into(),
        )])),
    })
}

/// Removes a folder only if integridad wrote it (it holds the marker file).
fn remove_ours(dir: &Path) -> anyhow::Result<()> {
    if !dir.join(MARKER).is_file() {
        bail!(
            "`{}` exists but was not written by integridad; move it away first",
            dir.display()
        );
    }
    std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove `{}`", dir.display()))
}

/// Discards a staging folder after a failed build.
pub(crate) fn abandon(staging: StagingSink) {
    let _ = remove_ours(&staging.dir);
}

/// Replaces `output` by the staging folder. An existing output is replaced only if it is empty
/// or carries the marker; otherwise nothing is touched and an error explains why.
pub(crate) fn swap_in(staging: StagingSink, output: &Path) -> anyhow::Result<()> {
    let old = sibling(output, "integridad-old");
    if output.exists() {
        let empty = std::fs::read_dir(output)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !output.join(MARKER).is_file() {
            abandon(staging);
            bail!(
                "`{}` exists and was not written by integridad; move it away or choose another --output",
                output.display()
            );
        }
        if old.exists() {
            remove_ours(&old)?;
        }
        if empty {
            std::fs::remove_dir(output)
                .with_context(|| format!("cannot replace `{}`", output.display()))?;
        } else {
            std::fs::rename(output, &old)
                .with_context(|| format!("cannot move `{}` aside", output.display()))?;
        }
    }
    std::fs::rename(&staging.dir, output)
        .with_context(|| format!("cannot move the new site into `{}`", output.display()))?;
    if old.exists() {
        remove_ours(&old)?;
    }
    Ok(())
}
