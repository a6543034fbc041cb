//! Site + Theme → files. Markdown of every page is rendered first (in parallel) so that every
//! link fragment can be checked against its target's anchors; then each output file is rendered
//! and handed to the `OutputSink` at once, so memory does not grow with the size of the output.

mod aliases;
pub(crate) mod analysis;
mod checklist_data;
pub(crate) mod checklists;
pub(crate) mod context;
#[cfg(test)]
mod context_snapshots;
pub(crate) mod downloads;
mod feed;
pub(crate) mod handbook;
pub(crate) mod keys;
mod pages;
mod plan;
mod sitemap;
pub(crate) mod theme;
pub(crate) mod views;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{render_markdown, MdOptions, MdSource, RenderedMarkdown};
use crate::site::links::{FragmentCheck, Resolver};
use crate::site::{Site, Target};
use analysis::{Facts, LinkFacts};
pub(crate) use plan::check_outputs;
use theme::Theme;

pub(crate) use crate::output::OutputSink;

/// How the rendered site is going to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Published output.
    Build,
    /// Dev server: pages get the live-reload script.
    Serve,
}

/// How to render, beyond the site itself.
#[derive(Debug, Clone)]
pub(crate) struct RenderOptions {
    pub mode: Mode,
    /// Minisign public key (`RW…`) of a signed build, shown on the about/verify page.
    pub public_key: Option<String>,
    /// The offline bundle written beside the site (`build --bundle`), offered for download.
    pub bundle: Option<BundleInfo>,
}

/// The offline bundle as the pages describe it: its output path, size and SHA-256.
#[derive(Debug, Clone)]
pub(crate) struct BundleInfo {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderStats {
    pub pages: usize,
    pub checklists: usize,
    pub languages: usize,
    pub files: usize,
    /// Pages taken unchanged from the published output instead of rendered.
    pub reused: usize,
}

/// The markdown facts of every page (parallel to `Site::pages`), how each page's links resolved,
/// and the rendered checklist texts.
pub(crate) struct Rendered {
    pub pages: Vec<Arc<Facts>>,
    pub links: Vec<Arc<LinkFacts>>,
    pub checklists: checklists::RenderedChecklists,
}

impl Rendered {
    /// The facts' markdown of page `i`: TOC, anchors, search text (no HTML).
    pub fn md(&self, i: usize) -> &RenderedMarkdown {
        &self.pages[i].md
    }

    /// The facts' markdown of every page, parallel to `Site::pages`.
    pub fn markdown(&self) -> Vec<&RenderedMarkdown> {
        self.pages.iter().map(|f| &f.md).collect()
    }
}

/// Analyses every page's markdown (from `cache` where the text is unchanged), resolves and
/// checks every link; returns `None` when any error was found.
pub(crate) fn render_markdown_all(
    site: &Site,
    cache: Option<&mut analysis::FactsCache>,
    diags: &mut Diagnostics,
) -> Option<Rendered> {
    let (pages, links) = match cache {
        Some(cache) => {
            let pages = cache.facts_of(site);
            let links = cache.links_of(site, &pages);
            (pages, links)
        }
        None => {
            let pages = analysis::facts_of_all(site);
            let links = analysis::resolve_all(site, &pages);
            (pages, links)
        }
    };
    for (facts, resolved) in pages.iter().zip(&links) {
        analysis::page_diagnostics(facts, resolved, diags);
    }
    let mut checklist_fragments = Vec::new();
    let checklists = checklists::render_texts(site, diags, &mut checklist_fragments);
    let fragments = links
        .iter()
        .flat_map(|l| l.fragments.iter())
        .chain(&checklist_fragments);
    check_fragments(site, &pages, fragments, diags);
    (!diags.has_errors()).then_some(Rendered {
        pages,
        links,
        checklists,
    })
}

/// Renders one page's markdown to HTML with its links resolved. Its problems were reported by
/// the analysis (`render_markdown_all`); this pass only writes.
pub(crate) fn render_page_markdown(site: &Site, i: usize) -> RenderedMarkdown {
    let page = &site.pages[i];
    let options = md_options(site, &page.lang);
    let resolver = Resolver::for_page(site, i);
    render_markdown(
        &page_source(page),
        &options,
        &resolver,
        &mut Diagnostics::new(),
    )
}

/// A page's body as the markdown renderer reads it.
pub(crate) fn page_source(page: &crate::content::page::Page) -> MdSource<'_> {
    MdSource {
        text: &page.body,
        file: &page.file,
        first_line: page.body_line,
    }
}

pub(crate) fn md_options(site: &Site, lang: &crate::lang::Lang) -> MdOptions {
    MdOptions {
        unsafe_html: site.config.unsafe_html,
        smart_punctuation: site.config.smart_punctuation,
        lang: lang.clone(),
    }
}

