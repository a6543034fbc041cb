//! The dev server's one shared state (`ServeState`, passed as `Arc`): the snapshot being served,
//! the status every open tab follows, and the rebuild-and-swap rule. A failed build never
//! replaces the snapshot; it only changes the status. Holds no sockets and writes no files.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics};

pub(crate) use crate::session::Built;
/// Built files keyed by `/`-separated path relative to the site root.
#[cfg(test)]
pub(crate) use crate::session::Files;

/// Brings the site in memory up to date after a change to the given paths (relative to the
/// root; `None`: anything may have changed): the files on success, the diagnostics either way.
pub(crate) type BuildFn =
    dyn FnMut(Option<&[String]>) -> anyhow::Result<(Option<Built>, Diagnostics)> + Send;

/// One complete, successful build. Generation 0 is the empty site before the first success.
#[derive(Default)]
pub(crate) struct Snapshot {
    pub generation: u64,
    pub files: Built,
}

/// What open tabs follow over the events endpoint; replaced, never mutated, after each build.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Status {
    /// Counts finished builds, good or failed; waiters compare against it.
    pub event: u64,
    /// `<instance>:<generation>` of the snapshot served now; pages carry the one they came from.
    pub build: String,
    pub generation: u64,
    /// A tab showing an older generation must reload; a newer one may swap only its stylesheets.
    pub full_since: u64,
    /// Errors of the last build; empty when it succeeded.
    pub errors: Vec<OverlayError>,
}

/// One error as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OverlayError {
    pub message: String,
    /// `file:line:col`, when the error has a position.
    pub location: Option<String>,
    /// The source line with a caret under the column, numbered as in the terminal.
    pub source: Option<String>,
    pub help: Option<String>,
}

/// How a rebuild ended, for the terminal.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Swapped in as `generation`.
    Built {
        generation: u64,
        files: usize,
        /// Pages rendered again (the others were unchanged).
        pages: usize,
        diagnostics: Diagnostics,
        took: Duration,
    },
    /// The previous snapshot is still served.
    Failed {
        diagnostics: Diagnostics,
        took: Duration,
    },
}

/// Result of waiting for the next status.
pub(crate) enum Wait {
    Changed(Arc<Status>),
    TimedOut,
    ShutDown,
}

struct Current {
    snapshot: Arc<Snapshot>,
    status: Arc<Status>,
    shutdown: bool,
}

/// The state shared by the request handlers, the event streams and the rebuild loop.
pub(crate) struct ServeState {
    /// Distinguishes this server process from a restarted one, so tabs reload after a restart.
    instance: String,
    /// Default language of the site, for pages the server makes itself.
    lang: String,
    /// Locked for a whole rebuild: rebuilds run one at a time.
    build: Mutex<Box<BuildFn>>,
    current: Mutex<Current>,
    changed: Condvar,
}

impl ServeState {
    pub(crate) fn new(lang: String, instance: String, build: Box<BuildFn>) -> ServeState {
        let status = Status {
            event: 0,
            build: format!("{instance}:0"),
            generation: 0,
            full_since: 0,
            errors: Vec::new(),
        };
        ServeState {
            instance,
            lang,
            build: Mutex::new(build),
            current: Mutex::new(Current {
                snapshot: Arc::default(),
                status: Arc::new(status),
                shutdown: false,
            }),
            changed: Condvar::new(),
        }
    }

    pub(crate) fn lang(&self) -> &str {
        &self.lang
    }

