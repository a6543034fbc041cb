//! The search index of each language, split so that a query loads only what it needs: a small
//! manifest script (`search-index.es.<hash>.js`, setting `self.INTEGRIDAD_SEARCH`) and, in the
//! folder `search-index.es/`, term shards by prefix, chunks of titles and links, and one text per
//! result. Scripts rather than JSON so that search also works from file://, where browsers refuse
//! `fetch`, and under `default-src 'self'`. Words are folded and stemmed here (`terms`); the
//! theme's `search.js` only folds the query and looks its words up.

mod docs;
mod shards;
pub(crate) mod terms;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::lang::Lang;
use crate::markdown::RenderedMarkdown;
use crate::output::hashed_name;
use crate::output::OutputSink;
use crate::site::Site;

/// Longest body text kept per page: enough for matching and snippets, small enough for phones.
pub(crate) const MAX_TEXT: usize = 6000;

/// How the manifest of an index is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    /// With a content hash (as every file it names has), so that mirrors and browsers may cache
    /// it forever.
    Hashed,
    /// `search-index.<lang>.js`: in the dev server, where nothing is cached, a name that does not
    /// change with every edit keeps the pages that load it unchanged too.
    Fixed,
}

/// Writes the index of every language and returns each manifest's output path.
pub(crate) fn write_search_indexes(
    site: &Site,
    rendered: &[&RenderedMarkdown],
    naming: Naming,
    sink: &dyn OutputSink,
) -> anyhow::Result<BTreeMap<Lang, String>> {
    let mut indexes = BTreeMap::new();
    for language in &site.config.languages {
        let lang = &language.lang;
        let docs = docs::collect_docs(site, rendered, lang);
        let name = write_index(lang, &docs, naming, sink)?;
        indexes.insert(lang.clone(), name);
    }
    Ok(indexes)
}

/// The manifest names of `Naming::Fixed`, known before any index is made.
pub(crate) fn fixed_names(site: &Site) -> BTreeMap<Lang, String> {
    site.config
        .languages
        .iter()
        .map(|l| (l.lang.clone(), fixed_name(&l.lang)))
        .collect()
}

fn fixed_name(lang: &Lang) -> String {
    format!("search-index.{lang}.js")
}

/// The manifest that the search page loads first; it names every other file of the index.
#[derive(Serialize)]
struct Manifest<'a> {
    lang: &'a str,
    /// Number of documents.
    count: usize,
    /// Folder of the other files, relative to the site root.
    dir: String,
    /// Term prefix → shard file.
    shards: BTreeMap<String, String>,
    /// Files of titles and links, `chunk` documents each.
    meta: Vec<String>,
    chunk: usize,
}

fn write_index(
    lang: &Lang,
    docs: &[docs::SearchDoc],
    naming: Naming,
    sink: &dyn OutputSink,
) -> anyhow::Result<String> {
    let dir = format!("search-index.{lang}");
    // The terms and the texts need nothing of each other: made side by side, the steps of one
    // that use a single core (merging the parts, splitting the shards) leave the other cores to
    // the other.
    let (shards, meta) = rayon::join(
        || write_shards(sink, &dir, lang, docs),
        || write_metas(sink, &dir, lang, docs),
    );
    let manifest = Manifest {
        lang: lang.as_str(),
        count: docs.len(),
        dir: format!("{dir}/"),
        shards: shards?,
        meta: meta?,
        chunk: shards::META_CHUNK,
    };
    let mut script = b"self.INTEGRIDAD_SEARCH = ".to_vec();
    serde_json::to_writer(&mut script, &manifest)?;
    script.extend_from_slice(b";\n");
    let name = match naming {
        Naming::Hashed => hashed_name(&format!("search-index.{lang}.js"), &script),
        Naming::Fixed => fixed_name(lang),
    };
    sink.write(&name, &script)?;
    Ok(name)
}

/// Analyses the documents' words and writes the term shards; returns each shard's prefix and
/// file.
fn write_shards(
    sink: &dyn OutputSink,
    dir: &str,
    lang: &Lang,
    docs: &[docs::SearchDoc],
) -> anyhow::Result<BTreeMap<String, String>> {
    let index = shards::TermIndex::build(docs, &terms::Analyzer::new(lang));
    index
        .shards()
        .map(|(prefix, shard)| {
            let file = write_part(sink, dir, lang, &format!("s-{}", file_key(&prefix)), &shard)?;
            Ok((prefix, file))
        })
        .collect()
}

/// Writes the text file of every result and the chunks of titles and links; returns the
/// chunks' files in order. The texts are one file per result: written from every core, as
/// pages are.
fn write_metas(
    sink: &dyn OutputSink,
    dir: &str,
    lang: &Lang,
    docs: &[docs::SearchDoc],
) -> anyhow::Result<Vec<String>> {
    docs.par_chunks(shards::META_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let entries = meta_chunk(sink, dir, lang, n, chunk)?;
            write_part(sink, dir, lang, &format!("m-{n}"), &entries)
        })
        .collect()
}

