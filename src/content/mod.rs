//! Reads `content/` from disk: walks it (walkdir), classifies each file (page, section, checklist,
//! asset), and parses pages and checklists. Nothing after this stage reads content files.

pub(crate) mod download;
pub(crate) mod front_matter;
pub(crate) mod home;
pub(crate) mod laws;
pub(crate) mod page;
pub(crate) mod secrets;
pub(crate) mod terms;
pub(crate) mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::checklist::{self, Checklist, ChecklistId, Languages};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::Lang;
use page::{slug_from_name, Page, PageId, PageKind};
pub(crate) use walk::{is_ignored_name, is_junk_name};

/// Whether draft pages are part of the site (`build --drafts`, `serve`) or left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    Include,
    Exclude,
}

/// A file copied unchanged to the same relative place in the output.
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    /// Content-relative, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
}

/// Everything read from `content/`, in a stable order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Content {
    pub pages: Vec<Page>,
    pub checklists: Vec<Checklist>,
    pub assets: Vec<Asset>,
    /// Files of the site's `static/` folder, copied verbatim to the output root (`rel` is
    /// relative to `static/`).
    pub statics: Vec<Asset>,
    /// Content-relative paths of pages and checklists that failed to load: links to them are
    /// not reported again as missing.
    pub failed: std::collections::BTreeSet<String>,
    /// The law registry (`content/leyes.yaml`), when the site has one and it is valid.
    pub laws: Option<laws::Registry>,
}

/// Warns at every avoided term of `terms` in the pages' text, titles and descriptions and in
/// the checklists' texts.
fn check_terms(terms: &terms::Terms, content: &Content, diags: &mut Diagnostics) {
    for page in &content.pages {
        let (title, description) = &page.front.text_spans;
        terms.check(
            &page.front.title,
            &page.lang,
            terms::Place::Text(title),
            diags,
        );
        if let (Some(text), Some(span)) = (&page.front.description, description) {
            terms.check(text, &page.lang, terms::Place::Text(span), diags);
        }
        let place = terms::Place::Markdown {
            file: &page.file,
            first_line: page.body_line,
        };
        terms.check(&page.body, &page.lang, place, diags);
    }
    for checklist in &content.checklists {
        for text in &checklist.texts {
            terms.check(
                &text.text,
                &text.lang,
                terms::Place::Text(&text.span),
                diags,
            );
        }
    }
}

#[derive(Clone)]
enum Source {
    Markdown { rel: String, id: PageId, lang: Lang },
    Checklist { rel: String },
    Laws { rel: String },
    Terms { rel: String },
    Asset(Asset),
}

/// Loads every page, checklist and asset under `config.content_dir`. Problems with single files
/// are pushed to `diags`; a missing `content/` folder is an I/O error.
pub(crate) fn load_content(
    config: &Config,
    drafts: Drafts,
    diags: &mut Diagnostics,
) -> anyhow::Result<Content> {
    load_content_cached(config, drafts, diags, &mut SourceCache::default())
}

/// The parsed pages of the dev server, kept between rebuilds: a page file is read again only
/// when the watcher names it or its size, time or inode changed.
#[derive(Default)]
pub(crate) struct SourceCache {
    pages: std::collections::HashMap<String, CachedPage>,
    /// The last walk of `content/` (files and their diagnostics), kept while no file has been
    /// added, removed or renamed.
    listing: Option<(Vec<Source>, Diagnostics)>,
    /// Whether cached pages the watcher did not name are known to be unchanged, so they need no
    /// look at the disk at all.
    trusted: bool,
    /// Counts loads; each page found by a load is marked with it, and the others are dropped.
    epoch: u64,
}

struct CachedPage {
    stamp: Option<Stamp>,
    page: Option<Page>,
    diags: Diagnostics,
    /// Changes only when the page's front matter (and so what other pages show of it) changes.
    front_serial: u64,
    /// The last load that found the file.
    epoch: u64,
}

/// A page as `SourceCache::load` found it, with its diagnostics.
enum Loaded {
    Cached(Option<Page>, Diagnostics),
    /// Read now, with the stamp it had before reading.
    Read(Option<Page>, Diagnostics, Option<Stamp>),
}

/// What tells a file changed without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

