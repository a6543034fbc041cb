//! What a page's markdown says, apart from how it is shown: one parse gives its `Facts` (table of
//! contents, anchors, search text, its own problems, and every link destination with its place),
//! which depend on the text alone and so can be kept while the text is unchanged; resolving those
//! links against the site (`LinkFacts`) is cheap and is redone whenever the site may have changed.
//! The HTML itself is rendered only when a page is written.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::page::Body;
use crate::diagnostics::{Diagnostics, Span};
use crate::markdown::{analyze_markdown, LinkResolver, LinkTarget, RenderedMarkdown};
use crate::site::links::{FragmentCheck, Resolver};
use crate::site::Site;

/// The facts of one page's text: what every consumer but the HTML writer needs.
#[derive(Debug)]
pub(crate) struct Facts {
    /// `html` is empty (rendered again when the page is written, so memory does not hold the
    /// whole site's HTML); `text` is cut to the search index's length.
    pub md: RenderedMarkdown,
    /// Problems of the text itself (headings, raw HTML, script URLs), not of its links.
    pub diags: Diagnostics,
    /// Every link and image destination the renderer asks about, in order, with its place.
    pub links: Vec<(String, Span)>,
    /// Tells these facts from any others made in this process: equal serials, equal texts.
    pub serial: u64,
}

static SERIALS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The page's links resolved against one state of the site.
#[derive(Debug)]
pub(crate) struct LinkFacts {
    /// What each destination of `Facts::links` became; the page's HTML depends on nothing else
    /// of other pages.
    pub outcomes: Vec<LinkTarget>,
    /// Broken links and links to drafts.
    pub diags: Diagnostics,
    /// `#fragment`s to check against the targets' anchors.
    pub fragments: Vec<FragmentCheck>,
}

/// Records every destination and leaves it as written: the facts must not depend on the site.
#[derive(Default)]
struct Recorder {
    links: RefCell<Vec<(String, Span)>>,
}

impl LinkResolver for Recorder {
    fn resolve_link(&self, dest: &str, span: &Span) -> LinkTarget {
        self.links
            .borrow_mut()
            .push((dest.to_string(), span.clone()));
        LinkTarget::Keep
    }
}

/// Parses page `i` once for its facts.
pub(crate) fn analyze(site: &Site, i: usize) -> Facts {
    let page = &site.pages[i];
    let recorder = Recorder::default();
    let mut diags = Diagnostics::new();
    let mut md = analyze_markdown(
        &super::page_source(page),
        &super::md_options(site, &page.lang),
        &recorder,
        &mut diags,
    );
    md.text = crate::search::truncate(&md.text, crate::search::MAX_TEXT);
    Facts {
        md,
        diags,
        links: recorder.links.into_inner(),
        serial: SERIALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    }
}

/// Resolves the recorded links of page `i` as the HTML pass will, with the same diagnostics.
pub(crate) fn resolve_links(site: &Site, i: usize, facts: &Facts) -> LinkFacts {
    let resolver = Resolver::for_page(site, i);
    let mut diags = Diagnostics::new();
    let outcomes = facts
        .links
        .iter()
        .map(|(dest, span)| {
            let outcome = resolver.resolve_link(dest, span);
            if let LinkTarget::Broken { message, help } = &outcome {
                diags.push(crate::markdown::broken_link(message, help.as_deref(), span));
            }
            outcome
        })
        .collect();
    resolver.report_draft_links(&mut diags);
    LinkFacts {
        outcomes,
        diags,
        fragments: resolver.into_fragments(),
    }
}

/// Facts of every page's text, kept between rebuilds of the dev server. An entry is used only
/// while the page's text and markdown options are exactly those it was made from.
#[derive(Default)]
pub(crate) struct FactsCache {
    entries: HashMap<PathBuf, Cached>,
    /// Resolved links by page file, with the facts serial and the `link_state` they were made
    /// for: while neither changes, resolving again would give the same.
    links: HashMap<PathBuf, (u64, u64, Arc<LinkFacts>)>,
}

struct Cached {
    body: Body,
    body_line: usize,
    options: crate::markdown::MdOptions,
    facts: Arc<Facts>,
}

/// Everything of the site that link resolution reads: pages (id, language, URL, draft), the
/// checklists and their URLs, assets, files that failed to load, the link style and the law
/// registry. Equal
/// states list the pages in the same order, so the page indices in fragment checks stay valid.
fn link_state(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    for (page, url) in site.pages.iter().zip(&site.urls) {
        (page.id.as_str(), page.lang.as_str(), url.as_str()).hash(&mut h);
        (&page.dir, page.front.draft, page.generated).hash(&mut h);
    }
    for (checklist, urls) in site.checklists.iter().zip(&site.checklist_urls) {
        checklist.id.to_string().hash(&mut h);
        for url in urls {
            url.as_str().hash(&mut h);
        }
    }
    for asset in &site.assets {
        asset.rel.hash(&mut h);
    }
    site.failed_sources().hash(&mut h);
    format!("{:?}{}", site.config.links, site.config.drafts).hash(&mut h);
    format!("{:?}", site.laws).hash(&mut h);
    h.finish()
}

