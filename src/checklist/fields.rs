//! Typed values inside a checklist mapping: ids, keywords (`risk`, `element`), integers, lists
//! of strings and localized texts, each checked against its rules with a positioned message.
//! Missing translations are warnings; everything else here is an error.

use std::collections::BTreeMap;

use super::node::Node;
use super::schema::{backticked, child, Fields, Reader};
use super::{Element, Kind, Risk};
use crate::diagnostics::{Diagnostic, Span};
use crate::lang::{Lang, Localized};

/// A closed set of words, such as `Risk`, read from a YAML string.
pub(super) trait Keyword: Sized + Copy + 'static {
    /// What the word is, for messages: ``unknown risk `extreme` ``.
    const WHAT: &'static str;
    fn all() -> &'static [Self];
    fn as_str(self) -> &'static str;
}

impl Keyword for Risk {
    const WHAT: &'static str = "risk";

    fn all() -> &'static [Risk] {
        &Risk::ALL
    }

    fn as_str(self) -> &'static str {
        Risk::as_str(self)
    }
}

impl Keyword for Kind {
    const WHAT: &'static str = "kind";

    fn all() -> &'static [Kind] {
        &Kind::ALL
    }

    fn as_str(self) -> &'static str {
        Kind::as_str(self)
    }
}

impl Keyword for Element {
    const WHAT: &'static str = "element";

    fn all() -> &'static [Element] {
        &Element::ALL
    }

    fn as_str(self) -> &'static str {
        Element::as_str(self)
    }
}

