//! The printable handbook of each language (`manual/`, `en/handbook/`): every chapter in order
//! and every checklist as a blank paper form, on one page for trainers to print. Written only
//! when the theme has `handbook.html`; reads the model and rewrites rendered HTML, never checks.

mod check;
mod rebase;

use rayon::prelude::*;

use crate::checklist::score::BANDS;
use crate::checklist::Checklist;
use crate::content::page::{slugify, PageKind};
use crate::diagnostics::{Diagnostics, Span};
use crate::lang::Lang;
use crate::render::checklists::text;
use crate::render::context::{
    BandView, FormItem, FormSection, HandbookChapter, HandbookContext, HandbookForm, HandbookView,
    Text,
};
use crate::render::pages::{FileResult, Renderer};
use crate::render::theme::Theme;
use crate::render::views::{self, Here};
use crate::site::{PageIndex, Site};
use crate::url::UrlPath;
use rebase::{demote_headings, Anchor, Anchors, Rebase};

/// The handbook's template; without it a theme simply has no handbook.
pub(crate) const TEMPLATE: &str = "handbook.html";

/// The handbook's URL in `lang`: the language prefix and the theme's `handbook_slug` string
/// (made a slug; `handbook` when the theme has none), or `None` without `handbook.html`.
pub(crate) fn handbook_url(site: &Site, theme: &Theme, lang: &Lang) -> Option<UrlPath> {
    if !theme.has_template(TEMPLATE) {
        return None;
    }
    let slug = theme
        .ui(lang.as_str(), "handbook_slug")
        .map(|s| slugify(&s))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "handbook".to_string());
    Some(UrlPath::dir(format!("{}{slug}", site.lang_prefix(lang))))
}

/// The chapters of the handbook in `lang`: first the pages at the top of `content/` marked
/// `handbook: true` (the facilitator's guide), then the pages of every top-level section except
/// the checklists index, in navigation order, subsections' pages after their section's; a page
/// missing in `lang` comes in the default language.
fn chapters(site: &Site, lang: &Lang) -> Vec<PageIndex> {
    fn walk(site: &Site, dir: &str, lang: &Lang, out: &mut Vec<PageIndex>) {
        for id in site.children_of(dir) {
            let Some(i) = site.page_or_fallback(id, lang) else {
                continue;
            };
            let page = &site.pages[i];
            match page.kind {
                PageKind::Page if !dir.is_empty() => out.push(i),
                PageKind::Section if page.dir != "checklists" => walk(site, &page.dir, lang, out),
                _ => {}
            }
        }
    }
    let mut out: Vec<PageIndex> = (site.children_of("").iter())
        .filter_map(|id| site.page_or_fallback(id, lang))
        .filter(|&i| site.pages[i].kind == PageKind::Page && site.pages[i].front.handbook)
        .collect();
    walk(site, "", lang, &mut out);
    out
}

/// The edition date: the newest `updated` or `date` of the pages of `lang`.
fn edition_date(site: &Site, lang: &Lang) -> Option<String> {
    site.pages_in(lang)
        .flat_map(|i| {
            let front = &site.pages[i].front;
            [front.date.as_ref(), front.updated.as_ref()]
        })
        .flatten()
        .map(|d| d.as_str().to_string())
        .max()
}

