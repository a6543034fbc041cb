//! The self-assessment's scoring rules (SPEC "Sector checklists"): weights, answer values, bands
//! and the order of priority actions. Defined only here; the browser script receives them as
//! JSON (`scoring_rules`) so the page and the generator always agree. Pure functions.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Risk;

/// One answer to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Answer {
    Yes,
    Partly,
    No,
    NotApplicable,
}

impl Answer {
    pub(crate) const ALL: [Answer; 4] = [
        Answer::Yes,
        Answer::Partly,
        Answer::No,
        Answer::NotApplicable,
    ];

    /// The share of the item's weight earned; `None` for not applicable (left out of the score).
    pub(crate) fn value(self) -> Option<f64> {
        match self {
            Answer::Yes => Some(1.0),
            Answer::Partly => Some(0.5),
            Answer::No => Some(0.0),
            Answer::NotApplicable => None,
        }
    }

    /// The JSON spelling, as stored in the browser and in exported answer files.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::Partly => "partly",
            Answer::No => "no",
            Answer::NotApplicable => "not-applicable",
        }
    }
}

/// A named score range: a percentage belongs to the last band whose `min_percent` it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Band {
    pub id: &'static str,
    pub min_percent: u32,
}

/// Ascending by `min_percent`; the first starts at 0.
pub(crate) const BANDS: &[Band] = &[
    Band {
        id: "initial",
        min_percent: 0,
    },
    Band {
        id: "developing",
        min_percent: 50,
    },
    Band {
        id: "solid",
        min_percent: 80,
    },
];

/// The band of an unrounded percentage (below 0 or NaN counts as the first band).
///
/// `band_for`, `score` and `priority_actions` are the reference implementation of the SPEC's
/// rules: the page's script computes the same from `scoring_rules()`, and the unit tests here
/// and the browser tests pin both to the same numbers. The site itself never scores in Rust.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn band_for(percent: f64) -> &'static Band {
    BANDS
        .iter()
        .rev()
        .find(|band| percent >= f64::from(band.min_percent))
        .unwrap_or(&BANDS[0])
}

/// Score = Σ(weight·value)/Σ(weight) over answered, applicable items, as a percentage 0–100;
/// `None` when no item is answered with yes, partly or no.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn score(answers: &[(Risk, Option<Answer>)]) -> Option<f64> {
    let mut earned = 0.0;
    let mut possible = 0u32;
    for (risk, answer) in answers {
        if let Some(value) = answer.and_then(Answer::value) {
            earned += f64::from(risk.weight()) * value;
            possible += risk.weight();
        }
    }
    (possible > 0).then(|| 100.0 * earned / f64::from(possible))
}

/// Indices of items answered no or partly, ordered by risk (high first), then no before partly,
/// then original order.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn priority_actions(answers: &[(Risk, Option<Answer>)]) -> Vec<usize> {
    let mut open: Vec<(usize, Risk, Answer)> = answers
        .iter()
        .enumerate()
        .filter_map(|(i, (risk, answer))| match answer {
            Some(answer @ (Answer::No | Answer::Partly)) => Some((i, *risk, *answer)),
            _ => None,
        })
        .collect();
    open.sort_by_key(|&(i, risk, answer)| (Reverse(risk.weight()), answer == Answer::Partly, i));
    open.into_iter().map(|(i, ..)| i).collect()
}

/// The rules as the browser script reads them: keys are the YAML/JSON spellings of risks and
/// answers. `version` changes whenever the meaning of a field does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ScoringRules {
    pub weights: BTreeMap<&'static str, u32>,
    pub values: BTreeMap<&'static str, Option<f64>>,
    pub bands: Vec<Band>,
    pub version: u32,
}

