//! Replacing an output folder that cannot be renamed (a mount point, e.g. a Docker volume, or on
//! Windows a folder another program has open): the site is staged inside it, then the old
//! entries move into a trash folder inside it and the new ones move in. A journal file inside it
//! names both folders and the phase, so the next build finishes a replacement that a kill
//! interrupted.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use super::removal::remove_leftover;
use super::staging::{list_leftovers, Leftover};
use super::sys;
use super::{MARKER, MARKER_TEXT};

/// Names inside the output that belong to the replacement, never to the site.
const RESERVED: &str = ".integridad-";
const JOURNAL: &str = ".integridad-swap";
const JOURNAL_NEXT: &str = ".integridad-swap-next";

/// Which entries are still to move: the old ones out, or (after that) the new ones in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    MoveOld,
    MoveNew,
}

/// The replacement in progress, as written in the journal.
struct Journal {
    staging: String,
    trash: String,
    phase: Phase,
}

/// The staging folder of this process inside `output`.
pub(super) fn staging_dir(output: &Path) -> PathBuf {
    output.join(format!("{RESERVED}new-{}", std::process::id()))
}

/// Replaces the entries of `output` by those of `staging` (a folder inside it).
pub(super) fn replace(output: &Path, staging: &Path) -> anyhow::Result<()> {
    let journal = begin(output, staging)?;
    finish(output, journal)
}

/// Moves the staging folder `beside` (a sibling of `output`) into `output` and replaces the
/// entries there, for an output that cannot be renamed because another program has it open.
/// When an old entry cannot be moved out either (a file in it is open), the entries already
/// moved go back and the output is left exactly as it was: never half of one site and half of
/// another. The error then names the entry.
pub(super) fn replace_from_beside(output: &Path, beside: &Path) -> anyhow::Result<()> {
    let staging = staging_dir(output);
    if staging.exists() {
        remove_leftover(&staging)?;
    }
    sys::rename(beside, &staging)
        .with_context(|| format!("cannot move the new site into `{}`", output.display()))?;
    let mut journal = begin(output, &staging)?;
    let trash = output.join(&journal.trash);
    let mut moved = Vec::new();
    let select = |name: &str| !name.starts_with(RESERVED);
    if let Err(error) = move_entries(output, &trash, select, "in-place-old", &mut moved) {
        let restored = moved
            .iter()
            .rev()
            .try_for_each(|name| sys::rename(&trash.join(name), &output.join(name)));
        if restored.is_err() {
            // The journal stays: the next build finishes the replacement.
            return Err(error.context(format!(
                "cannot replace `{}`; the next build completes the replacement",
                output.display()
            )));
        }
        let path = output.join(JOURNAL);
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove `{}`", path.display()))?;
        remove_leftover(&staging)?;
        remove_leftover(&trash)?;
        return Err(error.context(format!(
            "`{}` is in use by another program (a terminal or server whose folder is inside it, \
             or an open document), so the site was left as it was; close it and build again",
            output.display()
        )));
    }
    journal.phase = Phase::MoveNew;
    write_journal(output, &journal)?;
    finish(output, journal)
}

