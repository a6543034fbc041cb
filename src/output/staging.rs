//! The staging folder and the swap. A build writes into `.<out>.integridad-new-<pid>` beside the
//! output (marker first), swaps it in with one atomic exchange where the file system allows, and
//! keeps the old output beside the new one as the *spare* (`.<out>.integridad-spare`). The next
//! build recycles the spare as its staging folder: most of its files are hard links to the
//! published ones and stay where they are when they are still right, the others are replaced,
//! and what the new site does not have is swept away before the swap. So a rebuild after a small
//! edit neither creates nor deletes thousands of folders (which costs far more than writing on
//! file systems that discard freed blocks or keep recently freed inodes aside). A kill at any
//! step leaves the old or the new output at the output path, and the next build repairs and
//! removes whatever is left (`recover`).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};

use super::interrupt::{self, Gate};
use super::removal::{ignore_missing, remove_leftover};
use super::reuse::{open_plain, owned, same_identity, Expected, FileId, Previous};
use super::sys::{self, FileLock, Wait};
use super::{in_place, Made, MARKER};
use crate::output::{OutputSink, Sum};

/// Where the staging folder sits: beside the output (swapped in whole), or inside an output
/// that is a mount point (its entries replaced one by one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Beside,
    Inside,
}

/// Writes files under a staging folder and remembers each file's SHA-256 for `SHA256SUMS`. A
/// file equal to the published one is hard-linked from it instead (`reuse`); every other file is
/// created new, so no write ever goes through a link into the published output.
pub(crate) struct StagingSink {
    dir: PathBuf,
    made: Made,
    place: Place,
    hashes: Mutex<BTreeMap<String, Sum>>,
    /// The identity of each file right after it was written or linked (`FileId`), for the
    /// page record.
    ids: Mutex<BTreeMap<String, FileId>>,
    /// Folders of a recycled spare found to be plain folders (not links), so that nothing is
    /// written or linked through a link planted in it.
    checked: Mutex<HashSet<PathBuf>>,
    /// The files written that are not listed in `SHA256SUMS` (the list and its signature).
    unlisted: Mutex<BTreeSet<String>>,
    previous: Option<Previous>,
    /// Where the folder came from when it is a recycled spare (and goes back to after a failed
    /// build): it holds an older output, whose files are kept when they are the published file
    /// with the right bytes and replaced otherwise, and whose files the new site does not have
    /// are swept away before the swap.
    spare: Option<PathBuf>,
    gate: Arc<Gate>,
    /// The build lock beside the output, held until the folder is swapped in or abandoned, so
    /// that no other build takes it for a leftover.
    _lock: FileLock,
}

impl StagingSink {
    /// The hash of every file written so far (the marker is not among them).
    pub fn hashes(&self) -> BTreeMap<String, [u8; 32]> {
        self.sums().into_iter().map(|(p, s)| (p, s.hash)).collect()
    }

