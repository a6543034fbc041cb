//! The law registry, `content/leyes.yaml`: every law, treaty and official source the site cites,
//! with its names per language, official address and DOF dates, and the words of the generated
//! page that lists them. Parsed with positions; link resolution and freshness live in `site`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::content::front_matter::Date;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::{Lang, Localized};
use crate::yaml::{self, Origin, Positions};

/// The registry's file name, at the top of `content/`.
pub(crate) const FILE: &str = "leyes.yaml";

/// The link scheme that cites a law: `ley:lgra#81` (law `lgra`, article 81); `ley:` alone is
/// the generated list of laws.
pub(crate) const SCHEME: &str = "ley:";

/// A law's id: `[a-z0-9-]+`, as written after `ley:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct LawId(String);

impl LawId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Validates `text` as an id.
    pub fn parse(text: &str) -> Option<LawId> {
        let ok = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| LawId(text.to_string()))
    }
}

/// One law, treaty or official source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Law {
    pub id: LawId,
    /// `LGRA`; shown with article numbers.
    pub short: Localized,
    /// `Ley General de Responsabilidades Administrativas`.
    pub name: Localized,
    /// The official text (`https://…`), per language where it has versions.
    pub url: Localized,
    /// Date of the original publication in the DOF, when the registry records it.
    pub published: Option<Date>,
    /// Date of the latest reform published in the DOF that the site has taken into account.
    pub last_reform: Option<Date>,
    /// Markdown shown under the law on the generated page.
    pub note: Option<Localized>,
    /// Where the law's `id` is written, for diagnostics.
    pub span: Span,
}

impl Law {
    /// The date a page's review must not predate: the last reform, else the publication.
    pub fn in_force_since(&self) -> Option<&Date> {
        self.last_reform.as_ref().or(self.published.as_ref())
    }
}

/// The words of the generated page, each per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageWords {
    pub title: Localized,
    pub slug: Localized,
    pub description: Option<Localized>,
    /// Markdown shown above the list.
    pub intro: Option<Localized>,
    pub published: Localized,
    pub last_reform: Localized,
    pub not_recorded: Localized,
    pub cited_by: Localized,
    pub not_cited: Localized,
    pub official_text: Localized,
}

/// The parsed registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registry {
    /// `content/leyes.yaml`, relative to the site root.
    pub file: PathBuf,
    pub page: PageWords,
    /// In the order of the file.
    pub laws: Vec<Law>,
    by_id: BTreeMap<LawId, usize>,
}

impl Registry {
    pub fn law(&self, id: &str) -> Option<&Law> {
        let id = LawId::parse(id)?;
        self.by_id.get(&id).map(|&i| &self.laws[i])
    }

