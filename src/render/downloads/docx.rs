//! A page as a Word document (docx-rs): title, headings as Word headings (so the navigation pane
//! and python-docx see them), paragraphs, lists, tables and emphasis; every blank such as
//! `[NOMBRE DE LA EMPRESA]` is highlighted so it is easy to find and replace.

use docx_rs::{
    Docx, LineSpacing, PageMargin, PageOrientationType, Paragraph, Run, RunFonts, Shading,
    SpecialIndentType, Style, StyleType, Table, TableCell, TableRow,
};

use super::blocks::{Block, Piece};

/// Word's unit for indents: twentieths of a point; 360 is a quarter of an inch.
const INDENT_STEP: i32 = 360;

/// A letter page (the size Mexico prints on), in twentieths of a point, with 1-inch margins.
const PAGE: (u32, u32) = (12240, 15840);
const MARGIN: i32 = 1440;

/// Tables wider than this turn the document to landscape, so their columns stay readable.
const MAX_PORTRAIT_COLUMNS: usize = 7;

/// The paragraph ids Word wants (`w14:paraId`), numbered per document so that the same page
/// always gives the same bytes, whatever else the process built before.
struct Ids(u32);

impl Ids {
    fn paragraph(&mut self) -> Paragraph {
        self.0 += 1;
        // Every paragraph names its style: docx-rs cannot mark `Normal` as the default one.
        Paragraph::new()
            .id(format!("{:08X}", self.0))
            .style("Normal")
    }
}

/// Renders `blocks` under the page `title`.
pub(super) fn render_docx(title: &str, blocks: &[Block]) -> Result<Vec<u8>, String> {
    let mut ids = Ids(0);
    let landscape = blocks
        .iter()
        .any(|b| matches!(b, Block::Table(t) if t.header.len() > MAX_PORTRAIT_COLUMNS));
    let (width, height) = if landscape { (PAGE.1, PAGE.0) } else { PAGE };
    let text_width = (width as usize).saturating_sub(2 * MARGIN as usize);
    let margin = PageMargin {
        top: MARGIN,
        left: MARGIN,
        bottom: MARGIN,
        right: MARGIN,
        header: MARGIN / 2,
        footer: MARGIN / 2,
        gutter: 0,
    };
    let mut docx = styles(Docx::new())
        .page_size(width, height)
        .page_margin(margin);
    if landscape {
        docx = docx.page_orient(PageOrientationType::Landscape);
    }
    let mut docx = docx
        .created_at("2000-01-01T00:00:00Z")
        .updated_at("2000-01-01T00:00:00Z")
        .add_paragraph(
            ids.paragraph()
                .style("Title")
                .add_run(Run::new().add_text(title)),
        );
    for block in blocks {
        docx = match block {
            Block::Heading { level, text, .. } => {
                let style = format!("Heading{}", level.saturating_sub(1).clamp(1, 4));
                docx.add_paragraph(runs(ids.paragraph().style(&style).keep_next(true), text))
            }
            Block::Paragraph {
                text,
                depth,
                marker,
            } => {
                let mut paragraph = ids.paragraph();
                if *depth > 0 {
                    let left = INDENT_STEP * (i32::from(*depth) + 1);
                    paragraph = match marker {
                        Some(_) => paragraph.indent(
                            Some(left),
                            Some(SpecialIndentType::Hanging(INDENT_STEP)),
                            None,
                            None,
                        ),
                        None => paragraph.indent(Some(left), None, None, None),
                    };
                }
                if let Some(marker) = marker {
                    paragraph = paragraph.add_run(Run::new().add_text(format!("{marker}\t")));
                }
                docx.add_paragraph(runs(paragraph, text))
            }
            Block::Table(table) => {
                let mut rows = vec![TableRow::new(
                    table
                        .header
                        .iter()
                        .map(|cell| {
                            let bold: Vec<Piece> = cell
                                .iter()
                                .map(|p| Piece {
                                    bold: true,
                                    ..p.clone()
                                })
                                .collect();
                            TableCell::new()
                                .shading(Shading::new().fill("D9E2F3"))
                                .add_paragraph(runs(ids.paragraph(), &bold))
                        })
                        .collect(),
                )];
                for row in &table.rows {
                    rows.push(TableRow::new(
                        row.iter()
                            .map(|cell| TableCell::new().add_paragraph(runs(ids.paragraph(), cell)))
                            .collect(),
                    ));
                }
                // The grid (column widths) is what Word and python-docx lay cells out by.
                let columns = table.header.len().max(1);
                let width = text_width / columns;
                docx.add_table(Table::new(rows).set_grid(vec![width; columns]))
                    .add_paragraph(ids.paragraph())
            }
            Block::Code(code) => {
                let mut paragraph = ids.paragraph().indent(Some(INDENT_STEP), None, None, None);
                for (i, line) in code.lines().enumerate() {
                    let mut run = Run::new().fonts(mono());
                    if i > 0 {
                        run = run.add_break(docx_rs::BreakType::TextWrapping);
                    }
                    paragraph = paragraph.add_run(run.add_text(line));
                }
                docx.add_paragraph(paragraph)
            }
            Block::Rule => docx.add_paragraph(ids.paragraph()),
        };
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| format!("cannot write the Word document ({e})"))?;
    Ok(crate::archive::made_on_unix(bytes.into_inner()))
}

