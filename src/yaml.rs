//! The one door to YAML. serde_yaml (archived upstream, so kept behind this module) gives typed
//! values and error locations; yaml-rust2's marked events give the position of every key and value,
//! so later semantic errors (duplicate id, broken reference) can point at a line and column.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostics::{Diagnostic, Span};

mod depth;

pub use depth::MAX_DEPTH;

/// Where a YAML text comes from: its file (relative to the site root) and the line of the file
/// on which the text starts (front matter starts on line 2).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub file: &'a Path,
    pub first_line: usize,
}

impl Origin<'_> {
    fn span(&self, line_in_text: usize, col: usize) -> Span {
        Span::new(self.file, line_in_text + self.first_line - 1, col)
    }
}

/// Line, column and length in characters of a node (1 for a mapping or a list).
type Place = (usize, usize, usize);

/// Positions of the nodes of a parsed document, keyed by dotted path: `sections.0.items.2.id`
/// is the value of key `id`; `sections.0` is the first element of `sections`.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    file: std::path::PathBuf,
    values: BTreeMap<String, Place>,
    keys: BTreeMap<String, Place>,
}

impl Positions {
    /// The span of the value at `path`, or of the nearest ancestor that has one.
    pub fn value(&self, path: &str) -> Span {
        self.find(&self.values, path)
    }

    /// The span of the key at `path` (for "unknown" or "missing" complaints), else of its value.
    pub fn key(&self, path: &str) -> Span {
        match self.keys.get(path) {
            Some(&(line, col, len)) => Span::new(&self.file, line, col).with_len(len),
            None => self.value(path),
        }
    }

    fn find(&self, map: &BTreeMap<String, Place>, path: &str) -> Span {
        let mut path = path;
        loop {
            if let Some(&(line, col, len)) = map.get(path) {
                return Span::new(&self.file, line, col).with_len(len);
            }
            match path.rfind('.') {
                Some(i) => path = &path[..i],
                None => return Span::file(&self.file),
            }
        }
    }
}

/// Parses `text` into `T`. On failure returns one diagnostic with the location serde_yaml reports.
/// Text nested deeper than `MAX_DEPTH` is refused before any parser sees it, and a string holding
/// a control character (other than tab and newline) is refused at its position, so neither can
/// reach the HTML.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    origin: Origin<'_>,
    what: &str,
) -> Result<(T, Positions), Diagnostic> {
    if let Some((line, col)) = depth::too_deep(text) {
        return Err(Diagnostic::error(format!(
            "{what} is nested more than {MAX_DEPTH} levels deep"
        ))
        .at(origin.span(line, col))
        .with_help("flatten the lists and mappings; a few levels are all the format needs"));
    }
    let value: T = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(error) => return Err(to_diagnostic(&error, text, origin, what)),
    };
    let (positions, control) = positions(text, origin);
    if let Some(((line, col), c)) = control {
        return Err(Diagnostic::error(format!(
            "invalid {what}: this text holds the control character U+{:04X}",
            u32::from(c)
        ))
        .at(Span::new(origin.file, line, col))
        .with_help("remove it; only tabs and line breaks may appear in text"));
    }
    Ok((value, positions))
}

fn to_diagnostic(
    error: &serde_yaml::Error,
    text: &str,
    origin: Origin<'_>,
    what: &str,
) -> Diagnostic {
    let raw = error.to_string();
    // serde_yaml points a duplicate key at its mapping; the events know where it is given again.
    if raw.starts_with("duplicate ") {
        if let Some((key, first, again)) = record(text, origin).duplicate {
            return Diagnostic::error(format!("duplicate key `{key}` in {what}"))
                .at(Span::new(origin.file, again.0, again.1).with_len(again.2))
                .with_help(format!(
                    "`{key}` is already given on line {}; keep one of them",
                    first.0
                ));
        }
    }
    if let Some(location) = error.location() {
        let line = text.lines().nth(location.line().saturating_sub(1));
        let at = line.and_then(|l| l.chars().nth(location.column().saturating_sub(1)));
        if at == Some('\t') {
            return Diagnostic::error(format!(
                "invalid {what}: a tab indents this line, and tabs cannot indent YAML"
            ))
            .at(origin.span(location.line(), location.column()))
            .with_help("indent with spaces (two per level is usual)");
        }
    }
    let message = clean_message(&raw);
    let span = match error.location() {
        Some(location) => origin.span(location.line(), location.column()),
        None => Span::new(origin.file, origin.first_line, 1),
    };
    Diagnostic::error(format!("invalid {what}: {message}")).at(span)
}

