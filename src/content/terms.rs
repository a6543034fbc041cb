//! The term list, `content/terminos.yaml`: for a concept, the term the site uses in each language
//! and the terms to avoid. `check` and `build` warn at every avoided term in a page's text (at its
//! line and column), title or description, and in a checklist's texts. Warnings only: wording is
//! the editors' call, the list makes it visible.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::lang::Lang;
use crate::yaml::{self, Origin};

/// The term list's file name, at the top of `content/`.
pub(crate) const FILE: &str = "terminos.yaml";

/// One avoided term of one language, with the term to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Avoided {
    /// Lowercase.
    phrase: String,
    prefer: String,
}

/// The parsed list: the avoided terms of each language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Terms {
    avoided: BTreeMap<Lang, Vec<Avoided>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(rename = "use")]
    prefer: String,
    #[serde(default)]
    avoid: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerms {
    terms: Vec<BTreeMap<String, RawRule>>,
}

/// Parses the list in `file` (relative to the site root); every problem is pushed to `diags`,
/// and `None` means the list cannot be used.
pub(crate) fn parse_terms(
    text: &str,
    file: &Path,
    langs: &[Lang],
    diags: &mut Diagnostics,
) -> Option<Terms> {
    let origin = Origin {
        file,
        first_line: 1,
    };
    let (raw, positions) = match yaml::parse::<RawTerms>(text, origin, "term list") {
        Ok(parsed) => parsed,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return None;
        }
    };
    let errors = diags.error_count();
    let mut terms = Terms::default();
    for (i, entry) in raw.terms.into_iter().enumerate() {
        for (code, rule) in entry {
            let path = format!("terms.{i}.{code}");
            let lang = match Lang::try_from(code.as_str()) {
                Ok(lang) if langs.contains(&lang) => lang,
                _ => {
                    let declared: Vec<String> = langs.iter().map(|l| format!("`{l}`")).collect();
                    diags.push(
                        Diagnostic::error(format!("unknown language `{code}` in the term list"))
                            .at(positions.key(&path))
                            .with_help(format!("declared languages are {}", declared.join(", "))),
                    );
                    continue;
                }
            };
            if rule.prefer.trim().is_empty() {
                diags.push(
                    Diagnostic::error("the term to `use` is empty")
                        .at(positions.value(&format!("{path}.use"))),
                );
            }
            for (j, avoid) in rule.avoid.iter().enumerate() {
                let phrase = normalize(avoid);
                let span = positions.value(&format!("{path}.avoid.{j}"));
                if phrase.is_empty() {
                    diags.push(Diagnostic::error("a term to `avoid` is empty").at(span));
                } else if phrase == normalize(&rule.prefer) {
                    diags.push(
                        Diagnostic::error(format!("`{avoid}` is both used and avoided"))
                            .at(span)
                            .with_help("remove it from `avoid`"),
                    );
                } else {
                    terms
                        .avoided
                        .entry(lang.clone())
                        .or_default()
                        .push(Avoided {
                            phrase,
                            prefer: rule.prefer.clone(),
                        });
                }
            }
        }
    }
    (diags.error_count() == errors).then_some(terms)
}

