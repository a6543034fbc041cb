//! The navigation and section lists that the pages of one render share: looked up once per
//! language, and the navigation's entries made and converted to template values once per folder
//! of pages, since a relative link depends only on the folders two URLs share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::Here;
use crate::content::page::{PageId, PageKind};
use crate::lang::Lang;
use crate::render::context::{NavEntry, NavItem, SharedNavItem};
use crate::site::{PageIndex, Site};
use crate::url::UrlPath;

/// What every page of a render looks up alike, computed once per render: per language, the
/// navigation's pages and each section's pages; and the navigation entries as seen from each
/// folder of pages, converted to template values on first use.
#[derive(Default)]
pub(crate) struct Lookups {
    languages: Mutex<HashMap<Lang, Arc<LangLookups>>>,
    shared: Mutex<HashMap<SharedKey, Arc<[Arc<SharedNavItem>]>>>,
}

/// The lookups of one language.
struct LangLookups {
    /// The home page's sections and pages in order, each shown in the language or its fallback.
    nav: Vec<NavPage>,
    /// The pages (not subsections) of each section folder that exist in the language, in order.
    siblings: HashMap<String, Vec<PageIndex>>,
}

struct NavPage {
    page: PageIndex,
    /// `dir/`: the current page is in this section when its id starts with it.
    prefix: String,
    /// For a section, its children in the language or its fallback.
    children: Option<Vec<PageIndex>>,
}

/// Identifies one list of shared navigation entries: language, where the links start from, and
/// the list (`0` the top level, `k + 1` the children of the top level's entry `k`).
#[derive(Clone, PartialEq, Eq, Hash)]
struct SharedKey {
    lang: Lang,
    from: LinkFrom,
    list: usize,
}

/// Where a page's links start from, so that pages whose links are alike share them.
#[derive(Clone, PartialEq, Eq, Hash)]
enum LinkFrom {
    /// Links from a site path (`Here::base`), the same from every URL.
    Base(String),
    /// Links from any page directly inside this folder (`toolkit/` for `toolkit/a/`): the link
    /// from `toolkit/a/` to a target not below `toolkit/a/` is the same as from `toolkit/b/`,
    /// because a relative link depends only on the folders the two URLs share.
    Beside(String),
}

impl LinkFrom {
    /// `None` when the page's links are its own (the home page, a file URL).
    fn of(here: &Here<'_>) -> Option<LinkFrom> {
        if let Some(base) = here.base {
            return Some(LinkFrom::Base(base.to_string()));
        }
        let path = here.url.as_str();
        if !here.url.is_dir() || path.is_empty() {
            return None;
        }
        let parent = path[..path.len() - 1]
            .rfind('/')
            .map_or("", |i| &path[..=i]);
        Some(LinkFrom::Beside(parent.to_string()))
    }

    /// A URL the links start from: for `Beside`, a page in the folder whose name no URL has.
    fn url(&self) -> UrlPath {
        match self {
            LinkFrom::Base(_) => UrlPath::dir(""),
            LinkFrom::Beside(parent) => UrlPath::dir(format!("{parent}\u{0}")),
        }
    }

    fn base(&self) -> Option<&str> {
        match self {
            LinkFrom::Base(base) => Some(base),
            LinkFrom::Beside(_) => None,
        }
    }
}

impl Lookups {
    fn language(&self, site: &Site, lang: &Lang) -> Arc<LangLookups> {
        let mut languages = self
            .languages
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        languages
            .entry(lang.clone())
            .or_insert_with(|| Arc::new(LangLookups::new(site, lang)))
            .clone()
    }

    /// The pages of section folder `dir` that exist in `lang`, in order.
    pub fn siblings(&self, site: &Site, dir: &str, lang: &Lang) -> Vec<PageIndex> {
        self.language(site, lang)
            .siblings
            .get(dir)
            .cloned()
            .unwrap_or_default()
    }