pub(crate) fn scoring_rules() -> ScoringRules {
    ScoringRules {
        weights: Risk::ALL.iter().map(|r| (r.as_str(), r.weight())).collect(),
        values: Answer::ALL
            .iter()
            .map(|a| (a.as_str(), a.value()))
            .collect(),
        bands: BANDS.to_vec(),
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::{No, NotApplicable as Na, Partly, Yes};
    use Risk::{High, Low, Medium};

    type Answers = &'static [(Risk, Option<Answer>)];

    #[test]
    fn score_follows_the_spec_examples() {
        let cases: &[(&str, Answers, Option<f64>)] = &[
            ("nothing", &[], None),
            ("all unanswered", &[(High, None), (Low, None)], None),
            (
                "all not applicable",
                &[(High, Some(Na)), (Low, Some(Na))],
                None,
            ),
            (
                "all yes",
                &[(High, Some(Yes)), (Medium, Some(Yes)), (Low, Some(Yes))],
                Some(100.0),
            ),
            ("all no", &[(High, Some(No)), (Low, Some(No))], Some(0.0)),
            (
                "n/a ignored",
                &[(High, Some(Yes)), (High, Some(Na))],
                Some(100.0),
            ),
            (
                "unanswered ignored",
                &[(Low, Some(No)), (High, None)],
                Some(0.0),
            ),
            (
                "high yes + low no",
                &[(High, Some(Yes)), (Low, Some(No))],
                Some(75.0),
            ),
            (
                "low yes + high no",
                &[(Low, Some(Yes)), (High, Some(No))],
                Some(25.0),
            ),
            ("partly is half", &[(Medium, Some(Partly))], Some(50.0)),
            (
                "medium yes + medium partly",
                &[(Medium, Some(Yes)), (Medium, Some(Partly))],
                Some(75.0),
            ),
            (
                "mixed",
                &[
                    (High, Some(Partly)),
                    (Medium, Some(Yes)),
                    (Low, Some(No)),
                    (Low, Some(Na)),
                ],
                Some(100.0 * 3.5 / 6.0),
            ),
        ];
        for (name, answers, expected) in cases {
            let got = score(answers);
            match (got, expected) {
                (Some(got), Some(expected)) => {
                    assert!((got - expected).abs() < 1e-9, "{name}: {got}")
                }
                _ => assert_eq!(got, *expected, "{name}"),
            }
        }
    }

    #[test]
    fn bands_start_at_their_minimum() {
        let cases = [
            (-1.0, "initial"),
            (0.0, "initial"),
            (49.99, "initial"),
            (50.0, "developing"),
            (79.99, "developing"),
            (80.0, "solid"),
            (100.0, "solid"),
            (f64::NAN, "initial"),
        ];
        for (percent, band) in cases {
            assert_eq!(band_for(percent).id, band, "{percent}");
        }
    }

    #[test]
    fn priority_actions_put_high_risk_and_no_first() {
        let answers = [
            (Low, Some(No)),        // 0
            (High, Some(Partly)),   // 1
            (Medium, Some(No)),     // 2
            (High, Some(Yes)),      // 3: done
            (High, Some(No)),       // 4
            (Medium, Some(Partly)), // 5
            (High, Some(Na)),       // 6: not applicable
            (High, None),           // 7: unanswered
            (High, Some(No)),       // 8
            (Low, Some(Partly)),    // 9
            (Medium, Some(No)),     // 10
        ];
        assert_eq!(priority_actions(&answers), [4, 8, 1, 2, 10, 5, 0, 9]);
        assert!(priority_actions(&[]).is_empty());
        assert!(priority_actions(&[(High, Some(Yes)), (Low, None)]).is_empty());
    }

    #[test]
    fn answers_and_risks_serialize_as_their_spellings() {
        for answer in Answer::ALL {
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(json, format!("\"{}\"", answer.as_str()));
            assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer);
        }
        for risk in Risk::ALL {
            assert_eq!(
                serde_json::to_string(&risk).unwrap(),
                format!("\"{}\"", risk.as_str())
            );
        }
    }

    #[test]
    fn scoring_rules_carry_the_same_numbers_to_the_browser() {
        let json = serde_json::to_value(scoring_rules()).unwrap();
        let expected = serde_json::json!({
            "weights": { "high": 3, "medium": 2, "low": 1 },
            "values": { "yes": 1.0, "partly": 0.5, "no": 0.0, "not-applicable": null },
            "bands": [
                { "id": "initial", "min_percent": 0 },
                { "id": "developing", "min_percent": 50 },
                { "id": "solid", "min_percent": 80 }
            ],
            "version": 1
        });
        assert_eq!(json, expected);
    }
}