/// Lowercase, with every run of whitespace as one space.
fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Byte offsets in `line` (already lowercase, same offsets as the text it came from) where
/// `phrase` starts as whole words.
fn find_words(line: &str, phrase: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find(phrase) {
        let start = from + i;
        let end = start + phrase.len();
        let before = line[..start].chars().next_back();
        let after = line[end..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            found.push(start);
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// `line` with code spans, link destinations and autolinks blanked (byte for byte, so offsets
/// stay), as far as one line shows them.
fn mask_markdown_line(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let ticks = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &line[i..i + ticks];
                let close = line[i + ticks..].find(fence).map(|j| i + ticks + j + ticks);
                let end = close.unwrap_or(bytes.len());
                out[i..end].fill(b' ');
                i = end;
            }
            b']' if bytes.get(i + 1) == Some(&b'(') => {
                let end = line[i..].find(')').map_or(bytes.len(), |j| i + j + 1);
                out[i..end].fill(b' ');
                i = end;
            }
            b'<' => {
                let end = line[i..].find('>').map(|j| i + j + 1);
                match end {
                    Some(end) if line[i..end].contains("://") || line[i..end].contains('@') => {
                        out[i..end].fill(b' ');
                        i = end;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, by ASCII spaces, within whole UTF-8 sequences' bounds.
    String::from_utf8(out).unwrap_or_else(|_| line.to_string())
}

/// Where a text is checked and how its positions are found.
pub(crate) enum Place<'a> {
    /// Markdown starting on `first_line` of `file`: each finding at its own line and column.
    Markdown { file: &'a Path, first_line: usize },
    /// A short text (a title, a checklist text) written at `span`: findings point there.
    Text(&'a Span),
}

impl Terms {
    /// Warns at every avoided term of `lang` in `text`.
    pub(crate) fn check(&self, text: &str, lang: &Lang, place: Place<'_>, diags: &mut Diagnostics) {
        let Some(avoided) = self.avoided.get(lang) else {
            return;
        };
        let lower = text.to_lowercase();
        if !avoided.iter().any(|a| lower.contains(&a.phrase)) {
            return;
        }
        match place {
            Place::Text(span) => {
                let normalized = normalize(text);
                for a in avoided {
                    if !find_words(&normalized, &a.phrase).is_empty() {
                        diags.push(warning(a, span.clone()));
                    }
                }
            }
            Place::Markdown { file, first_line } => {
                let mut fenced = false;
                for (n, line) in text.lines().enumerate() {
                    let trimmed = line.trim_start();
                    if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                        fenced = !fenced;
                        continue;
                    }
                    let lower = line.to_lowercase();
                    if fenced || lower.len() != line.len() {
                        continue;
                    }
                    let masked = mask_markdown_line(&lower);
                    for a in avoided {
                        for at in find_words(&masked, &a.phrase) {
                            let col = line[..at].chars().count() + 1;
                            let len = a.phrase.chars().count();
                            let span = Span::new(file, first_line + n, col).with_len(len);
                            diags.push(warning(a, span));
                        }
                    }
                }
            }
        }
    }
}

fn warning(avoided: &Avoided, span: Span) -> Diagnostic {
    Diagnostic::warning(format!(
        "`{}` is not the site's term; write `{}`",
        avoided.phrase, avoided.prefer
    ))
    .at(span)
    .with_help(format!("the site's terms are listed in `content/{FILE}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs() -> [Lang; 2] {
        [Lang::try_from("es").unwrap(), Lang::try_from("en").unwrap()]
    }

    fn parse(text: &str) -> (Option<Terms>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let terms = parse_terms(
            text,
            Path::new("content/terminos.yaml"),
            &langs(),
            &mut diags,
        );
        (terms, diags)
    }

    fn found(md: &str) -> Vec<(usize, usize, String)> {
        let (terms, diags) = parse(
            "terms:\n  - en: { use: expediter, avoid: [fixer, fixers] }\n  - en: { use: integrity officer, avoid: [integrity lead] }\n",
        );
        assert!(diags.is_empty(), "{}", diags.render());
        let mut diags = Diagnostics::new();
        let place = Place::Markdown {
            file: Path::new("content/a.en.md"),
            first_line: 5,
        };
        terms.unwrap().check(md, &langs()[1], place, &mut diags);
        diags
            .sorted()
            .iter()
            .map(|d| {
                let span = d.span.clone().unwrap();
                (span.line, span.col, d.message.clone())
            })
            .collect()
    }

    #[test]
    fn avoided_terms_are_found_as_whole_words_at_their_column() {
        let found = found(
            "Hire a Fixer.\n\nNo fixerman, but fixers and the\nIntegrity  lead; `fixer` and [a](fixer.md) and <https://x.mx/fixer> are not text.\n```\nfixer\n```\nÁrbol fixer\n",
        );
        assert_eq!(
            found,
            [
                (
                    5,
                    8,
                    "`fixer` is not the site's term; write `expediter`".to_string()
                ),
                (
                    7,
                    18,
                    "`fixers` is not the site's term; write `expediter`".to_string()
                ),
                (
                    12,
                    7,
                    "`fixer` is not the site's term; write `expediter`".to_string()
                ),
            ]
        );
    }

    #[test]
    fn short_texts_are_reported_at_their_span() {
        let (terms, _) =
            parse("terms:\n  - es: { use: personas facilitadoras, avoid: [facilitadores] }\n");
        let mut diags = Diagnostics::new();
        let span = Span::new("content/checklists/a.yaml", 3, 9);
        let terms = terms.unwrap();
        terms.check(
            "Guía para Facilitadores",
            &langs()[0],
            Place::Text(&span),
            &mut diags,
        );
        terms.check(
            "Guía para facilitadores",
            &langs()[1],
            Place::Text(&span),
            &mut diags,
        );
        assert_eq!(diags.warning_count(), 1);
        assert_eq!(diags.sorted()[0].span, Some(span));
    }

    #[test]
    fn bad_lists_are_errors_at_their_line() {
        let (terms, diags) = parse(
            "terms:\n  - fr: { use: a, avoid: [b] }\n  - es: { use: gestor, avoid: [Gestor, \" \"] }\n  - en: { use: x, evitar: [y] }\n",
        );
        assert!(terms.is_none());
        let messages: Vec<String> = diags
            .sorted()
            .iter()
            .map(|d| {
                let span = d.span.clone().unwrap();
                format!("{}:{} {}", span.line, span.col, d.message)
            })
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("unknown key `evitar`"), "{messages:?}");
        let (terms, diags) = parse(
            "terms:\n  - fr: { use: a, avoid: [b] }\n  - es: { use: gestor, avoid: [Gestor, \" \"] }\n",
        );
        assert!(terms.is_none());
        let messages: Vec<String> = diags
            .sorted()
            .iter()
            .map(|d| {
                let span = d.span.clone().unwrap();
                format!("{}:{} {}", span.line, span.col, d.message)
            })
            .collect();
        assert_eq!(
            messages,
            [
                "2:5 unknown language `fr` in the term list",
                "3:32 `Gestor` is both used and avoided",
                "3:40 a term to `avoid` is empty",
            ]
        );
    }
}
