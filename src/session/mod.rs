//! The dev server's editing session: the site kept in memory between saves, so that a change
//! re-reads only the files that changed and re-renders only the pages whose output depends on
//! them (see `render::keys`). Everything else of a build is done again on every change, in the same
//! code as `build`: loading (from the source cache), the model, link and fragment checks (from
//! cached markdown facts), and every output that is not a page. A change to `site.toml`, the
//! theme or anything outside `content/` starts over from nothing.
//!
//! `Session::update` must always give the same files and diagnostics as a fresh
//! `build_in_memory`; `tests/it/session.rs` checks that on random sequences of edits.

mod later;
mod stored;

pub(crate) use later::{Built, Later, Owns};
pub(crate) use stored::{Stored, StoringSink};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::{self, Drafts, SourceCache};
use crate::diagnostics::Diagnostics;
use crate::render::{self, analysis::FactsCache, theme::Theme};
use crate::site::{self, Site};
use crate::SiteFiles;

/// The files of a built site as the dev server holds them: shared, so that a rebuild copies
/// only what changed, and deflated.
pub(crate) type Files = BTreeMap<String, Stored>;

/// A site root kept loaded between rebuilds.
pub struct Session {
    root: PathBuf,
    loaded: Option<Loaded>,
    sources: SourceCache,
    facts: FactsCache,
    published: Published,
    /// Counts configuration loads; part of every render key.
    generations: u64,
}

/// `site.toml` and the theme, read once until one of them (or anything outside `content/`)
/// changes.
struct Loaded {
    config: crate::config::Config,
    theme: Option<Arc<Theme>>,
    /// Their warnings, repeated by every rebuild as a fresh build would.
    diags: Diagnostics,
    generation: u64,
}

/// The last successful rebuild: its files and, per page source, what its output was made from.
#[derive(Default)]
struct Published {
    files: Files,
    pages: HashMap<PathBuf, PublishedPage>,
}

struct PublishedPage {
    key: u64,
}

impl Session {
    /// A session on `root`; nothing is read until the first `update`.
    pub fn new(root: &Path) -> Session {
        Session {
            root: root.to_path_buf(),
            loaded: None,
            sources: SourceCache::default(),
            facts: FactsCache::default(),
            published: Published::default(),
            generations: 0,
        }
    }

    /// Brings the site up to date after `changed` (paths relative to the root, `/`-separated, as
    /// the watcher reports them; `None` when unknown, which re-reads everything) and returns the
    /// whole site (on success) with the diagnostics of the whole site.
    pub fn update(
        &mut self,
        changed: Option<&[String]>,
    ) -> anyhow::Result<(Option<SiteFiles>, Diagnostics)> {
        let (built, diags) = self.rebuild(changed)?;
        let files = built.map(|built| {
            built
                .all()
                .into_iter()
                .map(|(path, stored)| (path, stored.bytes().into_owned()))
                .collect()
        });
        Ok((files, diags))
    }

    /// `update` for the dev server, without copying the files.
    pub(crate) fn rebuild(
        &mut self,
        changed: Option<&[String]>,
    ) -> anyhow::Result<(Option<Built>, Diagnostics)> {
        let result = self.try_rebuild(changed);
        if result.is_err() {
            // An I/O failure half-way leaves nothing to trust: start over next time.
            *self = Session::new(&self.root);
        }
        result
    }

