//! The report site's pages: typed contexts for the theme's `report.html` template (one index and
//! one page per shown checklist, in every language) with the charts drawn by `chart` and a table
//! beside each. Reads the aggregates; computes no figure of its own.

use serde::Serialize;

use crate::checklist::profile::{resolve_state, SizeBand};
use crate::checklist::score::BANDS;
use crate::checklist::{Checklist, Reference};
use crate::render::theme::Theme;
use crate::site::links::{join, Resolved};
use crate::site::Site;

use super::aggregate::{
    Aggregates, ChecklistStats, Detail, ElementStat, Group, WeakItem, NOT_STATED,
};
use super::chart::{render_bar_chart, Bar};
use super::FileCounts;

/// Everything `report.html` may use. `page` is `index` or `checklist`.
#[derive(Serialize)]
struct ReportContext {
    lang: String,
    /// Relative prefix to the report's root (`./`, `../../`), used by `asset`.
    root: String,
    page: &'static str,
    title: String,
    site_title: String,
    site_url: String,
    index_url: String,
    alternates: Vec<Alternate>,
    files: FileCounts,
    min_group: usize,
    tables: Vec<Table>,
    csv: Vec<Link>,
}

#[derive(Serialize)]
struct Alternate {
    lang: String,
    name: String,
    url: String,
    current: bool,
}

#[derive(Serialize, Clone)]
struct Link {
    text: String,
    url: String,
}

/// A figure: a heading, an optional chart, and the table of its numbers.
#[derive(Serialize)]
struct Table {
    id: String,
    title: String,
    /// Text under the heading (how to read the figures); may be empty.
    note: String,
    /// SVG markup, safe to insert as is.
    chart: Option<String>,
    columns: Vec<String>,
    rows: Vec<Row>,
    /// Relative URL of the CSV with the same figures.
    csv: Option<String>,
}

#[derive(Serialize)]
struct Row {
    head: Cell,
    cells: Vec<Cell>,
    /// When set, the row has no figures: this text spans the remaining columns.
    withheld: Option<String>,
}

#[derive(Serialize, Default)]
struct Cell {
    text: String,
    url: Option<String>,
    /// `lang` attribute when the text is in another language than the page.
    lang: Option<String>,
    numeric: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    fn number(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: true,
            ..Cell::default()
        }
    }
}

/// One output file of the report: path → HTML.
pub(crate) type Page = (String, String);

pub(crate) struct Renderer<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub aggregates: &'a Aggregates,
    pub files: FileCounts,
    pub min_group: usize,
    /// CSV files written beside the pages: file name → what it holds (a UI string key).
    pub csv: &'a [(String, &'static str)],
}

fn percent(value: f64) -> String {
    format!("{value:.1} %")
}

