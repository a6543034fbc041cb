//! Sector checklists (SPEC "Sector checklists"): one YAML file → a validated `Checklist` whose
//! ids, keys and references carry their positions. Links are only recorded here; the site
//! resolves them. Scoring rules live in `score`. Reads no files and renders nothing.

mod fields;
mod id;
mod node;
pub(crate) mod profile;
mod schema;
pub(crate) mod score;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostics, Span};
use crate::lang::{Lang, Localized};
use crate::yaml::{self, Origin};

pub(crate) use id::{ChecklistId, ItemId, SectionId};

/// One sector checklist. `file` is relative to the site root.
#[derive(Debug, Clone)]
pub(crate) struct Checklist {
    pub id: ChecklistId,
    pub file: PathBuf,
    pub title: Localized,
    /// Markdown.
    pub description: Option<Localized>,
    /// Sector or process; `sector` when the file does not say.
    pub kind: Kind,
    /// Order among checklists (then id); 0 when not given.
    pub weight: i64,
    /// When the checklist's legal content was last checked against the laws it cites.
    pub reviewed: Option<(crate::content::front_matter::Date, Span)>,
    /// Every text of the file (titles, questions, guidance …) with its language and place, for
    /// checks of wording (`content::terms`).
    pub texts: Vec<LocatedText>,
    /// Chapters the checklist points to; every entry is a content-file link.
    pub related: Vec<LinkRef>,
    /// Never empty.
    pub sections: Vec<ChecklistSection>,
}

impl Checklist {
    /// Every item, section by section, in file order (the order scores and answers use).
    pub(crate) fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|section| &section.items)
    }

    /// Names the version of the checklist's questions that an export answered: the first 16 hex
    /// digits of the SHA-256 of one line per item, `section<TAB>item<TAB>risk<TAB>element`, in
    /// file order. Wording changes keep it; a new, removed, moved or re-weighted item changes it.
    /// Written into `checklist.json` and the page, so the page's script exports the same value.
    pub(crate) fn items_hash(&self) -> String {
        use sha2::{Digest as _, Sha256};
        let mut hasher = Sha256::new();
        for section in &self.sections {
            for item in &section.items {
                let element = item.element.map_or("", Element::as_str);
                hasher.update(format!(
                    "{}\t{}\t{}\t{element}\n",
                    section.id,
                    item.id,
                    item.risk.as_str()
                ));
            }
        }
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A titled group of items. `span` is where the section's mapping starts.
#[derive(Debug, Clone)]
pub(crate) struct ChecklistSection {
    pub id: SectionId,
    pub title: Localized,
    /// Never empty.
    pub items: Vec<Item>,
    /// Kept with the model for diagnostics about a whole section (the parser's own use it).
    #[allow(dead_code)]
    pub span: Span,
}

/// One question of the self-assessment. `span` is where the item's mapping starts.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub id: ItemId,
    pub question: Localized,
    /// Markdown.
    pub guidance: Option<Localized>,
    pub risk: Risk,
    pub element: Option<Element>,
    pub references: Vec<Reference>,
    pub span: Span,
}

/// What a checklist assesses: a sector's practices, or one business process (such as public
/// contracting) across sectors. The index lists the two kinds apart.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    #[default]
    Sector,
    Process,
}

impl Kind {
    pub(crate) const ALL: [Kind; 2] = [Kind::Sector, Kind::Process];

    /// The YAML and JSON spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Sector => "sector",
            Kind::Process => "process",
        }
    }
}

/// How much an item weighs in the score (SPEC: high 3, medium 2, low 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Risk {
    High,
    Medium,
    Low,
}

impl Risk {
    /// Highest risk first, the order priority actions use.
    pub(crate) const ALL: [Risk; 3] = [Risk::High, Risk::Medium, Risk::Low];

    pub(crate) fn weight(self) -> u32 {
        match self {
            Risk::High => 3,
            Risk::Medium => 2,
            Risk::Low => 1,
        }
    }