/// Prepares a replacement: the marker, an empty trash folder and the journal in its first phase.
fn begin(output: &Path, staging: &Path) -> anyhow::Result<Journal> {
    let marker = output.join(MARKER);
    if !marker.is_file() {
        std::fs::write(&marker, MARKER_TEXT)
            .with_context(|| format!("cannot write `{}`", marker.display()))?;
    }
    let trash = output.join(format!("{RESERVED}trash-{}", std::process::id()));
    if trash.exists() {
        remove_leftover(&trash)?;
    }
    std::fs::create_dir(&trash).with_context(|| format!("cannot create `{}`", trash.display()))?;
    std::fs::write(trash.join(MARKER), MARKER_TEXT)
        .with_context(|| format!("cannot write in `{}`", trash.display()))?;
    let journal = Journal {
        staging: file_name(staging),
        trash: file_name(&trash),
        phase: Phase::MoveOld,
    };
    write_journal(output, &journal)?;
    Ok(journal)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Carries a journaled replacement to its end; every step may be repeated after a kill.
fn finish(output: &Path, mut journal: Journal) -> anyhow::Result<()> {
    let staging = output.join(&journal.staging);
    let trash = output.join(&journal.trash);
    if journal.phase == Phase::MoveOld {
        move_entries(
            output,
            &trash,
            |name| !name.starts_with(RESERVED),
            "in-place-old",
            &mut Vec::new(),
        )?;
        journal.phase = Phase::MoveNew;
        write_journal(output, &journal)?;
    }
    if staging.is_dir() {
        move_entries(
            &staging,
            output,
            |name| name != MARKER,
            "in-place-new",
            &mut Vec::new(),
        )?;
    }
    let path = output.join(JOURNAL);
    std::fs::remove_file(&path).with_context(|| format!("cannot remove `{}`", path.display()))?;
    remove_leftover(&staging)?;
    remove_leftover(&trash)
}

/// Renames every entry of `from` whose name `select` accepts into `to`, adding each moved name
/// to `moved`.
fn move_entries(
    from: &Path,
    to: &Path,
    select: impl Fn(&str) -> bool,
    pause: &str,
    moved: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(from)
        .with_context(|| format!("cannot list `{}`", from.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| select(name))
        .collect();
    names.sort();
    for (n, name) in names.iter().enumerate() {
        sys::rename(&from.join(name), &to.join(name)).with_context(|| {
            format!(
                "cannot move `{}` into `{}`",
                from.join(name).display(),
                to.display()
            )
        })?;
        moved.push(name.clone());
        if n + 1 == names.len().div_ceil(2) {
            sys::pause_at(pause);
        }
    }
    Ok(())
}

fn write_journal(output: &Path, journal: &Journal) -> anyhow::Result<()> {
    let phase = match journal.phase {
        Phase::MoveOld => "move-old",
        Phase::MoveNew => "move-new",
    };
    let text = format!("{}\n{}\n{phase}\n", journal.staging, journal.trash);
    let next = output.join(JOURNAL_NEXT);
    std::fs::write(&next, text).with_context(|| format!("cannot write `{}`", next.display()))?;
    let path = output.join(JOURNAL);
    std::fs::rename(&next, &path).with_context(|| format!("cannot write `{}`", path.display()))
}

fn read_journal(path: &Path) -> anyhow::Result<Journal> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let valid = |name: &str| name.starts_with(RESERVED) && !name.contains(['/', '\\']);
    let phase = match lines.get(2) {
        Some(&"move-old") => Some(Phase::MoveOld),
        Some(&"move-new") => Some(Phase::MoveNew),
        _ => None,
    };
    match (lines.first(), lines.get(1), phase) {
        (Some(staging), Some(trash), Some(phase)) if valid(staging) && valid(trash) => {
            Ok(Journal {
                staging: staging.to_string(),
                trash: trash.to_string(),
                phase,
            })
        }
        _ => bail!(
            "`{}` is not a replacement journal written by integridad; remove it and rebuild",
            path.display()
        ),
    }
}

/// Finishes a replacement a kill interrupted, then removes the staging and trash folders left
/// inside `output`.
pub(super) fn recover(output: &Path) -> anyhow::Result<()> {
    let journal = output.join(JOURNAL);
    if journal.is_file() {
        finish(output, read_journal(&journal)?)?;
    }
    let next = output.join(JOURNAL_NEXT);
    if next.is_file() {
        std::fs::remove_file(&next)
            .with_context(|| format!("cannot remove `{}`", next.display()))?;
    }
    // The caller holds the build lock, so no live build is writing any of these.
    for (kind, path) in list_leftovers(output, RESERVED)? {
        if matches!(kind, Leftover::Staging | Leftover::Trash) {
            remove_leftover(&path)?;
        }
    }
    Ok(())
}