/// `link_state` for page `i`: its citations' freshness warnings also depend on its own
/// `reviewed:` date.
fn page_link_state(site: &Site, state: u64, i: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    state.hash(&mut h);
    format!("{:?}", site.pages[i].front.reviewed).hash(&mut h);
    h.finish()
}

impl FactsCache {
    /// The facts of every page of `site` (parallel to `Site::pages`), from the cache where the
    /// text is unchanged; the cache keeps exactly the current pages afterwards.
    pub(crate) fn facts_of(&mut self, site: &Site) -> Vec<Arc<Facts>> {
        // `Some` for a page whose facts were made now, with the options they were made for.
        let made: Vec<(Arc<Facts>, Option<crate::markdown::MdOptions>)> = (0..site.pages.len())
            .into_par_iter()
            .map(|i| {
                let page = &site.pages[i];
                let options = super::md_options(site, &page.lang);
                match self.entries.get(&page.file) {
                    Some(cached)
                        if cached.body_line == page.body_line
                            && cached.options == options
                            && (Body::same(&cached.body, &page.body)
                                || *cached.body == *page.body) =>
                    {
                        (Arc::clone(&cached.facts), None)
                    }
                    _ => (Arc::new(analyze(site, i)), Some(options)),
                }
            })
            .collect();
        forget_removed(&mut self.entries, site);
        let mut facts = Vec::with_capacity(made.len());
        for (page, (made, options)) in site.pages.iter().zip(made) {
            if let Some(options) = options {
                let cached = Cached {
                    body: page.body.clone(),
                    body_line: page.body_line,
                    options,
                    facts: Arc::clone(&made),
                };
                self.entries.insert(page.file.clone(), cached);
            }
            facts.push(made);
        }
        facts
    }
}

impl FactsCache {
    /// The resolved links of every page, from the cache where neither the page's text nor the
    /// site's `link_state` changed.
    pub(crate) fn links_of(&mut self, site: &Site, facts: &[Arc<Facts>]) -> Vec<Arc<LinkFacts>> {
        let state = link_state(site);
        let made: Vec<(Arc<LinkFacts>, bool)> = (0..site.pages.len())
            .into_par_iter()
            .map(|i| match self.links.get(&site.pages[i].file) {
                Some((serial, old_state, links))
                    if *serial == facts[i].serial
                        && *old_state == page_link_state(site, state, i) =>
                {
                    (Arc::clone(links), false)
                }
                _ => (Arc::new(resolve_links(site, i, &facts[i])), true),
            })
            .collect();
        forget_removed(&mut self.links, site);
        let mut links = Vec::with_capacity(made.len());
        for (i, ((page, facts), (made, fresh))) in
            site.pages.iter().zip(facts).zip(made).enumerate()
        {
            if fresh {
                let entry = (
                    facts.serial,
                    page_link_state(site, state, i),
                    Arc::clone(&made),
                );
                self.links.insert(page.file.clone(), entry);
            }
            links.push(made);
        }
        links
    }
}

/// Drops the cached entries of pages that are no longer in `site`.
fn forget_removed<V>(cache: &mut HashMap<PathBuf, V>, site: &Site) {
    let current: std::collections::HashSet<&std::path::Path> =
        site.pages.iter().map(|p| p.file.as_path()).collect();
    cache.retain(|file, _| current.contains(file.as_path()));
}

/// Facts of every page without a cache (`build`, `check`).
pub(crate) fn facts_of_all(site: &Site) -> Vec<Arc<Facts>> {
    (0..site.pages.len())
        .into_par_iter()
        .map(|i| Arc::new(analyze(site, i)))
        .collect()
}

/// Resolves the links of every page in parallel.
pub(crate) fn resolve_all(site: &Site, facts: &[Arc<Facts>]) -> Vec<Arc<LinkFacts>> {
    (0..site.pages.len())
        .into_par_iter()
        .map(|i| Arc::new(resolve_links(site, i, &facts[i])))
        .collect()
}

/// A page's diagnostics: its text's own and its links'.
pub(crate) fn page_diagnostics(facts: &Facts, links: &LinkFacts, diags: &mut Diagnostics) {
    for d in facts.diags.iter().chain(links.diags.iter()) {
        diags.push(d.clone());
    }
}