fn mono() -> RunFonts {
    RunFonts::new().ascii("Consolas").hi_ansi("Consolas")
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
            .color("1F3864")
            .line_spacing(LineSpacing::new().before(240).after(80))
    };
    docx.default_fonts(
        RunFonts::new()
            .ascii("Calibri")
            .hi_ansi("Calibri")
            .cs("Calibri"),
    )
    .default_size(22)
    .add_style(
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .line_spacing(LineSpacing::new().after(120)),
    )
    .add_style(heading("Title", "Title", 40))
    .add_style(heading("Heading1", "heading 1", 32))
    .add_style(heading("Heading2", "heading 2", 26))
    .add_style(heading("Heading3", "heading 3", 24))
    .add_style(heading("Heading4", "heading 4", 22))
}

/// Adds the styled pieces to `paragraph`, splitting out blanks (highlighted, bold).
fn runs(mut paragraph: Paragraph, pieces: &[Piece]) -> Paragraph {
    for piece in pieces {
        for (text, blank) in split_blanks(&piece.text) {
            let mut run = Run::new();
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    run = run.add_break(docx_rs::BreakType::TextWrapping);
                }
                run = run.add_text(line);
            }
            if piece.bold || blank {
                run = run.bold();
            }
            if piece.italic {
                run = run.italic();
            }
            if piece.strike {
                run = run.strike();
            }
            if piece.code {
                run = run.fonts(mono());
            }
            if blank {
                run = run.highlight("yellow");
            }
            paragraph = paragraph.add_run(run);
        }
    }
    paragraph
}

/// Splits text into (part, is_blank): a blank is `[` + a capital letter + capitals, digits,
/// spaces or `,./%$-()` + `]`, as the templates write them (`[NOMBRE DE LA EMPRESA]`).
pub(super) fn split_blanks(text: &str) -> Vec<(&str, bool)> {
    let mut parts = Vec::new();
    let mut rest_start = 0;
    let mut i = 0;
    while let Some(offset) = text[i..].find('[') {
        let open = i + offset;
        let Some(close) = text[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inner = &text[open + 1..close];
        let blank = inner.chars().next().is_some_and(char::is_uppercase)
            && inner
                .chars()
                .all(|c| c.is_uppercase() || c.is_ascii_digit() || " ,./%$-()".contains(c));
        if blank {
            if open > rest_start {
                parts.push((&text[rest_start..open], false));
            }
            parts.push((&text[open..=close], true));
            rest_start = close + 1;
            i = close + 1;
        } else {
            i = open + 1;
        }
    }
    if rest_start < text.len() {
        parts.push((&text[rest_start..], false));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_split_out() {
        assert_eq!(
            split_blanks("La [NOMBRE DE LA EMPRESA] fija [LÍMITE EN PESOS] y [x] [ ]."),
            [
                ("La ", false),
                ("[NOMBRE DE LA EMPRESA]", true),
                (" fija ", false),
                ("[LÍMITE EN PESOS]", true),
                (" y [x] [ ].", false),
            ]
        );
        assert_eq!(split_blanks("[FECHA]"), [("[FECHA]", true)]);
        assert_eq!(split_blanks("sin huecos"), [("sin huecos", false)]);
    }
}
