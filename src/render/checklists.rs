//! Checklist outputs: the markdown texts of every checklist in every language, the page
//! contexts of checklist pages and of the checklists index, and `checklist.json`.

use std::collections::BTreeSet;

use crate::checklist::score::scoring_rules;
use crate::checklist::{profile, Checklist, Kind, LinkRef, Reference};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::{Lang, Localized};
use crate::markdown::{render_markdown, LinkResolver as _, LinkTarget, MdSource};
use crate::render::context::{
    ChecklistCard, ChecklistSectionView, ChecklistView, Choice, ItemView, Link, PageContext,
    ReferenceView, Text,
};
use crate::render::pages::Renderer;
use crate::render::views::{self, Here};
use crate::site::links::{FragmentCheck, Resolver};
use crate::site::{Site, Target};

/// Rendered markdown of one checklist in one language.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChecklistTexts {
    pub description: String,
    /// Guidance HTML of every item, in document order.
    pub guidance: Vec<String>,
}

/// `[checklist][language]`.
pub(crate) type RenderedChecklists = Vec<Vec<ChecklistTexts>>;

/// Ids a link may point at with `#fragment` on a checklist page: its sections and items.
pub(crate) fn anchors(checklist: &Checklist) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    for section in &checklist.sections {
        anchors.insert(section.id.to_string());
        for item in &section.items {
            anchors.insert(item.id.to_string());
        }
    }
    anchors
}

/// Renders descriptions and guidance in every language and checks `related`/`references` links.
pub(crate) fn render_texts(
    site: &Site,
    diags: &mut Diagnostics,
    fragments: &mut Vec<FragmentCheck>,
) -> RenderedChecklists {
    let mut all = Vec::new();
    for (c, checklist) in site.checklists.iter().enumerate() {
        let mut per_lang = Vec::new();
        for (l, language) in site.config.languages.iter().enumerate() {
            let url = &site.checklist_urls[c][l];
            let resolver = Resolver::new(
                site,
                "checklists",
                &language.lang,
                url,
                Some(Target::Checklist(c, l)),
            );
            // Errors are language-independent: report them for the first language only.
            let mut local = Diagnostics::new();
            let render = |text: &Localized, span: &Span, local: &mut Diagnostics| {
                let chosen = text.get(&language.lang, &site.config.default_lang);
                let source = MdSource {
                    text: chosen.text,
                    file: &checklist.file,
                    first_line: span.line,
                };
                render_markdown(
                    &source,
                    &crate::render::md_options(site, chosen.lang),
                    &resolver,
                    local,
                )
                .html
            };
            let description = checklist
                .description
                .as_ref()
                .map(|d| render(d, &Span::file(&checklist.file), &mut local))
                .unwrap_or_default();
            let guidance = checklist
                .items()
                .map(|item| {
                    item.guidance
                        .as_ref()
                        .map(|g| render(g, &item.span, &mut local))
                        .unwrap_or_default()
                })
                .collect();
            for link in links_of(checklist) {
                if let Err((message, help)) = resolver.resolve(&link.dest, &link.span) {
                    let mut d = Diagnostic::error(message).at(link.span.clone());
                    if let Some(help) = help {
                        d = d.with_help(help);
                    }
                    local.push(d);
                }
            }
            for law in laws_of(checklist) {
                if let LinkTarget::Broken { message, help } =
                    resolver.resolve_link(&law.dest, &law.span)
                {
                    local.push(crate::markdown::broken_link(
                        &message,
                        help.as_deref(),
                        &law.span,
                    ));
                }
            }
            resolver.report_draft_links(&mut local);
            if l == 0 {
                diags.extend(local);
                fragments.extend(resolver.into_fragments());
            }
            per_lang.push(ChecklistTexts {
                description,
                guidance,
            });
        }
        all.push(per_lang);
    }
    all
}

/// The `ley:` entries of the items' `references`.
fn laws_of(checklist: &Checklist) -> impl Iterator<Item = &LinkRef> {
    checklist.items().flat_map(|i| {
        i.references.iter().filter_map(|r| match r {
            Reference::Law(law) => Some(law),
            _ => None,
        })
    })
}

