//! Builds the typed template contexts of `context.rs` from the site model: links, navigation,
//! breadcrumbs, neighbours and alternates, all as relative URLs from the page being rendered.

use crate::content::page::{PageId, PageKind};
use crate::lang::Lang;
use crate::render::context::{Alternate, BundleView, Link, PageView, SiteView};
use crate::site::{PageIndex, Site};
use crate::url::UrlPath;

mod nav;

pub(crate) use nav::Lookups;

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
        official_hosts: site.config.official_hosts(),
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