    /// The hash and size of every file written so far (the marker is not among them).
    pub fn sums(&self) -> BTreeMap<String, Sum> {
        self.hashes.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// The identity each file had right after it was written or linked, where it is known.
    pub fn ids(&self) -> BTreeMap<String, FileId> {
        self.ids.lock().map(|h| h.clone()).unwrap_or_default()
    }

    fn remember(&self, path: &str, id: Option<FileId>) {
        if let (Some(id), Ok(mut ids)) = (id, self.ids.lock()) {
            ids.insert(path.to_string(), id);
        }
    }

    /// Writes a file that is not listed in `SHA256SUMS` (the list itself, its signature) at the
    /// top of the staging folder, replacing any file of that name rather than writing into it.
    pub fn write_unlisted(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let target = self.dir.join(name);
        ignore_missing(std::fs::remove_file(&target))
            .with_context(|| format!("cannot replace `{}`", target.display()))?;
        if let Ok(mut unlisted) = self.unlisted.lock() {
            unlisted.insert(name.to_string());
        }
        create_new(&target, bytes).map(drop)
    }

    fn recycled(&self) -> bool {
        self.spare.is_some()
    }

    /// Puts the published file at `path` in place at `target` when it holds what `expected`
    /// says: a recycled folder's file that is that very file stays, else it is hard-linked.
    /// Anything else a recycled folder has at `target` is removed first, so that the caller can
    /// create the file new (`Placed::No`): nothing is ever written into an existing file, which
    /// may be a link to the published output.
    fn take_published(
        &self,
        path: &str,
        expected: Expected<'_>,
        target: &Path,
    ) -> anyhow::Result<Placed> {
        let published = self
            .previous
            .as_ref()
            .and_then(|previous| Some((previous, previous.matching(path, expected)?)));
        if self.recycled() {
            self.check_parents(target)?;
            if let Ok(meta) = std::fs::symlink_metadata(target) {
                let same =
                    |(_, found): &(&Previous, std::fs::Metadata)| same_identity(found, &meta);
                if meta.is_file() && published.as_ref().is_some_and(same) {
                    return Ok(Placed::Kept(FileId::of(&meta)));
                }
                clear(target, &meta)?;
            }
        }
        self.create_parents(target)?;
        let linked = published.is_some_and(|(previous, found)| previous.link(path, &found, target));
        if !linked {
            return Ok(Placed::No);
        }
        // Linking changed the file's change time: its identity is taken again.
        let id = std::fs::symlink_metadata(target)
            .ok()
            .and_then(|meta| FileId::of(&meta));
        Ok(Placed::Linked(id))
    }

    /// Makes sure no folder above `target` in a recycled folder is a link (or anything but a
    /// plain folder): such an entry, planted or left there, is removed without following it,
    /// and the caller then creates plain folders in its place.
    fn check_parents(&self, target: &Path) -> anyhow::Result<()> {
        let Some(inside) = target
            .parent()
            .and_then(|parent| parent.strip_prefix(&self.dir).ok())
        else {
            return Ok(());
        };
        let mut at = self.dir.clone();
        for component in inside.components() {
            at.push(component);
            if self.checked.lock().is_ok_and(|set| set.contains(&at)) {
                continue;
            }
            match std::fs::symlink_metadata(&at) {
                Ok(meta) if meta.is_dir() => {
                    if let Ok(mut set) = self.checked.lock() {
                        set.insert(at.clone());
                    }
                }
                Ok(meta) => return clear(&at, &meta),
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    /// Creates the folders above `target`; in a recycled folder, a file or link of the older
    /// output where a folder is now needed is removed first.
    fn create_parents(&self, target: &Path) -> anyhow::Result<()> {
        let Some(parent) = target.parent() else {
            return Ok(());
        };
        let context = || format!("cannot create `{}`", parent.display());
        match std::fs::create_dir_all(parent) {
            Ok(()) => Ok(()),
            Err(_) if self.recycled() => {
                let inside = parent.strip_prefix(&self.dir).with_context(context)?;
                let mut at = self.dir.clone();
                for component in inside.components() {
                    at.push(component);
                    if let Ok(meta) = std::fs::symlink_metadata(&at) {
                        if !meta.is_dir() {
                            clear(&at, &meta)?;
                        }
                    }
                }
                std::fs::create_dir_all(parent).with_context(context)
            }
            Err(error) => Err(error).with_context(context),
        }
    }

    /// Removes from a recycled folder every file the new site did not write and every folder
    /// left empty, so that it holds exactly the new site (and the marker).
    fn sweep(&self) -> anyhow::Result<()> {
        if !self.recycled() {
            return Ok(());
        }
        let written = self.sums();
        let unlisted = self.unlisted.lock().map(|u| u.clone()).unwrap_or_default();
        let keep = |rel: &str| rel == MARKER || written.contains_key(rel) || unlisted.contains(rel);
        sweep_folder(&self.dir, "", &keep)?;
        sys::pause_at("swept");
        Ok(())
    }

    /// One line for the build's output when the swap is not the usual one.
    pub fn note(&self, output: &Path) -> Option<String> {
        (self.place == Place::Inside).then(|| {
            format!(
                "`{}` is a mount point: its entries are replaced one by one, not swapped at once",
                output.display()
            )
        })
    }
}

impl OutputSink for StagingSink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        check_inside(path)?;
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        {
            let mut hashes = self
                .hashes
                .lock()
                .map_err(|_| anyhow::anyhow!("output writer poisoned"))?;
            let sum = Sum {
                hash,
                len: bytes.len() as u64,
            };
            if hashes.insert(path.to_string(), sum).is_some() {
                bail!("two outputs would be written to `{path}`; check aliases, slugs and colocated files");
            }
            if hashes.len() == 10 {
                sys::pause_at("write");
            }
        }
        let _open = self.gate.enter()?;
        let target = self.dir.join(path);
        let id = match self.take_published(path, Expected::Bytes(bytes, &hash), &target)? {
            Placed::Kept(id) | Placed::Linked(id) => id,
            Placed::No => create_new(&target, bytes)?,
        };
        self.remember(path, id);
        Ok(())
    }

    /// Links the published copies of one page's files into the staging folder, all or none:
    /// `false` when any of them is missing or differs, and then none of them is left linked.
    fn reuse(&self, files: &[(String, Sum)]) -> anyhow::Result<bool> {
        if self.previous.is_none() {
            return Ok(false);
        }
        let _open = self.gate.enter()?;
        let mut linked: Vec<PathBuf> = Vec::with_capacity(files.len());
        let mut ids = Vec::with_capacity(files.len());
        for (path, sum) in files {
            check_inside(path)?;
            let target = self.dir.join(path);
            match self.take_published(path, Expected::Sum(sum), &target)? {
                Placed::Kept(id) => ids.push((path, id)),
                Placed::Linked(id) => {
                    ids.push((path, id));
                    linked.push(target);
                }
                Placed::No => {
                    for done in linked {
                        std::fs::remove_file(&done)
                            .with_context(|| format!("cannot remove `{}`", done.display()))?;
                    }
                    return Ok(false);
                }
            }
        }
        let mut hashes = self
            .hashes
            .lock()
            .map_err(|_| anyhow::anyhow!("output writer poisoned"))?;
        for (path, sum) in files {
            if hashes.insert(path.clone(), *sum).is_some() {
                bail!("two outputs would be written to `{path}`; check aliases, slugs and colocated files");
            }
            if hashes.len() == 10 {
                sys::pause_at("write");
            }
        }
        drop(hashes);
        for (path, id) in ids {
            self.remember(path, id);
        }
        Ok(true)
    }
}

/// How `StagingSink::take_published` put a file in place, with the file's identity.
enum Placed {
    /// A recycled folder had the very file already.
    Kept(Option<FileId>),
    /// Hard-linked from the published output.
    Linked(Option<FileId>),
    /// Not: the caller writes it.
    No,
}

/// Removes a file, a link or a whole folder of a recycled staging folder (never following a
/// link).
fn clear(target: &Path, meta: &std::fs::Metadata) -> anyhow::Result<()> {
    let removed = if meta.is_dir() {
        std::fs::remove_dir_all(target)
    } else {
        std::fs::remove_file(target)
    };
    ignore_missing(removed).with_context(|| format!("cannot remove `{}`", target.display()))
}

/// `sweep` of the folder `dir` (`rel` inside the staging folder, `/`-separated): removes what
/// `keep` does not name, depth first, and returns whether `dir` is left empty. Folders are swept
/// in parallel.
fn sweep_folder(
    dir: &Path,
    rel: &str,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> anyhow::Result<bool> {
    use rayon::prelude::*;
    let context = || format!("cannot clean `{}`", dir.display());
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(context)? {
        let entry = entry.with_context(context)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().with_context(context)?.is_dir();
        entries.push((entry.path(), format!("{rel}{name}"), is_dir));
    }
    let kept: Vec<bool> = entries
        .par_iter()
        .map(|(path, rel, is_dir)| -> anyhow::Result<bool> {
            let remove_context = || format!("cannot remove `{}`", path.display());
            if *is_dir {
                let empty = sweep_folder(path, &format!("{rel}/"), keep)?;
                if empty {
                    ignore_missing(std::fs::remove_dir(path)).with_context(remove_context)?;
                }
                Ok(!empty)
            } else if keep(rel) {
                Ok(true)
            } else {
                ignore_missing(std::fs::remove_file(path)).with_context(remove_context)?;
                Ok(false)
            }
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(!kept.contains(&true))
}

/// Refuses an output path that could lead out of the staging folder.
fn check_inside(path: &str) -> anyhow::Result<()> {
    if path.split('/').any(|s| s == ".." || s.is_empty()) {
        bail!("refusing to write outside the output folder: `{path}`");
    }
    if let Some(problem) = crate::portable::path_problem(path) {
        bail!("refusing to write `{path}`: {problem}");
    }
    Ok(())
}

/// Writes a file that must not exist yet: never opens an existing file (which could be a link to
/// the published output) for writing. Returns its identity right after the write.
fn create_new(target: &Path, bytes: &[u8]) -> anyhow::Result<Option<FileId>> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            Ok(file.metadata().ok().and_then(|meta| FileId::of(&meta)))
        })
        .with_context(|| format!("cannot write `{}`", target.display()))
}

/// What a name beside the output (or inside a mount-point output) is, when integridad made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leftover {
    /// A staging folder, or an old output after an exchange: never needed again.
    Staging,
    /// A complete previous output moved aside by the two-rename swap: restored when the output
    /// is missing.
    Old,
    /// A folder being deleted.
    Trash,
    /// The output before the current one, kept for the next build to recycle.
    Spare,
}

/// Recognises `<prefix>new-<pid>`, `<prefix>old-<pid>`, `<prefix>trash-<pid>`, the spare
/// `<prefix>spare` and the fixed names `<prefix>new` / `<prefix>old` of earlier versions.
pub(super) fn classify(name: &str, prefix: &str) -> Option<Leftover> {
    let rest = name.strip_prefix(prefix)?;
    let (role, id) = rest.split_once('-').unwrap_or((rest, ""));
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match role {
        "new" => Some(Leftover::Staging),
        "old" => Some(Leftover::Old),
        "trash" if !id.is_empty() => Some(Leftover::Trash),
        "spare" if id.is_empty() => Some(Leftover::Spare),
        _ => None,
    }
}

pub(super) fn prefix_beside(output: &Path) -> String {
    let name = output
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.integridad-")
}

fn sibling(output: &Path, role: &str) -> PathBuf {
    output.with_file_name(format!(
        "{}{role}-{}",
        prefix_beside(output),
        std::process::id()
    ))
}

/// Names in `dir` that `classify` recognises with `prefix`, in name order.
pub(super) fn list_leftovers(dir: &Path, prefix: &str) -> anyhow::Result<Vec<(Leftover, PathBuf)>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
        if let Some(kind) = classify(&entry.file_name().to_string_lossy(), prefix) {
            found.push((kind, entry.path()));
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Repairs what a killed build left beside `output`: restores a previous output moved aside
/// when the output is missing, then removes every other leftover but the spare.
fn recover(output: &Path, parent: &Path) -> anyhow::Result<()> {
    let mut found = list_leftovers(parent, &prefix_beside(output))?;
    if !exists(output) {
        let restorable = found.iter().rposition(|(kind, path)| {
            *kind == Leftover::Old
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
                && path.join(MARKER).is_file()
        });
        if let Some(index) = restorable {
            let (_, old) = found.remove(index);
            sys::rename(&old, output)
                .with_context(|| format!("cannot restore `{}`", output.display()))?;
            sys::set_hidden(output, false);
        }
    }
    // The caller holds the build lock: none of these belongs to a live build.
    for (kind, path) in found {
        if kind != Leftover::Spare {
            remove_leftover(&path)?;
        }
    }
    Ok(())
}

/// An existing output may be replaced only if integridad wrote it (marker) or it is empty, and
/// only by what it holds: a site by a build, a report by a report.
fn check_ours(output: &Path, made: Made) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(output) else {
        return Ok(());
    };
    let empty = meta.is_dir() && std::fs::read_dir(output).is_ok_and(|mut d| d.next().is_none());
    if empty {
        return Ok(());
    }
    let marker = open_plain(&output.join(MARKER)).and_then(|(file, _)| {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, 4096), &mut text).ok()?;
        Some(text)
    });
    let Some(marker) = marker else {
        bail!(
            "`{}` exists and was not written by integridad; move it away or choose another --output",
            output.display()
        );
    };
    let other = [Made::Site, Made::Report]
        .into_iter()
        .find(|kind| *kind != made && marker == kind.marker());
    if let Some(other) = other {
        bail!(
            "`{}` was written by `{}`; refusing to replace it with the output of `{}` (choose another --output)",
            output.display(),
            other.command(),
            made.command()
        );
    }
    Ok(())
}