impl Reader<'_> {
    /// A string that is not blank; `what` names it in messages (`` `risk` ``).
    fn text<'n>(&mut self, node: &'n Node, path: &str, what: &str) -> Option<&'n str> {
        match node {
            Node::Str(text) if text.trim().is_empty() => {
                let span = self.positions.value(path);
                self.error(span, format!("{what} is empty"));
                None
            }
            Node::Str(text) => Some(text),
            _ => {
                self.wrong_type(path, what, "a string", node);
                None
            }
        }
    }

    pub(super) fn id<T>(&mut self, node: &Node, path: &str) -> Option<T>
    where
        T: TryFrom<String, Error = String>,
    {
        let Node::Str(text) = node else {
            let mut diagnostic = self.type_error(path, "`id`", "a string", node);
            if matches!(node, Node::Int(_) | Node::Float(_)) {
                diagnostic = diagnostic.with_help("write the id in quotes, such as `id: \"01\"`");
            }
            self.diags.push(diagnostic);
            return None;
        };
        match T::try_from(text.clone()) {
            Ok(id) => Some(id),
            Err(message) => {
                let span = self.positions.value(path);
                self.error(span, message);
                None
            }
        }
    }

    pub(super) fn keyword<K: Keyword>(&mut self, node: &Node, path: &str) -> Option<K> {
        let text = self.text(node, path, &format!("`{}`", K::WHAT))?;
        let found = K::all().iter().copied().find(|k| k.as_str() == text);
        if found.is_none() {
            let span = self.positions.value(path);
            let expected = backticked(K::all().iter().map(|k| k.as_str()));
            let what = K::WHAT;
            self.error(
                span,
                format!("unknown {what} `{text}`; expected one of {expected}"),
            );
        }
        found
    }

    /// A `YYYY-MM-DD` date, with the place it is written.
    pub(super) fn date(
        &mut self,
        node: &Node,
        path: &str,
    ) -> Option<(crate::content::front_matter::Date, Span)> {
        let Node::Str(text) = node else {
            self.wrong_type(path, "`reviewed`", "a date (`YYYY-MM-DD`)", node);
            return None;
        };
        let span = self.positions.value(path);
        match crate::content::front_matter::Date::try_from(text.clone()) {
            Ok(date) => Some((date, span)),
            Err(message) => {
                self.error(span, message);
                None
            }
        }
    }

    pub(super) fn integer(&mut self, node: &Node, path: &str, key: &str) -> Option<i64> {
        if let Node::Int(value) = node {
            return Some(*value);
        }
        self.wrong_type(path, &format!("`{key}`"), "an integer", node);
        None
    }

    pub(super) fn list<'n>(&mut self, node: &'n Node, path: &str, key: &str) -> Option<&'n [Node]> {
        if let Node::List(nodes) = node {
            return Some(nodes);
        }
        self.wrong_type(path, &format!("`{key}`"), "a list", node);
        None
    }

    /// The entries of an optional list of strings, with their indices; bad entries are reported
    /// and skipped.
    pub(super) fn strings<'n>(&mut self, fields: &Fields<'n>, key: &str) -> Vec<(usize, &'n str)> {
        let path = fields.path(key);
        let Some(node) = fields.get(key) else {
            return Vec::new();
        };
        let nodes = self.list(node, &path, key).unwrap_or_default();
        let what = format!("an entry of `{key}`");
        let mut texts = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let entry_path = child(&path, &i.to_string());
            if let Some(text) = self.text(node, &entry_path, &what) {
                texts.push((i, text));
            }
        }
        texts
    }

    /// An optional localized text: a plain string (default language) or a map of declared
    /// languages to non-blank strings. `None` when absent or invalid (the error is pushed).
    pub(super) fn localized_field(&mut self, fields: &Fields<'_>, key: &str) -> Option<Localized> {
        let node = fields.get(key)?;
        let path = fields.path(key);
        let localized = match node {
            Node::Str(_) => {
                Localized::Plain(self.text(node, &path, &format!("`{key}`"))?.to_string())
            }
            Node::Map(entries) => Localized::Map(self.translations(entries, &path, key)?),
            _ => {
                let expected = "a string or a map of language to string";
                self.wrong_type(&path, &format!("`{key}`"), expected, node);
                return None;
            }
        };
        self.check_translations(&localized, &path, key);
        match &localized {
            Localized::Plain(text) => self.texts.push(super::LocatedText {
                lang: self.langs.default.clone(),
                text: text.clone(),
                span: self.positions.value(&path),
            }),
            Localized::Map(map) => {
                for (lang, text) in map {
                    let span = self.positions.value(&child(&path, lang.as_str()));
                    self.texts.push(super::LocatedText {
                        lang: lang.clone(),
                        text: text.clone(),
                        span,
                    });
                }
            }
        }
        Some(localized)
    }

    fn translations(
        &mut self,
        entries: &[(String, Node)],
        path: &str,
        key: &str,
    ) -> Option<BTreeMap<Lang, String>> {
        if entries.is_empty() {
            let span = self.positions.value(path);
            let help = "write the text, or one text per language: `{ es: …, en: … }`";
            self.diags.push(
                Diagnostic::error(format!("`{key}` is empty"))
                    .at(span)
                    .with_help(help),
            );
            return None;
        }
        self.check_repeated_keys(entries, path);
        let mut map = BTreeMap::new();
        let mut valid = true;
        for (code, node) in entries {
            let entry_path = child(path, code);
            let lang = self.declared_lang(code, &entry_path, key);
            let text = self.text(node, &entry_path, &format!("the `{code}` text of `{key}`"));
            match (lang, text) {
                (Some(lang), Some(text)) => {
                    map.insert(lang, text.to_string());
                }
                _ => valid = false,
            }
        }
        valid.then_some(map)
    }

    fn declared_lang(&mut self, code: &str, path: &str, key: &str) -> Option<Lang> {
        let langs = self.langs;
        let lang = Lang::try_from(code)
            .ok()
            .filter(|lang| langs.all.contains(lang));
        if lang.is_none() {
            let expected = backticked(langs.all.iter().map(Lang::as_str));
            let span = self.positions.key(path);
            self.diags.push(
                Diagnostic::error(format!(
                    "unknown language `{code}` in `{key}`; expected one of {expected}"
                ))
                .at(span)
                .with_help("the site's languages are declared under `[languages]` in `site.toml`"),
            );
        }
        lang
    }

    /// A warning for each site language the text lacks, naming the language shown instead.
    fn check_translations(&mut self, localized: &Localized, path: &str, key: &str) {
        let langs = self.langs;
        for lang in langs.all {
            if localized.has(lang, langs.default) {
                continue;
            }
            let shown = localized.get(lang, langs.default).lang;
            let span = self.positions.value(path);
            self.diags.push(
                Diagnostic::warning(format!(
                    "missing `{lang}` translation of `{key}`; the `{shown}` text is shown"
                ))
                .at(span),
            );
        }
    }
}