    /// The top-level navigation seen from `here`; `current` is the page being rendered.
    pub(super) fn nav(
        &self,
        site: &Site,
        here: &Here<'_>,
        current: Option<&PageId>,
    ) -> Vec<NavEntry> {
        let language = self.language(site, here.lang);
        let from = LinkFrom::of(here);
        let top: Vec<PageIndex> = language.nav.iter().map(|n| n.page).collect();
        let top_shared = self.list(site, here, from.as_ref(), 0, &top);
        language
            .nav
            .iter()
            .enumerate()
            .map(|(k, entry)| {
                let in_section = current.is_some_and(|c| c.as_str().starts_with(&entry.prefix));
                match &entry.children {
                    Some(children) if in_section => {
                        let shared = self.list(site, here, from.as_ref(), k + 1, children);
                        let items = children
                            .iter()
                            .enumerate()
                            .map(|(j, &c)| entry_of(site, here, current, shared.as_deref(), j, c))
                            .collect();
                        NavEntry::Own(nav_item(site, here, entry.page, current, items))
                    }
                    _ => entry_of(site, here, current, top_shared.as_deref(), k, entry.page),
                }
            })
            .collect()
    }

    /// The shared entries of list `list` (pages `pages`) with links from `from`.
    fn list(
        &self,
        site: &Site,
        here: &Here<'_>,
        from: Option<&LinkFrom>,
        list: usize,
        pages: &[PageIndex],
    ) -> Option<Arc<[Arc<SharedNavItem>]>> {
        let key = SharedKey {
            lang: here.lang.clone(),
            from: from?.clone(),
            list,
        };
        let lock = || self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = lock().get(&key) {
            return Some(found.clone());
        }
        let url = key.from.url();
        let seen_from = Here {
            url: &url,
            lang: here.lang,
            base: key.from.base(),
        };
        let built: Arc<[Arc<SharedNavItem>]> = pages
            .iter()
            .map(|&i| {
                Arc::new(SharedNavItem::new(nav_item(
                    site,
                    &seen_from,
                    i,
                    None,
                    Vec::new(),
                )))
            })
            .collect();
        Some(lock().entry(key).or_insert(built).clone())
    }
}

impl LangLookups {
    fn new(site: &Site, lang: &Lang) -> LangLookups {
        let nav = site
            .children_of("")
            .iter()
            .filter_map(|id| {
                let page = site.page_or_fallback(id, lang)?;
                let dir = &site.pages[page].dir;
                let children = (site.pages[page].kind == PageKind::Section).then(|| {
                    site.children_of(dir)
                        .iter()
                        .filter_map(|child| site.page_or_fallback(child, lang))
                        .collect()
                });
                Some(NavPage {
                    page,
                    prefix: format!("{dir}/"),
                    children,
                })
            })
            .collect();
        let siblings = site
            .sections()
            .map(|(dir, ids)| {
                let pages = ids
                    .iter()
                    .filter_map(|id| site.page(id, lang))
                    .filter(|&i| site.pages[i].kind == PageKind::Page)
                    .collect();
                (dir.to_string(), pages)
            })
            .collect();
        LangLookups { nav, siblings }
    }
}

/// The navigation entry of page `index` seen from `here`: the shared one (`shared[position]`)
/// when it is alike for the page, else its own.
fn entry_of(
    site: &Site,
    here: &Here<'_>,
    current: Option<&PageId>,
    shared: Option<&[Arc<SharedNavItem>]>,
    position: usize,
    index: PageIndex,
) -> NavEntry {
    let is_current = current == Some(&site.pages[index].id);
    // Below the page's own URL a link differs from its neighbours' (for a `base`, never).
    let alike = here.base.is_some() || !site.urls[index].as_str().starts_with(here.url.as_str());
    match shared.and_then(|s| s.get(position)) {
        Some(entry) if alike && !is_current => NavEntry::Shared(entry.clone()),
        _ => NavEntry::Own(nav_item(site, here, index, current, Vec::new())),
    }
}

