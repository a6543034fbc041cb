//! Splits the `---` block from a markdown file (UTF-8 BOM and CRLF accepted) and parses it into
//! `FrontMatter`, keeping the positions of the values that later checks may complain about.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Span};
use crate::yaml::{self, Origin};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(try_from = "String")]
pub(crate) struct Date(String);

impl Date {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Date {
    type Error = String;

    fn try_from(text: String) -> Result<Date, String> {
        let bad = || format!("invalid date `{text}`; expected `YYYY-MM-DD`");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if d == 0 || d > days {
            return Err(bad());
        }
        Ok(Date(text))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: String,
    description: Option<String>,
    weight: Option<i64>,
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    date: Option<String>,
    updated: Option<String>,
    reviewed: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    sectors: Vec<String>,
    template: Option<String>,
    toc: Option<bool>,
    #[serde(default)]
    handbook: bool,
    #[serde(default)]
    downloads: Vec<super::download::RawDownload>,
}

/// A string value of the front matter with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub value: String,
    pub span: Span,
}

/// The front matter of a page (SPEC "Content" table).
#[derive(Debug, Clone)]
pub(crate) struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    /// Where `title` and `description` are written (the file's start for generated pages).
    pub text_spans: (Span, Option<Span>),
    pub weight: Option<i64>,
    pub slug: Option<Located>,
    pub draft: bool,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    /// When the page's legal content was last checked against the laws it cites.
    pub reviewed: Option<(Date, Span)>,
    pub aliases: Vec<Located>,
    pub sectors: Vec<Located>,
    pub template: Option<Located>,
    pub toc: bool,
    /// A page at the top of `content/` that the printed handbook holds, before the chapters
    /// (the facilitator's guide).
    pub handbook: bool,
    /// Files offered besides the page (see `content::download`).
    pub downloads: Vec<super::download::Download>,
}

impl FrontMatter {
    /// The front matter of a page the build makes itself (a home page from site.toml, the law
    /// list): a title, perhaps a description, both blamed on `file`, and every other key unset.
    pub(crate) fn generated(title: String, description: Option<String>, file: Span) -> FrontMatter {
        FrontMatter {
            title,
            description,
            text_spans: (file, None),
            weight: None,
            slug: None,
            draft: false,
            date: None,
            updated: None,
            reviewed: None,
            aliases: Vec::new(),
            sectors: Vec::new(),
            template: None,
            toc: false,
            handbook: false,
            downloads: Vec::new(),
        }
    }
}

/// A markdown file split into its parsed front matter and its body.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub front: FrontMatter,
    pub body: String,
    /// Line of the file on which `body` starts (1-based).
    pub body_line: usize,
}

/// Parses a whole markdown file. `file` is relative to the site root and only used in spans.
pub(crate) fn parse_document(text: &str, file: &Path) -> Result<Document, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(Diagnostic::error("missing front matter")
            .at(Span::file(file))
            .with_help(
                "start the file with a `---` line, then `title: …`, then another `---` line",
            ));
    };
    let (yaml_text, body) = match find_closing(rest) {
        Some((end, body_start)) => (&rest[..end], &rest[body_start..]),
        None => {
            return Err(Diagnostic::error("front matter is not closed")
                .at(Span::file(file))
                .with_help("add a line with only `---` after the front matter"))
        }
    };
    let origin = Origin {
        file,
        first_line: 2,
    };
    let (raw, positions) = yaml::parse::<RawFrontMatter>(yaml_text, origin, "front matter")?;
    let body_line = 2 + yaml_text.matches('\n').count() + 1;
    let locate = |value: String, path: String| Located {
        span: positions.value(&path),
        value,
    };
    let date = |value: Option<String>, key: &str| -> Result<Option<Date>, Diagnostic> {
        value
            .map(|v| {
                Date::try_from(v).map_err(|m| {
                    Diagnostic::error(format!("invalid front matter: {m}")).at(positions.value(key))
                })
            })
            .transpose()
    };
    let reviewed = date(raw.reviewed, "reviewed")?.map(|d| (d, positions.value("reviewed")));
    let (date, updated) = (date(raw.date, "date")?, date(raw.updated, "updated")?);
    let front = FrontMatter {
        text_spans: (
            positions.value("title"),
            raw.description
                .as_ref()
                .map(|_| positions.value("description")),
        ),
        title: raw.title,
        description: raw.description,
        weight: raw.weight,
        slug: raw.slug.map(|s| locate(s, "slug".into())),
        draft: raw.draft,
        date,
        updated,
        reviewed,
        aliases: (raw.aliases.into_iter().enumerate())
            .map(|(i, a)| locate(a, format!("aliases.{i}")))
            .collect(),
        sectors: (raw.sectors.into_iter().enumerate())
            .map(|(i, s)| locate(s, format!("sectors.{i}")))
            .collect(),
        template: raw.template.map(|t| locate(t, "template".into())),
        toc: raw.toc.unwrap_or(true),
        handbook: raw.handbook,
        downloads: super::download::parse_downloads(raw.downloads, &positions)?,
    };
    if front.title.trim().is_empty() {
        return Err(Diagnostic::error("`title` is empty").at(positions.value("title")));
    }
    Ok(Document {
        front,
        body: body.to_string(),
        body_line,
    })
}