impl Renderer<'_> {
    /// One handbook per language, when the theme has the template.
    pub fn render_handbooks(&self, diags: &mut Diagnostics) -> anyhow::Result<usize> {
        let mut results = Vec::new();
        for language in &self.site.config.languages {
            if let Some(url) = handbook_url(self.site, self.theme, &language.lang) {
                results.push(self.render_handbook(&url, &language.lang, diags));
            }
        }
        Self::collect(results, diags)
    }

    /// The handbook of `lang` at `url`; the links it writes that lead nowhere are pushed to
    /// `diags` (see `check`).
    fn render_handbook(
        &self,
        url: &UrlPath,
        lang: &Lang,
        diags: &mut Diagnostics,
    ) -> anyhow::Result<FileResult> {
        let site = self.site;
        let chapters = self.handbook_chapters(url, lang);
        let forms = self.forms(lang);
        let sources: Vec<check::Source<'_>> = (self::chapters(site, lang).into_iter())
            .map(|i| check::Source {
                file: &site.pages[i].file,
                body: &site.pages[i].body,
                body_line: site.pages[i].body_line,
            })
            .collect();
        for problem in check::check_links(url, &chapters, &forms, &sources) {
            diags.push(problem);
        }
        let here = Here::new(url, lang);
        let title = self
            .theme
            .ui(lang.as_str(), "handbook_title")
            .unwrap_or_else(|| "Handbook".to_string());
        let page = views::generated_page(
            "handbook",
            &title,
            format!("{}{}", site.config.base_url, url.as_str()),
            views::breadcrumbs(site, &here, "", true),
        );
        let context = HandbookContext {
            site: self.site_view(&here, None),
            page,
            lang: lang.as_str(),
            root: url.root_prefix(),
            alternates: views::alternates(site, &here, &|other: &Lang| {
                handbook_url(site, self.theme, other)
            }),
            live_reload: self.options.mode == crate::render::Mode::Serve,
            handbook: HandbookView {
                site_address: format!("{}{}", site.config.base_url, site.lang_prefix(lang)),
                date: edition_date(site, lang),
                chapters,
                forms,
                bands: band_views(),
            },
        };
        let source = site.config.theme_dir.join("templates").join(TEMPLATE);
        let source = source
            .strip_prefix(&site.config.root)
            .unwrap_or(&source)
            .to_path_buf();
        self.write_template(TEMPLATE, &context, &url.output_file(), &Span::file(source))
    }

    /// The chapters of the handbook at `url`, their HTML moved into it (see `Rebase`).
    fn handbook_chapters(&self, url: &UrlPath, lang: &Lang) -> Vec<HandbookChapter> {
        let site = self.site;
        let order = chapters(site, lang);
        let mut anchors = Anchors::default();
        for (n, &i) in order.iter().enumerate() {
            anchors.insert(&site.urls[i], Anchor::Chapter(format!("ch{}", n + 1)));
        }
        for (c, urls) in site.checklist_urls.iter().enumerate() {
            for url in urls {
                anchors.insert(url, Anchor::Form(c));
            }
        }
        // Chapters render in parallel, like pages; `collect` keeps their order.
        order
            .par_iter()
            .enumerate()
            .map(|(n, &i)| {
                let page = &site.pages[i];
                let id = format!("ch{}", n + 1);
                let md = super::render_page_markdown(site, i);
                let rebase = Rebase {
                    site,
                    from: &site.urls[i],
                    to: url,
                    prefix: &id,
                    anchors: &anchors,
                };
                HandbookChapter {
                    number: n + 1,
                    title: page.front.title.clone(),
                    lang: (&page.lang != lang).then(|| page.lang.to_string()),
                    description: page.front.description.clone(),
                    content: demote_headings(&rebase.html(&md.html)),
                    id,
                }
            })
            .collect()
    }

    /// Every checklist as a blank form, in the checklists index's order.
    fn forms(&self, lang: &Lang) -> Vec<HandbookForm> {
        let site = self.site;
        let default = &site.config.default_lang;
        let l = site.lang_index(lang);
        let mut order: Vec<usize> = (0..site.checklists.len()).collect();
        order.sort_by_key(|&c| {
            let checklist = &site.checklists[c];
            (checklist.kind, checklist.weight, checklist.id.to_string())
        });
        order
            .into_iter()
            .map(|c| {
                let checklist = &site.checklists[c];
                let id = form_id(checklist);
                let mut number = 0;
                let sections = checklist
                    .sections
                    .iter()
                    .map(|section| FormSection {
                        id: form_part_id(checklist, &section.id.to_string()),
                        title: text(&section.title, lang, default),
                        items: section
                            .items
                            .iter()
                            .map(|item| {
                                number += 1;
                                FormItem {
                                    id: form_part_id(checklist, &item.id.to_string()),
                                    number,
                                    question: text(&item.question, lang, default),
                                    risk: item.risk.as_str(),
                                    weight: item.risk.weight(),
                                    element: item.element.map(|e| e.as_str()),
                                }
                            })
                            .collect(),
                    })
                    .collect();
                HandbookForm {
                    kind: checklist.kind.as_str(),
                    title: text(&checklist.title, lang, default),
                    description: Text {
                        text: self.rendered.checklists[c][l].description.clone(),
                        lang: checklist
                            .description
                            .as_ref()
                            .and_then(|d| text(d, lang, default).lang),
                    },
                    item_count: checklist.items().count(),
                    sections,
                    id,
                }
            })
            .collect()
    }
}

/// The id of a checklist's form: `form-<checklist id>`.
fn form_id(checklist: &Checklist) -> String {
    format!("form-{}", checklist.id)
}

/// The id of a section or item of a checklist's form: `form-<checklist>__<section>` and
/// `form-<checklist>_<item>`. Checklist, section and item ids never hold `_` and a section may
/// share its id with an item, so these never collide with each other or across checklists.
fn form_part_id(checklist: &Checklist, part: &str) -> String {
    let is_section = checklist.sections.iter().any(|s| s.id.to_string() == part);
    let separator = if is_section { "__" } else { "_" };
    format!("{}{separator}{part}", form_id(checklist))
}

/// The score bands as a paper form states them: each up to where the next starts.
fn band_views() -> Vec<BandView> {
    BANDS
        .iter()
        .enumerate()
        .map(|(b, band)| BandView {
            id: band.id,
            min_percent: band.min_percent,
            below: BANDS.get(b + 1).map(|next| next.min_percent),
        })
        .collect()
}
