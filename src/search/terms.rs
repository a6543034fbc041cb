//! Words of the search index: folding (case, accents, `ñ` → `n`) and Snowball stemming of a
//! language. The browser folds the query the same way (`fold` in the theme's `search.js`); it
//! never stems, because the index maps every folded word to its stem.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::lang::Lang;

/// Words shorter than this are not indexed ("a", "y"): they narrow nothing.
const MIN_WORD: usize = 2;
/// Longer "words" are hashes, URLs or garbage, not something a reader types.
const MAX_WORD: usize = 40;

/// Folds and stems the words of one language.
pub(crate) struct Analyzer {
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    /// Spanish and English use their Snowball stemmers, other Snowball languages theirs; a
    /// language without one is only folded.
    pub(crate) fn new(lang: &Lang) -> Self {
        let primary = lang.as_str().split('-').next().unwrap_or_default();
        let algorithm = match primary {
            "es" => Some(Algorithm::Spanish),
            "en" => Some(Algorithm::English),
            "fr" => Some(Algorithm::French),
            "pt" => Some(Algorithm::Portuguese),
            "de" => Some(Algorithm::German),
            "it" => Some(Algorithm::Italian),
            "nl" => Some(Algorithm::Dutch),
            _ => None,
        };
        Analyzer {
            stemmer: algorithm.map(Stemmer::create),
        }
    }

    /// The folded form and stem of one token, `None` when it is too short or too long to index.
    /// Depends on the token alone, so callers may keep the answers of a text's repeated words.
    pub(crate) fn analyze(&self, raw: &str) -> Option<(String, String)> {
        let lower = raw.to_lowercase();
        let folded = fold(&lower);
        let len = folded.chars().count();
        if !(MIN_WORD..=MAX_WORD).contains(&len) {
            return None;
        }
        let stem = match &self.stemmer {
            Some(stemmer) => fold(&stemmer.stem(&lower)),
            None => folded.clone(),
        };
        Some((folded, stem))
    }
}

/// The runs of letters and digits of `text` with their byte offsets, in order: the runs of
/// `char::is_alphanumeric`. This loop sees every byte of every text, so an ASCII byte (most of
/// the text of either language) is classified as a byte, without decoding a `char`.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = loop {
            let (len, alphanumeric) = char_class(text, at)?;
            if alphanumeric {
                break at;
            }
            at += len;
        };
        at = start;
        while let Some((len, true)) = char_class(text, at) {
            at += len;
        }
        Some((start, &text[start..at]))
    })
}

/// The length in bytes of the `char` at byte `at` of `text` (a `char` boundary) and whether it
/// is a letter or digit; `None` at the end of the text.
#[inline]
fn char_class(text: &str, at: usize) -> Option<(usize, bool)> {
    let byte = *text.as_bytes().get(at)?;
    if byte.is_ascii() {
        return Some((1, byte.is_ascii_alphanumeric()));
    }
    let c = text.get(at..)?.chars().next()?;
    // The accented letters of Spanish and the other Latin languages (`À`–`ÿ` but `×` and `÷`)
    // without a search of the Unicode tables.
    let latin_letter = ('\u{C0}'..='\u{FF}').contains(&c) && c != '×' && c != '÷';
    Some((c.len_utf8(), latin_letter || c.is_alphanumeric()))
}

/// Lowercase without diacritics: `Denunció` → `denuncio`, `año` → `ano`.
pub(crate) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One word of a text: its folded surface form, its stem (folded too) and where it starts.
    #[derive(Debug)]
    struct Word {
        folded: String,
        stem: String,
        start: usize,
    }

    /// The indexable words of `text`, in order, as the index sees them.
    fn words(analyzer: &Analyzer, text: &str) -> Vec<Word> {
        tokens(text)
            .filter_map(|(start, raw)| {
                let (folded, stem) = analyzer.analyze(raw)?;
                Some(Word {
                    folded,
                    stem,
                    start,
                })
            })
            .collect()
    }

    fn stems(lang: &str, text: &str) -> Vec<String> {
        let analyzer = Analyzer::new(&Lang::try_from(lang.to_string()).expect("valid code"));
        words(&analyzer, text).into_iter().map(|w| w.stem).collect()
    }

    #[test]
    fn folding_drops_case_and_accents() {
        for (text, folded) in [
            ("Denunció", "denuncio"),
            ("AÑO", "ano"),
            ("pingüino", "pinguino"),
            ("Ética", "etica"),
        ] {
            assert_eq!(fold(text), folded, "{text}");
        }
    }

    #[test]
    fn forms_of_a_word_share_a_stem() {
        let spanish = stems("es", "denuncia denuncias denunciar Denuncias");
        assert!(spanish.iter().all(|s| s == &spanish[0]), "{spanish:?}");
        let english = stems("en", "gifts gift Gifts");
        assert!(english.iter().all(|s| s == "gift"), "{english:?}");
    }

    /// The runs of `char::is_alphanumeric`, found one `char` at a time.
    fn char_runs(text: &str) -> Vec<(usize, &str)> {
        let mut runs = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push((s, &text[s..i]));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }

    #[test]
    fn tokens_are_the_runs_of_letters_and_digits() {
        for text in [
            "",
            "   ",
            "Un código, y ¿regalos?",
            "año2026—ñandú·x",
            "日本語テキスト ok",
            "a\u{301}b ε-δ 𝔘𝔫𝔦 x²³ ٣٤ end",
            "trailing word",
            "¡¿",
        ] {
            assert_eq!(
                tokens(text).collect::<Vec<_>>(),
                char_runs(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_char_is_classified_as_char_is_alphanumeric_says() {
        for c in ('\0'..='\u{3000}').chain(['𝔘', '٣', '日', '\u{FEFF}']) {
            let text = c.to_string();
            assert_eq!(
                char_class(&text, 0),
                Some((c.len_utf8(), c.is_alphanumeric())),
                "{c:?}"
            );
        }
    }

    #[test]
    fn words_keep_their_offsets_and_skip_short_ones() {
        let analyzer = Analyzer::new(&Lang::try_from("es".to_string()).expect("valid code"));
        let words = words(&analyzer, "Un código, y ¿regalos?");
        let found: Vec<(&str, usize)> =
            words.iter().map(|w| (w.folded.as_str(), w.start)).collect();
        assert_eq!(found, [("un", 0), ("codigo", 3), ("regalos", 16)]);
    }
}