fn check_fragments<'c>(
    site: &Site,
    pages: &[Arc<Facts>],
    checks: impl Iterator<Item = &'c FragmentCheck>,
    diags: &mut Diagnostics,
) {
    for check in checks {
        let (found, file) = match check.target {
            Target::Page(i) => (
                pages[i].md.anchors.contains(&check.fragment),
                &site.pages[i].file,
            ),
            Target::Checklist(c, _) => (
                checklists::anchors(&site.checklists[c]).contains(&check.fragment),
                &site.checklists[c].file,
            ),
        };
        if !found {
            diags.push(
                Diagnostic::error(format!(
                    "link `{}`: fragment `#{}` not found in `{}`",
                    check.dest,
                    check.fragment,
                    crate::diagnostics::display_path(file)
                ))
                .at(check.span.clone())
                .with_help(suggest(
                    &check.fragment,
                    match check.target {
                        Target::Page(i) => pages[i].md.anchors.clone(),
                        Target::Checklist(c, _) => checklists::anchors(&site.checklists[c]),
                    },
                )),
            );
        }
    }
}

/// Help for a missing fragment: the target's ids closest to it by edit distance (up to 3, the
/// closest first), or how ids are made when none is close.
fn suggest(fragment: &str, anchors: BTreeSet<String>) -> String {
    let mut ranked: Vec<(usize, &String)> = anchors
        .iter()
        .map(|a| (strsim::levenshtein(fragment, a), a))
        .filter(|(distance, a)| {
            let longest = fragment.chars().count().max(a.chars().count());
            *distance * 2 <= longest || a.contains(fragment) || fragment.contains(a.as_str())
        })
        .collect();
    ranked.sort();
    let close: Vec<String> = ranked
        .iter()
        .take(3)
        .map(|(_, a)| format!("`#{a}`"))
        .collect();
    match close.as_slice() {
        [] => "link to a heading id of the target (headings get ids like `que-es-un-conflicto-de-interes`)".to_string(),
        [one] => format!("did you mean {one}?"),
        [first @ .., last] => format!("did you mean {} or {last}?", first.join(", ")),
    }
}

/// Which pages `render_site` writes (with their downloads); every other output is always written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pages<'a> {
    All,
    /// Parallel to `Site::pages`: the dev server's pages whose inputs changed.
    Only(&'a [bool]),
}

impl Pages<'_> {
    pub fn includes(&self, i: usize) -> bool {
        match self {
            Pages::All => true,
            Pages::Only(selected) => selected.get(i).copied().unwrap_or(true),
        }
    }
}

/// What `render_site` writes: `Scope::ALL` for a build; the dev server writes only the pages
/// whose inputs changed, and makes the search index when it is first asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub pages: Pages<'a>,
    /// Whether the search index is written (else only its manifest names are used: the
    /// `search::Naming::Fixed` names, the caller writes it).
    pub search_index: bool,
    /// Whether the printable handbooks are written (else the caller writes them).
    pub handbooks: bool,
    /// `build`'s record of the published output: a page whose render key is the recorded one
    /// is taken from there (`OutputSink::reuse`) instead of rendered.
    pub reuse: Option<&'a Reuse<'a>>,
}

impl Scope<'_> {
    pub const ALL: Scope<'static> = Scope {
        pages: Pages::All,
        search_index: true,
        handbooks: true,
        reuse: None,
    };
}

/// Pages `build` may take from the published output, and what the next build needs to do the
/// same with this one's output.
#[derive(Debug)]
pub(crate) struct Reuse<'a> {
    /// What each published page was made from.
    pub previous: &'a crate::output::Record,
    /// Set by `render_site`: every page's key and files, for the record of this build's output
    /// (empty when the program cannot tell its own identity, see `keys::build_keys`).
    pub made: std::sync::OnceLock<Vec<PageFiles>>,
}

/// A page's render key and its output files (its HTML first, then its downloads).
#[derive(Debug, Clone)]
pub(crate) struct PageFiles {
    pub key: u64,
    pub files: Vec<String>,
}

/// The printable handbooks alone, as the dev server makes them when first asked for (so with
/// the dev server's fixed search index names); returns their output paths.
pub(crate) fn render_handbooks_later(
    site: &Site,
    theme: &Theme,
    rendered: &Rendered,
    sink: &dyn OutputSink,
    diags: &mut Diagnostics,
) -> anyhow::Result<()> {
    let options = RenderOptions {
        mode: Mode::Serve,
        public_key: None,
        bundle: None,
    };
    let renderer = pages::Renderer {
        search_indexes: crate::search::fixed_names(site),
        site,
        theme,
        rendered,
        options: &options,
        sink,
        downloads: Vec::new(),
        pages: Pages::All,
        shared: Default::default(),
    };
    renderer.render_handbooks(diags)?;
    Ok(())
}

/// Output paths of the printable handbooks of every language.
pub(crate) fn handbook_outputs(site: &Site, theme: &Theme) -> Vec<String> {
    site.config
        .languages
        .iter()
        .filter_map(|l| handbook::handbook_url(site, theme, &l.lang))
        .map(|url| url.output_file())
        .collect()
}

