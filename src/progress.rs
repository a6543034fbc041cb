//! Progress of a long build on a terminal: after about a second, one line on stderr with the
//! phase, the files written so far and the time taken, cleared when the build ends. Nothing is
//! drawn when stderr is not a terminal, so logs and CI output stay as they were.

use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::OutputSink;

/// Whether a run may show progress (`build` and `check` from the command line, unless `--quiet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    #[default]
    Hidden,
    /// Shown when stderr is a terminal and the run takes longer than `DELAY`.
    OnTerminal,
}

/// How long a run stays silent before its progress line appears.
const DELAY: Duration = Duration::from_secs(1);

/// The progress line of one run; dropping it (or `finish`) clears it.
pub(crate) struct Line {
    bar: ProgressBar,
    /// Set when the run ended, so a late timer never draws a finished line.
    ended: Arc<Mutex<bool>>,
}

impl Line {
    /// Starts a line for `progress`: hidden, and drawn after `DELAY` only when stderr is a
    /// terminal (`INTEGRIDAD_PROGRESS_DELAY_MS` changes the delay).
    pub(crate) fn start(progress: Progress) -> Line {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message("reading and checking the site");
        let ended = Arc::new(Mutex::new(false));
        if progress == Progress::OnTerminal && std::io::stderr().is_terminal() {
            let delay = std::env::var("INTEGRIDAD_PROGRESS_DELAY_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(DELAY, Duration::from_millis);
            let (bar, ended) = (bar.clone(), Arc::clone(&ended));
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let ended = ended.lock().unwrap_or_else(|e| e.into_inner());
                if !*ended {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.tick();
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Line { bar, ended }
    }

    /// Names the phase the run is in.
    pub(crate) fn phase(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Clears the line; the summary line follows.
    pub(crate) fn finish(&self) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        *ended = true;
        self.bar.finish_and_clear();
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A sink that counts the files written into `inner` on the progress line.
pub(crate) struct Counting<'a> {
    pub inner: &'a dyn OutputSink,
    pub line: &'a Line,
}

impl OutputSink for Counting<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.inner.write(path, bytes)?;
        self.line.bar.inc(1);
        let written = self.line.bar.position();
        self.line
            .phase(&format!("writing pages and files: {written} written"));
        Ok(())
    }

    fn reuse(&self, files: &[(String, crate::output::Sum)]) -> anyhow::Result<bool> {
        let reused = self.inner.reuse(files)?;
        if reused {
            self.line.bar.inc(files.len() as u64);
        }
        Ok(reused)
    }
}
