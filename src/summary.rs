//! What `build` and `check` tell people: the `Report` of a run, its one summary line in plain
//! English (`check failed: 1 error, no warnings`), and notes. Printing is `command.rs`'s job.

use std::path::PathBuf;

use crate::diagnostics::{self, Diagnostics};
use crate::render::RenderStats;

/// How much `build` and `check` print besides errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Errors only, and the summary line only when the run failed.
    Quiet,
    /// Errors, warnings, one line per note, the summary line.
    #[default]
    Normal,
    /// Also what each note counts (the pages a translation is missing for).
    Verbose,
}

/// The result of `build` or `check`: diagnostics to print and, on success, the counts.
#[derive(Debug)]
pub struct Report {
    pub root: PathBuf,
    pub diagnostics: Diagnostics,
    pub stats: Option<RenderStats>,
    pub seconds: f64,
    /// Lines that tell how the build ran when it is not the usual way (e.g. a mount-point output).
    pub(crate) run_notes: Vec<String>,
    /// Pages without a version in some language, per language.
    pub(crate) missing_translations: Vec<crate::site::translations::Missing>,
}

impl Report {
    /// Lines about the site that are neither errors nor warnings: one per language that some
    /// pages lack, and with `Verbosity::Verbose` the pages themselves.
    pub fn notes(&self, verbosity: Verbosity) -> Vec<String> {
        if verbosity == Verbosity::Quiet {
            return Vec::new();
        }
        let mut lines: Vec<String> = self
            .run_notes
            .iter()
            .map(|n| format!("note: {n}"))
            .collect();
        if let Some(stats) = self.stats.filter(|s| s.reused > 0) {
            if verbosity == Verbosity::Verbose {
                lines.push(format!(
                    "note: {} unchanged since the last build taken from the published output without rendering",
                    plural(stats.reused, "page", "pages")
                ));
            }
        }
        for missing in &self.missing_translations {
            let n = missing.pages.len();
            let listed = match verbosity {
                Verbosity::Verbose => ":".to_string(),
                _ => format!(
                    "; `integridad check --verbose` lists {}",
                    if n == 1 { "it" } else { "them" }
                ),
            };
            lines.push(format!(
                "note: {} {} no {} (`{}`) version{listed}",
                plural(n, "page", "pages"),
                if n == 1 { "has" } else { "have" },
                missing.name,
                missing.lang
            ));
            if verbosity == Verbosity::Verbose {
                for (source, translation) in &missing.pages {
                    lines.push(format!(
                        "  {} → {}",
                        diagnostics::display_path(source),
                        diagnostics::display_path(translation)
                    ));
                }
            }
        }
        lines
    }

    pub fn failed(&self) -> bool {
        self.diagnostics.has_errors() || self.stats.is_none()
    }

    /// The one summary line that ends a build or check; `command` is `build` or `check`:
    /// `built 5 pages, 1 checklist, 2 languages, 31 files in 0.03 s (1 warning)` or
    /// `check failed: 1 error, no warnings in 0.01 s`.
    pub fn summary(&self, command: &str) -> String {
        let errors = self.diagnostics.error_count();
        let warnings = self.diagnostics.warning_count();
        match (&self.stats, self.failed()) {
            (Some(s), false) => {
                let done = if command == "check" {
                    "checked"
                } else {
                    "built"
                };
                format!(
                    "{done} {}, {}, {}, {} in {:.2} s ({})",
                    plural(s.pages, "page", "pages"),
                    plural(s.checklists, "checklist", "checklists"),
                    plural(s.languages, "language", "languages"),
                    plural(s.files, "file", "files"),
                    self.seconds,
                    plural(warnings, "warning", "warnings"),
                )
            }
            _ => format!(
                "{command} failed: {}, {} in {:.2} s",
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
                self.seconds
            ),
        }
    }
}

/// `no warnings`, `1 warning`, `2 warnings`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        _ => format!("{n} {many}"),
    }
}
