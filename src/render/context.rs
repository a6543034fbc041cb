//! The typed contexts that templates receive: this file documents everything a theme may use.
//! Each struct borrows from the model; nothing here computes URLs or reads files.

use std::cell::Cell;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::markdown::TocEntry;

/// The variables of every template. Page-type-specific parts are `None` when they do not apply.
#[derive(Debug, Serialize)]
pub(crate) struct PageContext<'a> {
    pub site: SiteView<'a>,
    pub page: PageView<'a>,
    /// Current language code (`es`, `en`); the `t(key=…)` function uses it.
    pub lang: &'a str,
    /// Relative prefix from this page to the site root (`./`, `../`, `../../`); the `asset(path=…)`
    /// function uses it, and templates may prefix it to root-relative paths.
    pub root: String,
    /// The same page in every language (or the other language's home when untranslated).
    pub alternates: Vec<Alternate>,
    /// Set on checklist pages only.
    pub checklist: Option<ChecklistView<'a>>,
    /// Set on the checklists index only: every checklist with its item count, sector checklists
    /// first, then process checklists.
    pub checklists: Option<Vec<ChecklistCard>>,
    /// Set on the checklists index only: the kinds (`sector`, `process`) that have at least one
    /// checklist, in that order, so a theme can list each kind under its own heading.
    pub checklist_kinds: Option<Vec<&'static str>>,
    /// `true` when built by `serve`: the theme includes the live-reload script.
    pub live_reload: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct SiteView<'a> {
    /// Site title in the current language.
    pub title: &'a str,
    pub description: &'a str,
    pub default_lang: &'a str,
    /// Link to the home page of the current language.
    pub home_url: String,
    /// Link to the search page of the current language.
    pub search_url: String,
    /// The search index script of the current language (loaded by the search page).
    pub search_index_url: String,
    /// Link to the about page (`content/acerca.md` or `content/about.md`), if the site has one.
    pub about_url: Option<String>,
    /// Link to the checklists index (`content/checklists/_index.md`), if the site has one.
    pub checklists_url: Option<String>,
    /// Link to the printable handbook of the current language, when the theme has `handbook.html`.
    pub handbook_url: Option<String>,
    /// Top-level navigation: the home page's sections and pages in order; only the section
    /// holding the current page lists its children (so navigation stays small on large sites).
    pub nav: Vec<NavEntry>,
    /// Feed of the current language.
    pub feed_url: String,
    /// Minisign public key (`RW…`) when the build is signed (`build --sign`); the theme shows it
    /// on the about page next to the verification commands.
    pub public_key: Option<&'a str>,
    /// The offline bundle (`build --bundle`); the theme offers it on the home and about pages.
    pub bundle: Option<BundleView<'a>>,
    /// The origin's absolute URL (`base_url`, ending in `/`): the theme's mirror notice shows
    /// when a page is served from another host.
    pub base_url: &'a str,
    /// Every host of the official site: `base_url`'s first (the one the mirror notice names),
    /// then `[mirror] official_hosts`. The notice never shows on any of them.
    pub official_hosts: Vec<&'a str>,
    /// The about page on the origin (absolute), where a copy's verification is explained.
    pub origin_about_url: Option<String>,
}

/// The offline bundle as a page links to it.
#[derive(Debug, Serialize)]
pub(crate) struct BundleView<'a> {
    /// Relative link to the ZIP.
    pub url: String,
    /// Size for people (`1.4 MB`).
    pub size: String,
    pub bytes: u64,
    /// SHA-256 of the ZIP, lowercase hex.
    pub sha256: &'a str,
}

/// A navigation entry; `current` is true for the page being rendered and `active` for its ancestors.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NavItem {
    pub title: String,
    pub url: String,
    /// Set when the entry is a fallback in another language than the page.
    pub lang: Option<String>,
    pub current: bool,
    pub active: bool,
    pub children: Vec<NavEntry>,
}

/// A navigation entry as templates see it: always a `NavItem`. Entries that many pages show
/// alike (same link, neither current nor active) are shared within a build and converted to
/// template values once (see `to_template_context`).
#[derive(Debug, Clone)]
pub(crate) enum NavEntry {
    Own(NavItem),
    Shared(Arc<SharedNavItem>),
}

