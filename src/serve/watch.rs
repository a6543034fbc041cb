//! Watching the site for `serve`: which paths matter (`classify`, `is_ignored`, pure), how a burst
//! of file-system events becomes one batch (`Debouncer`, pure), and the notify glue that feeds
//! them. Event kinds are never trusted (they differ by editor, OS and backend): any event on a
//! watched path counts as "this path changed". Nothing here builds or serves.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::RecursiveMode;

use crate::config::CONFIG_FILE;

/// How the disk is watched (`serve --poll` picks `Poll`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchMode {
    /// The operating system's file-system events (inotify, FSEvents, ReadDirectoryChanges).
    #[default]
    Events,
    /// Scanning the watched folders every `POLL_INTERVAL`: for network drives, WSL and containers,
    /// where events are not delivered.
    Poll,
}

/// How often `WatchMode::Poll` rescans.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(400);
/// A batch is built once no event arrived for this long: enough for the events of one editor
/// save (truncate and write, or write a temp file and rename it), which arrive within a few
/// milliseconds, without making a lone save wait. Events that arrive while a rebuild runs wait
/// in the channel and become the next batch once it ends, so a burst is never lost.
pub(crate) const QUIET: Duration = Duration::from_millis(15);
/// …or at the latest this long after its first event, so a steady stream of saves still rebuilds.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(1000);

/// What a changed path is to the site. Only `Style` allows a reload without reloading the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// `site.toml`.
    Config,
    /// Anything under `content/`, or the folder itself.
    Content,
    /// A stylesheet under `themes/`.
    Style,
    /// Anything else under `themes/`, or the folder itself.
    Theme,
    /// The watcher lost track (queue overflow, backend error): rebuild everything.
    Unknown,
}

/// Decides what a path (relative to the site root) means for the site; `None` for paths the site
/// does not read: ignored names, the output folder, and anything outside `content/`, `themes/`
/// and `site.toml`.
pub(crate) fn classify(rel: &Path, output: &Path) -> Option<Change> {
    if is_ignored(rel, output) {
        return None;
    }
    let mut parts = rel.components().filter_map(|c| match c {
        Component::Normal(name) => Some(name.to_string_lossy()),
        _ => None,
    });
    let first = parts.next()?;
    let has_more = rel.components().count() > 1;
    match first.as_ref() {
        CONFIG_FILE if !has_more => Some(Change::Config),
        "content" | "static" => Some(Change::Content),
        "themes" if rel.extension().is_some_and(|e| e == "css") => Some(Change::Style),
        "themes" => Some(Change::Theme),
        _ => None,
    }
}

/// Whether a path (relative to the site root) is noise: editor temp, swap and backup files
/// (`.x.swp`, `x~`, `4913`, `#x#`, `.#x`, JetBrains `___jb_tmp___`), hidden folders such as `.git`,
/// and the output folder (`output`, relative to the root), which `serve` never writes but a
/// parallel `build` may.
pub(crate) fn is_ignored(rel: &Path, output: &Path) -> bool {
    if !output.as_os_str().is_empty() && rel.starts_with(output) {
        return true;
    }
    // A hidden file under `content/` is an error and one under `static/` is published, so
    // only junk is noise there.
    let hidden_matters = rel.starts_with("content") || rel.starts_with(crate::content::STATIC_DIR);
    rel.components().any(|c| match c {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            (if hidden_matters {
                crate::content::is_junk_name(&name)
            } else {
                crate::content::is_ignored_name(&name)
            }) || name.ends_with("___jb_tmp___")
                || name.ends_with("___jb_old___")
        }
        Component::ParentDir | Component::RootDir | Component::Prefix(_) => true,
        Component::CurDir => false,
    })
}

/// The changes gathered for one rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Batch {
    /// Changed paths relative to the root, `/`-separated, sorted (for the terminal).
    pub paths: Vec<String>,
    /// Whether only stylesheets changed, so open tabs may swap styles instead of reloading.
    pub styles_only: bool,
    /// The watcher lost track: `paths` may not name every change.
    pub everything: bool,
}

/// Turns a burst of events into one batch: due `QUIET` after the last event, or `MAX_WAIT` after
/// the first. Pure: callers pass the clock in.
#[derive(Debug)]
pub(crate) struct Debouncer {
    quiet: Duration,
    max_wait: Duration,
    first: Option<Instant>,
    last: Option<Instant>,
    changes: BTreeSet<Change>,
    paths: BTreeSet<String>,
}

impl Debouncer {
    pub(crate) fn new(quiet: Duration, max_wait: Duration) -> Debouncer {
        Debouncer {
            quiet,
            max_wait,
            first: None,
            last: None,
            changes: BTreeSet::new(),
            paths: BTreeSet::new(),
        }
    }

