//! Renders the HTML outputs: one file per page and language, checklist pages, the search pages,
//! 404 and alias redirects. Each file goes to the sink as soon as it is rendered.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::content::page::PageKind;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::Lang;
use crate::output::OutputSink;
use crate::render::context::{to_template_context, PageContext, PageView};
use crate::render::theme::Theme;
use crate::render::views::{self, Here};
use crate::render::{Mode, Rendered};
use crate::site::Site;
use crate::url::UrlPath;

pub(super) struct Renderer<'a> {
    /// Output path of the search index script of each language.
    pub search_indexes: std::collections::BTreeMap<Lang, String>,
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub rendered: &'a Rendered,
    pub options: &'a super::RenderOptions,
    pub sink: &'a dyn OutputSink,
    /// The downloads of every page (parallel to `Site::pages`), already written.
    pub downloads: Vec<Vec<super::downloads::DownloadView>>,
    /// The pages to write.
    pub pages: super::Pages<'a>,
    /// What the files of this render share.
    pub shared: Shared,
}

/// What the files of one render share: lookups made once, and how large a file comes out.
#[derive(Default)]
pub(super) struct Shared {
    lookups: views::Lookups,
    /// Length of the file rendered last: the next file's buffer starts about this large, so it
    /// is not grown step by step through fresh memory.
    last_len: AtomicUsize,
}

/// One rendered file or the diagnostic that explains why it could not be rendered.
pub(super) type FileResult = Result<(), Diagnostic>;