    fn try_rebuild(
        &mut self,
        changed: Option<&[String]>,
    ) -> anyhow::Result<(Option<Built>, Diagnostics)> {
        let content_only = match (changed, &self.loaded) {
            (Some(changed), Some(loaded)) => within_content(&self.root, &loaded.config, changed),
            _ => None,
        };
        match content_only {
            Some(rels) => {
                let content_dir = self.loaded.as_ref().map(|l| l.config.content_dir.clone());
                self.sources
                    .changed(&content_dir.unwrap_or_default(), &rels);
            }
            None => {
                self.loaded = None;
                self.sources = SourceCache::default();
                self.facts = FactsCache::default();
            }
        }
        let mut diags = Diagnostics::new();
        if self.loaded.is_none() {
            let mut loaded_diags = Diagnostics::new();
            let Some(config) = crate::load_config(
                &self.root,
                &crate::BuildOptions::default(),
                &mut loaded_diags,
            )?
            else {
                return Ok((None, loaded_diags));
            };
            let theme = render::theme::load_theme(&config, &mut loaded_diags)?.map(Arc::new);
            self.generations += 1;
            self.loaded = Some(Loaded {
                config,
                theme,
                diags: loaded_diags,
                generation: self.generations,
            });
        }
        let Some(loaded) = &self.loaded else {
            unreachable!("loaded just above")
        };
        diags.extend(loaded.diags.clone());
        let config = &loaded.config;
        let mut content =
            content::load_content_cached(config, Drafts::Include, &mut diags, &mut self.sources)?;
        content::home::add_missing_homes(config, &mut content);
        site::laws::add_law_pages(config, &mut content);
        let site = Site::new(config, content, &mut diags);
        site::translations::check_stale_translations(&site, &mut diags);
        let rendered = render::render_markdown_all(&site, Some(&mut self.facts), &mut diags);
        render::check_outputs(&site, loaded.theme.as_deref(), &mut diags);
        let (Some(theme), Some(rendered), false) = (&loaded.theme, rendered, diags.has_errors())
        else {
            return Ok((None, diags));
        };
        let sources = &self.sources;
        let front = |i: usize| {
            let rel = site.pages[i].file.strip_prefix("content").ok()?;
            sources.front_serial(&rel.to_string_lossy().replace('\\', "/"))
        };
        let inputs = render::keys::Inputs {
            top: loaded.generation,
            text: &|i| rendered.pages[i].serial,
            front: &front,
        };
        let keys = render::keys::page_keys(&site, &rendered, &inputs);
        let stale: Vec<bool> = site
            .pages
            .iter()
            .zip(&keys)
            .map(|(page, key)| {
                self.published
                    .pages
                    .get(&page.file)
                    .is_none_or(|published| published.key != *key)
            })
            .collect();
        let sink = StoringSink::after(&self.published.files);
        let options = render::RenderOptions {
            mode: render::Mode::Serve,
            public_key: None,
            bundle: None,
        };
        render::render_site(
            &site,
            theme,
            &rendered,
            &options,
            render::Scope {
                pages: render::Pages::Only(&stale),
                search_index: false,
                handbooks: false,
                reuse: None,
            },
            &sink,
            &mut diags,
        )?;
        if diags.has_errors() {
            return Ok((None, diags));
        }
        self.published = self.publish(&site, &keys, &stale, sink.into_files());
        let (site, rendered, theme) = (Arc::new(site), Arc::new(rendered), Arc::clone(theme));
        let later = vec![
            Arc::new(search_index_later(Arc::clone(&site), Arc::clone(&rendered))),
            Arc::new(handbooks_later(site, rendered, theme)),
        ];
        Ok((
            Some(Built {
                files: self.published.files.clone(),
                later,
                pages_rendered: stale.iter().filter(|s| **s).count(),
            }),
            diags,
        ))
    }

    /// The new published state: the files just written, plus the outputs of every page that was
    /// not rewritten, taken from the previous state.
    fn publish(&self, site: &Site, keys: &[u64], stale: &[bool], written: Files) -> Published {
        let mut files = Files::new();
        let mut pages = HashMap::with_capacity(site.pages.len());
        for (i, page) in site.pages.iter().enumerate() {
            if !stale[i] {
                for output in &page_outputs(site, i) {
                    if let Some(bytes) = self.published.files.get(output) {
                        files.insert(output.clone(), bytes.clone());
                    }
                }
            }
            pages.insert(page.file.clone(), PublishedPage { key: keys[i] });
        }
        files.extend(written);
        Published { files, pages }
    }
}

/// The search index of `site`, made on first use.
fn search_index_later(site: Arc<Site>, rendered: Arc<render::Rendered>) -> Later {
    Later::new(
        Owns::Prefix("search-index."),
        Box::new(move || {
            let sink = StoringSink::default();
            let markdown = rendered.markdown();
            let written = crate::search::write_search_indexes(
                &site,
                &markdown,
                crate::search::Naming::Fixed,
                &sink,
            );
            match written {
                Ok(_) => sink.into_files(),
                // Writing to memory does not fail; if it did, the search page says it has no index.
                Err(_) => Files::new(),
            }
        }),
    )
}

/// The printable handbooks, made on first use: at thousands of pages each is tens of megabytes
/// that would otherwise be made again on every save. A failure is reported in the terminal and
/// leaves the handbook out (the site's 404 page is served for it).
fn handbooks_later(site: Arc<Site>, rendered: Arc<render::Rendered>, theme: Arc<Theme>) -> Later {
    let outputs = render::handbook_outputs(&site, &theme);
    Later::new(
        Owns::Paths(outputs),
        Box::new(move || {
            let sink = StoringSink::default();
            let mut diags = Diagnostics::new();
            let made = render::render_handbooks_later(&site, &theme, &rendered, &sink, &mut diags);
            if let Err(error) = made {
                diags.push(crate::diagnostics::Diagnostic::error(format!("{error:#}")));
            }
            if diags.has_errors() {
                eprint!("the handbook could not be made:\n{}", diags.render());
                return Files::new();
            }
            sink.into_files()
        }),
    )
}

/// The files page `i` writes: its HTML and its downloads.
fn page_outputs(site: &Site, i: usize) -> Vec<String> {
    let mut outputs = vec![site.urls[i].output_file()];
    outputs.extend(
        render::downloads::planned_paths(&site.pages[i], &site.urls[i])
            .into_iter()
            .map(|(path, _)| path),
    );
    outputs
}

/// The content-relative paths of `changed` when every one of them is inside `content/` (and so
/// needs no new configuration or theme); `None` otherwise.
fn within_content(
    root: &Path,
    config: &crate::config::Config,
    changed: &[String],
) -> Option<Vec<String>> {
    let content = config.content_dir.strip_prefix(root).ok()?;
    let prefix = format!("{}/", content.to_string_lossy().replace('\\', "/"));
    changed
        .iter()
        .map(|path| path.strip_prefix(&prefix).map(str::to_string))
        .collect()
}