/// Numbers each distinct front matter a cached page has had; never reused within a process.
static FRONT_SERIALS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl SourceCache {
    /// Takes the watcher's list of what changed under `content/` (content-relative paths): an
    /// edited page file is read again; anything else (a file added, removed or renamed, a
    /// folder, a checklist or an asset) makes the next load walk `content/` again. Cached pages
    /// not named are then used without looking at the disk.
    pub(crate) fn changed(&mut self, content_dir: &Path, rels: &[String]) {
        for rel in rels {
            match self.pages.get_mut(rel.as_str()) {
                Some(cached) if walk::on_disk(content_dir, rel).is_file() => cached.stamp = None,
                _ => self.listing = None,
            }
        }
        self.trusted = true;
    }

    /// Identifies the front matter of the cached page at content-relative `rel`: equal numbers
    /// mean equal front matter. `None` for a page not loaded from a file.
    pub(crate) fn front_serial(&self, rel: &str) -> Option<u64> {
        self.pages.get(rel).map(|c| c.front_serial)
    }

    /// The page at `rel`: from the cache while it is known unchanged (the watcher did not name
    /// it, or its stamp is the same), else read now.
    fn load(&self, config: &Config, rel: &str, id: &PageId, lang: &Lang) -> Loaded {
        let cached = self.pages.get(rel).filter(|c| c.stamp.is_some());
        if let Some(cached) = cached.filter(|_| self.trusted) {
            return Loaded::Cached(cached.page.clone(), cached.diags.clone());
        }
        let stamp = Stamp::of(&walk::on_disk(&config.content_dir, rel));
        if let Some(cached) = cached.filter(|c| c.stamp == stamp) {
            return Loaded::Cached(cached.page.clone(), cached.diags.clone());
        }
        let mut local = Diagnostics::new();
        let page = load_page(config, rel, id, lang, &mut local);
        Loaded::Read(page, local, stamp)
    }

    fn store(&mut self, rel: &str, page: &Option<Page>, diags: &Diagnostics, stamp: Option<Stamp>) {
        let same_front = self.pages.get(rel).and_then(|old| {
            let same = match (&old.page, page) {
                (Some(a), Some(b)) => format!("{:?}", a.front) == format!("{:?}", b.front),
                _ => false,
            };
            same.then_some(old.front_serial)
        });
        let front_serial = same_front
            .unwrap_or_else(|| FRONT_SERIALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        self.pages.insert(
            rel.to_string(),
            CachedPage {
                stamp,
                page: page.clone(),
                diags: diags.clone(),
                front_serial,
                epoch: self.epoch,
            },
        );
    }
}

/// `load_content` reading only the page files that changed since `cache` last saw them.
pub(crate) fn load_content_cached(
    config: &Config,
    drafts: Drafts,
    diags: &mut Diagnostics,
    cache: &mut SourceCache,
) -> anyhow::Result<Content> {
    let dir = &config.content_dir;
    if !dir.is_dir() {
        anyhow::bail!("cannot read `{}`: the folder does not exist", dir.display());
    }
    let sources = match cache.listing.take() {
        Some((sources, walked)) => {
            diags.extend(walked.clone());
            cache.listing = Some((sources.clone(), walked));
            sources
        }
        None => {
            let mut walked = Diagnostics::new();
            let sources = walk(config, &mut walked);
            diags.extend(walked.clone());
            cache.listing = Some((sources.clone(), walked));
            sources
        }
    };
    let mut content = Content::default();
    let mut markdown = Vec::new();
    let mut checklists = Vec::new();
    let mut term_list = None;
    for source in sources {
        match source {
            Source::Markdown { rel, id, lang } => markdown.push((rel, id, lang)),
            Source::Checklist { rel } => checklists.push(rel),
            Source::Laws { rel } => {
                let file = Path::new("content").join(&rel);
                let text = read_text(&config.content_dir.join(&rel), &file, diags);
                content.laws = text
                    .and_then(|text| laws::parse_registry(&text, &file, &config.langs(), diags));
                if content.laws.is_none() {
                    content.failed.insert(rel);
                }
            }
            Source::Terms { rel } => {
                let file = Path::new("content").join(&rel);
                let text = read_text(&config.content_dir.join(&rel), &file, diags);
                term_list =
                    text.and_then(|text| terms::parse_terms(&text, &file, &config.langs(), diags));
            }
            Source::Asset(asset) => content.assets.push(asset),
        }
    }
    let loaded: Vec<_> = markdown
        .par_iter()
        .map(|(rel, id, lang)| cache.load(config, rel, id, lang))
        .collect();
    cache.epoch += 1;
    for ((rel, _, _), loaded) in markdown.iter().zip(loaded) {
        let (page, local) = match loaded {
            Loaded::Cached(page, local) => (page, local),
            Loaded::Read(page, local, stamp) => {
                cache.store(rel, &page, &local, stamp);
                (page, local)
            }
        };
        if let Some(entry) = cache.pages.get_mut(rel.as_str()) {
            entry.epoch = cache.epoch;
        }
        diags.extend(local);
        match page {
            Some(page) if drafts == Drafts::Include || !page.front.draft => {
                content.pages.push(page)
            }
            Some(_) => {}
            None => {
                content.failed.insert(rel.clone());
            }
        }
    }
    // Only the files still there stay cached.
    let epoch = cache.epoch;
    cache.pages.retain(|_, cached| cached.epoch == epoch);
    let langs = config.langs();
    for rel in checklists {
        match load_checklist(config, &rel, &langs, diags) {
            Some(checklist) => content.checklists.push(checklist),
            None => {
                content.failed.insert(rel);
            }
        }
    }
    content.statics = load_statics(config, diags);
    if let Some(terms) = &term_list {
        check_terms(terms, &content, diags);
    }
    let published = content.assets.iter().chain(&content.statics).map(|asset| {
        let shown = asset.abs.strip_prefix(&config.root).unwrap_or(&asset.abs);
        (crate::diagnostics::display_path(shown), asset.abs.as_path())
    });
    secrets::check_secrets(published, diags);
    content
        .pages
        .sort_by(|a, b| (&a.id, &a.lang).cmp(&(&b.id, &b.lang)));
    content.checklists.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(content)
}

/// Walks `content/` (see `walk::walk_files`) and classifies each file.
fn walk(config: &Config, diags: &mut Diagnostics) -> Vec<Source> {
    walk::walk_files(
        &config.root,
        &config.content_dir,
        walk::Hidden::Refuse,
        diags,
    )
    .into_iter()
    .filter_map(|found| classify(config, found.rel, &found.abs, diags))
    .collect()
}

/// The site's `static/` folder, dot files included and junk left out; none when it is missing.
fn load_statics(config: &Config, diags: &mut Diagnostics) -> Vec<Asset> {
    let dir = config.root.join(STATIC_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    walk::walk_files(&config.root, &dir, walk::Hidden::Include, diags)
        .into_iter()
        .map(|found| Asset {
            rel: found.rel,
            abs: found.abs,
        })
        .collect()
}

/// The folder beside `content/` whose files are copied verbatim to the output root.
pub(crate) const STATIC_DIR: &str = "static";

fn classify(config: &Config, rel: String, abs: &Path, diags: &mut Diagnostics) -> Option<Source> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", &rel));
    if let Some(stem) = name.strip_suffix(".md") {
        let suffix = stem.rsplit_once('.');
        let declared = suffix.and_then(|(_, suffix)| {
            Lang::try_from(suffix)
                .ok()
                .filter(|l| config.language(l).is_some())
        });
        let (base, lang) = match (suffix, declared) {
            (Some((base, _)), Some(lang)) => (base, lang),
            (Some((_, suffix)), None) if looks_like_lang(suffix) => {
                let declared: Vec<String> =
                    config.langs().iter().map(|l| format!("`{l}`")).collect();
                diags.push(
                    Diagnostic::error(format!(
                        "unknown language `{suffix}` in the file name `{name}`"
                    ))
                    .at(Span::file(Path::new("content").join(&rel)))
                    .with_help(format!("declared languages are {}", declared.join(", "))),
                );
                return None;
            }
            _ => (stem, config.default_lang.clone()),
        };
        let id_name = format!("{base}.md");
        let id = if dir.is_empty() {
            id_name
        } else {
            format!("{dir}/{id_name}")
        };
        return Some(Source::Markdown {
            rel,
            id: PageId(id),
            lang,
        });
    }
    let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    if is_yaml && dir == "checklists" {
        return Some(Source::Checklist { rel });
    }
    if rel == laws::FILE {
        return Some(Source::Laws { rel });
    }
    if rel == terms::FILE {
        return Some(Source::Terms { rel });
    }
    Some(Source::Asset(Asset {
        rel,
        abs: abs.to_path_buf(),
    }))
}

/// Whether an undeclared dotted suffix (`x.fr.md`) is meant as a language and so reported as an
/// unknown one: a code of 2–3 lowercase letters, optionally with a region (`pt-BR`, `es-419`).
/// Common file extensions are not codes, so `ley.pdf.md` is a page named `ley.pdf`.
fn looks_like_lang(suffix: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "bak", "bmp", "csv", "doc", "docx", "gif", "htm", "jpg", "md", "mp3", "mp4", "odp", "ods",
        "odt", "old", "pdf", "png", "ppt", "rtf", "svg", "tmp", "txt", "xls", "xml", "zip",
    ];
    let (primary, region) = match suffix.split_once('-') {
        Some((primary, region)) => (primary, Some(region)),
        None => (suffix, None),
    };
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
    });
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && region_ok
        && !EXTENSIONS.contains(&primary)
}