impl Renderer<'_> {
    pub fn site_view<'s>(
        &'s self,
        here: &Here<'_>,
        current: Option<&crate::content::page::PageId>,
    ) -> crate::render::context::SiteView<'s> {
        let index = self
            .search_indexes
            .get(here.lang)
            .map(|p| UrlPath::file(p.clone()));
        let mut view = views::site_view(
            self.site,
            here,
            current,
            index.as_ref(),
            self.options,
            &self.shared.lookups,
        );
        view.handbook_url = super::handbook::handbook_url(self.site, self.theme, here.lang)
            .map(|url| here.link(self.site, &url));
        view
    }

    /// Renders `template` with `context` and writes it; template failures become diagnostics that
    /// name the source file, I/O failures abort.
    pub fn write_template(
        &self,
        template: &str,
        context: &impl serde::Serialize,
        output: &str,
        source: &Span,
    ) -> anyhow::Result<FileResult> {
        let context = match to_template_context(context) {
            Ok(context) => context,
            Err(error) => {
                return Ok(Err(template_error(
                    template,
                    source,
                    &error,
                    &self.theme_rel(),
                )))
            }
        };
        let last_len = self.shared.last_len.load(Ordering::Relaxed);
        let mut html = Vec::with_capacity(last_len + last_len / 4);
        match self.theme.tera.render_to(template, &context, &mut html) {
            Ok(()) => {
                self.shared.last_len.store(html.len(), Ordering::Relaxed);
                self.sink.write(output, &html)?;
                Ok(Ok(()))
            }
            Err(error) => Ok(Err(template_error(
                template,
                source,
                &error,
                &self.theme_rel(),
            ))),
        }
    }

    fn has_template(&self, name: &str) -> bool {
        self.theme.has_template(name)
    }

    /// The theme folder relative to the site root, for diagnostics.
    fn theme_rel(&self) -> std::path::PathBuf {
        let config = &self.site.config;
        config
            .theme_dir
            .strip_prefix(&config.root)
            .unwrap_or(&config.theme_dir)
            .to_path_buf()
    }

    /// Collects per-file results from parallel rendering into `diags`; returns the files written.
    pub fn collect(
        results: Vec<anyhow::Result<FileResult>>,
        diags: &mut Diagnostics,
    ) -> anyhow::Result<usize> {
        let mut written = 0;
        for result in results {
            match result? {
                Ok(()) => written += 1,
                Err(diagnostic) => diags.push(diagnostic),
            }
        }
        Ok(written)
    }

    pub fn render_pages(&self, diags: &mut Diagnostics) -> anyhow::Result<usize> {
        let results: Vec<_> = (0..self.site.pages.len())
            .into_par_iter()
            .filter(|&i| self.pages.includes(i))
            .map(|i| self.render_page(i))
            .collect();
        Self::collect(results, diags)
    }

    fn render_page(&self, i: usize) -> anyhow::Result<FileResult> {
        let page = &self.site.pages[i];
        let html = super::render_page_markdown(self.site, i);
        let (template, context) = match self.page_context(i, &html.html) {
            Ok(found) => found,
            Err(diagnostic) => return Ok(Err(diagnostic)),
        };
        self.write_template(
            &template,
            &context,
            &self.site.urls[i].output_file(),
            &Span::file(&page.file),
        )
    }

    /// The template of page `i` and the context it is rendered with (`html`: its rendered
    /// markdown); an error when the template is not in the theme.
    pub fn page_context<'s>(
        &'s self,
        i: usize,
        html: &'s str,
    ) -> Result<(String, PageContext<'s>), Diagnostic> {
        let site = self.site;
        let page = &site.pages[i];
        let url = &site.urls[i];
        let here = Here::new(url, &page.lang);
        let md = self.rendered.md(i);
        let is_checklists = is_checklists(page);
        let kind = kind_of(page);
        let template = page_template(site, self.theme, i)?;
        let children = match page.section_dir() {
            Some(dir) => site
                .children_of(dir)
                .iter()
                .filter_map(|id| site.page_or_fallback(id, &page.lang))
                .map(|c| here.page_link(site, c))
                .collect(),
            None => Vec::new(),
        };
        let sectors = page
            .front
            .sectors
            .iter()
            .filter_map(|s| site.checklist_index(&s.value))
            .map(|c| self.checklist_link(&here, c))
            .collect();
        let (prev, next) = views::neighbours(site, &here, i, &self.shared.lookups);
        let crumb_dir = Site::parent_dir(page).unwrap_or("");
        let view = PageView {
            kind,
            title: &page.front.title,
            description: page.front.description.as_deref(),
            content: html,
            toc: &md.toc,
            show_toc: page.front.toc && !md.toc.is_empty(),
            date: page.front.date.as_ref().map(|d| d.as_str()),
            updated: page.front.updated.as_ref().map(|d| d.as_str()),
            draft: page.front.draft,
            permalink: format!("{}{}", site.config.base_url, url.as_str()),
            breadcrumbs: if page.kind == PageKind::Home {
                Vec::new()
            } else {
                views::breadcrumbs(site, &here, crumb_dir, true)
            },
            prev,
            next,
            children,
            sectors,
            about: ["acerca.md", "about.md"].contains(&page.id.as_str()),
            downloads: self.downloads.get(i).map_or(&[], Vec::as_slice),
        };
        let context = PageContext {
            site: self.site_view(&here, Some(&page.id)),
            page: view,
            lang: page.lang.as_str(),
            root: url.root_prefix(),
            alternates: views::alternates(site, &here, &|l: &Lang| {
                site.page(&page.id, l).map(|j| site.urls[j].clone())
            }),
            checklist: None,
            checklists: is_checklists.then(|| self.checklist_cards(&here)),
            checklist_kinds: is_checklists.then(|| self.checklist_kinds()),
            live_reload: self.options.mode == Mode::Serve,
        };
        Ok((template, context))
    }

    /// The search page and the 404 page of every language (`404.html`, `en/404.html`).
    pub fn render_specials(&self, diags: &mut Diagnostics) -> anyhow::Result<usize> {
        let site = self.site;
        let mut results = Vec::new();
        // A theme without a search or 404 template simply has no such page.
        if self.has_template("search.html") {
            for language in &site.config.languages {
                let url = views::search_url(site, &language.lang);
                results.push(self.render_special(
                    "search",
                    &url,
                    &language.lang,
                    &url.output_file(),
                ));
            }
        }
        if self.has_template("404.html") {
            for language in &site.config.languages {
                let output = format!("{}404.html", site.lang_prefix(&language.lang));
                let url = UrlPath::file(output.clone());
                results.push(self.render_special("404", &url, &language.lang, &output));
            }
        }
        let mut written = Self::collect(results, diags)?;
        written += super::aliases::write_aliases(site, self.sink)?;
        self.sink
            .write("robots.txt", super::aliases::robots(site).as_bytes())?;
        Ok(written + 1)
    }

    fn render_special(
        &self,
        kind: &str,
        url: &UrlPath,
        lang: &Lang,
        output: &str,
    ) -> anyhow::Result<FileResult> {
        let site = self.site;
        let base = root_of_base_url(&site.config.base_url);
        let here = Here {
            url,
            lang,
            base: (kind == "404").then_some(base.as_str()),
        };
        let title = self.ui_title(kind, lang);
        let breadcrumbs = if kind == "404" {
            Vec::new()
        } else {
            views::breadcrumbs(site, &here, "", true)
        };
        let permalink = format!("{}{}", site.config.base_url, url.as_str());
        let view = views::generated_page(kind, &title, permalink, breadcrumbs);
        let root = if kind == "404" {
            base.clone()
        } else {
            url.root_prefix()
        };
        let context = PageContext {
            site: self.site_view(&here, None),
            page: view,
            lang: lang.as_str(),
            root,
            alternates: views::alternates(site, &here, &|l: &Lang| {
                (kind == "search").then(|| views::search_url(site, l))
            }),
            checklist: None,
            checklists: None,
            checklist_kinds: None,
            live_reload: self.options.mode == Mode::Serve,
        };
        let template = format!("{kind}.html");
        self.write_template(
            &template,
            &context,
            output,
            &Span::file(
                site.config
                    .theme_dir
                    .join("templates")
                    .join(&template)
                    .strip_prefix(&site.config.root)
                    .unwrap_or(std::path::Path::new(&template)),
            ),
        )
    }

    /// The page title of a theme-made page comes from the theme's UI strings (`search_title`, `error_404_title`).
    fn ui_title(&self, kind: &str, lang: &Lang) -> String {
        let key = if kind == "404" {
            "error_404_title"
        } else {
            "search_title"
        };
        self.theme
            .ui(lang.as_str(), key)
            .unwrap_or_else(|| kind.to_string())
    }

    pub fn checklist_link(&self, here: &Here<'_>, c: usize) -> crate::render::context::Link {
        let site = self.site;
        let checklist = &site.checklists[c];
        let chosen = checklist.title.get(here.lang, &site.config.default_lang);
        crate::render::context::Link {
            title: chosen.text.to_string(),
            url: here.link(site, &site.checklist_urls[c][site.lang_index(here.lang)]),
            lang: (chosen.lang != here.lang).then(|| chosen.lang.to_string()),
            description: None,
        }
    }
}