fn parent_of(output: &Path) -> anyhow::Result<&Path> {
    output
        .parent()
        .with_context(|| format!("`{}` has no parent folder", output.display()))
}

/// `.<out>.integridad-lock` beside the output: the lock every build of that output holds.
fn lock_path(output: &Path) -> PathBuf {
    output.with_file_name(format!("{}lock", prefix_beside(output)))
}

/// Takes the build lock of `output`, saying so on stderr when another build holds it and this
/// one waits for it to finish.
fn lock_output(output: &Path) -> anyhow::Result<FileLock> {
    let path = lock_path(output);
    let context = || format!("cannot lock `{}`", path.display());
    let lock = match sys::lock_file(&path, Wait::No).with_context(context)? {
        Some(lock) => lock,
        None => {
            eprintln!(
                "note: another build of `{}` is running; waiting for it to finish",
                output.display()
            );
            sys::lock_file(&path, Wait::Yes)
                .with_context(context)?
                .with_context(context)?
        }
    };
    sys::set_hidden(&path, true);
    Ok(lock)
}

/// Repairs what an interrupted build left, checks the output may be replaced, and creates an
/// empty staging folder holding only the marker (written first). With `record` (the page
/// record of the published output) files may be taken from the published output; without it
/// (a signed build) every file is written new.
pub(crate) fn start_staging(
    output: &Path,
    record: Option<&super::Record>,
) -> anyhow::Result<StagingSink> {
    start(output, Made::Site, record)
}

