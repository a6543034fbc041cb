//! The files a page offers besides its HTML (front matter `downloads`, see `content::download`):
//! a Word document of the page, a spreadsheet and a CSV file of one of its tables. Made from the
//! page's markdown before the pages are rendered, so each page can show their sizes; they go
//! through the same sink as every output (checksums, bundle). Paths are planned in `plan.rs`.

mod blocks;
mod docx;
mod xlsx;

use serde::Serialize;

use crate::content::download::{Choice, Download, DownloadKind};
use crate::content::page::Page;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::OutputSink;
use crate::render::views::Here;
use crate::site::Site;
use crate::url::UrlPath;
use blocks::{find_table, plain, Block, TableError};

/// A download as a page links to it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DownloadView {
    /// `docx`, `xlsx` or `csv`.
    pub format: &'static str,
    /// Relative link from the page.
    pub url: String,
    /// The page title (Word) or the title of the register's heading (spreadsheet, CSV).
    pub title: String,
    /// Size for people (`12 kB`).
    pub size: String,
    pub bytes: u64,
}

/// Output paths of a page's downloads, with the span to blame when one is taken.
pub(crate) fn planned_paths<'p>(
    page: &'p Page,
    url: &UrlPath,
) -> Vec<(String, &'p crate::diagnostics::Span)> {
    page.front
        .downloads
        .iter()
        .flat_map(|d| d.file_names(&page.slug))
        .map(|(name, span)| (format!("{}{name}", url.as_str()), span))
        .collect()
}

/// Writes every page's downloads; returns the views (parallel to `Site::pages`) and the number
/// of files written. Few pages have downloads, so they are done one after another.
pub(crate) fn render_downloads(
    site: &Site,
    pages: super::Pages<'_>,
    sink: &dyn OutputSink,
    diags: &mut Diagnostics,
) -> anyhow::Result<(Vec<Vec<DownloadView>>, usize)> {
    let mut views = Vec::with_capacity(site.pages.len());
    let mut written = 0;
    for (i, page) in site.pages.iter().enumerate() {
        let mut page_views = Vec::new();
        if !page.front.downloads.is_empty() && pages.includes(i) {
            let options = super::md_options(site, &page.lang);
            let blocks = blocks::parse_blocks(&page.body, &options);
            let here = Here::new(&site.urls[i], &page.lang);
            for download in &page.front.downloads {
                let files = match render_download(page, download, &blocks) {
                    Ok(files) => files,
                    Err(diagnostic) => {
                        diags.push(diagnostic);
                        continue;
                    }
                };
                for (format, name, title, bytes) in files {
                    let path = format!("{}{name}", site.urls[i].as_str());
                    sink.write(&path, &bytes)?;
                    written += 1;
                    let len = bytes.len() as u64;
                    page_views.push(DownloadView {
                        format,
                        url: here.link(site, &UrlPath::file(path)),
                        title,
                        size: super::views::human_size(len),
                        bytes: len,
                    });
                }
            }
        }
        views.push(page_views);
    }
    Ok((views, written))
}

/// One rendered file: format, file name, title, bytes.
type File = (&'static str, String, String, Vec<u8>);

fn render_download(
    page: &Page,
    download: &Download,
    blocks: &[Block],
) -> Result<Vec<File>, Diagnostic> {
    let names = download.file_names(&page.slug);
    match &download.kind {
        DownloadKind::Docx => {
            let registers: Vec<&str> = (page.front.downloads.iter())
                .filter_map(|d| match &d.kind {
                    DownloadKind::Register { table, .. } => Some(table.value.as_str()),
                    DownloadKind::Docx => None,
                })
                .collect();
            let bytes = docx::render_docx(&page.front.title, blocks, &registers)
                .map_err(|m| Diagnostic::error(m).at(download.span.clone()))?;
            let name = names[0].0.clone();
            Ok(vec![("docx", name, page.front.title.clone(), bytes)])
        }
        DownloadKind::Register { table, choices } => {
            let (title, found) = find_table(blocks, &table.value).map_err(|e| {
                let ids = blocks::table_ids(blocks);
                let help = if ids.is_empty() {
                    "put a markdown table under a heading of this page and give that heading's id"
                        .to_string()
                } else {
                    let ids: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
                    format!(
                        "headings of this page with a table under them: {}",
                        ids.join(", ")
                    )
                };
                let message = match e {
                    TableError::NoHeading => {
                        format!("no heading with the id `{}` in this page", table.value)
                    }
                    TableError::NoTable => {
                        format!("the heading `#{}` has no table under it", table.value)
                    }
                };
                Diagnostic::error(message)
                    .at(table.span.clone())
                    .with_help(help)
            })?;
            let header: Vec<String> = found.header.iter().map(|c| plain(c)).collect();
            let rows: Vec<Vec<String>> = found
                .rows
                .iter()
                .map(|r| r.iter().map(|c| plain(c)).collect())
                .collect();
            let by_column = column_choices(&header, &rows, choices)?;
            let sheet = xlsx::Sheet {
                title: &title,
                header,
                rows,
                choices: by_column,
            };
            let xlsx = xlsx::render_xlsx(&sheet)
                .map_err(|m| Diagnostic::error(m).at(table.span.clone()))?;
            let csv = xlsx::render_csv(&sheet);
            Ok(vec![
                ("xlsx", names[0].0.clone(), title.clone(), xlsx),
                ("csv", names[1].0.clone(), title, csv),
            ])
        }
    }
}

/// The allowed values of each column (parallel to `header`); every choice must name a column,
/// and every example value in such a column must be one of its values.
fn column_choices<'c>(
    header: &[String],
    rows: &[Vec<String>],
    choices: &'c [Choice],
) -> Result<Vec<Option<&'c [String]>>, Diagnostic> {
    let mut by_column = vec![None; header.len()];
    for choice in choices {
        let Some(c) = header.iter().position(|h| *h == choice.column.value) else {
            let columns: Vec<String> = header.iter().map(|h| format!("`{h}`")).collect();
            return Err(Diagnostic::error(format!(
                "the table has no column `{}`",
                choice.column.value
            ))
            .at(choice.column.span.clone())
            .with_help(format!("its columns are {}", columns.join(", "))));
        };
        for row in rows {
            if let Some(value) = row.get(c).filter(|v| !v.is_empty()) {
                if !choice.values.contains(value) {
                    return Err(Diagnostic::error(format!(
                        "the example value `{value}` of column `{}` is not one of its choices",
                        choice.column.value
                    ))
                    .at(choice.column.span.clone())
                    .with_help("add it to the choices or change the table"));
                }
            }
        }
        by_column[c] = Some(choice.values.as_slice());
    }
    Ok(by_column)
}