    /// Records a change seen at `now`; `path` is only for display.
    pub(crate) fn add(&mut self, now: Instant, change: Change, path: Option<String>) {
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.changes.insert(change);
        self.paths.extend(path);
    }

    /// When the pending batch becomes due; `None` when nothing is pending.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        Some((self.last? + self.quiet).min(self.first? + self.max_wait))
    }

    /// Takes the pending batch if it is due at `now`.
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<Batch> {
        if self.deadline()? > now {
            return None;
        }
        let styles_only = self.changes.iter().all(|c| *c == Change::Style);
        let batch = Batch {
            paths: std::mem::take(&mut self.paths).into_iter().collect(),
            styles_only,
            everything: self.changes.contains(&Change::Unknown),
        };
        self.first = None;
        self.last = None;
        self.changes.clear();
        Some(batch)
    }
}

/// A running watcher of `content/`, `themes/` and the root folder (for `site.toml`, including
/// atomic saves that rename a temp file over it). Dropping it stops watching.
pub(crate) struct SiteWatcher {
    watcher: Box<dyn notify::Watcher + Send>,
    root: PathBuf,
    output: PathBuf,
    events: Receiver<notify::Result<notify::Event>>,
}

impl SiteWatcher {
    /// Starts watching `root`; `output` is the output folder relative to the root, to ignore.
    pub(crate) fn start(
        root: &Path,
        output: &Path,
        mode: WatchMode,
    ) -> anyhow::Result<SiteWatcher> {
        let (sender, events) = std::sync::mpsc::channel();
        let handler = move |event| {
            let _ = sender.send(event);
        };
        let watcher: Box<dyn notify::Watcher + Send> = match mode {
            WatchMode::Events => Box::new(
                notify::recommended_watcher(handler).context("cannot start watching files")?,
            ),
            WatchMode::Poll => {
                // notify's poller compares modification times in whole seconds, which misses a
                // second save within the same second; comparing contents too catches it. The
                // site's sources are small, so hashing them each round is cheap.
                let config = notify::Config::default()
                    .with_poll_interval(POLL_INTERVAL)
                    .with_compare_contents(true);
                Box::new(
                    notify::PollWatcher::new(handler, config)
                        .context("cannot start polling files")?,
                )
            }
        };
        let mut site = SiteWatcher {
            watcher,
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            events,
        };
        site.watcher
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", root.display()))?;
        for dir in ["content", "themes"] {
            site.rewatch(dir)?;
        }
        Ok(site)
    }

    /// (Re)starts the recursive watch of a top-level folder, after it was created or replaced.
    fn rewatch(&mut self, dir: &str) -> anyhow::Result<()> {
        let path = self.root.join(dir);
        let _ = self.watcher.unwatch(&path);
        if path.is_dir() {
            self.watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch `{}`", path.display()))?;
        }
        Ok(())
    }