/// `start_staging` for `integridad report`, whose marker says it holds a report.
pub(crate) fn start_report_staging(output: &Path) -> anyhow::Result<StagingSink> {
    start(output, Made::Report, None)
}

fn start(output: &Path, made: Made, record: Option<&super::Record>) -> anyhow::Result<StagingSink> {
    let parent = parent_of(output)?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create `{}`", parent.display()))?;
    let lock = lock_output(output)?;
    recover(output, parent)?;
    let mount_point = exists(output) && sys::is_mount_point(output);
    if mount_point {
        in_place::recover(output)?;
    }
    check_ours(output, made)?;
    let (dir, place) = if mount_point {
        (in_place::staging_dir(output), Place::Inside)
    } else {
        (sibling(output, "new"), Place::Beside)
    };
    if exists(&dir) {
        remove_leftover(&dir)?;
    }
    let spare = spare_of(output);
    let recycled = place == Place::Beside
        && exists(output)
        && plain_spare(&spare, made)?
        && sys::rename(&spare, &dir).is_ok();
    let spare = recycled.then_some(spare);
    if !recycled {
        std::fs::create_dir(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        std::fs::write(dir.join(MARKER), made.marker())
            .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    }
    sys::pause_at("staging");
    let gate = interrupt::register(&dir);
    let previous = record.and_then(|record| Previous::find(output, &dir, record));
    Ok(StagingSink {
        made,
        place,
        hashes: Mutex::new(BTreeMap::new()),
        ids: Mutex::new(BTreeMap::new()),
        checked: Mutex::new(HashSet::new()),
        unlisted: Mutex::new(BTreeSet::new()),
        spare,
        previous,
        dir,
        gate,
        _lock: lock,
    })
}

/// Whether the spare beside the output may be recycled: a plain folder of the user's own whose
/// marker is a plain file with the marker's text. A link in its place is removed (never
/// followed); anything else that is not ours (a file, a folder of another user or without the
/// marker) is left alone, and not recycled.
fn plain_spare(spare: &Path, made: Made) -> anyhow::Result<bool> {
    let Ok(meta) = std::fs::symlink_metadata(spare) else {
        return Ok(false);
    };
    if meta.file_type().is_symlink() {
        std::fs::remove_file(spare)
            .with_context(|| format!("cannot remove `{}`", spare.display()))?;
        return Ok(false);
    }
    if !meta.is_dir() {
        return Ok(false);
    }
    if !owned(&meta) {
        return Ok(false);
    }
    let Some((file, marker)) = open_plain(&spare.join(MARKER)) else {
        return Ok(false);
    };
    let mut text = Vec::new();
    let limit = made.marker().len() as u64 + 1;
    let read = std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut text);
    Ok(owned(&marker) && read.is_ok() && text == made.marker())
}

