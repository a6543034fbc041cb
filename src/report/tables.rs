//! The tables of the report pages (each with the chart drawn beside it, if any): elements,
//! weakest questions and breakdowns by group, in the words of the page's language. They read
//! the aggregates and format numbers; they compute no figure.

use serde::Serialize;

use crate::checklist::profile::{resolve_state, SizeBand};
use crate::checklist::score::BANDS;
use crate::checklist::{Checklist, Element, Reference};
use crate::site::links::{join, Resolved};

use super::aggregate::{ElementStat, Group, WeakItem, NOT_STATED};
use super::chart::{render_bar_chart, Bar};
use super::render::{percent, Renderer};

/// A figure: a heading, an optional chart, and the table of its numbers.
#[derive(Serialize)]
pub(crate) struct Table {
    pub id: String,
    pub title: String,
    /// Text under the heading (how to read the figures); may be empty.
    pub note: String,
    /// SVG markup, safe to insert as is.
    pub chart: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// Relative URL of the CSV with the same figures.
    pub csv: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Row {
    pub head: Cell,
    pub cells: Vec<Cell>,
    /// When set, the row has no figures: this text spans the remaining columns.
    pub withheld: Option<String>,
}

#[derive(Serialize, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub url: Option<String>,
    /// `lang` attribute when the text is in another language than the page.
    pub lang: Option<String>,
    pub numeric: bool,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }
    pub(crate) fn number(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: true,
            ..Cell::default()
        }
    }
}

impl Renderer<'_> {
    pub(crate) fn element_table(
        &self,
        lang: &str,
        id: &str,
        stats: &[ElementStat],
        csv: String,
    ) -> Table {
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

    pub(crate) fn weakest_table(
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

    /// Groups × elements: the mean score per element of each group that is shown.
    pub(crate) fn group_element_table(
        &self,
        lang: &str,
        key: &str,
        groups: &[Group],
        csv: Option<String>,
    ) -> Table {
        let not_enough = self.t(lang, "report_not_enough");
        let mut columns = vec![self.t(lang, &format!("report_col_{key}"))];
        columns.extend(
            Element::ALL
                .iter()
                .map(|e| self.t(lang, &format!("element_{}", e.as_str().replace('-', "_")))),
        );
        let rows = groups
            .iter()
            .map(|g| {
                let head = Cell::text(self.group_name(lang, key, &g.key));
                match &g.figures {
                    None => Row {
                        head,
                        cells: Vec::new(),
                        withheld: Some(not_enough.clone()),
                    },
                    Some(f) => Row {
                        head,
                        cells: Element::ALL
                            .iter()
                            .map(|e| {
                                let stat = f.elements.iter().find(|s| s.element == *e);
                                Cell::number(stat.map(|s| percent(s.mean)).unwrap_or_default())
                            })
                            .collect(),
                        withheld: None,
                    },
                }
            })
            .collect();
        Table {
            id: format!("{key}-elements"),
            title: self.t(lang, &format!("report_by_{key}_elements")),
            note: self.t(lang, "report_elements_note"),
            chart: None,
            columns,
            rows,
            csv,
        }
    }

    pub(crate) fn group_table(
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
pub(crate) fn band_class(percent: f64) -> &'static str {
    match crate::checklist::score::band_for(percent).id {
        "solid" => "bar-solid",
        "developing" => "bar-developing",
        _ => "bar-initial",
    }
}
