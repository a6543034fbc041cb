//! The checklist schema, read from a `Node` tree: which keys each mapping has, which are
//! required, and the file-wide rules (unique ids, no empty section). Each problem is pushed
//! with the position recorded by `yaml`, and reading goes on so that all of them are reported.

use std::collections::BTreeMap;
use std::path::Path;

use super::node::Node;
use super::{Checklist, ChecklistId, ChecklistSection, Item, Languages, Reference};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::yaml::Positions;

/// The keys a mapping may have and those it must have.
pub(super) struct Shape {
    what: &'static str,
    keys: &'static [&'static str],
    required: &'static [&'static str],
}

const CHECKLIST: Shape = Shape {
    what: "checklist",
    keys: &[
        "title",
        "description",
        "kind",
        "weight",
        "reviewed",
        "related",
        "sections",
    ],
    required: &["title", "sections"],
};

const SECTION: Shape = Shape {
    what: "section",
    keys: &["id", "title", "items"],
    required: &["id", "title", "items"],
};

const ITEM: Shape = Shape {
    what: "item",
    keys: &[
        "id",
        "question",
        "guidance",
        "risk",
        "element",
        "references",
    ],
    required: &["id", "question", "risk"],
};

/// A mapping that passed its shape check, with its dotted path (see `yaml::Positions`).
pub(super) struct Fields<'n> {
    pub(super) path: String,
    entries: &'n [(String, Node)],
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present and not null.
    pub(super) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, v)| k == key && *v != Node::Null)
            .map(|(_, v)| v)
    }

    /// The dotted path of the value of `key`.
    pub(super) fn path(&self, key: &str) -> String {
        child(&self.path, key)
    }
}

pub(super) fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// `` `a`, `b`, `c` `` for messages.
pub(super) fn backticked<'s>(names: impl IntoIterator<Item = &'s str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// Where ids were first seen, to report repeats against the first one.
#[derive(Default)]
struct Seen {
    sections: BTreeMap<String, Span>,
    items: BTreeMap<String, Span>,
}

/// Reads one file's tree into the model, pushing every problem into `diags`.
pub(super) struct Reader<'a> {
    pub(super) positions: &'a Positions,
    pub(super) langs: Languages<'a>,
    pub(super) diags: &'a mut Diagnostics,
    /// Every localized text read, with its language and where it is written.
    pub(super) texts: Vec<super::LocatedText>,
}

