//! Languages and localized text: `Lang` codes, the `Localized` value of checklists
//! (a plain string in the default language, or a language → text map) and its fallback rule.

use std::collections::BTreeMap;
use std::fmt;

/// A language code such as `es` or `en` (lowercase letters, optionally `-REGION`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Lang(String);

impl Lang {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Lang {
    type Error = String;

    fn try_from(code: String) -> Result<Lang, String> {
        let mut parts = code.splitn(2, '-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
        let region_ok = parts
            .next()
            .is_none_or(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric()));
        if primary_ok && region_ok {
            Ok(Lang(code))
        } else {
            Err(format!(
                "invalid language code `{code}`; expected a lowercase code such as `es` or `en`"
            ))
        }
    }
}

impl TryFrom<&str> for Lang {
    type Error = String;

    fn try_from(code: &str) -> Result<Lang, String> {
        Lang::try_from(code.to_string())
    }
}

impl From<Lang> for String {
    fn from(lang: Lang) -> String {
        lang.0
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text in several languages. A plain string belongs to the default language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Localized {
    Plain(String),
    Map(BTreeMap<Lang, String>),
}

/// The text chosen for a language, and the language it is really in (which differs when the
/// requested translation is missing and the default language was used instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen<'a> {
    pub text: &'a str,
    pub lang: &'a Lang,
}

impl Localized {
    /// The text in `lang`, falling back to `default`, then to any language present.
    pub fn get<'a>(&'a self, lang: &'a Lang, default: &'a Lang) -> Chosen<'a> {
        match self {
            Localized::Plain(text) => Chosen {
                text,
                lang: default,
            },
            Localized::Map(map) => {
                if let Some(text) = map.get(lang) {
                    return Chosen { text, lang };
                }
                if let Some(text) = map.get(default) {
                    return Chosen {
                        text,
                        lang: default,
                    };
                }
                let (lang, text) = map
                    .iter()
                    .next()
                    .expect("a localized map is never empty: the parser rejects empty maps");
                Chosen { text, lang }
            }
        }
    }

    /// Whether a text exists for `lang` itself (no fallback).
    pub fn has(&self, lang: &Lang, default: &Lang) -> bool {
        match self {
            Localized::Plain(_) => lang == default,
            Localized::Map(map) => map.contains_key(lang),
        }
    }

    /// Every language the text is written in, as a map (plain text under `default`).
    pub fn to_map(&self, default: &Lang) -> BTreeMap<Lang, String> {
        match self {
            Localized::Plain(text) => BTreeMap::from([(default.clone(), text.clone())]),
            Localized::Map(map) => map.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Lang {
        Lang::try_from(code).unwrap()
    }

    #[test]
    fn lang_codes_are_validated() {
        for ok in ["es", "en", "nah", "es-MX"] {
            assert!(Lang::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "E", "ES", "español", "es-", "e s"] {
            assert!(Lang::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn localized_falls_back_to_default_language() {
        let (es, en, fr) = (lang("es"), lang("en"), lang("fr"));
        let plain = Localized::Plain("hola".into());
        assert_eq!(plain.get(&en, &es).lang, &es);
        let map = Localized::Map(BTreeMap::from([
            (es.clone(), "hola".into()),
            (en.clone(), "hi".into()),
        ]));
        assert_eq!(map.get(&en, &es).text, "hi");
        assert_eq!(map.get(&fr, &es).text, "hola");
        assert!(!map.has(&fr, &es));
    }
}