    /// The YAML and JSON spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Risk::High => "high",
            Risk::Medium => "medium",
            Risk::Low => "low",
        }
    }
}

/// The integrity-policy elements of LGRA art. 25 an item may belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Element {
    ProceduresManual,
    CodeOfConduct,
    ControlsAudit,
    Whistleblowing,
    Training,
    HrPolicies,
    Transparency,
}

impl Element {
    /// In the order of the law (and of the SPEC).
    pub(crate) const ALL: [Element; 7] = [
        Element::ProceduresManual,
        Element::CodeOfConduct,
        Element::ControlsAudit,
        Element::Whistleblowing,
        Element::Training,
        Element::HrPolicies,
        Element::Transparency,
    ];

    /// The YAML and JSON spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Element::ProceduresManual => "procedures-manual",
            Element::CodeOfConduct => "code-of-conduct",
            Element::ControlsAudit => "controls-audit",
            Element::Whistleblowing => "whistleblowing",
            Element::Training => "training",
            Element::HrPolicies => "hr-policies",
            Element::Transparency => "transparency",
        }
    }
}

/// A link to a content file as written, relative to the checklist file, possibly with a
/// `#fragment`; the site resolves it (and reports a missing target at `span`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRef {
    pub dest: String,
    pub span: Span,
}

/// A text of a checklist in one language, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocatedText {
    pub lang: Lang,
    pub text: String,
    pub span: Span,
}

/// An entry of an item's `references`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// Plain text such as `LGRA art. 25`.
    Text(String),
    /// An external `http://` or `https://` address, left as written.
    Url(String),
    /// A content file (`../toolkit/07-denuncias.md#canales`).
    Link(LinkRef),
    /// A law of the registry (`ley:lgra#25`); `dest` is the whole entry.
    Law(LinkRef),
}

impl Reference {
    /// Classifies an entry: `Url` when it starts with `http://` or `https://`; `Law` when it
    /// starts with `ley:` and has no whitespace; `Link` when it has no whitespace and its path
    /// (before any `#`) ends in `.md` or `.yaml`; else `Text`.
    pub(crate) fn parse(text: &str, span: Span) -> Reference {
        let spaced = text.chars().any(char::is_whitespace);
        if text.starts_with(crate::content::laws::SCHEME) && !spaced {
            return Reference::Law(LinkRef {
                dest: text.to_string(),
                span,
            });
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Reference::Url(text.to_string());
        }
        let path = text.split('#').next().unwrap_or_default();
        let is_file = path.ends_with(".md") || path.ends_with(".yaml");
        if is_file && !text.chars().any(char::is_whitespace) {
            Reference::Link(LinkRef {
                dest: text.to_string(),
                span,
            })
        } else {
            Reference::Text(text.to_string())
        }
    }
}

/// The site's languages: plain strings are in `default`; `all` (which includes `default`) are
/// the languages a localized text may and should have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Languages<'a> {
    pub default: &'a Lang,
    pub all: &'a [Lang],
}

/// Parses and validates one checklist file (`file` relative to the site root, `id` taken from
/// its name). Every problem is pushed to `diags`, not only the first; missing translations are
/// warnings. Returns `None` if any error was found in this file.
pub(crate) fn parse_checklist(
    text: &str,
    file: &Path,
    id: ChecklistId,
    langs: Languages<'_>,
    diags: &mut Diagnostics,
) -> Option<Checklist> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let origin = Origin {
        file,
        first_line: 1,
    };
    let (root, positions) = match yaml::parse::<node::Node>(text, origin, "checklist") {
        Ok(parsed) => parsed,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let errors_before = diags.error_count();
    let mut reader = schema::Reader {
        positions: &positions,
        langs,
        diags,
        texts: Vec::new(),
    };
    let checklist = reader.checklist(&root, id, file).map(|mut checklist| {
        checklist.texts = std::mem::take(&mut reader.texts);
        checklist
    });
    if diags.error_count() > errors_before {
        None
    } else {
        checklist
    }
}
