//! Builds the typed template contexts of `context.rs` from the site model: links, navigation,
//! breadcrumbs, neighbours and alternates, all as relative URLs from the page being rendered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::content::page::{PageId, PageKind};
use crate::lang::Lang;
use crate::render::context::{
    Alternate, BundleView, Link, NavEntry, NavItem, PageView, SharedNavItem, SiteView,
};
use crate::site::{PageIndex, Site};
use crate::url::UrlPath;

/// Where a page is being rendered from: its URL and language.
pub(crate) struct Here<'a> {
    pub url: &'a UrlPath,
    pub lang: &'a Lang,
    /// For pages served at any depth (404): links start from this site path (`/`, `/espejo/`)
    /// instead of being relative to `url`.
    pub base: Option<&'a str>,
}

impl<'a> Here<'a> {
    pub fn new(url: &'a UrlPath, lang: &'a Lang) -> Here<'a> {
        Here {
            url,
            lang,
            base: None,
        }
    }

    pub fn link(&self, site: &Site, target: &UrlPath) -> String {
        match self.base {
            Some(base) => {
                let link = UrlPath::dir("").relative_to(target, site.config.links);
                format!("{base}{}", link.trim_start_matches("./"))
            }
            None => self.url.relative_to(target, site.config.links),
        }
    }

    /// A link to page `index`; `lang` is set when it is a fallback in another language.
    pub fn page_link(&self, site: &Site, index: PageIndex) -> Link {
        let page = &site.pages[index];
        Link {
            title: page.front.title.clone(),
            url: self.link(site, &site.urls[index]),
            lang: (&page.lang != self.lang).then(|| page.lang.to_string()),
            description: page.front.description.clone(),
        }
    }
}

/// The site-wide part of a page's context, seen from `here`.
pub(crate) fn site_view<'a>(
    site: &'a Site,
    here: &Here<'_>,
    current: Option<&PageId>,
    search_index: Option<&UrlPath>,
    options: &'a crate::render::RenderOptions,
    lookups: &Lookups,
) -> SiteView<'a> {
    let language = site
        .config
        .language(here.lang)
        .unwrap_or(site.config.default_language());
    let prefix = site.lang_prefix(here.lang);
    let about = ["acerca.md", "about.md"]
        .iter()
        .find_map(|id| site.page_or_fallback(&PageId((*id).to_string()), here.lang));
    SiteView {
        title: &language.title,
        description: &language.description,
        default_lang: site.config.default_lang.as_str(),
        home_url: here.link(
            site,
            &site
                .page_or_fallback(&PageId("_index.md".to_string()), here.lang)
                .map_or_else(|| UrlPath::dir(prefix.clone()), |i| site.urls[i].clone()),
        ),
        search_url: here.link(site, &search_url(site, here.lang)),
        search_index_url: search_index
            .map(|url| here.link(site, url))
            .unwrap_or_default(),
        about_url: about.map(|i| here.link(site, &site.urls[i])),
        checklists_url: site
            .page_or_fallback(&PageId("checklists/_index.md".to_string()), here.lang)
            .map(|i| here.link(site, &site.urls[i])),
        // Set by the renderer, which knows whether the theme has a handbook.
        handbook_url: None,
        nav: lookups.nav(site, here, current),
        public_key: options.public_key.as_deref(),
        bundle: options.bundle.as_ref().map(|b| BundleView {
            url: here.link(site, &UrlPath::file(b.file.clone())),
            size: human_size(b.bytes),
            bytes: b.bytes,
            sha256: &b.sha256,
        }),
        base_url: &site.config.base_url,
        origin_about_url: about
            .map(|i| format!("{}{}", site.config.base_url, site.urls[i].as_str())),
        feed_url: here.link(site, &UrlPath::file(format!("{prefix}atom.xml"))),
    }
}

/// A download size for people: `830 kB`, `1.4 MB` (decimal units, as Mexico and English write them).
pub(crate) fn human_size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// `search/` in the default language, `en/search/` otherwise.
pub(crate) fn search_url(site: &Site, lang: &Lang) -> UrlPath {
    UrlPath::dir(format!("{}search", site.lang_prefix(lang)))
}

/// What every page of a build looks up alike, computed once per build: per language, the
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
    fn nav(&self, site: &Site, here: &Here<'_>, current: Option<&PageId>) -> Vec<NavEntry> {
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

/// The home page and every ancestor section of a page or checklist in folder `dir`.
pub(crate) fn breadcrumbs(site: &Site, here: &Here<'_>, dir: &str, include_dir: bool) -> Vec<Link> {
    let mut ids = vec![PageId("_index.md".to_string())];
    let segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let count = if include_dir {
        segments.len()
    } else {
        segments.len().saturating_sub(1)
    };
    for n in 1..=count {
        ids.push(PageId(format!("{}/_index.md", segments[..n].join("/"))));
    }
    ids.iter()
        .filter_map(|id| site.page_or_fallback(id, here.lang))
        .map(|i| here.page_link(site, i))
        .collect()
}

/// The same page in every language; an untranslated page points at that language's home.
/// A language with neither (no page at all in it yet) is left out, so no link leads nowhere.
pub(crate) fn alternates(
    site: &Site,
    here: &Here<'_>,
    url_in: &dyn Fn(&Lang) -> Option<UrlPath>,
) -> Vec<Alternate> {
    let home = PageId("_index.md".to_string());
    site.config
        .languages
        .iter()
        .filter_map(|language| {
            let (url, translated) = match url_in(&language.lang) {
                Some(url) => (url, true),
                None => {
                    let index = site.page(&home, &language.lang)?;
                    (site.urls[index].clone(), false)
                }
            };
            Some(Alternate {
                lang: language.lang.to_string(),
                name: language.name.clone(),
                url: here.link(site, &url),
                permalink: format!("{}{}", site.config.base_url, url.as_str()),
                current: &language.lang == here.lang,
                translated,
            })
        })
        .collect()
}

/// Previous and next pages of the same section that exist in the page's language.
pub(crate) fn neighbours(
    site: &Site,
    here: &Here<'_>,
    index: PageIndex,
    lookups: &Lookups,
) -> (Option<Link>, Option<Link>) {
    let page = &site.pages[index];
    if page.kind != PageKind::Page {
        return (None, None);
    }
    let siblings = lookups.siblings(site, &page.dir, &page.lang);
    let Some(position) = siblings.iter().position(|&i| i == index) else {
        return (None, None);
    };
    let prev = position
        .checked_sub(1)
        .map(|p| here.page_link(site, siblings[p]));
    let next = siblings.get(position + 1).map(|&n| here.page_link(site, n));
    (prev, next)
}

/// The page part of a page made by the generator rather than from markdown (checklists, search,
/// 404): a title, a permalink and breadcrumbs, nothing else.
pub(crate) fn generated_page<'a>(
    kind: &'a str,
    title: &'a str,
    permalink: String,
    breadcrumbs: Vec<Link>,
) -> PageView<'a> {
    PageView {
        kind,
        title,
        description: None,
        content: "",
        toc: &[],
        show_toc: false,
        date: None,
        updated: None,
        draft: false,
        permalink,
        breadcrumbs,
        prev: None,
        next: None,
        children: Vec::new(),
        sectors: Vec::new(),
        about: false,
        downloads: &[],
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::LinkStyle;
    use crate::content::Drafts;
    use crate::diagnostics::Diagnostics;

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
