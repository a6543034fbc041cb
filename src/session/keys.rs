//! Render keys: a number per page that changes whenever anything its output is made from may have
//! changed, so the dev server rewrites exactly the pages whose key differs from the one it
//! published. A key is deliberately coarse where precision would be fragile:
//!
//! - the page's own text (its facts' serial) and front matter (its "skeleton");
//! - what its links resolved to (so a renamed target rewrites the pages that link to it);
//! - the skeletons of the pages in its own folder: previous/next, a section's children and the
//!   page's translations are drawn from there;
//! - the skeletons of the pages directly in its top-level section's folder, which its
//!   navigation lists;
//! - the skeletons of every structural page (home, sections, top-level pages) and the checklists,
//!   which appear in every page's navigation, breadcrumbs and links;
//! - the generation of the configuration and theme.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::content::page::PageKind;
use crate::content::SourceCache;
use crate::render::Rendered;
use crate::site::Site;

/// The key of every page of `site`, parallel to `Site::pages`.
pub(super) fn page_keys(
    site: &Site,
    rendered: &Rendered,
    sources: &SourceCache,
    generation: u64,
) -> Vec<u64> {
    let skeletons: Vec<u64> = (0..site.pages.len())
        .map(|i| skeleton(site, sources, i))
        .collect();
    let mut top = DefaultHasher::new();
    generation.hash(&mut top);
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
        .map(|i| {
            let dir = site.pages[i].dir.as_str();
            let mut key = DefaultHasher::new();
            top.hash(&mut key);
            folder(dir).hash(&mut key);
            folder(top_level(dir)).hash(&mut key);
            skeletons[i].hash(&mut key);
            rendered.pages[i].serial.hash(&mut key);
            rendered.links[i].outcomes.hash(&mut key);
            key.finish()
        })
        .collect()
}

/// What other pages may show of page `i`: its front matter, place and URL.
fn skeleton(site: &Site, sources: &SourceCache, i: usize) -> u64 {
    let page = &site.pages[i];
    let mut h = DefaultHasher::new();
    let rel = page
        .file
        .strip_prefix("content")
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    match rel.ok().and_then(|rel| sources.front_serial(&rel)) {
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