/// Rewords serde_yaml's messages into the project's style: drops the trailing position (the span
/// carries it) and speaks of keys rather than fields.
fn clean_message(raw: &str) -> String {
    let mut message = raw.to_string();
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    message
        .replace("invalid type: ", "wrong type: found ")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected a sequence", "expected a list")
        .replace("found sequence", "found a list")
        .replace("found map", "found a mapping")
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing required key")
        .replace(", expected one of", "; expected one of")
        .replace(", expected", "; expected")
}

/// A control character found in a scalar: the scalar's (line, column) and the character.
type Control = ((usize, usize), char);

/// Positions of every node, and the first scalar (key or value) holding a control character.
fn positions(text: &str, origin: Origin<'_>) -> (Positions, Option<Control>) {
    let recorder = record(text, origin);
    (recorder.positions, recorder.control)
}

/// Walks the events of `text`, recording what `Recorder` keeps.
fn record<'a>(text: &str, origin: Origin<'a>) -> Recorder<'a> {
    let mut recorder = Recorder {
        origin,
        stack: Vec::new(),
        positions: Positions {
            file: origin.file.to_path_buf(),
            ..Positions::default()
        },
        control: None,
        duplicate: None,
    };
    // serde_yaml accepted the text, so this parse succeeds; if it does not, positions degrade to
    // the start of the file rather than failing the build.
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder
}

/// A container being walked: a mapping (waiting for a key or for the value of `key`) or a sequence.
enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

struct Recorder<'a> {
    origin: Origin<'a>,
    stack: Vec<Frame>,
    positions: Positions,
    control: Option<Control>,
    /// The first key given twice in one mapping: its name, first and second place.
    duplicate: Option<(String, Place, Place)>,
}

impl Recorder<'_> {
    fn at(&self, mark: Marker) -> (usize, usize) {
        (mark.line() + self.origin.first_line - 1, mark.col() + 1)
    }

    /// The path of the node that starts now, or `None` when a mapping key is being read.
    fn next_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join(path, &next.to_string());
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => key.take().map(|k| join(path, &k)),
        }
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl Recorder<'_> {
    fn on_scalar(&mut self, value: String, position: Place) {
        match self.next_path() {
            Some(path) => {
                self.positions.values.insert(path, position);
            }
            None => {
                if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                    let full = join(path, &value);
                    if let Some(&first) = self.positions.keys.get(&full) {
                        self.duplicate
                            .get_or_insert((value.clone(), first, position));
                    }
                    self.positions.keys.insert(full, position);
                    *key = Some(value);
                }
            }
        }
    }
}

impl MarkedEventReceiver for Recorder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let position = self.at(mark);
        match event {
            Event::Scalar(value, style, ..) => {
                let quotes = match style {
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => 2,
                    _ => 0,
                };
                let (line, col) = position;
                let place = (line, col, value.chars().count() + quotes);
                if self.control.is_none() {
                    if let Some(c) = value
                        .chars()
                        .find(|&c| crate::config::is_forbidden_control(c))
                    {
                        self.control = Some((position, c));
                    }
                }
                self.on_scalar(value, place);
            }

            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.positions
                    .values
                    .insert(path.clone(), (position.0, position.1, 1));
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map { path, key: None }
                    } else {
                        Frame::Seq { path, next: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Alias(_) => {
                let _ = self.next_path();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        items: Vec<Item>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    fn origin(first_line: usize) -> Origin<'static> {
        Origin {
            file: Path::new("c.yaml"),
            first_line,
        }
    }

    #[test]
    fn records_positions_of_nested_values() {
        let text = "title: T\nitems:\n  - id: a\n  - id: b\n";
        let (_doc, pos): (Doc, _) = parse(text, origin(1), "checklist").unwrap();
        assert_eq!(pos.value("items.1.id"), Span::new("c.yaml", 4, 9));
        assert_eq!(pos.key("items.1.id"), Span::new("c.yaml", 4, 5).with_len(2));
        assert_eq!(pos.value("title"), Span::new("c.yaml", 1, 8));
        assert_eq!(pos.value("items.7.id"), Span::new("c.yaml", 3, 3));
    }

    #[test]
    fn unknown_key_is_reported_with_location() {
        let text = "title: T\nitems:\n  - id: a\n    idd: b\n";
        let err = parse::<Doc>(text, origin(2), "front matter").unwrap_err();
        assert!(
            err.message
                .starts_with("invalid front matter: items[0]: unknown key `idd`; expected `id`"),
            "{}",
            err.message
        );
        assert_eq!(err.span, Some(Span::new("c.yaml", 5, 5)));
    }
}
