//! integridad: markdown chapters and YAML sector checklists become a bilingual static site.
//!
//! The pipeline runs one way: `config` (site.toml) → `content` (read files) → `site` (model with
//! URLs and links) → `render` (markdown, templates) → `output` (staging folder, swap) and
//! `integrity` (SHA256SUMS, signatures, `verify`); `bundle` packs the offline site as a ZIP.
//! `serve` runs the same pipeline into memory.

mod archive;
mod base_url;
mod bundle;
pub(crate) mod checklist;
pub mod cli;
pub mod command;
mod config;
mod content;
pub mod diagnostics;
#[doc(hidden)]
pub mod fuzzing;
mod init;
mod integrity;
pub mod lang;
mod markdown;
mod new;
mod output;
mod portable;
mod progress;
mod render;
mod report;
mod search;
pub mod serve;
mod session;
mod site;
mod summary;
mod url;
mod yaml;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use sha2::Digest as _;

pub use config::LinkStyle;
pub use content::Drafts;
use diagnostics::Diagnostics;
pub use integrity::{
    keygen, verify_dir, verify_url, KeyPair, Password, Problem, RemoteOptions, SignatureCheck,
    Trust, Verification,
};
pub use new::Scaffold;
pub use output::exit_on_signals;
pub use progress::Progress;
pub use render::RenderStats;
pub use report::{report, FileCounts, ReportOptions, ReportOutcome};
pub use session::Session;
pub(crate) use summary::plural;
pub use summary::{Report, Verbosity};

/// A whole built site in memory: output path → bytes.
pub type SiteFiles = std::collections::BTreeMap<String, Vec<u8>>;

/// How a build runs; never stored in the site's configuration.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub include_drafts: bool,
    pub offline: bool,
    /// Minisign secret key to sign `SHA256SUMS` with.
    pub sign: Option<PathBuf>,
    /// Also write the offline bundle (a ZIP of the `--offline` site) into the output.
    pub bundle: bool,
    /// A progress line on a terminal for a long run.
    pub progress: Progress,
}

/// Finds the site root: `--root` as given, else the nearest folder upward with `site.toml`.
pub fn resolve_root(root: Option<&Path>) -> anyhow::Result<PathBuf> {
    match root {
        Some(root) => {
            let root = output::normalize(root);
            if !root.join(config::CONFIG_FILE).is_file() {
                anyhow::bail!("`{}` has no site.toml", root.display());
            }
            Ok(root)
        }
        None => {
            let cwd = std::env::current_dir().context("cannot read the current folder")?;
            config::find_root(&cwd).ok_or_else(|| {
                anyhow::anyhow!(
                    "no site.toml found in `{}` or any folder above it; use --root DIR",
                    cwd.display()
                )
            })
        }
    }
}

fn load_config(
    root: &Path,
    options: &BuildOptions,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<config::Config>> {
    let Some(mut config) = config::load_config_into(root, diags)? else {
        return Ok(None);
    };
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url::parse_base_url(base_url)
            .map_err(|message| anyhow::anyhow!("--base-url: {message}"))?;
    }
    if options.offline {
        config.links = LinkStyle::Files;
    }
    if let Some(output) = &options.output {
        config.output_dir = output::normalize(output);
    }
    Ok(Some(config))
}