impl Renderer<'_> {
    fn t(&self, lang: &str, key: &str) -> String {
        self.theme.ui(lang, key).unwrap_or_else(|| key.to_string())
    }

    fn prefix(&self, l: usize) -> String {
        if l == 0 {
            String::new()
        } else {
            format!("{}/", self.site.config.languages[l].lang)
        }
    }

    /// Every page in every language, rendered; a template failure is an error naming the page.
    pub(crate) fn render_pages(&self) -> anyhow::Result<Vec<Page>> {
        let mut pages = Vec::new();
        for (l, language) in self.site.config.languages.iter().enumerate() {
            let lang = language.lang.as_str();
            let index = format!("{}index.html", self.prefix(l));
            let context = self.index_context(l, lang);
            pages.push((index.clone(), self.render(&context, &index)?));
            for stats in &self.aggregates.checklists {
                let Some(detail) = &stats.detail else {
                    continue;
                };
                let path = format!(
                    "{}checklists/{}/index.html",
                    self.prefix(l),
                    self.site.checklists[stats.checklist].id
                );
                let context = self.checklist_context(l, lang, stats, detail);
                pages.push((path.clone(), self.render(&context, &path)?));
            }
        }
        Ok(pages)
    }

    fn render(&self, context: &ReportContext, path: &str) -> anyhow::Result<String> {
        let context = tera::Context::from_serialize(context)
            .map_err(|e| anyhow::anyhow!("cannot prepare the report page `{path}`: {e}"))?;
        self.theme
            .tera
            .render("report.html", &context)
            .map_err(|e| {
                let mut message = format!("the theme's template `report.html` failed for `{path}`");
                let mut source: Option<&dyn std::error::Error> = Some(&e);
                while let Some(error) = source {
                    message.push_str(&format!(": {error}"));
                    source = error.source();
                }
                anyhow::anyhow!(message)
            })
    }

    fn base(
        &self,
        l: usize,
        lang: &str,
        depth: usize,
        tail: &dyn Fn(usize) -> String,
    ) -> ReportContext {
        let root = if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
        };
        let up_to_report = if l == 0 {
            root.clone()
        } else {
            format!("{root}../")
        };
        let alternates = self
            .site
            .config
            .languages
            .iter()
            .enumerate()
            .map(|(other, language)| Alternate {
                lang: language.lang.to_string(),
                name: language.name.clone(),
                url: format!("{up_to_report}{}{}", self.prefix(other), tail(other)),
                current: other == l,
            })
            .collect();
        let csv = self
            .csv
            .iter()
            .map(|(file, key)| Link {
                text: format!("{} ({file})", self.t(lang, key)),
                url: format!("{up_to_report}csv/{file}"),
            })
            .collect();
        ReportContext {
            lang: lang.to_string(),
            root: up_to_report.clone(),
            page: "index",
            title: self.t(lang, "report_title"),
            site_title: self.site.config.languages[l].title.clone(),
            site_url: format!("{}{}", self.site.config.base_url, self.prefix(l)),
            index_url: format!("{up_to_report}{}index.html", self.prefix(l)),
            alternates,
            files: self.files,
            min_group: self.min_group,
            tables: Vec::new(),
            csv,
        }
    }

    fn checklist_title(&self, c: usize, lang: &str) -> (String, Option<String>) {
        let site = self.site;
        let l = site
            .config
            .languages
            .iter()
            .position(|x| x.lang.as_str() == lang);
        let language = &site.config.languages[l.unwrap_or(0)].lang;
        let chosen = site.checklists[c]
            .title
            .get(language, &site.config.default_lang);
        let other = (chosen.lang != language).then(|| chosen.lang.to_string());
        (chosen.text.to_string(), other)
    }

    fn index_context(&self, l: usize, lang: &str) -> ReportContext {
        let depth = usize::from(l > 0);
        let mut context = self.base(l, lang, depth, &|_| "index.html".to_string());
        let not_enough = self.t(lang, "report_not_enough");
        let rows = self
            .aggregates
            .checklists
            .iter()
            .map(|stats| {
                let (title, title_lang) = self.checklist_title(stats.checklist, lang);
                let head = Cell {
                    text: title,
                    url: stats.detail.as_ref().map(|_| {
                        format!(
                            "checklists/{}/index.html",
                            self.site.checklists[stats.checklist].id
                        )
                    }),
                    lang: title_lang,
                    numeric: false,
                };
                match &stats.detail {
                    Some(detail) => {
                        let mut cells = vec![
                            Cell::number(stats.n.to_string()),
                            Cell::number(detail.summary.mean.map(percent).unwrap_or_default()),
                        ];
                        cells.extend(
                            detail
                                .summary
                                .bands
                                .iter()
                                .map(|b| Cell::number(b.to_string())),
                        );
                        Row {
                            head,
                            cells,
                            withheld: None,
                        }
                    }
                    None => Row {
                        head,
                        cells: Vec::new(),
                        withheld: Some(not_enough.clone()),
                    },
                }
            })
            .collect();
        let mut columns = vec![
            self.t(lang, "report_col_checklist"),
            self.t(lang, "report_col_assessments"),
            self.t(lang, "report_col_mean"),
        ];
        columns.extend(
            BANDS
                .iter()
                .map(|b| self.t(lang, &format!("band_{}", b.id))),
        );
        context.tables.push(Table {
            id: "per-checklist".into(),
            title: self.t(lang, "report_per_checklist"),
            note: self.t(lang, "report_per_checklist_note"),
            chart: None,
            columns,
            rows,
            csv: Some(format!("{}csv/checklists.csv", context.root)),
        });
        if !self.aggregates.elements.is_empty() {
            context.tables.push(self.element_table(
                lang,
                "elements",
                &self.aggregates.elements,
                format!("{}csv/elements.csv", context.root),
            ));
        }
        context
    }

    fn element_table(&self, lang: &str, id: &str, stats: &[ElementStat], csv: String) -> Table {
        let caption = format!("{id}-title");
        let name = |e: &ElementStat| {
            self.t(
                lang,
                &format!("element_{}", e.element.as_str().replace('-', "_")),
            )
        };
        let bars: Vec<Bar> = stats
            .iter()
            .map(|e| Bar {
                label: name(e),
                share: e.mean / 100.0,
                value: percent(e.mean),
                class: band_class(e.mean),
            })
            .collect();
        Table {
            id: id.to_string(),
            title: self.t(lang, "report_elements"),
            note: self.t(lang, "report_elements_note"),
            chart: Some(render_bar_chart(&caption, &bars)),
            columns: vec![
                self.t(lang, "report_col_element"),
                self.t(lang, "report_col_assessments"),
                self.t(lang, "report_col_mean"),
            ],
            rows: stats
                .iter()
                .map(|e| Row {
                    head: Cell::text(name(e)),
                    cells: vec![Cell::number(e.n.to_string()), Cell::number(percent(e.mean))],
                    withheld: None,
                })
                .collect(),
            csv: Some(csv),
        }
    }

    fn checklist_context(
        &self,
        l: usize,
        lang: &str,
        stats: &ChecklistStats,
        detail: &Detail,
    ) -> ReportContext {
        let c = stats.checklist;
        let id = self.site.checklists[c].id.to_string();
        let depth = 2 + usize::from(l > 0);
        let mut context = self.base(l, lang, depth, &|_| format!("checklists/{id}/index.html"));
        context.page = "checklist";
        context.title = self.checklist_title(c, lang).0;
        let csv = |name: &str| Some(format!("{}csv/{id}-{name}.csv", context.root));
        let mut tables = Vec::new();
        // Distribution of scores.
        let most = detail.histogram.iter().copied().max().unwrap_or(0).max(1) as f64;
        let labels: Vec<String> = (0..10)
            .map(|b| {
                if b == 9 {
                    "90–100 %".to_string()
                } else {
                    format!("{}–{} %", b * 10, b * 10 + 9)
                }
            })
            .collect();
        tables.push(Table {
            id: "distribution".into(),
            title: self.t(lang, "report_distribution"),
            note: self.t(lang, "report_distribution_note"),
            chart: Some(render_bar_chart(
                "distribution-title",
                &labels
                    .iter()
                    .zip(detail.histogram)
                    .map(|(label, n)| Bar {
                        label: label.clone(),
                        share: n as f64 / most,
                        value: n.to_string(),
                        class: "bar-count",
                    })
                    .collect::<Vec<_>>(),
            )),
            columns: vec![
                self.t(lang, "report_col_range"),
                self.t(lang, "report_col_assessments"),
            ],
            rows: labels
                .iter()
                .zip(detail.histogram)
                .map(|(label, n)| Row {
                    head: Cell::text(label.clone()),
                    cells: vec![Cell::number(n.to_string())],
                    withheld: None,
                })
                .collect(),
            csv: csv("distribution"),
        });
        // Bands.
        let band_most = detail
            .summary
            .bands
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        tables.push(Table {
            id: "bands".into(),
            title: self.t(lang, "report_bands"),
            note: String::new(),
            chart: Some(render_bar_chart(
                "bands-title",
                &BANDS
                    .iter()
                    .zip(&detail.summary.bands)
                    .map(|(band, &n)| Bar {
                        label: self.t(lang, &format!("band_{}", band.id)),
                        share: n as f64 / band_most,
                        value: n.to_string(),
                        class: band_class(f64::from(band.min_percent)),
                    })
                    .collect::<Vec<_>>(),
            )),
            columns: vec![
                self.t(lang, "report_col_band"),
                self.t(lang, "report_col_assessments"),
            ],
            rows: BANDS
                .iter()
                .zip(&detail.summary.bands)
                .map(|(band, n)| Row {
                    head: Cell::text(self.t(lang, &format!("band_{}", band.id))),
                    cells: vec![Cell::number(n.to_string())],
                    withheld: None,
                })
                .collect(),
            csv: csv("bands"),
        });
        if !detail.elements.is_empty() {
            tables.push(self.element_table(
                lang,
                "elements",
                &detail.elements,
                format!("{}csv/{id}-elements.csv", context.root),
            ));
        }
        tables.push(self.weakest_table(l, lang, c, &detail.weakest, csv("weakest")));
        for (key, groups) in [
            ("size", &detail.by_size),
            ("state", &detail.by_state),
            ("quarter", &detail.by_quarter),
        ] {
            if key == "quarter" && groups.len() < 2 {
                continue;
            }
            tables.push(self.group_table(lang, c, key, groups, csv(key)));
        }
        context.tables = tables;
        context
    }

    /// Where an item's answers get help: its first chapter reference, else the checklist's first
    /// related chapter, else the checklist page; absolute URLs on the published site.
    fn help_url(&self, l: usize, c: usize, item: usize) -> String {
        let site = self.site;
        let checklist: &Checklist = &site.checklists[c];
        let lang = &site.config.languages[l].lang;
        let resolve = |dest: &str| -> Option<String> {
            let (path, fragment) = dest
                .split_once('#')
                .map_or((dest, None), |(p, f)| (p, Some(f)));
            let joined = join("checklists", path)?;
            let url = match site.resolve_path(&joined, lang)? {
                Resolved::Target(_, url) | Resolved::Asset(url) => url,
            };
            let suffix = fragment.map(|f| format!("#{f}")).unwrap_or_default();
            Some(format!("{}{}{suffix}", site.config.base_url, url.as_str()))
        };
        let item = checklist.items().nth(item);
        item.and_then(|item| {
            item.references.iter().find_map(|r| match r {
                Reference::Link(link) => resolve(&link.dest),
                _ => None,
            })
        })
        .or_else(|| checklist.related.iter().find_map(|r| resolve(&r.dest)))
        .unwrap_or_else(|| {
            format!(
                "{}{}",
                site.config.base_url,
                site.checklist_urls[c][l].as_str()
            )
        })
    }

    fn item_question(&self, l: usize, c: usize, item: usize) -> Cell {
        let site = self.site;
        let lang = &site.config.languages[l].lang;
        let Some(item) = site.checklists[c].items().nth(item) else {
            return Cell::default();
        };
        let chosen = item.question.get(lang, &site.config.default_lang);
        Cell {
            text: chosen.text.to_string(),
            url: None,
            lang: (chosen.lang != lang).then(|| chosen.lang.to_string()),
            numeric: false,
        }
    }

    fn weakest_table(
        &self,
        l: usize,
        lang: &str,
        c: usize,
        weakest: &[WeakItem],
        csv: Option<String>,
    ) -> Table {
        let help = self.t(lang, "report_help_link");
        let rows = weakest
            .iter()
            .map(|w| {
                let risk = self.site.checklists[c]
                    .items()
                    .nth(w.item)
                    .map(|i| i.risk.as_str())
                    .unwrap_or("low");
                Row {
                    head: self.item_question(l, c, w.item),
                    cells: vec![
                        Cell::text(self.t(lang, &format!("risk_{risk}"))),
                        Cell::number(w.no.to_string()),
                        Cell::number(w.partly.to_string()),
                        Cell::number(w.applicable.to_string()),
                        Cell::number(format!("{:.2}", w.weakness)),
                        Cell {
                            text: help.clone(),
                            url: Some(self.help_url(l, c, w.item)),
                            lang: None,
                            numeric: false,
                        },
                    ],
                    withheld: None,
                }
            })
            .collect();
        Table {
            id: "weakest".into(),
            title: self.t(lang, "report_weakest"),
            note: self.t(lang, "report_weakest_note"),
            chart: None,
            columns: [
                "report_col_item",
                "report_col_risk",
                "answer_no",
                "answer_partly",
                "report_col_applicable",
                "report_col_weakness",
                "report_col_help",
            ]
            .iter()
            .map(|k| self.t(lang, k))
            .collect(),
            rows,
            csv,
        }
    }

    fn group_name(&self, lang: &str, key: &str, value: &str) -> String {
        if value == NOT_STATED {
            return self.t(lang, "report_not_stated");
        }
        match key {
            "size" => SizeBand::parse(value).map_or(value.to_string(), |s| {
                self.t(lang, &format!("size_{}", s.as_str()))
            }),
            "state" => resolve_state(value).map_or(value.to_string(), |s| s.name(lang).to_string()),
            _ => value.to_string(),
        }
    }

    fn group_table(
        &self,
        lang: &str,
        c: usize,
        key: &str,
        groups: &[Group],
        csv: Option<String>,
    ) -> Table {
        let not_enough = self.t(lang, "report_not_enough");
        let l = self
            .site
            .config
            .languages
            .iter()
            .position(|x| x.lang.as_str() == lang)
            .unwrap_or(0);
        let rows: Vec<Row> = groups
            .iter()
            .map(|g| {
                let head = Cell::text(self.group_name(lang, key, &g.key));
                match &g.figures {
                    None => Row {
                        head,
                        cells: Vec::new(),
                        withheld: Some(not_enough.clone()),
                    },
                    Some(f) => {
                        let mut cells = vec![
                            Cell::number(g.n.to_string()),
                            Cell::number(f.stats.mean.map(percent).unwrap_or_default()),
                        ];
                        cells.extend(f.stats.bands.iter().map(|b| Cell::number(b.to_string())));
                        let weakest = f
                            .weakest
                            .first()
                            .map(|w| self.item_question(l, c, w.item))
                            .unwrap_or_default();
                        cells.push(weakest);
                        Row {
                            head,
                            cells,
                            withheld: None,
                        }
                    }
                }
            })
            .collect();
        let chart = (key == "quarter").then(|| {
            let bars: Vec<Bar> = groups
                .iter()
                .filter_map(|g| {
                    let mean = g.figures.as_ref()?.stats.mean?;
                    Some(Bar {
                        label: g.key.clone(),
                        share: mean / 100.0,
                        value: percent(mean),
                        class: band_class(mean),
                    })
                })
                .collect();
            render_bar_chart("quarter-title", &bars)
        });
        let mut columns = vec![
            self.t(lang, &format!("report_col_{key}")),
            self.t(lang, "report_col_assessments"),
            self.t(lang, "report_col_mean"),
        ];
        columns.extend(
            BANDS
                .iter()
                .map(|b| self.t(lang, &format!("band_{}", b.id))),
        );
        columns.push(self.t(lang, "report_col_weakest"));
        Table {
            id: key.to_string(),
            title: self.t(lang, &format!("report_by_{key}")),
            note: self
                .t(lang, "report_groups_note")
                .replace("{n}", &self.min_group.to_string()),
            chart,
            columns,
            rows,
            csv,
        }
    }
}

/// The bar class of a percentage: the band it falls in.
fn band_class(percent: f64) -> &'static str {
    match crate::checklist::score::band_for(percent).id {
        "solid" => "bar-solid",
        "developing" => "bar-developing",
        _ => "bar-initial",
    }
}