/// Finds the closing `---` line: returns (end of the YAML text, start of the body).
fn find_closing(rest: &str) -> Option<(usize, usize)> {
    if let Some(body) = rest.strip_prefix("---") {
        if body.is_empty() || body.starts_with('\n') {
            return Some((0, 3 + usize::from(!body.is_empty())));
        }
    }
    let mut search = 0;
    while let Some(i) = rest[search..].find("\n---") {
        let at = search + i;
        let after = &rest[at + 4..];
        let line_end = after.find('\n').unwrap_or(after.len());
        if after[..line_end].trim().is_empty() {
            let body_start = (at + 4 + line_end + 1).min(rest.len());
            return Some((at + 1, body_start));
        }
        search = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Document, Diagnostic> {
        parse_document(text, Path::new("content/a.md"))
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let doc = parse("\u{feff}---\r\ntitle: Hola\r\nweight: 2\r\n---\r\n# cuerpo\r\n").unwrap();
        assert_eq!(doc.front.title, "Hola");
        assert_eq!(doc.front.weight, Some(2));
        assert_eq!(doc.body, "# cuerpo\n");
        assert_eq!(doc.body_line, 5);
    }

    #[test]
    fn records_positions_of_sectors() {
        let doc = parse("---\ntitle: T\nsectors: [health, sports]\n---\n").unwrap();
        assert_eq!(
            doc.front.sectors[1].span,
            Span::new("content/a.md", 3, 19).with_len(6)
        );
        assert_eq!(doc.body, "");
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            (
                "---\ntitle: T\ntitel: x\n---\n",
                "unknown key `titel`",
                3,
                1,
            ),
            (
                "---\ntitle: T\nweight: alto\n---\n",
                "wrong type: found string",
                3,
                9,
            ),
            (
                "---\ntitle: T\ndate: 2024-02-30\n---\n",
                "invalid date `2024-02-30`",
                3,
                7,
            ),
            (
                "---\ndescription: x\n---\n",
                "missing required key `title`",
                2,
                1,
            ),
            ("title: T\n", "missing front matter", 1, 1),
            ("---\ntitle: T\n", "front matter is not closed", 1, 1),
            (
                "---\ntitle: T\ndraft: maybe\n---\n",
                "wrong type: found string",
                3,
                8,
            ),
        ];
        let deep = format!("---\ntitle: T\nx: {}\n---\n", "[".repeat(64_000));
        let nul = "---\ntitle: \"Ho\\u0000la\"\n---\n".to_string();
        let bell = "---\ntitle: T\naliases: [\"/a\\a\"]\n---\n".to_string();
        let more = [
            (
                deep.as_str(),
                "front matter is nested more than 64 levels deep",
                3,
                67,
            ),
            (nul.as_str(), "the control character U+0000", 2, 8),
            (bell.as_str(), "the control character U+0007", 3, 11),
        ];
        for (text, expected, line, col) in cases.into_iter().chain(more) {
            let err = parse(text).unwrap_err();
            assert!(
                err.message.contains(expected),
                "{} ∌ {expected}",
                err.message
            );
            let span = err.span.unwrap();
            assert_eq!((span.line, span.col), (line, col), "{}", err.message);
        }
    }
}