    /// The id closest to `id`, for a "did you mean" help.
    pub fn closest(&self, id: &str) -> Option<&LawId> {
        self.laws
            .iter()
            .map(|law| (strsim::levenshtein(id, law.id.as_str()), &law.id))
            .filter(|(distance, _)| *distance <= 3)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, id)| id)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawText {
    Plain(String),
    Map(BTreeMap<String, String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    title: RawText,
    slug: RawText,
    description: Option<RawText>,
    intro: Option<RawText>,
    published: RawText,
    last_reform: RawText,
    not_recorded: RawText,
    cited_by: RawText,
    not_cited: RawText,
    official_text: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLaw {
    id: String,
    short: RawText,
    name: RawText,
    url: RawText,
    published: Option<String>,
    last_reform: Option<String>,
    note: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    page: RawPage,
    laws: Vec<RawLaw>,
}

/// Turns raw values into the model, pushing every problem it finds (not only the first).
struct Checker<'a> {
    positions: &'a Positions,
    langs: &'a [Lang],
    diags: &'a mut Diagnostics,
    ok: bool,
}

impl Checker<'_> {
    fn error(&mut self, message: String, span: Span, help: Option<String>) {
        let diagnostic = Diagnostic::error(message).at(span);
        self.diags.push(match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        });
        self.ok = false;
    }

    fn text(&mut self, raw: RawText, path: &str) -> Localized {
        let map = match raw {
            RawText::Plain(text) => {
                if text.trim().is_empty() {
                    let span = self.positions.value(path);
                    self.error(format!("`{path}` is empty"), span, None);
                }
                return Localized::Plain(text);
            }
            RawText::Map(map) => map,
        };
        let mut out = BTreeMap::new();
        for (code, text) in map {
            let at = format!("{path}.{code}");
            match Lang::try_from(code.as_str()) {
                Ok(lang) if self.langs.contains(&lang) => {
                    if text.trim().is_empty() {
                        let span = self.positions.value(&at);
                        self.error(format!("`{at}` is empty"), span, None);
                    }
                    out.insert(lang, text);
                }
                _ => {
                    let declared: Vec<String> =
                        self.langs.iter().map(|l| format!("`{l}`")).collect();
                    let span = self.positions.key(&at);
                    self.error(
                        format!("unknown language `{code}` in `{path}`"),
                        span,
                        Some(format!("declared languages are {}", declared.join(", "))),
                    );
                }
            }
        }
        if out.is_empty() {
            let span = self.positions.value(path);
            self.error(format!("`{path}` has no text"), span, None);
            return Localized::Plain(String::new());
        }
        Localized::Map(out)
    }

    fn date(&mut self, raw: Option<String>, path: &str) -> Option<Date> {
        match Date::try_from(raw?) {
            Ok(date) => Some(date),
            Err(message) => {
                let span = self.positions.value(path);
                self.error(format!("invalid law registry: {message}"), span, None);
                None
            }
        }
    }

    fn page(&mut self, raw: RawPage) -> PageWords {
        PageWords {
            title: self.text(raw.title, "page.title"),
            slug: self.text(raw.slug, "page.slug"),
            description: raw.description.map(|t| self.text(t, "page.description")),
            intro: raw.intro.map(|t| self.text(t, "page.intro")),
            published: self.text(raw.published, "page.published"),
            last_reform: self.text(raw.last_reform, "page.last_reform"),
            not_recorded: self.text(raw.not_recorded, "page.not_recorded"),
            cited_by: self.text(raw.cited_by, "page.cited_by"),
            not_cited: self.text(raw.not_cited, "page.not_cited"),
            official_text: self.text(raw.official_text, "page.official_text"),
        }
    }

    fn law(&mut self, raw: RawLaw, i: usize) -> Option<Law> {
        let at = |key: &str| format!("laws.{i}.{key}");
        let span = self.positions.value(&at("id"));
        let id = LawId::parse(&raw.id);
        if id.is_none() {
            self.error(
                format!("invalid law id `{}`", raw.id),
                span.clone(),
                Some("use lowercase letters, digits and hyphens, e.g. `lgra`".into()),
            );
        }
        let url = self.text(raw.url, &at("url"));
        let addresses: Vec<(String, String)> = match &url {
            Localized::Plain(address) => vec![(at("url"), address.clone())],
            Localized::Map(map) => (map.iter())
                .map(|(lang, address)| (format!("{}.{lang}", at("url")), address.clone()))
                .collect(),
        };
        for (path, address) in addresses {
            if !(address.starts_with("https://") || address.starts_with("http://")) {
                let url_span = self.positions.value(&path);
                self.error(
                    format!("the law's `url` `{address}` is not an address"),
                    url_span,
                    Some("write the official text's full address, starting with `https://`".into()),
                );
            }
        }
        let law = Law {
            id: id?,
            short: self.text(raw.short, &at("short")),
            name: self.text(raw.name, &at("name")),
            url,
            published: self.date(raw.published, &at("published")),
            last_reform: self.date(raw.last_reform, &at("last_reform")),
            note: raw.note.map(|t| self.text(t, &at("note"))),
            span,
        };
        if let (Some(published), Some(reform)) = (&law.published, &law.last_reform) {
            if reform < published {
                let span = self.positions.value(&at("last_reform"));
                self.error(
                    format!(
                        "`last_reform` {} is before `published` {}",
                        reform.as_str(),
                        published.as_str()
                    ),
                    span,
                    None,
                );
            }
        }
        Some(law)
    }
}