/// Discards a staging folder after a failed build. A recycled one becomes the spare again
/// (whatever it holds, the next build keeps only files it checked), unless another build left a
/// spare meanwhile.
pub(crate) fn abandon(staging: StagingSink) {
    let _ = interrupt::settle(&staging.gate, || match &staging.spare {
        Some(spare) if !exists(spare) && sys::rename(&staging.dir, spare).is_ok() => Ok(()),
        _ => remove_leftover(&staging.dir),
    });
}

/// Replaces `output` by the staging folder and deletes the old output. An existing output is
/// replaced only if it is empty or carries the marker; otherwise nothing is touched and an
/// error explains why.
pub(crate) fn swap_in(staging: StagingSink, output: &Path) -> anyhow::Result<()> {
    sys::pause_at("swap");
    if staging.place == Place::Inside {
        // On failure the staging folder stays: once the journal exists, the next build must
        // finish the replacement with it; before that, it removes it as a leftover.
        return interrupt::settle(&staging.gate, || in_place::replace(output, &staging.dir));
    }
    if let Err(error) = staging.sweep() {
        abandon(staging);
        return Err(error);
    }
    if let Err(error) = check_ours(output, staging.made) {
        abandon(staging);
        return Err(error);
    }
    let swapped = interrupt::settle(&staging.gate, || rename_into_place(&staging.dir, output));
    match swapped {
        Ok(Some(old)) => {
            sys::pause_at("swapped");
            // The old output becomes the spare the next build recycles; an older spare left by
            // a concurrent build is deleted instead.
            let spare = spare_of(output);
            let kept =
                !sys::spare_disabled() && !exists(&spare) && sys::rename(&old, &spare).is_ok();
            sys::set_hidden(output, false);
            if kept {
                sys::set_hidden(&spare, true);
                Ok(())
            } else {
                remove_leftover(&old)
            }
        }
        Ok(None) => {
            sys::set_hidden(output, false);
            Ok(())
        }
        Err(error) => {
            abandon(staging);
            Err(error)
        }
    }
}