/// Renders the output files of the site within `scope` into `sink`.
pub(crate) fn render_site(
    site: &Site,
    theme: &Theme,
    rendered: &Rendered,
    options: &RenderOptions,
    scope: Scope<'_>,
    sink: &dyn OutputSink,
    diags: &mut Diagnostics,
) -> anyhow::Result<RenderStats> {
    let search_indexes = if scope.search_index {
        crate::search::write_search_indexes(
            site,
            &rendered.markdown(),
            match options.mode {
                Mode::Build => crate::search::Naming::Hashed,
                Mode::Serve => crate::search::Naming::Fixed,
            },
            sink,
        )?
    } else {
        crate::search::fixed_names(site)
    };
    let mut files = 0;
    let mut reused = 0;
    let unchanged = match scope.reuse {
        Some(reuse) => {
            let inputs = (site, theme, rendered, options);
            let (unchanged, taken) =
                take_unchanged(inputs, &search_indexes, scope.pages, reuse, sink)?;
            reused = unchanged.iter().filter(|&&u| u).count();
            files += taken;
            unchanged
        }
        None => Vec::new(),
    };
    let selection: Vec<bool>;
    let pages = if unchanged.contains(&true) {
        selection = (0..site.pages.len())
            .map(|i| scope.pages.includes(i) && !unchanged[i])
            .collect();
        Pages::Only(&selection)
    } else {
        scope.pages
    };
    let (downloads, written) = downloads::render_downloads(site, pages, sink, diags)?;
    files += written;
    let selected = pages;
    let renderer = pages::Renderer {
        search_indexes,
        site,
        theme,
        rendered,
        options,
        sink,
        downloads,
        pages: selected,
        shared: Default::default(),
    };
    files += site.config.languages.len();
    files += renderer.render_pages(diags)?;
    files += renderer.render_checklists(diags)?;
    files += renderer.render_specials(diags)?;
    if scope.handbooks {
        files += renderer.render_handbooks(diags)?;
    }
    for file in &theme.static_files {
        sink.write(&file.output, &file.bytes)?;
        files += 1;
    }
    let copies = site
        .statics
        .iter()
        .map(|file| (file, crate::content::STATIC_DIR))
        .chain(site.assets.iter().map(|asset| (asset, "content")));
    for (file, dir) in copies {
        match std::fs::read(&file.abs) {
            Ok(bytes) => {
                sink.write(&file.rel, &bytes)?;
                files += 1;
            }
            // A content problem like any other, so `check` reports it too.
            Err(error) => diags.push(
                Diagnostic::error(format!("cannot read this file ({error})")).at(
                    crate::diagnostics::Span::file(std::path::Path::new(dir).join(&file.rel)),
                ),
            ),
        }
    }
    files += feed::write_feeds(site, sink)?;
    files += sitemap::write_sitemap(site, sink)?;
    let pages = site
        .pages
        .iter()
        .filter(|p| p.lang == site.config.default_lang)
        .count();
    Ok(RenderStats {
        pages,
        checklists: site.checklists.len(),
        languages: site.config.languages.len(),
        files,
        reused,
    })
}

/// Takes every page whose render key is the recorded one from the published output; returns
/// which pages were taken (parallel to `Site::pages`) and how many files they have. Records
/// every page's key and files in `reuse.made`.
fn take_unchanged(
    (site, theme, rendered, options): (&Site, &Theme, &Rendered, &RenderOptions),
    search_indexes: &std::collections::BTreeMap<crate::lang::Lang, String>,
    pages: Pages<'_>,
    reuse: &Reuse<'_>,
    sink: &dyn OutputSink,
) -> anyhow::Result<(Vec<bool>, usize)> {
    use rayon::prelude::*;
    let Some(keys) = keys::build_keys(site, theme, rendered, options, search_indexes) else {
        let _ = reuse.made.set(Vec::new());
        return Ok((vec![false; site.pages.len()], 0));
    };
    let made: Vec<PageFiles> = (0..site.pages.len())
        .map(|i| {
            let url = &site.urls[i];
            let mut files = vec![url.output_file()];
            files.extend(
                downloads::planned_paths(&site.pages[i], url)
                    .into_iter()
                    .map(|(path, _)| path),
            );
            PageFiles {
                key: keys[i],
                files,
            }
        })
        .collect();
    let taken: Vec<Option<usize>> = made
        .par_iter()
        .enumerate()
        .map(|(i, page)| match reuse.previous.get(&page.files[0]) {
            Some(recorded)
                if pages.includes(i) && recorded.key == page.key && same_paths(recorded, page) =>
            {
                Ok(sink.reuse(&recorded.files)?.then_some(recorded.files.len()))
            }
            _ => Ok(None),
        })
        .collect::<anyhow::Result<_>>()?;
    let _ = reuse.made.set(made);
    let files = taken.iter().flatten().sum();
    Ok((taken.iter().map(Option::is_some).collect(), files))
}

/// Whether a recorded page has exactly the files the page would be rendered to.
fn same_paths(recorded: &crate::output::RecordedPage, page: &PageFiles) -> bool {
    recorded.files.len() == page.files.len()
        && recorded
            .files
            .iter()
            .zip(&page.files)
            .all(|((path, _), planned)| path == planned)
}
