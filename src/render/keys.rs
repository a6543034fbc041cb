//! Render keys: a number per page that changes whenever anything its output is made from may have
//! changed, so that only pages whose key differs from the one of their last output are rendered
//! again: by the dev server between saves, and by `build` against the published output
//! (`output::Record`). A key is deliberately coarse where precision would be fragile:
//!
//! - the page's own text and front matter (its "skeleton");
//! - what its links resolved to (so a renamed target rewrites the pages that link to it);
//! - the skeletons of the pages in its own folder: previous/next, a section's children and the
//!   page's translations are drawn from there;
//! - the skeletons of the pages directly in its top-level section's folder, which its
//!   navigation lists;
//! - the skeletons of every structural page (home, sections, top-level pages) and the checklists,
//!   which appear in every page's navigation, breadcrumbs and links;
//! - everything else every page is made from (`Inputs::top`): the configuration and theme, and
//!   for `build` the program itself and the search index's name where a template may show it.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::content::page::PageKind;
use crate::lang::Lang;
use crate::render::theme::Theme;
use crate::render::{RenderOptions, Rendered};
use crate::site::Site;

/// Where a key's page-specific parts come from.
pub(crate) struct Inputs<'a> {
    /// A key of everything every page is made from besides the model: the dev server's count of
    /// configuration loads, or `build`'s fingerprint of the program, configuration and theme.
    pub top: u64,
    /// A key of page `i`'s text.
    pub text: &'a (dyn Fn(usize) -> u64 + Sync),
    /// A key of page `i`'s front matter when one is known cheaply (the dev server's source
    /// cache); otherwise its parsed form is hashed.
    pub front: &'a (dyn Fn(usize) -> Option<u64> + Sync),
}

/// The key of every page of `site`, parallel to `Site::pages`.
pub(crate) fn page_keys(site: &Site, rendered: &Rendered, inputs: &Inputs<'_>) -> Vec<u64> {
    let skeletons: Vec<u64> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| skeleton(site, inputs, i))
        .collect();
    let mut top = DefaultHasher::new();
    inputs.top.hash(&mut top);
    let mut folders: BTreeMap<&str, DefaultHasher> = BTreeMap::new();
    for (i, page) in site.pages.iter().enumerate() {
        if is_structural(site, i) {
            skeletons[i].hash(&mut top);
        }
        skeletons[i].hash(folders.entry(page.dir.as_str()).or_default());
    }
    format!("{:?}", site.checklists).hash(&mut top);
    let top = top.finish();
    let folders: BTreeMap<&str, u64> = folders
        .into_iter()
        .map(|(dir, h)| (dir, h.finish()))
        .collect();
    let folder = |dir: &str| folders.get(dir).copied().unwrap_or(0);
    (0..site.pages.len())
        .into_par_iter()
        .map(|i| {
            let dir = site.pages[i].dir.as_str();
            let mut key = DefaultHasher::new();
            top.hash(&mut key);
            folder(dir).hash(&mut key);
            folder(top_level(dir)).hash(&mut key);
            skeletons[i].hash(&mut key);
            (inputs.text)(i).hash(&mut key);
            rendered.links[i].outcomes.hash(&mut key);
            key.finish()
        })
        .collect()
}

/// The keys `build` compares with the published output's record: `None` when the program
/// cannot tell its own identity (then every page is rendered). `search_indexes` are the
/// names of the search index files, which change with any page's text: only the pages whose
/// template may show them depend on them.
pub(crate) fn build_keys(
    site: &Site,
    theme: &Theme,
    rendered: &Rendered,
    options: &RenderOptions,
    search_indexes: &BTreeMap<Lang, String>,
) -> Option<Vec<u64>> {
    let mut top = DefaultHasher::new();
    program_identity()?.hash(&mut top);
    format!("{:?}", site.config).hash(&mut top);
    format!("{options:?}").hash(&mut top);
    theme.fingerprint().hash(&mut top);
    format!("{:?}", rendered.checklists).hash(&mut top);
    for file in site.statics.iter().chain(&site.assets) {
        file.rel.hash(&mut top);
    }
    let text = |i: usize| {
        let mut h = DefaultHasher::new();
        site.pages[i].body.hash(&mut h);
        h.finish()
    };
    let inputs = Inputs {
        top: top.finish(),
        text: &text,
        front: &|_| None,
    };
    let keys = page_keys(site, rendered, &inputs);
    let mut indexes = DefaultHasher::new();
    search_indexes.hash(&mut indexes);
    let indexes = indexes.finish();
    Some(
        keys.into_iter()
            .enumerate()
            .map(|(i, key)| {
                let shows_index = super::pages::page_template(site, theme, i)
                    .map_or(true, |template| theme.may_show_search_index(&template));
                if shows_index {
                    let mut h = DefaultHasher::new();
                    (key, indexes).hash(&mut h);
                    h.finish()
                } else {
                    key
                }
            })
            .collect(),
    )
}

/// This program as built: its version and its executable file's size, time and identity, so
/// that pages rendered by another build of integridad are never taken for this one's.
fn program_identity() -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    exe.hash(&mut h);
    meta.len().hash(&mut h);
    meta.modified().ok()?.hash(&mut h);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()).hash(&mut h);
    }
    Some(h.finish())
}

/// What other pages may show of page `i`: its front matter, place and URL.
fn skeleton(site: &Site, inputs: &Inputs<'_>, i: usize) -> u64 {
    let page = &site.pages[i];
    let mut h = DefaultHasher::new();
    match (inputs.front)(i) {
        Some(serial) if !page.generated => serial.hash(&mut h),
        _ => format!("{:?}", page.front).hash(&mut h),
    }
    page.id.as_str().hash(&mut h);
    page.lang.as_str().hash(&mut h);
    page.file.hash(&mut h);
    page.slug.hash(&mut h);
    page.generated.hash(&mut h);
    site.urls[i].as_str().hash(&mut h);
    h.finish()
}

/// Pages every page may show: the home pages, sections, and pages at the top of `content/`.
fn is_structural(site: &Site, i: usize) -> bool {
    let page = &site.pages[i];
    page.kind != PageKind::Page || page.dir.is_empty()
}

/// The top-level folder of a folder (`""` at the top).
fn top_level(dir: &str) -> &str {
    dir.split('/').next().unwrap_or("")
}
