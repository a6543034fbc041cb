//! The site model: every page in every language with its URL, section, translations and
//! neighbours, the checklists, and link resolution from source paths to relative URLs.
//! Built once from `Content`; rendering only reads it.

use std::collections::{BTreeMap, HashMap};

use crate::checklist::Checklist;
use crate::config::Config;
use crate::content::page::{Page, PageId, PageKind};
use crate::content::{Asset, Content};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::url::UrlPath;

pub(crate) mod laws;
pub(crate) mod links;
mod rooted;
pub(crate) mod translations;
mod tree;

/// Index of a page in `Site::pages`.
pub(crate) type PageIndex = usize;

/// Something a link can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Page(PageIndex),
    Checklist(usize, usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub config: Config,
    /// Sorted by id, then language.
    pub pages: Vec<Page>,
    /// URL of each page, parallel to `pages`.
    pub urls: Vec<UrlPath>,
    pub checklists: Vec<Checklist>,
    /// URL of each checklist per language: `checklist_urls[checklist][language index]`.
    pub checklist_urls: Vec<Vec<UrlPath>>,
    pub assets: Vec<Asset>,
    /// Files of `static/`, copied verbatim to the output root.
    pub statics: Vec<Asset>,
    /// The law registry that `ley:` links cite, when the site has a valid one.
    pub laws: Option<crate::content::laws::Registry>,
    /// Page index of each id in each language (indexed like `config.languages`).
    by_id: HashMap<PageId, Vec<Option<PageIndex>>>,
    assets_by_rel: HashMap<String, usize>,
    /// Sources that failed to load (see `Content::failed`).
    failed: std::collections::BTreeSet<String>,
    /// Children of each section folder (`""` is the home page), in order, as page ids.
    children: BTreeMap<String, Vec<PageId>>,
}

