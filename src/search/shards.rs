//! The inverted index of one language and its split into small scripts: terms by prefix
//! (`s-<prefix>`), document titles and links in chunks (`m-<n>`), and each document's text
//! (`t-<n>`), so a query loads only what it needs. Builds bytes; writes nothing itself.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::docs::SearchDoc;
use super::terms::{Analyzer, Word};

/// Largest term shard, in bytes of JSON before compression (about a quarter of that gzipped).
const SHARD_BYTES: usize = 24_000;
/// Shards are never keyed by a longer prefix than this, however many terms share it.
const MAX_PREFIX: usize = 6;
/// A term in more documents than this keeps only its best postings and is marked common: it
/// adds to the score of a result but does not narrow the results.
pub(super) const MAX_POSTINGS: usize = 800;
/// Documents per `m-<n>` chunk of titles and links.
pub(super) const META_CHUNK: usize = 32;

/// How a stem occurs in one document.
#[derive(Debug, Clone, Copy, Default)]
struct Hits {
    title: u32,
    heading: u32,
    body: u32,
    /// 1-based index of the heading nearest the first match (0: the top of the page).
    head: u32,
    /// Whether `head` was set by a match in the heading itself.
    in_heading: bool,
}

impl Hits {
    /// Title, then headings, then body: a title match outweighs any number of body matches,
    /// and repeating a word in a title or heading adds little.
    fn score(&self) -> u32 {
        let title = if self.title > 0 {
            100 + 5 * (self.title.min(3) - 1)
        } else {
            0
        };
        let heading = if self.heading > 0 {
            20 + 5 * (self.heading.min(3) - 1)
        } else {
            0
        };
        title + heading + self.body.min(19)
    }
}

/// One stem's documents: `(doc, score, head)` by document number.
type Postings = Vec<(u32, u32, u32)>;

/// The terms of one language: every folded word with its stem, and every stem's postings.
#[derive(Default)]
pub(super) struct TermIndex {
    surfaces: BTreeMap<String, String>,
    postings: BTreeMap<String, Postings>,
}

impl TermIndex {
    pub(super) fn build(docs: &[SearchDoc], analyzer: &Analyzer) -> Self {
        let mut index = TermIndex::default();
        for (d, doc) in docs.iter().enumerate() {
            let mut hits: HashMap<String, Hits> = HashMap::new();
            for word in analyzer.words(&doc.title) {
                index.note(&mut hits, word).title += 1;
            }
            for word in analyzer.words(&doc.description) {
                index.note(&mut hits, word).body += 1;
            }
            for word in analyzer.words(&doc.text) {
                let section = doc.headings.partition_point(|h| h.offset <= word.start);
                let in_heading = section > 0 && word.start < doc.headings[section - 1].end;
                let hit = index.note(&mut hits, word);
                if in_heading {
                    hit.heading += 1;
                    if !hit.in_heading {
                        hit.head = section as u32;
                        hit.in_heading = true;
                    }
                } else {
                    if hit.heading == 0 && hit.body == 0 {
                        hit.head = section as u32;
                    }
                    hit.body += 1;
                }
            }
            let doc = u32::try_from(d).unwrap_or(u32::MAX);
            for (stem, hit) in hits {
                index
                    .postings
                    .entry(stem)
                    .or_default()
                    .push((doc, hit.score(), hit.head));
            }
        }
        for postings in index.postings.values_mut() {
            postings.sort_unstable();
        }
        index
    }

