//! The figures of a chambers' report, computed from deduplicated assessments: counts, score
//! distributions, averages per integrity-policy element, the weakest items, and breakdowns by
//! size band, state and quarter. Groups below `min_group` carry no figures (see `privacy`).
//! Plain data in a fixed order; nothing here knows about HTML or files.

use std::collections::BTreeMap;

use crate::checklist::score::{score, Answer, BANDS};
use crate::checklist::{Checklist, Element};

use super::load::Assessment;
use super::privacy::shown_groups;

/// How many of the weakest items a checklist lists, and a group of a breakdown.
pub(crate) const WEAKEST_ITEMS: usize = 10;
pub(crate) const WEAKEST_PER_GROUP: usize = 3;
/// Key of the group of assessments that did not state a size band or state.
pub(crate) const NOT_STATED: &str = "not-stated";

#[derive(Debug, Clone)]
pub(crate) struct Aggregates {
    /// One entry per checklist of the site with at least one assessment, in site order.
    pub checklists: Vec<ChecklistStats>,
    /// Averages per element over every assessment of the checklists that are shown.
    pub elements: Vec<ElementStat>,
}

#[derive(Debug, Clone)]
pub(crate) struct ChecklistStats {
    /// Index into the site's checklists.
    pub checklist: usize,
    pub n: usize,
    /// `None` when `n` is below the minimum group size.
    pub detail: Option<Detail>,
}

#[derive(Debug, Clone)]
pub(crate) struct Detail {
    pub summary: GroupStats,
    /// Scores in ten 10-point buckets: [0, 10), [10, 20) … [90, 100].
    pub histogram: [usize; 10],
    pub elements: Vec<ElementStat>,
    pub weakest: Vec<WeakItem>,
    pub by_size: Vec<Group>,
    pub by_state: Vec<Group>,
    pub by_quarter: Vec<Group>,
}

/// Score figures of a set of assessments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupStats {
    pub n: usize,
    /// Assessments with a score (at least one item answered yes, partly or no).
    pub scored: usize,
    /// Mean of the scores, in percent.
    pub mean: Option<f64>,
    /// Assessments per band, in the order of `BANDS`.
    pub bands: Vec<usize>,
}

/// One group of a breakdown: its key (a size band, a state code, `2026-Q3`, or `not-stated`).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub key: String,
    pub n: usize,
    /// `None` when the group is hidden for privacy.
    pub figures: Option<GroupFigures>,
}

#[derive(Debug, Clone)]
pub(crate) struct GroupFigures {
    pub stats: GroupStats,
    pub elements: Vec<ElementStat>,
    pub weakest: Vec<WeakItem>,
}

/// The mean of the per-assessment scores of one element, over the `n` assessments that have one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ElementStat {
    pub element: Element,
    pub n: usize,
    pub mean: f64,
}

/// An item and how its applicable answers split; `weakness` = risk weight × (no + ½·partly)
/// ÷ applicable answers, the order of the list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeakItem {
    /// Index into `Checklist::items()`.
    pub item: usize,
    pub applicable: usize,
    pub no: usize,
    pub partly: usize,
    pub weakness: f64,
}

/// Computes every figure; `assessments` must already be deduplicated.
pub(crate) fn aggregate(
    checklists: &[Checklist],
    assessments: &[Assessment],
    min_group: usize,
) -> Aggregates {
    let mut stats = Vec::new();
    let mut shown: Vec<&Assessment> = Vec::new();
    for (c, checklist) in checklists.iter().enumerate() {
        let own: Vec<&Assessment> = assessments.iter().filter(|a| a.checklist == c).collect();
        if own.is_empty() {
            continue;
        }
        let detail =
            (distinct_answers(&own) >= min_group).then(|| detail(checklist, &own, min_group));
        if detail.is_some() {
            shown.extend(&own);
        }
        stats.push(ChecklistStats {
            checklist: c,
            n: own.len(),
            detail,
        });
    }
    Aggregates {
        checklists: stats,
        elements: element_stats(&shown, |a| &checklists[a.checklist]),
    }
}

fn detail(checklist: &Checklist, own: &[&Assessment], min_group: usize) -> Detail {
    let mut histogram = [0; 10];
    for score in own.iter().filter_map(|a| a.score) {
        histogram[bucket(score)] += 1;
    }
    let by_size = breakdown(checklist, own, min_group, |a| {
        a.size
            .map_or(NOT_STATED.to_string(), |s| s.as_str().to_string())
    });
    let by_state = breakdown(checklist, own, min_group, |a| {
        a.state
            .map_or(NOT_STATED.to_string(), |s| s.code.to_string())
    });
    let by_quarter = breakdown(checklist, own, min_group, |a| {
        format!("{}-Q{}", a.quarter.0, a.quarter.1)
    });
    Detail {
        summary: group_stats(own),
        histogram,
        elements: element_stats(own, |_| checklist),
        weakest: weakest(checklist, own, WEAKEST_ITEMS),
        by_size,
        by_state,
        by_quarter,
    }
}