/// One result in a chunk of titles and links: title, link, section, text file and heading ids.
type MetaEntry<'a> = (&'a str, &'a str, &'a str, String, Vec<&'a str>);

/// Writes the text file of each result of chunk `n` (`chunk`); returns the chunk's list of
/// titles, links, sections, text files and heading ids.
fn meta_chunk<'a>(
    sink: &dyn OutputSink,
    dir: &str,
    lang: &Lang,
    n: usize,
    chunk: &'a [docs::SearchDoc<'_>],
) -> anyhow::Result<Vec<MetaEntry<'a>>> {
    let mut entries = Vec::with_capacity(chunk.len());
    for (k, doc) in chunk.iter().enumerate() {
        let id = n * shards::META_CHUNK + k;
        let file = write_part(sink, dir, lang, &format!("t-{id}"), &doc_text(doc))?;
        // Title, link, section, text file and heading ids: enough to list the result and
        // link it to its heading before its text (for the excerpt) has arrived.
        let heads: Vec<&str> = doc.headings.iter().map(|h| h.id.as_str()).collect();
        entries.push((
            doc.title.as_str(),
            doc.url.as_str(),
            doc.section.as_str(),
            file,
            heads,
        ));
    }
    Ok(entries)
}

/// Writes one part of the index as a script that files `json` under `<lang>/<key>` in
/// `self.INTEGRIDAD_SEARCH_PARTS`; returns its file name within the index folder. The JSON is
/// written straight into the script: the texts are most of the index's bytes.
fn write_part(
    sink: &dyn OutputSink,
    dir: &str,
    lang: &Lang,
    key: &str,
    json: &impl Serialize,
) -> anyhow::Result<String> {
    let mut script = format!(
        "(self.INTEGRIDAD_SEARCH_PARTS=self.INTEGRIDAD_SEARCH_PARTS||{{}})[\"{lang}/{key}\"]="
    )
    .into_bytes();
    serde_json::to_writer(&mut script, json)?;
    script.extend_from_slice(b";\n");
    let file = hashed_name(&format!("{key}.js"), &script);
    sink.write(&format!("{dir}/{file}"), &script)?;
    Ok(file)
}

/// The text of one result: description, body, and each heading's id and where it starts in the
/// body.
#[derive(Serialize)]
struct Text<'a> {
    d: &'a str,
    b: &'a str,
    /// Heading id and offset in `b`, counted in UTF-16 code units as JavaScript strings are.
    h: Vec<(&'a str, usize)>,
}

/// The text of `doc`. Headings come in text order, so each count of UTF-16 units goes on from
/// the one before instead of from the start of the body.
fn doc_text<'a>(doc: &'a docs::SearchDoc) -> Text<'a> {
    let mut h = Vec::with_capacity(doc.headings.len());
    // Byte offset of the last heading counted and its UTF-16 offset.
    let mut counted = (0, 0);
    for heading in &doc.headings {
        let Some(before) = doc.text.get(..heading.offset) else {
            continue;
        };
        let (from, units) = if heading.offset >= counted.0 {
            counted
        } else {
            (0, 0)
        };
        let units = units + utf16_len(before.get(from..).unwrap_or_default());
        counted = (heading.offset, units);
        h.push((heading.id.as_str(), units));
    }
    Text {
        d: &doc.description,
        b: &doc.text,
        h,
    }
}

/// The length of `text` in UTF-16 code units: one per character, two for a character outside
/// the Basic Multilingual Plane (four bytes in UTF-8). Both counts run over bytes, not decoded
/// characters.
fn utf16_len(text: &str) -> usize {
    text.chars().count() + text.bytes().filter(|&b| b >= 0xF0).count()
}

/// A shard prefix as part of a file name: ASCII letters and digits as they are, any other
/// character as `_` and its code point in hex, and the empty prefix as `_`.
fn file_key(prefix: &str) -> String {
    if prefix.is_empty() {
        return "_".to_string();
    }
    prefix
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c.to_string()
            } else {
                format!("_{:x}", u32::from(c))
            }
        })
        .collect()
}

pub(crate) fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_match_javascript() {
        for text in ["", "abc", "año", "€ y ñ", "𝔘𝔫𝔦 code", "日本語", "a\u{301}"] {
            assert_eq!(utf16_len(text), text.encode_utf16().count(), "{text}");
        }
    }

    #[test]
    fn file_keys_are_plain_ascii() {
        assert_eq!(file_key(""), "_");
        assert_eq!(file_key("de"), "de");
        assert_eq!(file_key("ßx"), "_dfx");
    }
}
