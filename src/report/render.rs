//! The report site's pages: typed contexts for the theme's `report.html` template (one index and
//! one page per shown checklist, in every language) with the charts drawn by `chart` and a table
//! beside each. Reads the aggregates; computes no figure of its own.

use serde::Serialize;

use crate::checklist::score::BANDS;
use crate::render::theme::Theme;
use crate::site::Site;

use super::aggregate::{Aggregates, ChecklistStats, Detail};
use super::chart::{render_bar_chart, Bar};
use super::tables::{band_class, Cell, Row, Table};
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

pub(crate) fn percent(value: f64) -> String {
    format!("{value:.1} %")
}

impl Renderer<'_> {
    pub(crate) fn t(&self, lang: &str, key: &str) -> String {
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
        // `depth` counts the folders between the report's root and the page, language included.
        let up_to_report = if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
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
            if key != "quarter" {
                let elements = csv(&format!("{key}-elements"));
                tables.push(self.group_element_table(lang, key, groups, elements));
            }
        }
        context.tables = tables;
        context
    }
}
