//! Citations of the law registry (`content/leyes.yaml`): `ley:<id>#<article>` links resolve to
//! the law's official text, a page whose legal review predates a cited law's last reform gets a
//! warning at the link, and each language gets a generated page listing every law, its DOF dates
//! and the pages that cite it. That page is markdown, so its links are checked like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::config::Config;
use crate::content::front_matter::{Date, FrontMatter};
use crate::content::laws::{self, Law, LawId, Registry};
use crate::content::page::{Page, PageId, PageKind};
use crate::content::Content;
use crate::diagnostics::{Diagnostic, Span};
use crate::lang::Lang;
use crate::markdown::{link_destinations, LinkTarget, MdOptions};

/// The id of the generated page: the registry's own path, which no markdown page can have, so
/// that `[leyes](leyes.yaml)` links to it like a checklist's `.yaml`.
pub(crate) fn page_id() -> PageId {
    PageId(laws::FILE.to_string())
}

/// A `ley:` destination split into its law id and article (`lgra`, `81`).
pub(crate) fn split_citation(rest: &str) -> (&str, Option<&str>) {
    match rest.split_once('#') {
        Some((id, article)) => (id, Some(article).filter(|a| !a.is_empty())),
        None => (rest, None),
    }
}

/// Whether an article is written as the registry expects: `81`, `113-bis`, `7-ii`.
fn is_valid_article(article: &str) -> bool {
    !article.is_empty()
        && article.starts_with(|c: char| c.is_ascii_digit())
        && article
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// How an article id is shown: `113-bis` → `113 Bis`, `69-b` → `69-B`, `7-ii` (article 7,
/// section II) → `7-II`, `81` → `81`.
fn show_article(article: &str) -> String {
    let mut parts = article.split('-');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        if part.len() == 1 || part.bytes().all(|b| b"ivxlc".contains(&b)) {
            out.push('-');
            out.push_str(&part.to_ascii_uppercase());
        } else {
            out.push(' ');
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// What a citation resolves to, or why it cannot. `None` for the registry means the site has
/// none, or it failed to load (`failed`), when citations are left as written.
pub(crate) fn resolve_citation(
    registry: Option<&Registry>,
    failed: bool,
    rest: &str,
    lang: &Lang,
    default: &Lang,
) -> Result<Option<LinkTarget>, (String, Option<String>)> {
    let Some(registry) = registry else {
        if failed {
            return Ok(None);
        }
        return Err((
            format!(
                "`{}{rest}` cites a law, but the site has no `content/{}`",
                laws::SCHEME,
                laws::FILE
            ),
            Some(
                "list the site's laws in `content/leyes.yaml` (see README, \"Laws and citations\")"
                    .into(),
            ),
        ));
    };
    let (id, article) = split_citation(rest);
    let Some(law) = registry.law(id) else {
        let help = match registry.closest(id) {
            Some(close) => format!(
                "did you mean `{}`? laws are listed in `content/{}`",
                close.as_str(),
                laws::FILE
            ),
            None => format!("add it to `content/{}` or use one of its ids", laws::FILE),
        };
        return Err((
            format!("unknown law `{id}` in `{}{rest}`", laws::SCHEME),
            Some(help),
        ));
    };
    if let Some(article) = article.filter(|a| !is_valid_article(a)) {
        return Err((
            format!("invalid article `{article}` in `{}{rest}`", laws::SCHEME),
            Some(
                "write the article's number in lowercase with hyphens: `81`, `113-bis`, `7-ii`"
                    .into(),
            ),
        ));
    }
    let title = law.name.get(lang, default).text.to_string();
    Ok(Some(LinkTarget::Cite {
        url: law.url.get(lang, default).text.to_string(),
        title,
    }))
}

/// A citation as text, `LGRA art. 81` (or `LGRA`), with the law's address; `None` for an
/// unknown law or article (reported where citations are checked).
pub(crate) fn citation_text(
    registry: &Registry,
    rest: &str,
    lang: &Lang,
    default: &Lang,
) -> Option<(String, String)> {
    let (id, article) = split_citation(rest);
    let law = registry.law(id)?;
    let short = law.short.get(lang, default).text;
    let text = match article {
        Some(article) if is_valid_article(article) => {
            format!("{short} art. {}", show_article(article))
        }
        Some(_) => return None,
        None => short.to_string(),
    };
    Some((text, law.url.get(lang, default).text.to_string()))
}

/// The warning for a page or checklist that cites `law` but whose review is older than the
/// law's last reform, or that has no `reviewed:` date; `None` when the review is recent enough.
pub(crate) fn check_freshness(
    reviewed: Option<&Date>,
    law: &Law,
    span: &Span,
) -> Option<Diagnostic> {
    let Some(reviewed) = reviewed else {
        return Some(
            Diagnostic::warning(format!(
                "this file cites `{}` but has no `reviewed:` date",
                law.id.as_str()
            ))
            .at(span.clone())
            .with_help("add `reviewed: YYYY-MM-DD` (front matter, or the top of a checklist): the day its legal content was last checked against the laws it cites"),
        );
    };
    let since = law.in_force_since()?;
    if since <= reviewed {
        return None;
    }
    Some(
        Diagnostic::warning(format!(
            "`{}` was reformed in the DOF on {}, after this file's legal review of {}",
            law.id.as_str(),
            since.as_str(),
            reviewed.as_str()
        ))
        .at(span.clone())
        .with_help(
            "check what the file says of this law against its current text, then set `reviewed:` to the day of that check",
        ),
    )
}

/// `18 de julio de 2016`, `18 July 2016`, or `2016-07-18` in other languages.
fn show_date(date: &Date, lang: &Lang) -> String {
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let text = date.as_str();
    let (Some(year), Some(month), Some(day)) = (
        text.get(0..4),
        text.get(5..7).and_then(|m| m.parse::<usize>().ok()),
        text.get(8..10).and_then(|d| d.parse::<u32>().ok()),
    ) else {
        return text.to_string();
    };
    let month = month.saturating_sub(1).min(11);
    match lang.as_str().split('-').next() {
        Some("es") => format!("{day} de {} de {year}", ES[month]),
        Some("en") => format!("{day} {} {year}", EN[month]),
        _ => text.to_string(),
    }
}

/// Escapes the characters that markdown would read as markup in a page title.
fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|!~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page that cites a law, in one language: its source path and title, and the articles.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Citing {
    rel: String,
    title: String,
    articles: BTreeSet<String>,
}

/// The `ley:` destinations of a markdown text.
fn cited_in(text: &str, config: &Config, lang: &Lang) -> Vec<String> {
    if !text.contains(laws::SCHEME) {
        return Vec::new();
    }
    let options = MdOptions {
        unsafe_html: config.unsafe_html,
        smart_punctuation: config.smart_punctuation,
        lang: lang.clone(),
    };
    link_destinations(text, &options)
        .into_iter()
        .map(|(dest, _)| dest)
        .filter(|dest| dest.starts_with(laws::SCHEME))
        .collect()
}

/// Citations found so far: by language and law, then by citing source.
type Found = BTreeMap<(Lang, LawId), BTreeMap<String, Citing>>;

fn record(found: &mut Found, lang: &Lang, dest: &str, (rel, title): (&str, &str)) {
    let rest = dest.strip_prefix(laws::SCHEME).unwrap_or(dest);
    let (id, article) = split_citation(rest);
    let Some(id) = LawId::parse(id) else { return };
    let citing = found
        .entry((lang.clone(), id))
        .or_default()
        .entry(rel.to_string())
        .or_insert_with(|| Citing {
            rel: rel.to_string(),
            title: title.to_string(),
            articles: BTreeSet::new(),
        });
    if let Some(article) = article.filter(|a| is_valid_article(a)) {
        citing.articles.insert(article.to_string());
    }
}

/// The citations of every page and checklist, by language and law. Only texts that hold
/// `ley:` are parsed again, so a site without citations pays one substring search per text.
fn citations(config: &Config, content: &Content) -> BTreeMap<(Lang, LawId), Vec<Citing>> {
    let mut found = Found::new();
    for page in content.pages.iter().filter(|p| !p.generated) {
        let rel = page.file.strip_prefix("content").unwrap_or(&page.file);
        let rel = rel.to_string_lossy().replace('\\', "/");
        for dest in cited_in(&page.body, config, &page.lang) {
            record(&mut found, &page.lang, &dest, (&rel, &page.front.title));
        }
    }
    let default = &config.default_lang;
    for checklist in &content.checklists {
        let rel = checklist
            .file
            .strip_prefix("content")
            .unwrap_or(&checklist.file);
        let rel = rel.to_string_lossy().replace('\\', "/");
        for language in &config.languages {
            let lang = &language.lang;
            let title = checklist.title.get(lang, default).text;
            let texts = (checklist.description.iter())
                .chain(checklist.items().filter_map(|i| i.guidance.as_ref()));
            for text in texts {
                for dest in cited_in(text.get(lang, default).text, config, lang) {
                    record(&mut found, lang, &dest, (&rel, title));
                }
            }
            let references = checklist.items().flat_map(|i| &i.references);
            for reference in references {
                if let crate::checklist::Reference::Law(law) = reference {
                    record(&mut found, lang, &law.dest, (&rel, title));
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(key, pages)| (key, pages.into_values().collect()))
        .collect()
}

/// Articles in numeric order: `7-ii`, `24`, `81`, `113-bis`.
fn article_key(article: &str) -> (u64, String) {
    let digits: String = article.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), article.to_string())
}

/// The markdown of the generated page in `lang`.
fn page_body(
    registry: &Registry,
    cited: &BTreeMap<(Lang, LawId), Vec<Citing>>,
    lang: &Lang,
    default: &Lang,
) -> String {
    let words = &registry.page;
    let word = |text: &crate::lang::Localized| text.get(lang, default).text.to_string();
    let mut body = String::new();
    if let Some(intro) = &words.intro {
        body.push_str(&word(intro));
        body.push_str("\n\n");
    }
    for law in &registry.laws {
        let short = law.short.get(lang, default).text;
        let name = law.name.get(lang, default).text;
        let heading = if short == name {
            escape_md(name)
        } else {
            format!("{}: {}", escape_md(short), escape_md(name))
        };
        body.push_str(&format!("## {heading} {{#{}}}\n\n", law.id.as_str()));
        if let Some(note) = &law.note {
            body.push_str(&word(note));
            body.push_str("\n\n");
        }
        let date = |date: &Option<Date>| match date {
            Some(date) => show_date(date, lang),
            None => word(&words.not_recorded),
        };
        body.push_str(&format!(
            "- {}: {}\n",
            word(&words.published),
            date(&law.published)
        ));
        body.push_str(&format!(
            "- {}: {}\n",
            word(&words.last_reform),
            date(&law.last_reform)
        ));
        let url = law.url.get(lang, default).text;
        body.push_str(&format!("- [{}](<{url}>)\n", word(&words.official_text)));
        match cited.get(&(lang.clone(), law.id.clone())) {
            Some(pages) => {
                let links: Vec<String> = pages
                    .iter()
                    .map(|p| {
                        let mut articles: Vec<&String> = p.articles.iter().collect();
                        articles.sort_by_key(|a| article_key(a));
                        let shown: Vec<String> = articles.iter().map(|a| show_article(a)).collect();
                        let articles = if shown.is_empty() {
                            String::new()
                        } else {
                            format!(" (art. {})", shown.join(", "))
                        };
                        format!("[{}]({}){articles}", escape_md(&p.title), p.rel)
                    })
                    .collect();
                body.push_str(&format!(
                    "- {}: {}\n\n",
                    word(&words.cited_by),
                    links.join("; ")
                ));
            }
            None => body.push_str(&format!("- {}\n\n", word(&words.not_cited))),
        }
    }
    body
}

/// Adds the generated list of laws to `content`, one page per language, when the site has a
/// registry. Keeps `pages` sorted.
pub(crate) fn add_law_pages(config: &Config, content: &mut Content) {
    let Some(registry) = &content.laws else {
        return;
    };
    let cited = citations(config, content);
    let default = &config.default_lang;
    let id = page_id();
    for language in &config.languages {
        let lang = &language.lang;
        let file = if lang == default {
            laws::FILE.to_string()
        } else {
            format!("{}.{lang}.yaml", laws::FILE.trim_end_matches(".yaml"))
        };
        let page = &registry.page;
        let slug = crate::content::page::slugify(page.slug.get(lang, default).text);
        let body = page_body(registry, &cited, lang, default);
        content.pages.push(Page {
            id: id.clone(),
            lang: lang.clone(),
            kind: PageKind::Page,
            file: Path::new("content").join(file),
            dir: String::new(),
            slug,
            file_name: laws::FILE.to_string(),
            front: FrontMatter::generated(
                page.title.get(lang, default).text.to_string(),
                page.description
                    .as_ref()
                    .map(|d| d.get(lang, default).text.to_string()),
                Span::file(&registry.file),
            ),
            body: crate::content::page::Body::from(body.as_str()),
            body_line: 1,
            generated: true,
        });
    }
    content
        .pages
        .sort_by(|a, b| (&a.id, &a.lang).cmp(&(&b.id, &b.lang)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_shown_as_the_law_writes_them() {
        let cases = [
            ("81", "81"),
            ("113-bis", "113 Bis"),
            ("7-ii", "7-II"),
            ("25-vii", "25-VII"),
            ("69-b", "69-B"),
        ];
        for (id, shown) in cases {
            assert_eq!(show_article(id), shown);
        }
        for bad in ["", "bis", "81 bis", "8_1", "A1"] {
            assert!(!is_valid_article(bad), "{bad:?}");
        }
        let mut sorted = vec!["81", "113-bis", "7-ii", "24"];
        sorted.sort_by_key(|a| article_key(a));
        assert_eq!(sorted, ["7-ii", "24", "81", "113-bis"]);
    }

    #[test]
    fn dates_are_written_in_the_page_language() {
        let date = Date::try_from("2016-07-18".to_string()).unwrap();
        let lang = |code: &str| Lang::try_from(code).unwrap();
        assert_eq!(show_date(&date, &lang("es")), "18 de julio de 2016");
        assert_eq!(show_date(&date, &lang("en")), "18 July 2016");
        assert_eq!(show_date(&date, &lang("fr")), "2016-07-18");
    }

    #[test]
    fn titles_cannot_break_the_generated_markdown() {
        assert_eq!(escape_md("A [b] *c* | d"), "A \\[b\\] \\*c\\* \\| d");
    }
}
