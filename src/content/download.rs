//! The `downloads` key of the front matter: which files a page offers besides its HTML (a Word
//! document of the page, a spreadsheet and CSV of one of its tables). Parsing and shape checks
//! only; the files themselves are made by `render::downloads`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::content::front_matter::Located;
use crate::diagnostics::{Diagnostic, Span};
use crate::yaml::Positions;

/// One entry of `downloads` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDownload {
    format: String,
    table: Option<String>,
    #[serde(default)]
    choices: BTreeMap<String, Vec<String>>,
}

/// A fixed-value column of a register: the spreadsheet offers `values` as a drop-down list.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    /// The column's header text, as written in the markdown table.
    pub column: Located,
    pub values: Vec<String>,
}

/// What a download is made from.
#[derive(Debug, Clone)]
pub(crate) enum DownloadKind {
    /// The whole page as a Word document (`<slug>.docx`).
    Docx,
    /// The table under the heading `table` as a spreadsheet (`<table>.xlsx`) and a CSV file
    /// (`<table>.csv`).
    Register {
        table: Located,
        choices: Vec<Choice>,
    },
}

/// One declared download, with the position of its `format` value.
#[derive(Debug, Clone)]
pub(crate) struct Download {
    pub kind: DownloadKind,
    pub span: Span,
}

impl Download {
    /// Output file names, relative to the page's folder, each with the span to blame when that
    /// name is taken by something else.
    pub fn file_names(&self, page_slug: &str) -> Vec<(String, &Span)> {
        match &self.kind {
            DownloadKind::Docx => {
                let base = if page_slug.is_empty() {
                    "index"
                } else {
                    page_slug
                };
                vec![(format!("{base}.docx"), &self.span)]
            }
            DownloadKind::Register { table, .. } => vec![
                (format!("{}.xlsx", table.value), &table.span),
                (format!("{}.csv", table.value), &table.span),
            ],
        }
    }
}

/// Checks the shape of every entry; `positions` are those of the front matter.
pub(super) fn parse_downloads(
    raw: Vec<RawDownload>,
    positions: &Positions,
) -> Result<Vec<Download>, Diagnostic> {
    let mut downloads = Vec::with_capacity(raw.len());
    for (i, entry) in raw.into_iter().enumerate() {
        let at = |key: &str| positions.value(&format!("downloads.{i}.{key}"));
        let span = at("format");
        let kind = match entry.format.as_str() {
            "docx" => {
                if entry.table.is_some() || !entry.choices.is_empty() {
                    let key = if entry.table.is_some() { "table" } else { "choices" };
                    return Err(Diagnostic::error(format!(
                        "`{key}` only applies to `xlsx` downloads"
                    ))
                    .at(positions.key(&format!("downloads.{i}.{key}")))
                    .with_help("a `docx` download is the whole page; remove this key"));
                }
                DownloadKind::Docx
            }
            "xlsx" => {
                let Some(table) = entry.table else {
                    return Err(Diagnostic::error("an `xlsx` download needs `table`")
                        .at(span)
                        .with_help(
                            "add `table: <id>`, the id of the heading just above the markdown table",
                        ));
                };
                let table = Located {
                    span: at("table"),
                    value: table,
                };
                if !crate::content::page::is_valid_slug(&table.value) {
                    return Err(Diagnostic::error(format!(
                        "invalid table id `{}`; expected a heading id such as `registro-de-regalos`",
                        table.value
                    ))
                    .at(table.span));
                }
                let choices = entry
                    .choices
                    .into_iter()
                    .map(|(column, values)| {
                        let path = format!("downloads.{i}.choices.{column}");
                        if values.is_empty() {
                            return Err(Diagnostic::error(format!(
                                "the choices of column `{column}` are empty"
                            ))
                            .at(positions.value(&path))
                            .with_help("list the values the column may take, e.g. `[Sí, No]`"));
                        }
                        Ok(Choice {
                            column: Located {
                                span: positions.key(&path),
                                value: column,
                            },
                            values,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                DownloadKind::Register { table, choices }
            }
            other => {
                return Err(Diagnostic::error(format!(
                    "unknown download format `{other}`; expected `docx` or `xlsx`"
                ))
                .at(span)
                .with_help("`docx`: the page as a Word document; `xlsx`: one of its tables as a spreadsheet (with a CSV beside it)"))
            }
        };
        downloads.push(Download { kind, span });
    }
    Ok(downloads)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::content::front_matter::parse_document;

    fn error(downloads: &str) -> (String, usize, usize) {
        let text = format!("---\ntitle: T\ndownloads:\n{downloads}---\n");
        let err = parse_document(&text, Path::new("content/a.md")).unwrap_err();
        let span = err.span.unwrap();
        (err.message, span.line, span.col)
    }

    #[test]
    fn shape_errors_name_their_line_and_column() {
        let cases = [
            (
                "  - format: pdf\n",
                "unknown download format `pdf`; expected `docx` or `xlsx`",
                4,
                13,
            ),
            (
                "  - format: docx\n    table: x\n",
                "`table` only applies to `xlsx` downloads",
                5,
                5,
            ),
            (
                "  - format: xlsx\n",
                "an `xlsx` download needs `table`",
                4,
                13,
            ),
            (
                "  - format: xlsx\n    table: Mi Tabla\n",
                "invalid table id `Mi Tabla`",
                5,
                12,
            ),
            (
                "  - format: xlsx\n    table: t\n    choices:\n      Estado: []\n",
                "the choices of column `Estado` are empty",
                7,
                15,
            ),
            (
                "  - format: xlsx\n    tabla: t\n",
                "unknown key `tabla`",
                5,
                5,
            ),
        ];
        for (yaml, expected, line, col) in cases {
            let (message, l, c) = error(yaml);
            assert!(message.contains(expected), "{message} ∌ {expected}");
            assert_eq!((l, c), (line, col), "{message}");
        }
    }

    #[test]
    fn registers_name_two_files_after_their_table() {
        let text = "---\ntitle: T\ndownloads:\n  - format: docx\n  - format: xlsx\n    table: registro\n    choices: { Estado: [Sí, No] }\n---\n";
        let doc = parse_document(text, Path::new("content/a.md")).unwrap();
        let names: Vec<String> = (doc.front.downloads.iter())
            .flat_map(|d| d.file_names("regalos"))
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["regalos.docx", "registro.xlsx", "registro.csv"]);
        let super::DownloadKind::Register { choices, .. } = &doc.front.downloads[1].kind else {
            panic!("not a register");
        };
        assert_eq!(choices[0].column.value, "Estado");
        assert_eq!(choices[0].values, ["Sí", "No"]);
    }
}
