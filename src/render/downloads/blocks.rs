//! A page's markdown as a flat list of blocks (headings with their ids, paragraphs, tables, code)
//! for the download formats. Links keep their text only; raw HTML is kept as the text it shows.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::markdown::{heading_id, level_number, IdSet, MdOptions};

/// A run of text with one style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Piece {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub code: bool,
}

impl Piece {
    fn same_style(&self, other: &Piece) -> bool {
        (self.bold, self.italic, self.strike, self.code)
            == (other.bold, other.italic, other.strike, other.code)
    }
}

/// Inline content: styled pieces in order.
pub(super) type Inline = Vec<Piece>;

/// The text of inline content without its styles.
pub(super) fn plain(inline: &[Piece]) -> String {
    inline.iter().map(|p| p.text.as_str()).collect()
}

#[derive(Debug, Clone)]
pub(super) struct TableBlock {
    pub header: Vec<Inline>,
    pub rows: Vec<Vec<Inline>>,
}

#[derive(Debug, Clone)]
pub(super) enum Block {
    /// `level` as in markdown (1–6); `id` as the HTML page gives it.
    Heading {
        level: u8,
        id: String,
        text: Inline,
    },
    /// `depth`: list or quote nesting; `marker`: the bullet or number of a list item's first
    /// paragraph.
    Paragraph {
        text: Inline,
        depth: u8,
        marker: Option<String>,
    },
    Table(TableBlock),
    Code(String),
    Rule,
}

/// What was wrong when looking for a register's table.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TableError {
    NoHeading,
    NoTable,
}

/// The title (plain text) and the first table under the heading `id`, before the next heading of
/// the same or a higher level.
pub(super) fn find_table<'b>(
    blocks: &'b [Block],
    id: &str,
) -> Result<(String, &'b TableBlock), TableError> {
    let start = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { id: h, .. } if h == id))
        .ok_or(TableError::NoHeading)?;
    let Block::Heading { level, text, .. } = &blocks[start] else {
        return Err(TableError::NoHeading);
    };
    for block in &blocks[start + 1..] {
        match block {
            Block::Heading { level: l, .. } if l <= level => break,
            Block::Table(table) => return Ok((plain(text), table)),
            _ => {}
        }
    }
    Err(TableError::NoTable)
}

/// Ids of the headings that have a table under them (for suggestions).
pub(super) fn table_ids(blocks: &[Block]) -> Vec<&str> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .filter(|id| find_table(blocks, id).is_ok())
        .collect()
}

#[derive(Default)]
struct Style {
    bold: usize,
    italic: usize,
    strike: usize,
}

#[derive(Default)]
struct TableState {
    header: Vec<Inline>,
    rows: Vec<Vec<Inline>>,
    row: Vec<Inline>,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    inline: Inline,
    style: Style,
    /// Next number of each open list (`None`: bullets).
    lists: Vec<Option<u64>>,
    quotes: u8,
    definitions: u8,
    marker: Option<String>,
    heading: Option<(u8, Option<String>)>,
    table: Option<TableState>,
    code: Option<String>,
}

impl Builder {
    fn push_text(&mut self, text: &str, code: bool) {
        if let Some(block) = &mut self.code {
            block.push_str(text);
            return;
        }
        let piece = Piece {
            text: text.to_string(),
            bold: self.style.bold > 0,
            italic: self.style.italic > 0,
            strike: self.style.strike > 0,
            code,
        };
        match self.inline.last_mut() {
            Some(last) if last.same_style(&piece) => last.text.push_str(text),
            _ => self.inline.push(piece),
        }
    }

    fn depth(&self) -> u8 {
        u8::try_from(self.lists.len())
            .unwrap_or(u8::MAX)
            .saturating_add(self.quotes)
            .saturating_add(self.definitions)
    }