/// Parses the registry text of `file` (relative to the site root). Every problem is pushed to
/// `diags`; `None` when the registry cannot be used.
pub(crate) fn parse_registry(
    text: &str,
    file: &Path,
    langs: &[Lang],
    diags: &mut Diagnostics,
) -> Option<Registry> {
    let origin = Origin {
        file,
        first_line: 1,
    };
    let (raw, positions) = match yaml::parse::<RawRegistry>(text, origin, "law registry") {
        Ok(parsed) => parsed,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let mut checker = Checker {
        positions: &positions,
        langs,
        diags,
        ok: true,
    };
    let page = checker.page(raw.page);
    let mut laws = Vec::new();
    let mut by_id = BTreeMap::new();
    for (i, raw) in raw.laws.into_iter().enumerate() {
        let Some(law) = checker.law(raw, i) else {
            continue;
        };
        if let Some(&first) = by_id.get(&law.id) {
            let first: &Law = &laws[first];
            let help = format!(
                "`{}` is already listed on line {}",
                law.id.as_str(),
                first.span.line
            );
            checker.error(
                format!("duplicate law id `{}`", law.id.as_str()),
                law.span.clone(),
                Some(help),
            );
            continue;
        }
        by_id.insert(law.id.clone(), laws.len());
        laws.push(law);
    }
    checker.ok.then(|| Registry {
        file: file.to_path_buf(),
        page,
        laws,
        by_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "page:\n  title: { es: Leyes, en: Laws }\n  slug: { es: leyes, en: laws }\n  published: { es: Publicación, en: Published }\n  last_reform: { es: Última reforma, en: Last reform }\n  not_recorded: { es: sin registrar, en: not recorded }\n  cited_by: { es: La citan, en: Cited by }\n  not_cited: { es: Ninguna página, en: No page }\n  official_text: { es: Texto oficial, en: Official text }\n";

    fn parse(laws: &str) -> (Option<Registry>, Diagnostics) {
        let langs = [Lang::try_from("es").unwrap(), Lang::try_from("en").unwrap()];
        let mut diags = Diagnostics::new();
        let text = format!("{PAGE}laws:\n{laws}");
        let registry = parse_registry(&text, Path::new("content/leyes.yaml"), &langs, &mut diags);
        (registry, diags)
    }

    fn errors(diags: &Diagnostics) -> Vec<String> {
        diags
            .sorted()
            .iter()
            .map(|d| {
                let span = d.span.clone().expect("registry errors have spans");
                format!("{}:{} {}", span.line, span.col, d.message)
            })
            .collect()
    }

    #[test]
    fn a_law_is_read_with_its_dates() {
        let (registry, diags) = parse(
            "  - id: lgra\n    short: LGRA\n    name: { es: Ley General, en: General Law }\n    url: https://x.mx/lgra.htm\n    published: 2016-07-18\n    last_reform: 2025-01-02\n",
        );
        assert!(diags.is_empty(), "{}", diags.render());
        let registry = registry.expect("valid registry");
        let law = registry.law("lgra").expect("listed");
        assert_eq!(law.in_force_since().map(Date::as_str), Some("2025-01-02"));
        assert_eq!((law.span.line, law.span.col), (11, 9));
        assert_eq!(registry.closest("lgrx").map(LawId::as_str), Some("lgra"));
        assert!(registry.law("LGRA").is_none());
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let (registry, diags) = parse(concat!(
            "  - { id: LGRA, short: L, name: N, url: https://x.mx }\n",
            "  - { id: cff, short: C, name: { fr: Code }, url: x.mx/cff }\n",
            "  - { id: lft, short: F, name: L, url: https://x.mx, published: 2020-13-01 }\n",
            "  - { id: lft, short: F, name: L, url: https://x.mx }\n",
            "  - { id: cpf, short: P, name: L, url: https://x.mx, published: 2020-01-02, last_reform: 2019-01-01 }\n",
        ));
        assert!(registry.is_none());
        assert_eq!(
            errors(&diags),
            [
                "11:11 invalid law id `LGRA`",
                "12:32 `laws.1.name` has no text",
                "12:34 unknown language `fr` in `laws.1.name`",
                "12:51 the law's `url` `x.mx/cff` is not an address",
                "13:65 invalid law registry: invalid date `2020-13-01`; expected `YYYY-MM-DD`",
                "14:11 duplicate law id `lft`",
                "15:90 `last_reform` 2019-01-01 is before `published` 2020-01-02",
            ]
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        let (registry, diags) =
            parse("  - { id: a, short: A, name: A, url: https://x.mx, reformed: 2020-01-01 }\n");
        assert!(registry.is_none());
        assert!(
            errors(&diags)[0].contains("unknown key `reformed`"),
            "{:?}",
            errors(&diags)
        );
    }
}