/// The histogram bucket of a percentage: 10-point steps, 100 in the last.
pub(crate) fn bucket(score: f64) -> usize {
    ((score / 10.0).floor().max(0.0) as usize).min(9)
}

/// Groups by `key` (sorted by key, `not-stated` last) and hides what `shown_groups` says.
fn breakdown(
    checklist: &Checklist,
    own: &[&Assessment],
    min_group: usize,
    key: impl Fn(&Assessment) -> String,
) -> Vec<Group> {
    let mut groups: BTreeMap<(bool, String), Vec<&Assessment>> = BTreeMap::new();
    for a in own {
        let k = key(a);
        groups.entry((k == NOT_STATED, k)).or_default().push(a);
    }
    let sizes: Vec<usize> = groups.values().map(|g| distinct_answers(g)).collect();
    let shown = shown_groups(&sizes, min_group);
    groups
        .into_iter()
        .zip(shown)
        .map(|(((_, key), members), shown)| Group {
            key,
            n: members.len(),
            figures: shown.then(|| GroupFigures {
                stats: group_stats(&members),
                elements: element_stats(&members, |_| checklist),
                weakest: weakest(checklist, &members, WEAKEST_PER_GROUP),
            }),
        })
        .collect()
}

/// How many members count towards `--min-group`: their export ids are distinct already (the
/// report keeps one file per id), and here members with the same answers count once, so that
/// copies of one made-up export, each with an id of its own, do not make a group large enough
/// to show. This protects a group against readers of the report, not against a sender of
/// varied made-up exports, which no count of anonymous files can tell from real ones.
fn distinct_answers(members: &[&Assessment]) -> usize {
    members
        .iter()
        .map(|a| a.answers.as_slice())
        .collect::<std::collections::HashSet<_>>()
        .len()
}

fn group_stats(members: &[&Assessment]) -> GroupStats {
    let scores: Vec<f64> = members.iter().filter_map(|a| a.score).collect();
    let mut bands = vec![0; BANDS.len()];
    for &s in &scores {
        let band = crate::checklist::score::band_for(s);
        if let Some(i) = BANDS.iter().position(|b| b.id == band.id) {
            bands[i] += 1;
        }
    }
    GroupStats {
        n: members.len(),
        scored: scores.len(),
        mean: mean(&scores),
        bands,
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Per element, the mean of each assessment's score over that element's items (assessments
/// without an answered item of the element are left out); `checklist_of` gives their checklist.
fn element_stats<'c>(
    members: &[&Assessment],
    checklist_of: impl Fn(&Assessment) -> &'c Checklist,
) -> Vec<ElementStat> {
    Element::ALL
        .into_iter()
        .filter_map(|element| {
            let scores: Vec<f64> = members
                .iter()
                .filter_map(|a| {
                    let answers: Vec<_> = checklist_of(a)
                        .items()
                        .zip(&a.answers)
                        .filter(|(item, _)| item.element == Some(element))
                        .map(|(item, answer)| (item.risk, *answer))
                        .collect();
                    score(&answers)
                })
                .collect();
            mean(&scores).map(|mean| ElementStat {
                element,
                n: scores.len(),
                mean,
            })
        })
        .collect()
}

/// The `limit` items with the highest weakness (then in checklist order); items nobody answered
/// yes, partly or no are left out, and so are items with no weakness at all.
fn weakest(checklist: &Checklist, members: &[&Assessment], limit: usize) -> Vec<WeakItem> {
    let mut items: Vec<WeakItem> = checklist
        .items()
        .enumerate()
        .filter_map(|(i, item)| {
            let answers = members.iter().filter_map(|a| a.answers[i]);
            let (mut applicable, mut no, mut partly) = (0, 0, 0);
            for answer in answers {
                match answer {
                    Answer::No => no += 1,
                    Answer::Partly => partly += 1,
                    Answer::Yes => {}
                    Answer::NotApplicable => continue,
                }
                applicable += 1;
            }
            let shortfall = no as f64 + 0.5 * partly as f64;
            (applicable > 0 && shortfall > 0.0).then(|| WeakItem {
                item: i,
                applicable,
                no,
                partly,
                weakness: f64::from(item.risk.weight()) * shortfall / applicable as f64,
            })
        })
        .collect();
    items.sort_by(|a, b| b.weakness.total_cmp(&a.weakness).then(a.item.cmp(&b.item)));
    items.truncate(limit);
    items
}

#[cfg(test)]
mod tests {
    use super::bucket;

    #[test]
    fn buckets_are_ten_points_wide_and_100_is_in_the_last() {
        let cases = [
            (0.0, 0),
            (9.99, 0),
            (10.0, 1),
            (55.5, 5),
            (90.0, 9),
            (100.0, 9),
        ];
        for (score, expected) in cases {
            assert_eq!(bucket(score), expected, "{score}");
        }
    }
}