    /// Ends the current paragraph, if it has any text (or a pending list marker).
    fn flush(&mut self) {
        if self.inline.iter().all(|p| p.text.trim().is_empty()) && self.marker.is_none() {
            self.inline.clear();
            return;
        }
        let mut text = std::mem::take(&mut self.inline);
        if let Some(first) = text.first_mut() {
            first.text = first.text.trim_start().to_string();
        }
        self.blocks.push(Block::Paragraph {
            text,
            depth: self.depth(),
            marker: self.marker.take(),
        });
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph if self.table.is_none() => self.flush(),
            Tag::Heading { level, id, .. } => {
                self.flush();
                self.heading = Some((level_number(level), id.map(|i| i.to_string())));
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quotes = self.quotes.saturating_add(1);
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(first) => {
                self.flush();
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush();
                self.marker = Some(match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}.", *n - 1)
                    }
                    _ => "•".to_string(),
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.flush();
                self.marker = Some(format!("[{label}]"));
            }
            Tag::DefinitionListTitle => {
                self.flush();
                self.style.bold += 1;
            }
            Tag::DefinitionListDefinition => {
                self.flush();
                self.definitions = self.definitions.saturating_add(1);
            }
            Tag::Table(_) => {
                self.flush();
                self.table = Some(TableState::default());
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Emphasis => self.style.italic += 1,
            Tag::Strong => self.style.bold += 1,
            Tag::Strikethrough => self.style.strike += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, ids: &mut Vec<(usize, Option<String>, String)>) {
        match tag {
            TagEnd::Paragraph if self.table.is_none() => self.flush(),
            TagEnd::Heading(_) => {
                let (level, explicit) = self.heading.take().unwrap_or((2, None));
                let text = std::mem::take(&mut self.inline);
                ids.push((self.blocks.len(), explicit, collapse(&plain(&text))));
                self.blocks.push(Block::Heading {
                    level,
                    id: String::new(),
                    text,
                });
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quotes = self.quotes.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                self.blocks
                    .push(Block::Code(code.trim_end_matches('\n').to_string()));
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => self.flush(),
            TagEnd::DefinitionListTitle => {
                self.flush();
                self.style.bold = self.style.bold.saturating_sub(1);
            }
            TagEnd::DefinitionListDefinition => {
                self.flush();
                self.definitions = self.definitions.saturating_sub(1);
            }
            TagEnd::TableCell => {
                let mut cell = std::mem::take(&mut self.inline);
                if let Some(first) = cell.first_mut() {
                    first.text = first.text.trim_start().to_string();
                }
                if let Some(table) = &mut self.table {
                    table.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.header = std::mem::take(&mut table.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.blocks.push(Block::Table(TableBlock {
                        header: table.header,
                        rows: table.rows,
                    }));
                }
            }
            TagEnd::Emphasis => self.style.italic = self.style.italic.saturating_sub(1),
            TagEnd::Strong => self.style.bold = self.style.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.style.strike = self.style.strike.saturating_sub(1),
            _ => {}
        }
    }
}

/// Parses `text` with the options the HTML pages use, so headings get the same ids.
pub(super) fn parse_blocks(text: &str, options: &MdOptions) -> Vec<Block> {
    let mut builder = Builder::default();
    let mut headings = Vec::new();
    for event in Parser::new_ext(text, crate::markdown::parser_options(options)) {
        match event {
            Event::Start(tag) => builder.start(tag),
            Event::End(tag) => builder.end(tag, &mut headings),
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                builder.push_text(&text, false)
            }
            Event::Code(text) => builder.push_text(&text, true),
            Event::SoftBreak => builder.push_text(" ", false),
            Event::HardBreak => builder.push_text("\n", false),
            Event::Rule => {
                builder.flush();
                builder.blocks.push(Block::Rule);
            }
            Event::FootnoteReference(label) => builder.push_text(&format!("[{label}]"), false),
            Event::TaskListMarker(done) => {
                builder.marker = Some(if done { "☑" } else { "☐" }.to_string());
            }
            _ => {}
        }
    }
    builder.flush();
    // Explicit ids first, so they win over generated ones (as on the HTML page).
    let mut ids = IdSet::default();
    let explicit: Vec<bool> = headings
        .iter()
        .map(|(_, explicit, _)| explicit.as_ref().is_some_and(|id| ids.reserve(id)))
        .collect();
    for ((index, explicit_id, title), reserved) in headings.into_iter().zip(explicit) {
        let id = match explicit_id {
            Some(id) if reserved => id,
            Some(id) => ids.claim(&id),
            None => ids.claim(&heading_id(&title)),
        };
        if let Block::Heading { id: slot, .. } = &mut builder.blocks[index] {
            *slot = id;
        }
    }
    builder.blocks
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(md: &str) -> Vec<Block> {
        parse_blocks(md, &crate::markdown::tests::options("es"))
    }

    #[test]
    fn headings_get_page_ids_and_tables_are_found_under_them() {
        let md = "## ¿Qué es?\n\nTexto *con* **estilo**.\n\n## Registro {#reg}\n\n\
                  | Folio | ¿Dado o recibido? |\n|---|---|\n| 1 | Dado |\n\n## Otro\n\n## Otro\n";
        let blocks = blocks(md);
        let ids: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["que-es", "reg", "otro", "otro-1"]);
        let (title, table) = find_table(&blocks, "reg").unwrap();
        assert_eq!(title, "Registro");
        assert_eq!(plain(&table.header[1]), "¿Dado o recibido?");
        assert_eq!(plain(&table.rows[0][1]), "Dado");
        assert_eq!(
            find_table(&blocks, "que-es").unwrap_err(),
            TableError::NoTable
        );
        assert_eq!(
            find_table(&blocks, "nada").unwrap_err(),
            TableError::NoHeading
        );
        assert_eq!(table_ids(&blocks), ["reg"]);
    }

    #[test]
    fn lists_keep_markers_depth_and_styles() {
        let blocks = blocks("1. uno\n2. dos\n   - *sub*\n\n- [ ] tarea\n");
        let paragraphs: Vec<(String, u8, Option<String>)> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph {
                    text,
                    depth,
                    marker,
                } => Some((plain(text), *depth, marker.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            paragraphs,
            [
                ("uno".to_string(), 1, Some("1.".to_string())),
                ("dos".to_string(), 1, Some("2.".to_string())),
                ("sub".to_string(), 2, Some("•".to_string())),
                ("tarea".to_string(), 1, Some("☐".to_string())),
            ]
        );
    }
}