    /// The `build` value a page of `generation` carries.
    pub(crate) fn build_id(&self, generation: u64) -> String {
        format!("{}:{generation}", self.instance)
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.lock().snapshot)
    }

    pub(crate) fn status(&self) -> Arc<Status> {
        Arc::clone(&self.lock().status)
    }

    /// Builds the site and swaps it in on success; on failure keeps serving the last good
    /// snapshot and publishes the errors. Either way every waiting tab is woken.
    /// `changed`: the paths that changed (`None`: anything may have); `styles_only` says the
    /// change touched only stylesheets, so tabs may skip a full reload.
    pub(crate) fn rebuild(&self, changed: Option<&[String]>, styles_only: bool) -> Outcome {
        let started = Instant::now();
        let mut build = self.build.lock().unwrap_or_else(PoisonError::into_inner);
        // A bug in the pipeline must not end the rebuild loop: the editor would have to restart.
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (build)(changed)))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "the build crashed; this is a bug in integridad, please report it"
                ))
            });
        self.apply(result, styles_only, started.elapsed())
    }

    fn apply(
        &self,
        result: anyhow::Result<(Option<Built>, Diagnostics)>,
        styles_only: bool,
        took: Duration,
    ) -> Outcome {
        let (files, diagnostics) = match result {
            Ok(built) => built,
            Err(error) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.push(Diagnostic::error(format!("{error:#}")));
                (None, diagnostics)
            }
        };
        let mut current = self.lock();
        let previous = Arc::clone(&current.status);
        let outcome = match files {
            Some(files) if !diagnostics.has_errors() => {
                let generation = current.snapshot.generation + 1;
                let count = files.len();
                let pages = files.pages_rendered;
                current.snapshot = Arc::new(Snapshot { generation, files });
                let full_since = if styles_only && previous.generation > 0 {
                    previous.full_since
                } else {
                    generation
                };
                current.status = Arc::new(Status {
                    event: previous.event + 1,
                    build: self.build_id(generation),
                    generation,
                    full_since,
                    errors: Vec::new(),
                });
                Outcome::Built {
                    generation,
                    files: count,
                    pages,
                    diagnostics,
                    took,
                }
            }
            _ => {
                current.status = Arc::new(Status {
                    event: previous.event + 1,
                    errors: super::reload::overlay_errors(&diagnostics),
                    ..(*previous).clone()
                });
                Outcome::Failed { diagnostics, took }
            }
        };
        drop(current);
        self.changed.notify_all();
        outcome
    }

    /// Waits until a status newer than `after` exists, up to `timeout`.
    pub(crate) fn wait_for_status(&self, after: u64, timeout: Duration) -> Wait {
        let current = self.lock();
        let (current, _) = self
            .changed
            .wait_timeout_while(current, timeout, |c| c.status.event <= after && !c.shutdown)
            .unwrap_or_else(PoisonError::into_inner);
        if current.shutdown {
            Wait::ShutDown
        } else if current.status.event > after {
            Wait::Changed(Arc::clone(&current.status))
        } else {
            Wait::TimedOut
        }
    }

    /// Ends every event stream; the snapshot stays readable.
    pub(crate) fn shut_down(&self) {
        self.lock().shutdown = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    fn scripted(results: Vec<Result<Option<Files>, &'static str>>) -> ServeState {
        let results = Mutex::new(results.into_iter());
        let build = move |_: Option<&[String]>| -> anyhow::Result<(Option<Built>, Diagnostics)> {
            // Taken first, so the lock is released before a scripted panic.
            let next = results.lock().expect("test lock").next();
            match next.expect("a scripted result") {
                Ok(Some(files)) => Ok((
                    Some(Built {
                        files,
                        later: Vec::new(),
                        pages_rendered: 0,
                    }),
                    Diagnostics::new(),
                )),
                Ok(None) => {
                    let mut d = Diagnostics::new();
                    d.push(
                        Diagnostic::error("missing required key `title`").at(Span::new(
                            "content/a.md",
                            2,
                            1,
                        )),
                    );
                    Ok((None, d))
                }
                Err("panic") => panic!("a bug"),
                Err(message) => Err(anyhow::anyhow!(message)),
            }
        };
        ServeState::new("es".into(), "t".into(), Box::new(build))
    }

    fn files(text: &str) -> Option<Files> {
        Some(Files::from([(
            "index.html".to_string(),
            crate::session::Stored::new(text.as_bytes()),
        )]))
    }

    fn served(state: &ServeState) -> String {
        String::from_utf8_lossy(&state.snapshot().files.files["index.html"].bytes()).into_owned()
    }

    #[test]
    fn success_swaps_and_failure_keeps_the_last_good_snapshot() {
        let state = scripted(vec![
            Ok(files("uno")),
            Ok(None),
            Err("cannot read `themes/x`"),
            Ok(files("dos")),
        ]);
        assert!(matches!(
            state.rebuild(None, false),
            Outcome::Built {
                generation: 1,
                files: 1,
                ..
            }
        ));
        assert_eq!(served(&state), "uno");
        assert_eq!(
            (state.status().event, state.status().build.as_str()),
            (1, "t:1")
        );

        assert!(matches!(state.rebuild(None, false), Outcome::Failed { .. }));
        assert_eq!(served(&state), "uno");
        let status = state.status();
        assert_eq!((status.event, status.generation), (2, 1));
        assert_eq!(status.errors[0].message, "missing required key `title`");
        assert_eq!(
            status.errors[0].location.as_deref(),
            Some("content/a.md:2:1")
        );

        assert!(matches!(state.rebuild(None, false), Outcome::Failed { .. }));
        assert_eq!(state.status().errors[0].message, "cannot read `themes/x`");
        assert_eq!(state.status().errors[0].location, None);

        assert!(matches!(
            state.rebuild(None, false),
            Outcome::Built { generation: 2, .. }
        ));
        assert_eq!(served(&state), "dos");
        let status = state.status();
        assert_eq!(
            (status.event, status.generation, status.errors.len()),
            (4, 2, 0)
        );
    }

    #[test]
    fn a_crashing_build_is_reported_and_the_loop_goes_on() {
        let state = scripted(vec![Ok(files("uno")), Err("panic"), Ok(files("dos"))]);
        state.rebuild(None, false);
        assert!(matches!(state.rebuild(None, false), Outcome::Failed { .. }));
        assert!(state.status().errors[0]
            .message
            .contains("bug in integridad"));
        assert_eq!(served(&state), "uno");
        assert!(matches!(
            state.rebuild(None, false),
            Outcome::Built { generation: 2, .. }
        ));
    }

    #[test]
    fn a_failed_first_build_serves_nothing_yet() {
        let state = scripted(vec![Ok(None), Ok(files("uno"))]);
        assert!(matches!(state.rebuild(None, false), Outcome::Failed { .. }));
        assert_eq!(state.snapshot().generation, 0);
        assert!(state.snapshot().files.files.is_empty());
        assert_eq!(state.status().errors.len(), 1);
        assert!(matches!(
            state.rebuild(None, false),
            Outcome::Built { generation: 1, .. }
        ));
        assert!(state.status().errors.is_empty());
    }

    #[test]
    fn style_only_builds_keep_the_last_full_generation() {
        let state = scripted(vec![
            Ok(files("a")),
            Ok(files("b")),
            Ok(files("c")),
            Ok(files("d")),
        ]);
        state.rebuild(None, true);
        assert_eq!(
            state.status().full_since,
            1,
            "the first build is always full"
        );
        state.rebuild(None, true);
        assert_eq!(state.status().full_since, 1);
        state.rebuild(None, false);
        assert_eq!(state.status().full_since, 3);
        state.rebuild(None, true);
        assert_eq!(
            (state.status().generation, state.status().full_since),
            (4, 3)
        );
    }

    #[test]
    fn waiters_wake_on_each_build_and_on_shutdown() {
        let state = Arc::new(scripted(vec![Ok(files("a"))]));
        assert!(matches!(
            state.wait_for_status(0, Duration::ZERO),
            Wait::TimedOut
        ));
        let waiter = {
            let state = Arc::clone(&state);
            std::thread::spawn(
                move || match state.wait_for_status(0, Duration::from_secs(20)) {
                    Wait::Changed(status) => status.event,
                    _ => 0,
                },
            )
        };
        state.rebuild(None, false);
        assert_eq!(waiter.join().expect("waiter"), 1);
        assert!(matches!(
            state.wait_for_status(0, Duration::ZERO),
            Wait::Changed(_)
        ));
        state.shut_down();
        assert!(matches!(
            state.wait_for_status(1, Duration::from_secs(20)),
            Wait::ShutDown
        ));
    }
}
