//! The section tree: which pages and subsections each folder lists, in order (weight, then file name).

use std::collections::BTreeMap;

use crate::content::page::{Page, PageId, PageKind};
use crate::site::Site;

/// Maps each section folder (`""` for the home page) to its children's ids. A page id's order
/// comes from its first version (the default language when present), so every language lists
/// the same pages in the same order.
pub(super) fn children(pages: &[Page]) -> BTreeMap<String, Vec<PageId>> {
    let mut first: BTreeMap<&PageId, &Page> = BTreeMap::new();
    for page in pages {
        first.entry(&page.id).or_insert(page);
    }
    let mut grouped: BTreeMap<String, Vec<&Page>> = BTreeMap::new();
    for page in first.values() {
        if page.kind == PageKind::Home {
            continue;
        }
        if let Some(dir) = Site::parent_dir(page) {
            grouped.entry(dir.to_string()).or_default().push(page);
        }
    }
    grouped
        .into_iter()
        .map(|(dir, mut pages)| {
            pages.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
            (dir, pages.into_iter().map(|p| p.id.clone()).collect())
        })
        .collect()
}
