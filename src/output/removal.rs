//! Deleting a folder integridad wrote (an old output, a staging or trash folder), marker last,
//! so that a kill half-way leaves a folder still recognised as ours. Entries are removed by
//! several threads at once: where freeing a block waits for the disk (ext4 mounted with
//! `discard`, common on virtual machines, discards each freed block before `rmdir` returns),
//! one thread would wait for every removed folder in turn.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

use super::sys;
use super::MARKER;

/// Threads removing entries at once: enough to keep a disk's queue busy while each of them
/// waits, few enough to cost nothing on a small site (they only wait, they do not compute).
const THREADS: usize = 16;

/// One entry to remove, with its type as the folder listing gave it (never following a link).
struct Entry {
    path: PathBuf,
    is_dir: bool,
}

/// Deletes a folder integridad wrote: every entry but the marker (half of them, a pause point
/// for the kill test, the other half), then the marker, then the folder. An empty folder
/// (killed after its marker went, or before it was written) is removed too; anything else
/// without the marker is left alone, and a link in the folder's place is removed unfollowed.
pub(super) fn remove_leftover(dir: &Path) -> anyhow::Result<()> {
    let context = || format!("cannot remove `{}`", dir.display());
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        // A link where a leftover folder is named is removed itself, never followed: it
        // could lead to another output, whose files would be deleted. Any other file there is
        // not ours, and is left alone.
        Ok(meta) if meta.file_type().is_symlink() => {
            return ignore_missing(std::fs::remove_file(dir)).with_context(context)
        }
        Ok(meta) if !meta.is_dir() => return Ok(()),
        _ => {}
    }
    let marker = dir.join(MARKER);
    if !std::fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file()) {
        let empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
        if empty {
            ignore_missing(std::fs::remove_dir(dir)).with_context(context)?;
        }
        return Ok(());
    }
    let entries: Vec<Entry> = list(dir)
        .with_context(context)?
        .into_iter()
        .filter(|e| e.path.file_name() != Some(MARKER.as_ref()))
        .collect();
    let (first, second) = entries.split_at(entries.len().div_ceil(2));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .thread_name(|n| format!("remove-{n}"))
        .build();
    let remove_all = |half: &[Entry]| match &pool {
        Ok(pool) => pool.install(|| half.par_iter().try_for_each(remove_entry)),
        // No threads to be had: one at a time still removes everything.
        Err(_) => half.iter().try_for_each(remove_entry),
    };
    remove_all(first)?;
    if !first.is_empty() {
        sys::pause_at("cleanup");
    }
    remove_all(second)?;
    ignore_missing(std::fs::remove_file(&marker)).with_context(context)?;
    sys::pause_at("cleanup-unmarked");
    ignore_missing(std::fs::remove_dir(dir)).with_context(context)
}

/// The entries of `dir`; none when it is gone already.
fn list(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        found.push(Entry {
            is_dir: entry.file_type()?.is_dir(),
            path: entry.path(),
        });
    }
    Ok(found)
}

/// Removes a file, a link or a whole folder (its entries in parallel, then itself).
fn remove_entry(entry: &Entry) -> anyhow::Result<()> {
    let context = || format!("cannot remove `{}`", entry.path.display());
    if !entry.is_dir {
        return ignore_missing(std::fs::remove_file(&entry.path)).with_context(context);
    }
    list(&entry.path)
        .with_context(context)?
        .par_iter()
        .try_for_each(remove_entry)?;
    ignore_missing(std::fs::remove_dir(&entry.path)).with_context(context)
}

pub(super) fn ignore_missing(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