    /// Records a word's surface form and returns its stem's hits in the current document.
    fn note<'h>(&mut self, hits: &'h mut HashMap<String, Hits>, word: Word) -> &'h mut Hits {
        self.surfaces
            .entry(word.folded)
            .or_insert_with(|| word.stem.clone());
        hits.entry(word.stem).or_default()
    }

    /// The term shards: `(prefix, JSON)` with every shard under `SHARD_BYTES` unless its terms
    /// share a `MAX_PREFIX`-long prefix. A term lives in the shard of the longest prefix of it
    /// that names a shard; that is how the browser finds it.
    pub(super) fn shards(&self) -> Vec<(String, Vec<u8>)> {
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for (surface, stem) in &self.surfaces {
            *sizes.entry(surface).or_default() += surface.len() + stem.len() + 6;
        }
        for (stem, postings) in &self.postings {
            *sizes.entry(stem).or_default() +=
                stem.len() + 6 + 10 * postings.len().min(MAX_POSTINGS);
        }
        let keys: Vec<(&str, usize)> = sizes.into_iter().collect();
        let mut groups = Vec::new();
        split(String::new(), &keys, &mut groups);
        groups
            .into_iter()
            .map(|(prefix, terms)| {
                let json = self.shard_json(&terms);
                (prefix, json)
            })
            .collect()
    }

    fn shard_json(&self, terms: &[&str]) -> Vec<u8> {
        #[derive(Serialize)]
        struct Shard<'a> {
            /// Folded word → its stem ("" when the word is its own stem).
            w: BTreeMap<&'a str, &'a str>,
            /// Stem → flat `[doc delta, score, head, …]`.
            p: BTreeMap<&'a str, Vec<u32>>,
            /// Stems in too many documents to narrow a search (their postings are cut).
            c: Vec<&'a str>,
        }
        let mut shard = Shard {
            w: BTreeMap::new(),
            p: BTreeMap::new(),
            c: Vec::new(),
        };
        for term in terms {
            if let Some(stem) = self.surfaces.get(*term) {
                shard
                    .w
                    .insert(term, if stem == term { "" } else { stem.as_str() });
            }
            if let Some(postings) = self.postings.get(*term) {
                let mut kept = postings.clone();
                if kept.len() > MAX_POSTINGS {
                    kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    kept.truncate(MAX_POSTINGS);
                    kept.sort_unstable();
                    shard.c.push(term);
                }
                let mut flat = Vec::with_capacity(kept.len() * 3);
                let mut last = 0;
                for (doc, score, head) in kept {
                    flat.extend([doc - last, score, head]);
                    last = doc;
                }
                shard.p.insert(term, flat);
            }
        }
        serde_json::to_vec(&shard).expect("maps with string keys serialize")
    }
}

/// Splits sorted `(term, bytes)` that share `prefix` into shards, one per next character while
/// they are too big. The term equal to `prefix` itself stays in the shard named `prefix`.
fn split<'a>(prefix: String, keys: &[(&'a str, usize)], out: &mut Vec<(String, Vec<&'a str>)>) {
    let total: usize = keys.iter().map(|(_, size)| size).sum();
    let depth = prefix.chars().count();
    if total <= SHARD_BYTES || depth >= MAX_PREFIX {
        out.push((prefix, keys.iter().map(|(k, _)| *k).collect()));
        return;
    }
    let mut rest = keys;
    if let Some(((first, _), tail)) = rest.split_first() {
        if *first == prefix {
            out.push((prefix.clone(), vec![*first]));
            rest = tail;
        }
    }
    while let Some(((first, _), _)) = rest.split_first() {
        let next: String = first.chars().take(depth + 1).collect();
        let end = rest.partition_point(|(k, _)| k.starts_with(next.as_str()));
        split(next, &rest[..end], out);
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_groups_split_by_prefix_and_every_term_has_one_shard() {
        let keys: Vec<String> = (0..4000)
            .map(|i| format!("de{i}"))
            .chain(["d".into(), "de".into(), "zeta".into()])
            .collect();
        let mut sorted: Vec<(&str, usize)> = keys.iter().map(|k| (k.as_str(), 40)).collect();
        sorted.sort_unstable();
        let mut shards = Vec::new();
        split(String::new(), &sorted, &mut shards);
        assert!(shards.len() > 4);
        let prefixes: Vec<&str> = shards.iter().map(|(p, _)| p.as_str()).collect();
        for (key, _) in &sorted {
            // The browser's rule: the longest shard prefix of the term.
            let chosen = prefixes
                .iter()
                .filter(|p| key.starts_with(**p))
                .max_by_key(|p| p.len())
                .expect("a shard");
            let (_, terms) = shards.iter().find(|(p, _)| p == chosen).expect("shard");
            assert!(terms.contains(key), "{key} not in shard {chosen}");
        }
        for (prefix, terms) in &shards {
            let size: usize = terms.len() * 40;
            assert!(
                size <= SHARD_BYTES || prefix.chars().count() >= MAX_PREFIX || terms.len() == 1
            );
        }
    }
}