impl Site {
    /// Builds the model. Duplicate URLs and front matter that names unknown sectors are errors.
    pub fn new(config: &Config, content: Content, diags: &mut Diagnostics) -> Site {
        let mut by_id: HashMap<PageId, Vec<Option<PageIndex>>> = HashMap::new();
        for (i, page) in content.pages.iter().enumerate() {
            let slot = config.languages.iter().position(|l| l.lang == page.lang);
            let slots = by_id
                .entry(page.id.clone())
                .or_insert_with(|| vec![None; config.languages.len()]);
            if let Some(slot) = slot {
                slots[slot] = Some(i);
            }
        }
        let assets_by_rel = content
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| (a.rel.clone(), i))
            .collect();
        let mut site = Site {
            config: config.clone(),
            pages: content.pages,
            urls: Vec::new(),
            checklists: content.checklists,
            checklist_urls: Vec::new(),
            assets: content.assets,
            statics: content.statics,
            laws: content.laws,
            by_id,
            assets_by_rel,
            failed: content.failed,
            children: BTreeMap::new(),
        };
        site.urls = (0..site.pages.len()).map(|i| site.compute_url(i)).collect();
        site.checklist_urls = (0..site.checklists.len())
            .map(|c| {
                site.config
                    .languages
                    .iter()
                    .map(|l| {
                        let base = site.section_path("checklists", &l.lang);
                        UrlPath::dir(format!("{base}{}", site.checklists[c].id))
                    })
                    .collect()
            })
            .collect();
        site.children = tree::children(&site.pages);
        site.check_urls(diags);
        site.check_sectors(diags);
        site.check_languages(diags);
        site
    }

    pub fn page(&self, id: &PageId, lang: &Lang) -> Option<PageIndex> {
        let slot = self.config.languages.iter().position(|l| &l.lang == lang)?;
        self.by_id.get(id).and_then(|slots| slots[slot])
    }

    /// The page in `lang`, else in the default language, else in any language.
    pub fn page_or_fallback(&self, id: &PageId, lang: &Lang) -> Option<PageIndex> {
        self.page(id, lang)
            .or_else(|| self.page(id, &self.config.default_lang))
            .or_else(|| {
                self.config
                    .languages
                    .iter()
                    .find_map(|l| self.page(id, &l.lang))
            })
    }

    /// Whether a content-relative source path failed to load (its errors are already reported).
    pub fn failed_to_load(&self, rel: &str) -> bool {
        self.failed.contains(rel)
            || rel.strip_suffix(".md").is_some_and(|stem| {
                self.config
                    .languages
                    .iter()
                    .any(|l| self.failed.contains(&format!("{stem}.{}.md", l.lang)))
            })
    }

    /// Sources that failed to load, in order.
    pub fn failed_sources(&self) -> &std::collections::BTreeSet<String> {
        &self.failed
    }

    pub fn asset(&self, rel: &str) -> Option<&Asset> {
        self.assets_by_rel.get(rel).map(|&i| &self.assets[i])
    }

    pub fn lang_index(&self, lang: &Lang) -> usize {
        self.config
            .languages
            .iter()
            .position(|l| &l.lang == lang)
            .unwrap_or(0)
    }

    pub fn checklist_index(&self, id: &str) -> Option<usize> {
        self.checklists.iter().position(|c| c.id.to_string() == id)
    }

    /// The ordered child page ids of a section folder (`""` for the home page).
    pub fn children_of(&self, dir: &str) -> &[PageId] {
        self.children.get(dir).map_or(&[], Vec::as_slice)
    }

    /// Every section folder (`""` for the home page) with its ordered child page ids.
    pub fn sections(&self) -> impl Iterator<Item = (&str, &[PageId])> + '_ {
        self.children
            .iter()
            .map(|(dir, ids)| (dir.as_str(), ids.as_slice()))
    }

    /// `""` for the default language, `en/` for the others.
    pub fn lang_prefix(&self, lang: &Lang) -> String {
        if lang == &self.config.default_lang {
            String::new()
        } else {
            format!("{lang}/")
        }
    }

    /// URL path of a section folder in a language, with each folder's slug in that language.
    pub fn section_path(&self, dir: &str, lang: &Lang) -> String {
        let mut path = self.lang_prefix(lang);
        let mut so_far = String::new();
        for segment in dir.split('/').filter(|s| !s.is_empty()) {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(segment);
            let id = PageId(format!("{so_far}/_index.md"));
            let slug = self
                .page(&id, lang)
                .or_else(|| self.page(&id, &self.config.default_lang))
                .map(|i| self.pages[i].slug.clone())
                .unwrap_or_else(|| crate::content::page::slug_from_name(segment));
            path.push_str(&slug);
            path.push('/');
        }
        path
    }

    fn compute_url(&self, index: PageIndex) -> UrlPath {
        let page = &self.pages[index];
        match page.kind {
            PageKind::Home => UrlPath::dir(self.lang_prefix(&page.lang)),
            PageKind::Section => UrlPath::dir(self.section_path(&page.dir, &page.lang)),
            PageKind::Page => UrlPath::dir(format!(
                "{}{}",
                self.section_path(&page.dir, &page.lang),
                page.slug
            )),
        }
    }

    fn check_urls(&self, diags: &mut Diagnostics) {
        let mut seen: HashMap<&UrlPath, PageIndex> = HashMap::new();
        for (i, url) in self.urls.iter().enumerate() {
            if let Some(&first) = seen.get(url) {
                diags.push(
                    Diagnostic::error(format!(
                        "two pages have the URL `/{}`: this one and `{}`",
                        url.as_str(),
                        crate::diagnostics::display_path(&self.pages[first].file)
                    ))
                    .at(crate::diagnostics::Span::file(&self.pages[i].file))
                    .with_help("give one of them another `slug`"),
                );
            } else {
                seen.insert(url, i);
            }
        }
    }

    /// A declared language without a single page is almost always a forgotten translation.
    fn check_languages(&self, diags: &mut Diagnostics) {
        for language in &self.config.languages {
            let written = |i: &PageIndex| !self.pages[*i].generated;
            let any_written = self.pages.iter().any(|p| !p.generated);
            if any_written && !self.pages_in(&language.lang).any(|i| written(&i)) {
                diags.push(
                    Diagnostic::warning(format!(
                        "language `{}` is declared in site.toml but no page is written in it",
                        language.lang
                    ))
                    .at(language.span.clone())
                    .with_help(format!(
                        "add translations such as `content/_index.{}.md`, or remove `[languages.{}]`",
                        language.lang, language.lang
                    )),
                );
            }
        }
    }

    fn check_sectors(&self, diags: &mut Diagnostics) {
        for page in &self.pages {
            for sector in &page.front.sectors {
                let failed = self
                    .failed
                    .contains(&format!("checklists/{}.yaml", sector.value));
                if self.checklist_index(&sector.value).is_none() && !failed {
                    let known: Vec<String> = self
                        .checklists
                        .iter()
                        .map(|c| format!("`{}`", c.id))
                        .collect();
                    diags.push(
                        Diagnostic::error(format!("unknown sector checklist `{}`", sector.value))
                            .at(sector.span.clone())
                            .with_help(format!("known checklists: {}", known.join(", "))),
                    );
                }
            }
        }
    }

    /// Pages of `lang` (fallbacks excluded) in id order.
    pub fn pages_in(&self, lang: &Lang) -> impl Iterator<Item = PageIndex> + '_ {
        let lang = lang.clone();
        (0..self.pages.len()).filter(move |&i| self.pages[i].lang == lang)
    }

    /// The section folder a page belongs to: its own folder for pages, the parent folder for sections.
    pub fn parent_dir(page: &Page) -> Option<&str> {
        match page.kind {
            PageKind::Home => None,
            PageKind::Section => Some(page.dir.rsplit_once('/').map_or("", |(p, _)| p)),
            PageKind::Page => Some(&page.dir),
        }
    }
}