    /// Blocks until the next batch of relevant changes is due; `None` once the watcher is gone.
    /// Events queued during the previous rebuild are taken at once and make one batch.
    pub(crate) fn next_batch(&mut self, debouncer: &mut Debouncer) -> Option<Batch> {
        loop {
            let received = match debouncer.deadline() {
                Some(deadline) => self
                    .events
                    .recv_timeout(deadline.saturating_duration_since(Instant::now())),
                None => self
                    .events
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(Ok(event)) => self.record(event, debouncer),
                Ok(Err(error)) => {
                    eprintln!("warning: the file watcher reported a problem ({error}); rebuilding everything");
                    debouncer.add(Instant::now(), Change::Unknown, None);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return None,
            }
            if let Some(batch) = debouncer.take_due(Instant::now()) {
                return Some(batch);
            }
        }
    }

    fn record(&mut self, event: notify::Event, debouncer: &mut Debouncer) {
        if is_read_only(&event.kind) {
            return;
        }
        let now = Instant::now();
        if event.paths.is_empty() || event.need_rescan() {
            debouncer.add(now, Change::Unknown, None);
        }
        for path in &event.paths {
            let rel = path.strip_prefix(&self.root).unwrap_or(path);
            let Some(change) = classify(rel, &self.output) else {
                continue;
            };
            if rel == Path::new("content") || rel == Path::new("themes") {
                if let Err(error) = self.rewatch(&rel.to_string_lossy()) {
                    eprintln!("warning: {error:#}");
                }
            }
            debouncer.add(now, change, Some(rel.to_string_lossy().replace('\\', "/")));
        }
    }
}

/// Opening or reading a file (which every build does) is the one kind of event that is surely not
/// a change; every other kind, including unknown ones, is treated as one.
fn is_read_only(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_table() {
        let output = Path::new("public");
        let cases: &[(&str, Option<Change>)] = &[
            ("site.toml", Some(Change::Config)),
            ("content", Some(Change::Content)),
            ("content/toolkit/01-a.md", Some(Change::Content)),
            ("content/toolkit/nuevo", Some(Change::Content)),
            ("content/checklists/obra.yaml", Some(Change::Content)),
            ("content/toolkit/mapa.png", Some(Change::Content)),
            ("themes/default/templates/page.html", Some(Change::Theme)),
            ("themes/default/i18n/es.toml", Some(Change::Theme)),
            ("themes/default/static/style.css", Some(Change::Style)),
            ("themes", Some(Change::Theme)),
            ("README.md", None),
            ("site.toml~", None),
            ("other/site.toml", None),
            ("public/index.html", None),
            ("target/debug/x", None),
            ("content/toolkit/.01-a.md.swp", None),
            ("content/toolkit/01-a.md~", None),
            ("content/toolkit/4913", None),
            ("content/.git/HEAD", None),
            ("themes/default/static/.#style.css", None),
            ("content/toolkit/01-a.md___jb_tmp___", None),
        ];
        for (path, expected) in cases {
            assert_eq!(classify(Path::new(path), output), *expected, "{path}");
        }
    }

    #[test]
    fn only_reads_are_not_changes() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RemoveKind, RenameMode,
        };
        let reads = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Any),
        ];
        for kind in reads {
            assert!(is_read_only(&kind), "{kind:?}");
        }
        let changes = [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Any),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Remove(RemoveKind::Folder),
            EventKind::Any,
            EventKind::Other,
        ];
        for kind in changes {
            assert!(!is_read_only(&kind), "{kind:?}");
        }
    }

    #[test]
    fn ignored_paths() {
        let output = Path::new("content/out");
        let ignored = [
            ".git/index",
            "content/.git/objects/ab",
            "content/a.md.swp",
            "content/.a.md.swx",
            "content/#a.md#",
            "content/.#a.md",
            "content/a.md~",
            "content/4913",
            "content/a.tmp",
            "content/.goutputstream-X1Y2Z3",
            "static/.DS_Store",
            "themes/default/.hidden",
            "content/out/index.html",
            "../outside.md",
            "/etc/passwd",
        ];
        for path in ignored {
            assert!(is_ignored(Path::new(path), output), "{path}");
        }
        for path in [
            "content/a.md",
            "content/.well-known/security.txt",
            "static/.htaccess",
            "content/outline.md",
            "themes/default/templates/base.html",
            "site.toml",
        ] {
            assert!(!is_ignored(Path::new(path), output), "{path}");
        }
    }

    #[test]
    fn a_burst_becomes_one_batch_after_the_quiet_time() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        let mut debouncer = Debouncer::new(ms(100), ms(1000));
        assert_eq!(debouncer.deadline(), None);
        assert_eq!(debouncer.take_due(start), None);
        debouncer.add(start, Change::Content, Some("content/b.md".into()));
        debouncer.add(start + ms(30), Change::Content, Some("content/a.md".into()));
        debouncer.add(start + ms(60), Change::Content, Some("content/a.md".into()));
        assert_eq!(debouncer.deadline(), Some(start + ms(160)));
        assert_eq!(debouncer.take_due(start + ms(159)), None);
        let batch = debouncer.take_due(start + ms(160)).expect("due");
        assert_eq!(batch.paths, ["content/a.md", "content/b.md"]);
        assert!(!batch.styles_only);
        assert_eq!(debouncer.deadline(), None);
        assert_eq!(debouncer.take_due(start + ms(5000)), None);
    }

    #[test]
    fn a_steady_stream_still_rebuilds_after_max_wait() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        let mut debouncer = Debouncer::new(ms(100), ms(1000));
        for i in 0..20 {
            debouncer.add(start + ms(i * 60), Change::Theme, None);
        }
        assert_eq!(debouncer.deadline(), Some(start + ms(1000)));
        assert!(debouncer.take_due(start + ms(1000)).is_some());
    }

    #[test]
    fn styles_only_when_every_change_is_a_stylesheet() {
        let now = Instant::now();
        let mut debouncer = Debouncer::new(Duration::ZERO, Duration::ZERO);
        debouncer.add(now, Change::Style, None);
        assert!(debouncer.take_due(now).expect("due").styles_only);
        debouncer.add(now, Change::Style, None);
        debouncer.add(now, Change::Content, None);
        assert!(!debouncer.take_due(now).expect("due").styles_only);
        debouncer.add(now, Change::Unknown, None);
        assert!(!debouncer.take_due(now).expect("due").styles_only);
    }
}