/// `read_text` for a text kept as long as the diagnostics keep it: one shared copy.
fn read_shared(abs: &Path, file: &Path, diags: &mut Diagnostics) -> Option<std::sync::Arc<str>> {
    let text = read_text_unrecorded(abs, file, diags)?;
    let text: std::sync::Arc<str> = text.into();
    diags.add_shared_source(file, std::sync::Arc::clone(&text));
    Some(text)
}

/// Reads a content file as UTF-8; invalid UTF-8 is an error naming the file and line.
pub(crate) fn read_text(abs: &Path, file: &Path, diags: &mut Diagnostics) -> Option<String> {
    let text = read_text_unrecorded(abs, file, diags)?;
    diags.add_source(file, &text);
    Some(text)
}

/// `read_text` without recording the text in `diags` when it is valid.
fn read_text_unrecorded(abs: &Path, file: &Path, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match std::fs::read(abs) {
        Ok(bytes) => bytes,
        Err(error) => {
            diags.push(
                Diagnostic::error(format!("cannot read this file ({error})")).at(Span::file(file)),
            );
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            diags.add_source(file, valid);
            let (line, col) = crate::diagnostics::line_col(valid, valid.len());
            diags.push(
                Diagnostic::error("the file is not valid UTF-8 text")
                    .at(Span::new(file, line, col))
                    .with_help("save the file with UTF-8 encoding"),
            );
            None
        }
    }
}

