//! `checklist.json`: the whole checklist as data, in every language, with absolute URLs, so other
//! systems can reuse it (SPEC "Sector checklists"). Deterministic: maps are ordered.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checklist::score::scoring_rules;
use crate::checklist::Reference;
use crate::lang::Lang;
use crate::site::links::{join, Resolved};
use crate::site::Site;

#[derive(Serialize)]
struct ChecklistData<'a> {
    format: &'static str,
    version: u32,
    id: &'a str,
    /// The version of the items an export answered (`Checklist::items_hash`).
    items_hash: String,
    default_language: &'a str,
    languages: Vec<&'a str>,
    title: BTreeMap<Lang, String>,
    description: Option<BTreeMap<Lang, String>>,
    kind: &'static str,
    weight: i64,
    urls: BTreeMap<&'a Lang, String>,
    related: Vec<BTreeMap<&'a Lang, String>>,
    scoring: crate::checklist::score::ScoringRules,
    sections: Vec<SectionData>,
}

#[derive(Serialize)]
struct SectionData {
    id: String,
    title: BTreeMap<Lang, String>,
    items: Vec<ItemData>,
}

#[derive(Serialize)]
struct ItemData {
    id: String,
    question: BTreeMap<Lang, String>,
    guidance: Option<BTreeMap<Lang, String>>,
    risk: &'static str,
    weight: u32,
    element: Option<&'static str>,
    references: Vec<ReferenceData>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ReferenceData {
    Text { text: String },
    Url { url: BTreeMap<String, String> },
}

/// The whole checklist as data, in every language, with absolute URLs (SPEC "Sector checklists").
pub(crate) fn render_checklist_json(site: &Site, c: usize) -> String {
    let checklist = &site.checklists[c];
    let default = &site.config.default_lang;
    let cited = |dest: &str| -> String {
        let rest = dest
            .strip_prefix(crate::content::laws::SCHEME)
            .unwrap_or(dest);
        site.laws
            .as_ref()
            .and_then(|r| crate::site::laws::citation_text(r, rest, default, default))
            .map_or_else(|| dest.to_string(), |(text, _)| text)
    };
    let absolute = |rel: &str| -> BTreeMap<&Lang, String> {
        let (path, fragment) = rel
            .split_once('#')
            .map_or((rel, None), |(p, f)| (p, Some(f)));
        site.config
            .languages
            .iter()
            .filter_map(|language| {
                let joined = join("checklists", path)?;
                let url = match site.resolve_path(&joined, &language.lang)? {
                    Resolved::Target(_, url) | Resolved::Asset(url) => url,
                };
                let suffix = fragment.map(|f| format!("#{f}")).unwrap_or_default();
                Some((
                    &language.lang,
                    format!("{}{}{suffix}", site.config.base_url, url.as_str()),
                ))
            })
            .collect()
    };
    let data = ChecklistData {
        format: "integridad-checklist-data",
        version: 1,
        id: checklist.id.as_str(),
        items_hash: checklist.items_hash(),
        default_language: default.as_str(),
        languages: site
            .config
            .languages
            .iter()
            .map(|l| l.lang.as_str())
            .collect(),
        title: checklist.title.to_map(default),
        description: checklist.description.as_ref().map(|d| d.to_map(default)),
        kind: checklist.kind.as_str(),
        weight: checklist.weight,
        urls: site
            .config
            .languages
            .iter()
            .enumerate()
            .map(|(l, language)| {
                (
                    &language.lang,
                    format!(
                        "{}{}",
                        site.config.base_url,
                        site.checklist_urls[c][l].as_str()
                    ),
                )
            })
            .collect(),
        related: checklist
            .related
            .iter()
            .map(|r| absolute(&r.dest))
            .collect(),
        scoring: scoring_rules(),
        sections: checklist
            .sections
            .iter()
            .map(|section| SectionData {
                id: section.id.to_string(),
                title: section.title.to_map(default),
                items: section
                    .items
                    .iter()
                    .map(|item| ItemData {
                        id: item.id.to_string(),
                        question: item.question.to_map(default),
                        guidance: item.guidance.as_ref().map(|g| g.to_map(default)),
                        risk: item.risk.as_str(),
                        weight: item.risk.weight(),
                        element: item.element.map(|e| e.as_str()),
                        references: item
                            .references
                            .iter()
                            .map(|r| match r {
                                Reference::Text(text) => ReferenceData::Text { text: text.clone() },
                                // As the text it replaces (`LGRA art. 25`), so the data keeps its shape.
                                Reference::Law(law) => ReferenceData::Text {
                                    text: cited(&law.dest),
                                },
                                Reference::Url(url) => ReferenceData::Url {
                                    url: BTreeMap::from([("*".to_string(), url.clone())]),
                                },
                                Reference::Link(link) => ReferenceData::Url {
                                    url: absolute(&link.dest)
                                        .into_iter()
                                        .map(|(l, u)| (l.to_string(), u))
                                        .collect(),
                                },
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&data).unwrap_or_default();
    json.push('\n');
    json
}