impl NavEntry {
    pub fn item(&self) -> &NavItem {
        match self {
            NavEntry::Own(item) => item,
            NavEntry::Shared(shared) => &shared.item,
        }
    }
}

impl Serialize for NavEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NavEntry::Own(item) => item.serialize(serializer),
            // Tera clones a `Value` it meets while converting instead of converting it again.
            NavEntry::Shared(shared) if FOR_TEMPLATES.get() => shared.value.serialize(serializer),
            NavEntry::Shared(shared) => shared.item.serialize(serializer),
        }
    }
}

/// A navigation item with its template value, made once and shown by many pages.
#[derive(Debug)]
pub(crate) struct SharedNavItem {
    item: NavItem,
    value: tera::Value,
}

impl SharedNavItem {
    pub fn new(item: NavItem) -> SharedNavItem {
        let value = tera::Value::from_serializable(&item);
        SharedNavItem { item, value }
    }
}

thread_local! {
    /// Set while `to_template_context` runs on this thread. A tera `Value` serialized by any
    /// other serializer (snapshots, JSON) comes out with its keys in hash order, so shared
    /// entries hand over their value only to Tera, and their typed item to everyone else.
    static FOR_TEMPLATES: Cell<bool> = const { Cell::new(false) };
}

/// Converts a context to Tera's values, shared navigation entries by reference.
pub(crate) fn to_template_context(context: &impl Serialize) -> tera::TeraResult<tera::Context> {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            FOR_TEMPLATES.set(self.0);
        }
    }
    let _reset = Reset(FOR_TEMPLATES.replace(true));
    tera::Context::from_serialize(context)
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Alternate {
    pub lang: String,
    /// Language name in its own language (`Español`, `English`).
    pub name: String,
    pub url: String,
    /// Absolute URL of `url` (`base_url` + path), for `hreflang` alternates.
    pub permalink: String,
    pub current: bool,
    /// `false` when the page has no translation in that language and `url` leads to that language's home.
    pub translated: bool,
}

/// A link to another page; `lang` is set when the target is in another language than the page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub title: String,
    pub url: String,
    pub lang: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PageView<'a> {
    /// `home`, `section`, `page`, `checklist`, `checklists`, `search` or `404`.
    pub kind: &'a str,
    /// For `search` and `404`, the theme's `search_title` / `error_404_title` UI string.
    pub title: &'a str,
    pub description: Option<&'a str>,
    /// Rendered markdown body (already safe HTML).
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    /// Whether to show the table of contents (front matter `toc`, default true, and non-empty).
    pub show_toc: bool,
    pub date: Option<&'a str>,
    pub updated: Option<&'a str>,
    pub draft: bool,
    /// Absolute canonical URL (`base_url` + path).
    pub permalink: String,
    /// From the home page down to the parent of this page.
    pub breadcrumbs: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    /// For sections and the home page: the pages and subsections listed, in order.
    pub children: Vec<Link>,
    /// For chapters: the sector checklists named in front matter `sectors`.
    pub sectors: Vec<Link>,
    /// True on the about page (`content/acerca.md` or `content/about.md`), where the theme
    /// explains how to verify a copy.
    pub about: bool,
    /// Files generated from this page (front matter `downloads`): Word, spreadsheet, CSV.
    pub downloads: &'a [crate::render::downloads::DownloadView],
}

/// A localized text as shown: `lang` is set when the text is in another language than the page
/// (a missing translation), so the theme can put it in an element with that `lang` attribute.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Text {
    pub text: String,
    pub lang: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChecklistView<'a> {
    pub id: &'a str,
    /// `sector` or `process`.
    pub kind: &'static str,
    pub title: Text,
    /// Rendered markdown, safe HTML (may be empty).
    pub description: Text,
    pub item_count: usize,
    pub sections: Vec<ChecklistSectionView>,
    /// Chapters listed in the checklist's `related`.
    pub related: Vec<Link>,
    /// Chapters whose front matter lists this checklist in `sectors`.
    pub chapters: Vec<Link>,
    /// Relative URL of `checklist.json`.
    pub data_url: String,
    /// The scoring rules as JSON, for a `<script type="application/json">` block.
    pub rules_json: String,
    /// The version of the items, written into exports (`Checklist::items_hash`).
    pub items_hash: String,
    /// Options of the optional state field of an export: code and name in the page's language.
    pub states: Vec<Choice>,
    /// Options of the optional size field of an export (the theme names them `size_<id>`).
    pub sizes: Vec<&'static str>,
}