/// `.<out>.integridad-spare` beside the output.
fn spare_of(output: &Path) -> PathBuf {
    output.with_file_name(format!("{}spare", prefix_beside(output)))
}

/// Moves `staging` to `output`; returns where the previous output went, to be kept as the
/// spare or deleted. An output that another program holds open (Windows refuses to rename it)
/// is tried again for a few seconds, then its entries are replaced in place.
fn rename_into_place(staging: &Path, output: &Path) -> anyhow::Result<Option<PathBuf>> {
    let context = || format!("cannot move the new site into `{}`", output.display());
    if !exists(output) {
        sys::rename(staging, output).with_context(context)?;
        return Ok(None);
    }
    if !sys::exchange_disabled() {
        match sys::exchange(staging, output) {
            Ok(true) => return Ok(Some(staging.to_path_buf())),
            Ok(false) => {}
            Err(e) if sys::is_busy_or_cross_device(&e) => {
                return Err(e).with_context(|| {
                    format!("`{}` cannot be renamed (a mount point?)", output.display())
                })
            }
            Err(e) => return Err(e).with_context(context),
        }
    }
    // Two renames: a kill between them leaves no output, and the next build restores `old`.
    let old = sibling(output, "old");
    if let Err(error) = rename_patiently(output, &old) {
        if sys::is_in_use(&error) {
            in_place::replace_from_beside(output, staging)?;
            return Ok(None);
        }
        return Err(error).with_context(|| format!("cannot move `{}` aside", output.display()));
    }
    sys::pause_at("swap-between");
    if let Err(error) = rename_patiently(staging, output) {
        let _ = sys::rename(&old, output);
        return Err(error).with_context(context);
    }
    Ok(Some(old))
}

/// A rename that another program blocks is tried again until `sys::in_use_patience` has passed.
fn rename_patiently(from: &Path, to: &Path) -> std::io::Result<()> {
    let deadline = std::time::Instant::now() + sys::in_use_patience();
    loop {
        match sys::rename(from, to) {
            Err(error) if sys::is_in_use(&error) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_are_recognised_by_role() {
        let p = ".public.integridad-";
        for (name, kind) in [
            (".public.integridad-new-123", Some(Leftover::Staging)),
            (".public.integridad-new", Some(Leftover::Staging)),
            (".public.integridad-old-9", Some(Leftover::Old)),
            (".public.integridad-old", Some(Leftover::Old)),
            (".public.integridad-trash-9", Some(Leftover::Trash)),
            (".public.integridad-trash", None),
            (".public.integridad-spare", Some(Leftover::Spare)),
            (".public.integridad-spare-3", None),
            (".public.integridad-new-x", None),
            (".public.integridad-other-1", None),
            (".publico.integridad-new-1", None),
            ("public", None),
        ] {
            assert_eq!(classify(name, p), kind, "{name}");
        }
    }
}