fn load_page(
    config: &Config,
    rel: &str,
    id: &PageId,
    lang: &Lang,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let file = Path::new("content").join(rel);
    let text = read_shared(&walk::on_disk(&config.content_dir, rel), &file, diags)?;
    let mut page = parse_page(&text, rel, id, lang, diags)?;
    page.body = page::Body::within(&text, &page.body);
    Some(page)
}

/// Parses the text of the page source `rel` (content-relative) into a `Page`: front matter,
/// kind, slug. Every problem is pushed to `diags`; `None` if the page cannot be used.
pub(crate) fn parse_page(
    text: &str,
    rel: &str,
    id: &PageId,
    lang: &Lang,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let file = Path::new("content").join(rel);
    let document = match front_matter::parse_document(text, &file) {
        Ok(document) => document,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let (dir, file_name) = id.as_str().rsplit_once('/').unwrap_or(("", id.as_str()));
    let stem = file_name.trim_end_matches(".md");
    let kind = match (stem, dir) {
        ("_index", "") => PageKind::Home,
        ("_index", _) => PageKind::Section,
        _ => PageKind::Page,
    };
    let default_slug = match kind {
        PageKind::Home => String::new(),
        PageKind::Section => slug_from_name(dir.rsplit('/').next().unwrap_or(dir)),
        PageKind::Page => slug_from_name(stem),
    };
    let slug = match &document.front.slug {
        Some(slug) if page::is_valid_slug(&slug.value) => slug.value.clone(),
        Some(slug) => {
            diags.push(
                Diagnostic::error(format!("invalid slug `{}`", slug.value))
                    .at(slug.span.clone())
                    .with_help("use lowercase letters, digits and hyphens, e.g. `code-of-conduct`"),
            );
            return None;
        }
        None => default_slug,
    };
    if kind == PageKind::Home && document.front.slug.is_some() {
        diags.push(
            Diagnostic::warning("`slug` has no effect on the home page").at(Span::file(&file)),
        );
    }
    Some(Page {
        id: id.clone(),
        lang: lang.clone(),
        kind,
        file,
        dir: dir.to_string(),
        slug,
        file_name: file_name.to_string(),
        front: document.front,
        body: page::Body::from(document.body.as_str()),
        body_line: document.body_line,
        generated: false,
    })
}

fn load_checklist(
    config: &Config,
    rel: &str,
    langs: &[Lang],
    diags: &mut Diagnostics,
) -> Option<Checklist> {
    let file = Path::new("content").join(rel);
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.trim_end_matches(".yaml").trim_end_matches(".yml");
    let id = match ChecklistId::try_from(stem.to_string()) {
        Ok(id) => id,
        Err(message) => {
            diags.push(
                Diagnostic::error(format!("invalid checklist file name `{name}`: {message}"))
                    .at(Span::file(&file)),
            );
            return None;
        }
    };
    let text = read_text(&walk::on_disk(&config.content_dir, rel), &file, diags)?;
    let languages = Languages {
        default: &config.default_lang,
        all: langs,
    };
    checklist::parse_checklist(&text, &file, id, languages, diags)
}