/// One option of a closed list.
#[derive(Debug, Serialize)]
pub(crate) struct Choice {
    pub id: &'static str,
    pub name: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChecklistSectionView {
    pub id: String,
    pub title: Text,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ItemView {
    pub id: String,
    pub question: Text,
    /// Rendered markdown, safe HTML (may be empty).
    pub guidance: Text,
    /// `high`, `medium` or `low`.
    pub risk: &'static str,
    /// `procedures-manual`, `code-of-conduct`, … or `None`.
    pub element: Option<&'static str>,
    pub references: Vec<ReferenceView>,
}

/// A reference of an item: plain text, or a link to a chapter or an external URL.
#[derive(Debug, Serialize)]
pub(crate) struct ReferenceView {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChecklistCard {
    pub id: String,
    /// `sector` or `process`.
    pub kind: &'static str,
    pub title: Text,
    /// Rendered markdown, safe HTML (may be empty).
    pub description: Text,
    pub url: String,
    pub item_count: usize,
}

/// The variables of `handbook.html`: the same `site`, `page`, `lang`, `root`, `alternates` and
/// `live_reload` as every page (so it can extend the base template), plus the handbook itself.
#[derive(Debug, Serialize)]
pub(crate) struct HandbookContext<'a> {
    pub site: SiteView<'a>,
    /// `kind` is `handbook`; `title` the theme's `handbook_title` string.
    pub page: PageView<'a>,
    pub lang: &'a str,
    pub root: String,
    pub alternates: Vec<Alternate>,
    pub live_reload: bool,
    pub handbook: HandbookView,
}

/// The printable handbook of one language.
#[derive(Debug, Serialize)]
pub(crate) struct HandbookView {
    /// The site's home page in this language, absolute (`base_url` + language prefix).
    pub site_address: String,
    /// The newest `updated` or `date` (YYYY-MM-DD) of the language's pages: the edition date.
    /// Not the build's clock, so the same content gives the same bytes. `None` when no page is dated.
    pub date: Option<String>,
    /// Chapters in reading order, numbered from 1.
    pub chapters: Vec<HandbookChapter>,
    /// Every checklist as a blank paper form, sector checklists first, then process checklists.
    pub forms: Vec<HandbookForm>,
    /// The score bands, lowest first.
    pub bands: Vec<BandView>,
}

/// A score band as a paper form states it: from `min_percent` up to, not including, `below`.
#[derive(Debug, Serialize)]
pub(crate) struct BandView {
    /// `initial`, `developing`, `solid`.
    pub id: &'static str,
    pub min_percent: u32,
    /// Where the next band starts; `None` for the last band (up to 100 %).
    pub below: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HandbookChapter {
    /// Id of the chapter's `<section>`; every id inside starts with it and a hyphen.
    pub id: String,
    pub number: usize,
    pub title: String,
    /// Set when the chapter is shown in another language (a missing translation).
    pub lang: Option<String>,
    pub description: Option<String>,
    /// Rendered markdown with headings one level down, ids prefixed and links aimed within the
    /// handbook where their target is in it (safe HTML).
    pub content: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct HandbookForm {
    /// `form-<checklist id>`; sections and items are `form-<checklist id>-<id>`.
    pub id: String,
    /// `sector` or `process`.
    pub kind: &'static str,
    pub title: Text,
    /// Rendered markdown, safe HTML (may be empty).
    pub description: Text,
    pub item_count: usize,
    pub sections: Vec<FormSection>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FormSection {
    pub id: String,
    pub title: Text,
    pub items: Vec<FormItem>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FormItem {
    pub id: String,
    /// Numbered from 1 across the whole checklist, as on its page.
    pub number: usize,
    pub question: Text,
    /// `high`, `medium` or `low`.
    pub risk: &'static str,
    /// The risk's weight in the score (SPEC: high 3, medium 2, low 1), for scoring on paper.
    pub weight: u32,
    /// `procedures-manual`, `code-of-conduct`, … or `None`.
    pub element: Option<&'static str>,
}