fn links_of(checklist: &Checklist) -> impl Iterator<Item = &LinkRef> {
    checklist
        .related
        .iter()
        .chain(checklist.items().flat_map(|i| {
            i.references.iter().filter_map(|r| match r {
                Reference::Link(link) => Some(link),
                _ => None,
            })
        }))
}

/// `localized` in `lang` (or the default language), with its language when that differs.
pub(super) fn text(localized: &Localized, lang: &Lang, default: &Lang) -> Text {
    let chosen = localized.get(lang, default);
    Text {
        text: chosen.text.to_string(),
        lang: (chosen.lang != lang).then(|| chosen.lang.to_string()),
    }
}

impl Renderer<'_> {
    pub fn checklist_cards(&self, here: &Here<'_>) -> Vec<ChecklistCard> {
        let site = self.site;
        let l = site.lang_index(here.lang);
        let mut order: Vec<usize> = (0..site.checklists.len()).collect();
        order.sort_by_key(|&c| {
            let checklist = &site.checklists[c];
            (checklist.kind, checklist.weight, checklist.id.to_string())
        });
        order
            .into_iter()
            .map(|c| {
                let checklist = &site.checklists[c];
                ChecklistCard {
                    id: checklist.id.to_string(),
                    kind: checklist.kind.as_str(),
                    title: text(&checklist.title, here.lang, &site.config.default_lang),
                    description: Text {
                        text: self.rendered.checklists[c][l].description.clone(),
                        lang: checklist
                            .description
                            .as_ref()
                            .and_then(|d| text(d, here.lang, &site.config.default_lang).lang),
                    },
                    url: here.link(site, &site.checklist_urls[c][l]),
                    item_count: checklist.items().count(),
                }
            })
            .collect()
    }

    /// The kinds that have at least one checklist, sector first (see `PageContext`).
    pub fn checklist_kinds(&self) -> Vec<&'static str> {
        Kind::ALL
            .into_iter()
            .filter(|kind| self.site.checklists.iter().any(|c| c.kind == *kind))
            .map(Kind::as_str)
            .collect()
    }

    pub fn render_checklists(&self, diags: &mut Diagnostics) -> anyhow::Result<usize> {
        let mut results = Vec::new();
        let mut written = 0;
        for c in 0..self.site.checklists.len() {
            // The data file holds every language, so it is the same under each language's URL.
            let json = super::checklist_data::render_checklist_json(self.site, c);
            for (l, language) in self.site.config.languages.iter().enumerate() {
                results.push(self.render_checklist(c, l, &language.lang));
                let url = &self.site.checklist_urls[c][l];
                self.sink
                    .write(&format!("{}checklist.json", url.as_str()), json.as_bytes())?;
                written += 1;
            }
        }
        Ok(written + Self::collect(results, diags)?)
    }

    fn render_checklist(
        &self,
        c: usize,
        l: usize,
        lang: &Lang,
    ) -> anyhow::Result<Result<(), Diagnostic>> {
        let site = self.site;
        let checklist = &site.checklists[c];
        let default = &site.config.default_lang;
        let url = &site.checklist_urls[c][l];
        let here = Here::new(url, lang);
        let texts = &self.rendered.checklists[c][l];
        let mut guidance = texts.guidance.iter();
        let sections = checklist
            .sections
            .iter()
            .map(|section| ChecklistSectionView {
                id: section.id.to_string(),
                title: text(&section.title, lang, default),
                items: section
                    .items
                    .iter()
                    .map(|item| ItemView {
                        id: item.id.to_string(),
                        question: text(&item.question, lang, default),
                        guidance: Text {
                            text: guidance.next().cloned().unwrap_or_default(),
                            lang: item
                                .guidance
                                .as_ref()
                                .and_then(|g| text(g, lang, default).lang),
                        },
                        risk: item.risk.as_str(),
                        element: item.element.map(|e| e.as_str()),
                        references: item
                            .references
                            .iter()
                            .map(|r| self.reference_view(&here, r))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let chapters = (0..site.pages.len())
            .filter(|&i| site.pages[i].lang == site.config.default_lang)
            .filter(|&i| {
                site.pages[i]
                    .front
                    .sectors
                    .iter()
                    .any(|s| s.value == checklist.id.to_string())
            })
            .filter_map(|i| site.page_or_fallback(&site.pages[i].id, lang))
            .map(|i| here.page_link(site, i))
            .collect();
        let related = checklist
            .related
            .iter()
            .filter_map(|r| self.chapter_link(&here, r))
            .collect();
        let title = text(&checklist.title, lang, default);
        let view = ChecklistView {
            id: checklist.id.as_str(),
            kind: checklist.kind.as_str(),
            title: title.clone(),
            description: Text {
                text: texts.description.clone(),
                lang: None,
            },
            item_count: checklist.items().count(),
            sections,
            related,
            chapters,
            data_url: "checklist.json".to_string(),
            rules_json: serde_json::to_string(&scoring_rules()).unwrap_or_default(),
            items_hash: checklist.items_hash(),
            states: profile::STATES
                .iter()
                .map(|s| Choice {
                    id: s.code,
                    name: s.name(lang.as_str()),
                })
                .collect(),
            sizes: profile::SizeBand::ALL.map(|s| s.as_str()).to_vec(),
        };
        let page = views::generated_page(
            "checklist",
            &title.text,
            format!("{}{}", site.config.base_url, url.as_str()),
            views::breadcrumbs(site, &here, "checklists", true),
        );
        let context = PageContext {
            site: self.site_view(&here, None),
            page,
            lang: lang.as_str(),
            root: url.root_prefix(),
            alternates: views::alternates(site, &here, &|other: &Lang| {
                Some(site.checklist_urls[c][site.lang_index(other)].clone())
            }),
            checklist: Some(view),
            checklists: None,
            checklist_kinds: None,
            live_reload: self.options.mode == crate::render::Mode::Serve,
        };
        self.write_template(
            "checklist.html",
            &context,
            &url.output_file(),
            &Span::file(&checklist.file),
        )
    }

    fn chapter_link(&self, here: &Here<'_>, link: &LinkRef) -> Option<Link> {
        let (path, fragment) = link
            .dest
            .split_once('#')
            .map_or((link.dest.as_str(), None), |(p, f)| (p, Some(f)));
        let rel = crate::site::links::join("checklists", path)?;
        match self.site.resolve_path(&rel, here.lang)? {
            crate::site::links::Resolved::Target(Target::Page(i), _) => {
                let mut l = here.page_link(self.site, i);
                if let Some(f) = fragment {
                    l.url = format!("{}#{f}", l.url);
                }
                Some(l)
            }
            crate::site::links::Resolved::Target(Target::Checklist(c, _), _) => {
                Some(self.checklist_link(here, c))
            }
            crate::site::links::Resolved::Asset(url) => Some(Link {
                title: path.to_string(),
                url: here.link(self.site, &url),
                lang: None,
                description: None,
            }),
        }
    }

    fn reference_view(&self, here: &Here<'_>, reference: &Reference) -> ReferenceView {
        match reference {
            Reference::Text(text) => ReferenceView {
                text: text.clone(),
                url: None,
            },
            Reference::Url(url) => ReferenceView {
                text: url.clone(),
                url: Some(url.clone()),
            },
            Reference::Law(law) => {
                let rest = law.dest.strip_prefix(crate::content::laws::SCHEME);
                let default = &self.site.config.default_lang;
                let cited = (self.site.laws.as_ref())
                    .zip(rest)
                    .and_then(|(registry, rest)| {
                        crate::site::laws::citation_text(registry, rest, here.lang, default)
                    });
                match cited {
                    Some((text, url)) => ReferenceView {
                        text,
                        url: Some(url),
                    },
                    None => ReferenceView {
                        text: law.dest.clone(),
                        url: None,
                    },
                }
            }
            Reference::Link(link) => match self.chapter_link(here, link) {
                Some(l) => ReferenceView {
                    text: l.title,
                    url: Some(l.url),
                },
                None => ReferenceView {
                    text: link.dest.clone(),
                    url: None,
                },
            },
        }
    }
}
