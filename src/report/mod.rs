//! `integridad report` (issue 16): a chamber's folder of exported self-assessments becomes a
//! static, bilingual report site with charts, tables and a CSV per table, showing only groups of
//! at least `--min-group` assessments. Reads the site (for its checklists and chapter URLs) and
//! the exports, then writes the report through a staging folder; it never changes the site.

mod aggregate;
mod chart;
mod csv;
mod load;
mod privacy;
mod render;
mod tables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::output::OutputSink as _;

/// How `integridad report` runs.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub root: Option<PathBuf>,
    /// Folders holding the exported files (searched recursively).
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    /// Groups smaller than this are shown as "not enough answers".
    pub min_group: usize,
}

/// How many files were read, used, duplicated (same export id as an earlier file) and rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FileCounts {
    pub read: usize,
    pub used: usize,
    pub duplicated: usize,
    pub rejected: usize,
}

/// What a report run produced. `warnings` name each skipped file and why; `written` is false
/// when no file was usable (nothing is written then) or the site itself has errors.
#[derive(Debug)]
pub struct ReportOutcome {
    pub root: PathBuf,
    pub diagnostics: Diagnostics,
    pub files: FileCounts,
    pub warnings: Vec<String>,
    pub written: bool,
    pub pages: usize,
    pub csv_files: usize,
}

/// Builds the report. Site errors are diagnostics (nothing written); a bad export is a warning
/// and is skipped; I/O problems and a refused output folder are errors.
pub fn report(options: &ReportOptions) -> anyhow::Result<ReportOutcome> {
    let root = crate::resolve_root(options.root.as_deref())?;
    let mut diagnostics = Diagnostics::new();
    let mut outcome = ReportOutcome {
        root: root.clone(),
        diagnostics: Diagnostics::new(),
        files: FileCounts::default(),
        warnings: Vec::new(),
        written: false,
        pages: 0,
        csv_files: 0,
    };
    let build = crate::BuildOptions::default();
    let Some(config) = crate::load_config(&root, &build, &mut diagnostics)? else {
        outcome.diagnostics = diagnostics;
        return Ok(outcome);
    };
    let output = crate::output::normalize(&options.output);
    crate::output::check_output_dir(&config, &output)?;
    for input in &options.inputs {
        let input = crate::output::normalize(input);
        if input.starts_with(&output) || output.starts_with(&input) {
            anyhow::bail!(
                "refusing to use `{}` as the output folder: it overlaps the input folder `{}`",
                output.display(),
                input.display()
            );
        }
    }
    let content = crate::content::load_content(&config, crate::Drafts::Exclude, &mut diagnostics)?;
    let site = crate::site::Site::new(&config, content, &mut diagnostics);
    let theme = crate::render::theme::load_theme(&config, &mut diagnostics)?;
    let (Some(theme), false) = (theme, diagnostics.has_errors()) else {
        outcome.diagnostics = diagnostics;
        return Ok(outcome);
    };
    outcome.diagnostics = diagnostics;

    let files = load::find_files(&options.inputs)?;
    let languages: Vec<&str> = config.languages.iter().map(|l| l.lang.as_str()).collect();
    let loaded = load::load_exports(&files, &site.checklists, &languages);
    for rejected in &loaded.rejected {
        outcome.warnings.push(format!(
            "skipped `{}`: it {}",
            rejected.file, rejected.reason
        ));
    }
    let mut first_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut unique = Vec::new();
    for assessment in &loaded.assessments {
        match first_of.get(assessment.export_id.as_str()) {
            Some(first) => outcome.warnings.push(format!(
                "counted once: `{}` has the same export id as `{first}`",
                assessment.file
            )),
            None => {
                first_of.insert(&assessment.export_id, &assessment.file);
                unique.push(assessment.clone());
            }
        }
    }
    outcome.files = FileCounts {
        read: loaded.files_read,
        used: unique.len(),
        duplicated: loaded.assessments.len() - unique.len(),
        rejected: loaded.rejected.len(),
    };
    if unique.is_empty() {
        return Ok(outcome);
    }
    let min_group = options.min_group.max(1);
    let aggregates = aggregate::aggregate(&site.checklists, &unique, min_group);
    let csv_files = csv::render_csv_files(&site.checklists, &aggregates);
    let csv_list: Vec<(String, &'static str)> = csv_files
        .iter()
        .map(|(name, key, _)| (name.clone(), *key))
        .collect();
    let renderer = render::Renderer {
        site: &site,
        theme: &theme,
        aggregates: &aggregates,
        files: outcome.files,
        min_group,
        csv: &csv_list,
    };
    let pages = renderer.render_pages()?;
    write_report(&output, &theme, &pages, &csv_files)?;
    outcome.written = true;
    outcome.pages = pages.len();
    outcome.csv_files = csv_files.len();
    Ok(outcome)
}

/// Writes pages, CSV files and the theme's static files into a staging folder beside `output`
/// and swaps it in (an existing `output` is replaced only if integridad wrote it).
fn write_report(
    output: &Path,
    theme: &crate::render::theme::Theme,
    pages: &[render::Page],
    csv_files: &[(String, &'static str, String)],
) -> anyhow::Result<()> {
    let staging = crate::output::start_report_staging(output)?;
    let written = (|| -> anyhow::Result<()> {
        for (path, html) in pages {
            staging.write(path, html.as_bytes())?;
        }
        for (name, _, text) in csv_files {
            staging.write(&format!("csv/{name}"), text.as_bytes())?;
        }
        for file in &theme.static_files {
            staging.write(&file.output, &file.bytes)?;
        }
        Ok(())
    })();
    if let Err(error) = written {
        crate::output::abandon(staging);
        return Err(error);
    }
    crate::output::swap_in(staging, output)
}