/// The kind of page the templates see: `home`, `checklists`, `section` or `page`.
fn kind_of(page: &crate::content::page::Page) -> &'static str {
    match page.kind {
        PageKind::Home => "home",
        PageKind::Section if is_checklists(page) => "checklists",
        PageKind::Section => "section",
        PageKind::Page => "page",
    }
}

fn is_checklists(page: &crate::content::page::Page) -> bool {
    page.kind == PageKind::Section && page.dir == "checklists"
}

/// The template page `i` is rendered with: its front matter's `template`, else the first
/// template of its kind the theme has; an error when the theme lacks it.
pub(super) fn page_template(site: &Site, theme: &Theme, i: usize) -> Result<String, Diagnostic> {
    let page = &site.pages[i];
    let kind = kind_of(page);
    let fallbacks: &[&str] = match kind {
        "home" => &["home.html", "index.html", "section.html"],
        "checklists" => &["checklists.html", "section.html"],
        "section" => &["section.html"],
        _ => &["page.html"],
    };
    let template = match &page.front.template {
        Some(t) if t.value.ends_with(".html") => t.value.clone(),
        Some(t) => format!("{}.html", t.value),
        None => fallbacks
            .iter()
            .find(|name| theme.has_template(name))
            .map_or_else(|| format!("{kind}.html"), |name| (*name).to_string()),
    };
    if !theme.has_template(&template) {
        let span = page
            .front
            .template
            .as_ref()
            .map_or_else(|| Span::file(&page.file), |t| t.span.clone());
        return Err(
            Diagnostic::error(format!("template `{template}` not found in the theme")).at(span),
        );
    }
    Ok(template)
}

/// A template failure. When Tera knows where in the theme it happened, the diagnostic points
/// there (and identical failures of many pages collapse into one); otherwise at the page's source.
fn template_error(
    template: &str,
    source: &Span,
    error: &tera::Error,
    theme_dir: &std::path::Path,
) -> Diagnostic {
    if let tera::ErrorKind::RenderingError(report) | tera::ErrorKind::SyntaxError(report) =
        error.kind()
    {
        let span = report.span();
        let file = theme_dir.join("templates").join(report.filename());
        return Diagnostic::error(format!(
            "template `{}` failed: {}",
            report.filename(),
            report.message()
        ))
        .at(Span::new(file, span.start_line, span.start_col + 1));
    }
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    let message = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Diagnostic::error(format!("template `{template}` failed: {message}")).at(source.clone())
}

/// The path part of `base_url` (`/`, `/espejo/`): the 404 page is served at any depth, so its
/// links start from the site's own root path.
fn root_of_base_url(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_root_paths() {
        assert_eq!(root_of_base_url("https://x.gob.mx/"), "/");
        assert_eq!(root_of_base_url("https://x.org/espejo/"), "/espejo/");
    }
}