impl Reader<'_> {
    pub(super) fn error(&mut self, span: Span, message: String) {
        self.diags.push(Diagnostic::error(message).at(span));
    }

    /// ``wrong type for `risk`: expected a string, found a number``, at the value.
    pub(super) fn type_error(
        &self,
        path: &str,
        what: &str,
        expected: &str,
        node: &Node,
    ) -> Diagnostic {
        let found = node.kind();
        Diagnostic::error(format!(
            "wrong type for {what}: expected {expected}, found {found}"
        ))
        .at(self.positions.value(path))
    }

    pub(super) fn wrong_type(&mut self, path: &str, what: &str, expected: &str, node: &Node) {
        let diagnostic = self.type_error(path, what, expected, node);
        self.diags.push(diagnostic);
    }

    /// Checks that `node` is a mapping of `shape`, reporting unknown and missing keys.
    fn mapping<'n>(&mut self, node: &'n Node, path: &str, shape: &Shape) -> Option<Fields<'n>> {
        let Node::Map(entries) = node else {
            let what = match path.rsplit_once('.') {
                Some((list, _)) => format!("an entry of `{}`", last_key(list)),
                None => format!("the {}", shape.what),
            };
            self.wrong_type(path, &what, "a mapping", node);
            return None;
        };
        let fields = Fields {
            path: path.to_string(),
            entries,
        };
        self.check_repeated_keys(entries, path);
        for (key, _) in entries {
            if !shape.keys.contains(&key.as_str()) {
                let span = self.positions.key(&fields.path(key));
                let expected = backticked(shape.keys.iter().copied());
                self.error(
                    span,
                    format!("unknown key `{key}`; expected one of {expected}"),
                );
            }
        }
        for &key in shape.required {
            self.require(&fields, key, shape);
        }
        Some(fields)
    }

    /// Reports each key that appears again in a mapping, at its last occurrence.
    pub(super) fn check_repeated_keys(&mut self, entries: &[(String, Node)], path: &str) {
        for (i, (key, _)) in entries.iter().enumerate() {
            let first = entries.iter().position(|(k, _)| k == key);
            let is_last = !entries[i + 1..].iter().any(|(k, _)| k == key);
            if first != Some(i) && is_last {
                let span = self.positions.key(&child(path, key));
                self.error(span, format!("duplicate key `{key}`"));
            }
        }
    }

    /// Where a mapping starts: its first key (yaml-rust2 marks a block mapping at its first `:`).
    pub(super) fn mapping_span(&self, fields: &Fields<'_>) -> Span {
        match fields.entries.first() {
            Some((key, _)) => self.positions.key(&fields.path(key)),
            None => self.positions.value(&fields.path),
        }
    }

    fn require(&mut self, fields: &Fields<'_>, key: &str, shape: &Shape) {
        let (span, message) = match fields.entries.iter().find(|(k, _)| k == key) {
            None => (
                self.mapping_span(fields),
                format!("missing required key `{key}`"),
            ),
            Some((_, Node::Null)) => (
                self.positions.key(&fields.path(key)),
                format!("missing value for `{key}`"),
            ),
            Some(_) => return,
        };
        let help = format!(
            "every {} needs {}",
            shape.what,
            backticked(shape.required.iter().copied())
        );
        self.diags
            .push(Diagnostic::error(message).at(span).with_help(help));
    }

    /// The whole file; `None` when a required part could not be read.
    pub(super) fn checklist(
        &mut self,
        root: &Node,
        id: ChecklistId,
        file: &Path,
    ) -> Option<Checklist> {
        let fields = self.mapping(root, "", &CHECKLIST)?;
        let title = self.localized_field(&fields, "title");
        let description = self.localized_field(&fields, "description");
        // A missing `kind` is a sector checklist (the files written before the key existed).
        let kind = match fields.get("kind") {
            Some(node) => self.keyword(node, &fields.path("kind")),
            None => Some(super::Kind::Sector),
        };
        let weight = match fields.get("weight") {
            Some(node) => self.integer(node, &fields.path("weight"), "weight"),
            None => Some(0),
        };
        let reviewed = match fields.get("reviewed") {
            Some(node) => self.date(node, &fields.path("reviewed")).map(Some),
            None => Some(None),
        };
        let related = self.related(&fields);
        let sections = self.sections(&fields);
        Some(Checklist {
            id,
            file: file.to_path_buf(),
            title: title?,
            description,
            kind: kind?,
            weight: weight?,
            reviewed: reviewed?,
            texts: Vec::new(),
            related,
            sections: sections?,
        })
    }

    fn related(&mut self, fields: &Fields<'_>) -> Vec<super::LinkRef> {
        let path = fields.path("related");
        let mut links = Vec::new();
        for (i, text) in self.strings(fields, "related") {
            let span = self.positions.value(&child(&path, &i.to_string()));
            match Reference::parse(text, span.clone()) {
                Reference::Link(link) => links.push(link),
                Reference::Text(_) | Reference::Url(_) | Reference::Law(_) => self.error(
                    span,
                    format!(
                        "invalid entry `{text}` in `related`; expected a relative path to a `.md` or `.yaml` file"
                    ),
                ),
            }
        }
        links
    }

    fn sections(&mut self, fields: &Fields<'_>) -> Option<Vec<ChecklistSection>> {
        let path = fields.path("sections");
        let nodes = self.list(fields.get("sections")?, &path, "sections")?;
        if nodes.is_empty() {
            let span = self.positions.key(&path);
            self.error(span, "checklist has no sections".to_string());
            return None;
        }
        let mut seen = Seen::default();
        let mut sections = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let section = self.section(node, &child(&path, &i.to_string()), &mut seen);
            sections.extend(section);
        }
        Some(sections)
    }

    fn section(&mut self, node: &Node, path: &str, seen: &mut Seen) -> Option<ChecklistSection> {
        let fields = self.mapping(node, path, &SECTION)?;
        let id = self.unique_id(&fields, "section", &mut seen.sections);
        let title = self.localized_field(&fields, "title");
        let items_path = fields.path("items");
        let mut items = Vec::new();
        let nodes = fields
            .get("items")
            .and_then(|node| self.list(node, &items_path, "items"));
        if let Some([]) = nodes {
            let message = match &id {
                Some(id) => format!("section `{id}` has no items"),
                None => "section has no items".to_string(),
            };
            let span = self.positions.key(&items_path);
            let help = "add at least one item or remove the section";
            self.diags
                .push(Diagnostic::error(message).at(span).with_help(help));
        }
        for (i, node) in nodes.unwrap_or_default().iter().enumerate() {
            let item = self.item(node, &child(&items_path, &i.to_string()), seen);
            items.extend(item);
        }
        Some(ChecklistSection {
            id: id?,
            title: title?,
            items,
            span: self.mapping_span(&fields),
        })
    }

    fn item(&mut self, node: &Node, path: &str, seen: &mut Seen) -> Option<Item> {
        let fields = self.mapping(node, path, &ITEM)?;
        let id = self.unique_id(&fields, "item", &mut seen.items);
        let question = self.localized_field(&fields, "question");
        let guidance = self.localized_field(&fields, "guidance");
        let risk = fields
            .get("risk")
            .and_then(|node| self.keyword(node, &fields.path("risk")));
        // `Some(None)`: no element given; `None`: an invalid one.
        let element = match fields.get("element") {
            Some(node) => self.keyword(node, &fields.path("element")).map(Some),
            None => Some(None),
        };
        let references = self.references(&fields);
        Some(Item {
            id: id?,
            question: question?,
            guidance,
            risk: risk?,
            element: element?,
            references,
            span: self.mapping_span(&fields),
        })
    }

    /// The `id` of a section or item, checked for syntax and for a repeat in the file.
    fn unique_id<T>(
        &mut self,
        fields: &Fields<'_>,
        what: &str,
        seen: &mut BTreeMap<String, Span>,
    ) -> Option<T>
    where
        T: TryFrom<String, Error = String> + std::fmt::Display,
    {
        let path = fields.path("id");
        let id: T = self.id(fields.get("id")?, &path)?;
        let span = self.positions.value(&path);
        if let Some(first) = seen.get(&id.to_string()) {
            let help = format!("`{id}` is first used on line {}", first.line);
            self.diags.push(
                Diagnostic::error(format!("duplicate {what} id `{id}`"))
                    .at(span)
                    .with_help(help),
            );
            return None;
        }
        seen.insert(id.to_string(), span);
        Some(id)
    }

    fn references(&mut self, fields: &Fields<'_>) -> Vec<Reference> {
        let path = fields.path("references");
        let mut references = Vec::new();
        for (i, text) in self.strings(fields, "references") {
            let span = self.positions.value(&child(&path, &i.to_string()));
            references.push(Reference::parse(text, span));
        }
        references
    }
}

/// The key a list is the value of: `items` for `sections.0.items` (lists here are never nested).
fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}