/// Loads, validates and renders the whole site into `sink`; `None` when content errors were found.
fn run_pipeline(
    config: &config::Config,
    drafts: Drafts,
    options: &render::RenderOptions,
    (sink, reuse): (&dyn output::OutputSink, Option<&render::Reuse<'_>>),
    diags: &mut Diagnostics,
) -> anyhow::Result<Pipeline> {
    let mut content = content::load_content(config, drafts, diags)?;
    content::home::add_missing_homes(config, &mut content);
    site::laws::add_law_pages(config, &mut content);
    let site = site::Site::new(config, content, diags);
    site::translations::check_stale_translations(&site, diags);
    let missing_translations = site::translations::missing_translations(&site);
    let theme = render::theme::load_theme(config, diags)?;
    // Markdown and links are checked even when loading found errors, so one run reports all.
    let rendered = render::render_markdown_all(&site, None, diags);
    render::check_outputs(&site, theme.as_ref(), diags);
    let (Some(theme), Some(rendered), false) = (theme, rendered, diags.has_errors()) else {
        return Ok(Pipeline {
            stats: None,
            missing_translations,
        });
    };
    let stats = render::render_site(
        &site,
        &theme,
        &rendered,
        options,
        render::Scope {
            reuse,
            ..render::Scope::ALL
        },
        sink,
        diags,
    )?;
    Ok(Pipeline {
        stats: (!diags.has_errors()).then_some(stats),
        missing_translations,
    })
}

/// What a pipeline run found besides diagnostics: the counts on success, and the pages that
/// lack a translation.
struct Pipeline {
    stats: Option<RenderStats>,
    missing_translations: Vec<site::translations::Missing>,
}

fn drafts_for(options: &BuildOptions, config: &config::Config) -> Drafts {
    if options.include_drafts || config.drafts {
        Drafts::Include
    } else {
        Drafts::Exclude
    }
}

/// `integridad build`: writes the site beside the old output and swaps it in only on success.
/// With `bundle`, the offline bundle is rendered first, so the pages can state its size and hash.
pub fn build(options: &BuildOptions) -> anyhow::Result<Report> {
    let started = Instant::now();
    let root = resolve_root(options.root.as_deref())?;
    let mut diags = Diagnostics::new();
    let mut stats = None;
    let mut notes = Vec::new();
    let mut missing_translations = Vec::new();
    if let Some(config) = load_config(&root, options, &mut diags)? {
        output::check_output_dir(&config, &config.output_dir)?;
        if options.base_url.is_none() && base_url::is_example(&config.base_url) {
            diags.push(example_base_url(&config));
        }
        // The key is opened first, so a wrong password fails before any work is done.
        let signer = options
            .sign
            .as_deref()
            .map(integrity::Signer::load)
            .transpose()?;
        let drafts = drafts_for(options, &config);
        let zip = if options.bundle {
            match render_bundle(&config, drafts, signer.as_ref())? {
                Ok(zip) => Some(zip),
                Err(errors) => {
                    diags.extend(errors);
                    return Ok(Report {
                        root,
                        diagnostics: diags,
                        stats: None,
                        seconds: started.elapsed().as_secs_f64(),
                        run_notes: notes,
                        missing_translations,
                    });
                }
            }
        } else {
            None
        };
        let render_options = render::RenderOptions {
            mode: render::Mode::Build,
            public_key: signer.as_ref().map(integrity::Signer::public_key),
            bundle: zip.as_ref().map(|zip| render::BundleInfo {
                file: bundle::BUNDLE_FILE.to_string(),
                bytes: zip.len() as u64,
                sha256: integrity::hex(&sha2::Sha256::digest(zip)),
            }),
        };
        // A signed build signs only bytes it rendered itself: it takes nothing from the
        // published output, whose files and record anyone who can write there could forge.
        let previous = match signer {
            Some(_) => output::Record::default(),
            None => output::Record::load(&config.output_dir),
        };
        let staging =
            output::start_staging(&config.output_dir, signer.is_none().then_some(&previous))?;
        notes.extend(staging.note(&config.output_dir));
        let line = progress::Line::start(options.progress);
        let sink = progress::Counting {
            inner: &staging,
            line: &line,
        };
        let reuse = render::Reuse {
            previous: &previous,
            made: std::sync::OnceLock::new(),
        };
        let result = run_pipeline(
            &config,
            drafts,
            &render_options,
            (&sink, Some(&reuse)),
            &mut diags,
        );
        line.phase("writing the checksums and swapping the output in");
        let result = result.map(|pipeline| {
            missing_translations = pipeline.missing_translations;
            pipeline.stats
        });
        match result {
            Ok(Some(mut s)) => {
                let finished =
                    finish_output(&staging, zip.as_deref(), &config, signer.as_ref(), &mut s);
                if let Err(error) = finished {
                    output::abandon(staging);
                    return Err(error);
                }
                s.files += 1; // the marker file
                let shown = diagnostics::display_path(
                    config
                        .output_dir
                        .strip_prefix(&root)
                        .unwrap_or(&config.output_dir),
                );
                let new_files = staging.hashes();
                let foreign =
                    integrity::check_foreign_files(&config.output_dir, &shown, &new_files);
                diags.extend_from(foreign);
                let record = output::Record::of_build(
                    reuse.made.get().map_or(&[], Vec::as_slice),
                    &staging.sums(),
                    &staging.ids(),
                );
                output::swap_in(staging, &config.output_dir)?;
                // Only a hint for the next build (see `output::Record`): losing it costs time.
                let _ = record.save(&config.output_dir);
                line.finish();
                stats = Some(s);
            }
            Ok(None) => output::abandon(staging),
            Err(error) => {
                output::abandon(staging);
                return Err(error);
            }
        }
    }
    Ok(Report {
        root,
        diagnostics: diags,
        stats,
        seconds: started.elapsed().as_secs_f64(),
        run_notes: notes,
        missing_translations,
    })
}

/// The warning for a build whose `base_url` is still a documentation example.
fn example_base_url(config: &config::Config) -> diagnostics::Diagnostic {
    diagnostics::Diagnostic::warning(format!(
        "`base_url` is still the example `{}`: canonical URLs, the sitemap and the feeds will point to it",
        config.base_url
    ))
    .at(config.base_url_span.clone())
    .with_help("set `base_url` in site.toml (or pass --base-url) to the address the site is published at")
}

/// Renders the `--offline` site into memory and packs it, with its own `SHA256SUMS` (and
/// signature), as the offline bundle. `Ok(Err(diagnostics))` when the content has errors.
fn render_bundle(
    config: &config::Config,
    drafts: Drafts,
    signer: Option<&integrity::Signer>,
) -> anyhow::Result<Result<Vec<u8>, Diagnostics>> {
    let mut offline = config.clone();
    offline.links = LinkStyle::Files;
    let sink = output::MemorySink::default();
    // Its warnings are the online build's too, which reports them; errors are reported here.
    let mut diags = Diagnostics::new();
    let options = render::RenderOptions {
        mode: render::Mode::Build,
        public_key: signer.map(integrity::Signer::public_key),
        bundle: None,
    };
    if run_pipeline(&offline, drafts, &options, (&sink, None), &mut diags)?
        .stats
        .is_none()
    {
        return Ok(Err(diags));
    }
    let mut files = sink.into_files();
    let sums = integrity::render_sums(&bundle::hashes(&files));
    if let Some(signer) = signer {
        let signature = signer.sign(sums.as_bytes())?;
        files.insert(
            integrity::SIGNATURE_FILE.to_string(),
            signature.into_bytes(),
        );
    }
    files.insert(integrity::SUMS_FILE.to_string(), sums.into_bytes());
    Ok(Ok(bundle::render_zip(&files)?))
}

/// Adds the offline bundle and `SHA256SUMS` (with its signature) to a successful build.
fn finish_output(
    staging: &output::StagingSink,
    zip: Option<&[u8]>,
    config: &config::Config,
    signer: Option<&integrity::Signer>,
    stats: &mut RenderStats,
) -> anyhow::Result<()> {
    use output::OutputSink as _;
    if let Some(zip) = zip {
        staging.write(bundle::BUNDLE_FILE, zip)?;
        stats.files += 1;
    }
    if config.checksums || signer.is_some() {
        write_sums(staging, signer, stats)?;
    }
    Ok(())
}

/// Writes `SHA256SUMS` (and its signature when a key is given) into the staging folder.
fn write_sums(
    staging: &output::StagingSink,
    signer: Option<&integrity::Signer>,
    stats: &mut RenderStats,
) -> anyhow::Result<()> {
    let sums = integrity::render_sums(&staging.hashes());
    staging.write_unlisted(integrity::SUMS_FILE, sums.as_bytes())?;
    stats.files += 1;
    if let Some(signer) = signer {
        let signature = signer.sign(sums.as_bytes())?;
        staging.write_unlisted(integrity::SIGNATURE_FILE, signature.as_bytes())?;
        stats.files += 1;
    }
    Ok(())
}

/// `integridad check`: every validation of `build` (with `--drafts`, of `serve`), writing
/// nothing. Only `root` and `include_drafts` of `options` are used.
pub fn check(options: &BuildOptions) -> anyhow::Result<Report> {
    let started = Instant::now();
    let root = resolve_root(options.root.as_deref())?;
    let mut diags = Diagnostics::new();
    let options = BuildOptions {
        include_drafts: options.include_drafts,
        progress: options.progress,
        ..BuildOptions::default()
    };
    let mut pipeline = Pipeline {
        stats: None,
        missing_translations: Vec::new(),
    };
    let line = progress::Line::start(options.progress);
    if let Some(config) = load_config(&root, &options, &mut diags)? {
        pipeline = run_pipeline(
            &config,
            drafts_for(&options, &config),
            &render::RenderOptions {
                mode: render::Mode::Build,
                public_key: None,
                bundle: None,
            },
            (
                &progress::Counting {
                    inner: &output::NullSink,
                    line: &line,
                },
                None,
            ),
            &mut diags,
        )?;
    }
    Ok(Report {
        root,
        diagnostics: diags,
        stats: pipeline.stats,
        seconds: started.elapsed().as_secs_f64(),
        run_notes: Vec::new(),
        missing_translations: pipeline.missing_translations,
    })
}

/// Builds the site into memory for the dev server: drafts included, live-reload script on.
/// Returns the files (on success) and the diagnostics.
pub fn build_in_memory(root: &Path) -> anyhow::Result<(Option<SiteFiles>, Diagnostics)> {
    let mut diags = Diagnostics::new();
    let options = BuildOptions::default();
    let Some(config) = load_config(root, &options, &mut diags)? else {
        return Ok((None, diags));
    };
    let sink = output::MemorySink::default();
    let stats = run_pipeline(
        &config,
        Drafts::Include,
        &render::RenderOptions {
            mode: render::Mode::Serve,
            public_key: None,
            bundle: None,
        },
        (&sink, None),
        &mut diags,
    )?;
    Ok((stats.stats.map(|_| sink.into_files()), diags))
}

/// `integridad serve`: builds into memory and serves with live reload until Ctrl-C (SPEC
/// "Command line"). Errors are environment failures: no site root, no free port, no watcher.
pub fn serve(options: &serve::ServeOptions) -> anyhow::Result<()> {
    let root = resolve_root(options.root.as_deref())?;
    let mut session = Session::new(&root);
    serve::run(
        options,
        &root,
        Box::new(move |changed| session.rebuild(changed)),
    )
}

/// `integridad new`: writes a chapter, translation or checklist scaffold and returns its path;
/// never overwrites.
pub fn new_file(root: Option<&Path>, scaffold: &Scaffold, name: &str) -> anyhow::Result<PathBuf> {
    new::new_file(&resolve_root(root)?, scaffold, name)
}

/// `integridad init`: writes a new site into `dir` (new or empty) and returns the files written,
/// relative to `dir`.
pub fn init(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    init::init_site(dir)
}