fn nav_item(
    site: &Site,
    here: &Here<'_>,
    index: PageIndex,
    current: Option<&PageId>,
    children: Vec<NavEntry>,
) -> NavItem {
    let page = &site.pages[index];
    let is_current = current == Some(&page.id);
    let active = is_current || children.iter().any(|c| c.item().current || c.item().active);
    NavItem {
        title: page.front.title.clone(),
        url: here.link(site, &site.urls[index]),
        lang: (&page.lang != here.lang).then(|| page.lang.to_string()),
        current: is_current,
        active,
        children,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::LinkStyle;
    use crate::content::Drafts;
    use crate::diagnostics::Diagnostics;
    use crate::render::views::search_url;

    fn bundled_site(links: LinkStyle) -> Site {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diags = Diagnostics::new();
        let mut config = crate::config::load_config_into(root, &mut diags)
            .expect("site.toml readable")
            .expect("site.toml valid");
        config.links = links;
        let mut content =
            crate::content::load_content(&config, Drafts::Exclude, &mut diags).expect("content");
        crate::content::home::add_missing_homes(&config, &mut content);
        Site::new(&config, content, &mut diags)
    }

    /// The navigation made from scratch for one page, as before it was shared.
    fn nav_from_scratch(site: &Site, here: &Here<'_>, current: Option<&PageId>) -> Vec<NavItem> {
        let item = |index: PageIndex, children: Vec<NavItem>| {
            let page = &site.pages[index];
            let is_current = current == Some(&page.id);
            NavItem {
                title: page.front.title.clone(),
                url: here.link(site, &site.urls[index]),
                lang: (&page.lang != here.lang).then(|| page.lang.to_string()),
                current: is_current,
                active: is_current || children.iter().any(|c| c.current || c.active),
                children: children.into_iter().map(NavEntry::Own).collect(),
            }
        };
        site.children_of("")
            .iter()
            .filter_map(|id| {
                let index = site.page_or_fallback(id, here.lang)?;
                let page = &site.pages[index];
                let in_section =
                    current.is_some_and(|c| c.as_str().starts_with(&format!("{}/", page.dir)));
                let children = match page.kind {
                    PageKind::Section if in_section => site
                        .children_of(&page.dir)
                        .iter()
                        .filter_map(|child| site.page_or_fallback(child, here.lang))
                        .map(|c| item(c, Vec::new()))
                        .collect(),
                    _ => Vec::new(),
                };
                Some(item(index, children))
            })
            .collect()
    }

    #[derive(serde::Serialize)]
    struct Wrapped<'a, T> {
        nav: &'a T,
    }

    /// Every page, search page and 404 page of the bundled site, in both link styles, gets from
    /// one shared `Lookups` the navigation it would get alone, for templates and for JSON alike.
    #[test]
    fn shared_navigation_equals_navigation_from_scratch() {
        for links in [LinkStyle::Pretty, LinkStyle::Files] {
            let site = bundled_site(links);
            let lookups = Lookups::default();
            let mut heres: Vec<(UrlPath, Lang, Option<&str>, Option<PageId>)> =
                (0..site.pages.len())
                    .map(|i| {
                        let page = &site.pages[i];
                        (
                            site.urls[i].clone(),
                            page.lang.clone(),
                            None,
                            Some(page.id.clone()),
                        )
                    })
                    .collect();
            for language in &site.config.languages {
                let lang = language.lang.clone();
                heres.push((search_url(&site, &lang), lang.clone(), None, None));
                let not_found = UrlPath::file(format!("{}404.html", site.lang_prefix(&lang)));
                heres.push((not_found.clone(), lang.clone(), Some("/"), None));
                heres.push((not_found, lang, Some("/espejo/"), None));
            }
            let mut shared = 0;
            for (url, lang, base, current) in &heres {
                let here = Here {
                    url,
                    lang,
                    base: *base,
                };
                let ours = lookups.nav(&site, &here, current.as_ref());
                let expected = nav_from_scratch(&site, &here, current.as_ref());
                shared += ours
                    .iter()
                    .flat_map(|e| std::iter::once(e).chain(&e.item().children))
                    .filter(|e| matches!(e, NavEntry::Shared(_)))
                    .count();
                assert_eq!(
                    serde_json::to_value(&ours).unwrap(),
                    serde_json::to_value(&expected).unwrap(),
                    "{} ({lang}, {base:?})",
                    url.as_str()
                );
                let ours = crate::render::context::to_template_context(&Wrapped { nav: &ours });
                let expected = tera::Context::from_serialize(&Wrapped { nav: &expected });
                assert_eq!(
                    ours.unwrap().get("nav"),
                    expected.unwrap().get("nav"),
                    "{}",
                    url.as_str()
                );
            }
            assert!(shared > heres.len(), "entries are shared ({shared})");
        }
    }
}
