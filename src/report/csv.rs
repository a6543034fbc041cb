//! One CSV file per aggregate table, for chambers that work in spreadsheets: ids and numbers
//! only (element, band and state ids, ISO dates), comma-separated, one header line, the same
//! privacy rule as the pages (a withheld group has no figures, not even its size).

use std::fmt::Write as _;

use crate::checklist::score::BANDS;
use crate::checklist::Checklist;

use super::aggregate::{Aggregates, ElementStat, Group, GroupStats, WeakItem};

/// `(file name, UI string key that describes it, contents)`, in a fixed order.
pub(crate) fn render_csv_files(
    checklists: &[Checklist],
    aggregates: &Aggregates,
) -> Vec<(String, &'static str, String)> {
    let bands = BANDS.iter().map(|b| b.id).collect::<Vec<_>>().join(",");
    let mut files = Vec::new();
    let mut text = format!("checklist,assessments,withheld,mean_score,{bands}\n");
    for stats in &aggregates.checklists {
        let id = &checklists[stats.checklist].id;
        match &stats.detail {
            Some(d) => {
                let _ = writeln!(text, "{id},{},no,{}", stats.n, stats_cells(&d.summary));
            }
            None => {
                let _ = writeln!(text, "{id},,yes,{}", ",".repeat(BANDS.len()));
            }
        }
    }
    files.push(("checklists.csv".to_string(), "report_csv_checklists", text));
    files.push((
        "elements.csv".to_string(),
        "report_csv_elements",
        elements_csv(&aggregates.elements),
    ));
    for stats in &aggregates.checklists {
        let Some(d) = &stats.detail else { continue };
        let checklist = &checklists[stats.checklist];
        let id = &checklist.id;
        let mut text = "score_from,score_to,assessments\n".to_string();
        for (b, n) in d.histogram.iter().enumerate() {
            let to = if b == 9 { 100 } else { b * 10 + 9 };
            let _ = writeln!(text, "{},{to},{n}", b * 10);
        }
        files.push((
            format!("{id}-distribution.csv"),
            "report_csv_distribution",
            text,
        ));
        let mut text = "band,assessments\n".to_string();
        for (band, n) in BANDS.iter().zip(&d.summary.bands) {
            let _ = writeln!(text, "{},{n}", band.id);
        }
        files.push((format!("{id}-bands.csv"), "report_csv_bands", text));
        files.push((
            format!("{id}-elements.csv"),
            "report_csv_elements_checklist",
            elements_csv(&d.elements),
        ));
        files.push((
            format!("{id}-weakest.csv"),
            "report_csv_weakest",
            weakest_csv(checklist, &d.weakest),
        ));
        for (key, groups) in [
            ("size", &d.by_size),
            ("state", &d.by_state),
            ("quarter", &d.by_quarter),
        ] {
            files.push((
                format!("{id}-{key}.csv"),
                match key {
                    "size" => "report_csv_size",
                    "state" => "report_csv_state",
                    _ => "report_csv_quarter",
                },
                groups_csv(checklist, key, groups),
            ));
        }
        for (key, groups) in [("size", &d.by_size), ("state", &d.by_state)] {
            files.push((
                format!("{id}-{key}-elements.csv"),
                if key == "size" {
                    "report_csv_size_elements"
                } else {
                    "report_csv_state_elements"
                },
                group_elements_csv(key, groups),
            ));
        }
    }
    files
}

fn stats_cells(stats: &GroupStats) -> String {
    let bands: Vec<String> = stats.bands.iter().map(ToString::to_string).collect();
    format!(
        "{},{}",
        stats.mean.map(|m| format!("{m:.2}")).unwrap_or_default(),
        bands.join(",")
    )
}

fn elements_csv(elements: &[ElementStat]) -> String {
    let mut text = "element,assessments,mean_score\n".to_string();
    for e in elements {
        let _ = writeln!(text, "{},{},{:.2}", e.element.as_str(), e.n, e.mean);
    }
    text
}

fn weakest_csv(checklist: &Checklist, weakest: &[WeakItem]) -> String {
    let mut text = "item,risk,no,partly,applicable,weakness\n".to_string();
    for w in weakest {
        let Some(item) = checklist.items().nth(w.item) else {
            continue;
        };
        let _ = writeln!(
            text,
            "{},{},{},{},{},{:.4}",
            item.id,
            item.risk.as_str(),
            w.no,
            w.partly,
            w.applicable,
            w.weakness
        );
    }
    text
}

/// One line per shown group and element (withheld groups have no line).
fn group_elements_csv(key: &str, groups: &[Group]) -> String {
    let mut text = format!("{key},element,assessments,mean_score\n");
    for g in groups {
        for e in g.figures.iter().flat_map(|f| &f.elements) {
            let _ = writeln!(
                text,
                "{},{},{},{:.2}",
                g.key,
                e.element.as_str(),
                e.n,
                e.mean
            );
        }
    }
    text
}

fn groups_csv(checklist: &Checklist, key: &str, groups: &[Group]) -> String {
    let bands = BANDS.iter().map(|b| b.id).collect::<Vec<_>>().join(",");
    let mut text = format!("{key},assessments,withheld,mean_score,{bands},weakest_item\n");
    for g in groups {
        match &g.figures {
            Some(f) => {
                let weakest = f
                    .weakest
                    .first()
                    .and_then(|w| checklist.items().nth(w.item))
                    .map(|i| i.id.to_string())
                    .unwrap_or_default();
                let _ = writeln!(
                    text,
                    "{},{},no,{},{weakest}",
                    g.key,
                    g.n,
                    stats_cells(&f.stats)
                );
            }
            None => {
                let _ = writeln!(text, "{},,yes,{}", g.key, ",".repeat(BANDS.len() + 1));
            }
        }
    }
    text
}
