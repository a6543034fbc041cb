//! The inverted index of one language and its split into small scripts: terms by prefix
//! (`s-<prefix>`), document titles and links in chunks (`m-<n>`), and each document's text
//! (`t-<n>`), so a query loads only what it needs. Builds the shards; writes nothing itself.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::docs::SearchDoc;
use rayon::prelude::*;

use super::terms::{self, Analyzer};

/// Largest term shard, in bytes of JSON before compression (about a quarter of that gzipped).
const SHARD_BYTES: usize = 24_000;
/// Shards are never keyed by a longer prefix than this, however many terms share it.
const MAX_PREFIX: usize = 6;
/// A term in more documents than this keeps only its best postings and is marked common: it
/// adds to the score of a result but does not narrow the results.
pub(super) const MAX_POSTINGS: usize = 800;
/// Documents per `m-<n>` chunk of titles and links.
pub(super) const META_CHUNK: usize = 32;
/// Parts the documents are analysed in: several per core, so that cores finishing early take
/// another; few, so that each part's vocabulary answers most of its words.
const PARTS: usize = 16;

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
    /// Stem → its postings in runs of consecutive documents (one run per part that has the
    /// stem), in document order: the parts' vectors are kept, not copied into one.
    postings: BTreeMap<String, Vec<Postings>>,
}

impl TermIndex {
    /// Analyses the documents in parts, one per task of the thread pool, and merges the parts in
    /// document order: the same index as one pass over every document, on every core.
    pub(super) fn build(docs: &[SearchDoc], analyzer: &Analyzer) -> Self {
        let size = docs.len().div_ceil(PARTS).max(1);
        let parts: Vec<Part> = docs
            .par_chunks(size)
            .enumerate()
            .map(|(n, docs)| Part::build(n * size, docs, analyzer))
            .collect();
        Self::from_parts(parts)
    }

    /// The index of the documents of `parts`, given in document order.
    fn from_parts(parts: Vec<Part>) -> Self {
        let mut index = TermIndex::default();
        for part in parts {
            index.merge(part);
        }
        index
    }

    /// Adds a part analysed after every part merged so far. A folded word keeps the stem of its
    /// first occurrence, as in one pass.
    fn merge(&mut self, part: Part) {
        for (folded, stem) in part.surfaces {
            self.surfaces
                .entry(folded)
                .or_insert_with(|| part.stems[stem as usize].clone());
        }
        for (stem, postings) in part.stems.into_iter().zip(part.postings) {
            self.postings.entry(stem).or_default().push(postings);
        }
    }

    /// The term shards: `(prefix, shard)` with every shard under `SHARD_BYTES` unless its terms
    /// share a `MAX_PREFIX`-long prefix. A term lives in the shard of the longest prefix of it
    /// that names a shard; that is how the browser finds it.
    /// Each shard is made as the caller takes it, on any core, so they are not all in memory at
    /// once; collected, they come in prefix order.
    pub(super) fn shards(&self) -> impl IndexedParallelIterator<Item = (String, Shard<'_>)> {
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for (surface, stem) in &self.surfaces {
            *sizes.entry(surface).or_default() += surface.len() + stem.len() + 6;
        }
        for (stem, runs) in &self.postings {
            let count: usize = runs.iter().map(Vec::len).sum();
            *sizes.entry(stem).or_default() += stem.len() + 6 + 10 * count.min(MAX_POSTINGS);
        }
        let keys: Vec<(&str, usize)> = sizes.into_iter().collect();
        let mut groups = Vec::new();
        split(String::new(), &keys, &mut groups);
        groups.into_par_iter().map(|(prefix, terms)| {
            let shard = self.shard(&terms);
            (prefix, shard)
        })
    }

    fn shard<'a>(&'a self, terms: &[&'a str]) -> Shard<'a> {
        let mut shard = Shard {
            w: BTreeMap::new(),
            p: BTreeMap::new(),
            c: Vec::new(),
        };
        for &term in terms {
            if let Some(stem) = self.surfaces.get(term) {
                shard
                    .w
                    .insert(term, if stem == term { "" } else { stem.as_str() });
            }
            if let Some(runs) = self.postings.get(term) {
                let count: usize = runs.iter().map(Vec::len).sum();
                let flat = if count > MAX_POSTINGS {
                    shard.c.push(term);
                    Flat::Best(Cut::of(runs), runs)
                } else {
                    Flat::All(count, runs)
                };
                shard.p.insert(term, flat);
            }
        }
        shard
    }
}

/// One term shard, as its JSON says it.
#[derive(Serialize)]
pub(super) struct Shard<'a> {
    /// Folded word → its stem ("" when the word is its own stem).
    w: BTreeMap<&'a str, &'a str>,
    /// Stem → flat `[doc delta, score, head, …]`.
    p: BTreeMap<&'a str, Flat<'a>>,
    /// Stems in too many documents to narrow a search (their postings are cut).
    c: Vec<&'a str>,
}

/// Which of a common stem's postings are kept: the `MAX_POSTINGS` of highest score, the first
/// documents among equals. Scores are small numbers (`Hits::score`), so the lowest score kept
/// is found by counting, and the postings are neither copied nor sorted.
#[derive(Debug, Clone, Copy)]
struct Cut {
    /// Postings scoring more than this are kept…
    score: u32,
    /// …and this many of those scoring exactly `score`, the first ones in document order.
    ties: usize,
}

impl Cut {
    /// The cut of a stem's postings (`runs`, in document order). Counts one slot per score up
    /// to the highest, which `Hits::score` keeps under 160.
    fn of(runs: &[Postings]) -> Cut {
        let max = runs.iter().flatten().map(|p| p.1).max().unwrap_or(0);
        let mut counts = vec![0usize; max as usize + 1];
        for posting in runs.iter().flatten() {
            counts[posting.1 as usize] += 1;
        }
        let mut above = 0;
        for score in (0..=max).rev() {
            let count = counts[score as usize];
            if above + count >= MAX_POSTINGS {
                return Cut {
                    score,
                    ties: MAX_POSTINGS - above,
                };
            }
            above += count;
        }
        Cut {
            score: 0,
            ties: usize::MAX,
        }
    }

    /// The postings kept, in document order.
    fn kept(self, runs: &[Postings]) -> impl Iterator<Item = &(u32, u32, u32)> {
        let mut ties = self.ties;
        runs.iter().flatten().filter(move |posting| {
            let tie = posting.1 == self.score && ties > 0;
            if tie {
                ties -= 1;
            }
            posting.1 > self.score || tie
        })
    }
}

/// A stem's postings in document order, written as the flat `[doc delta, score, head, …]` of
/// a shard straight from where they are, not copied into one list first.
enum Flat<'a> {
    /// All of them (how many, and the runs the parts left).
    All(usize, &'a [Postings]),
    /// The best of a common stem's.
    Best(Cut, &'a [Postings]),
}

impl Serialize for Flat<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Flat::All(count, runs) => serialize_flat(serializer, *count, runs.iter().flatten()),
            Flat::Best(cut, runs) => serialize_flat(serializer, MAX_POSTINGS, cut.kept(runs)),
        }
    }
}

fn serialize_flat<'p, S: serde::Serializer>(
    serializer: S,
    count: usize,
    postings: impl Iterator<Item = &'p (u32, u32, u32)>,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq as _;
    let mut seq = serializer.serialize_seq(Some(count * 3))?;
    let mut last = 0;
    for &(doc, score, head) in postings {
        seq.serialize_element(&(doc - last))?;
        seq.serialize_element(&score)?;
        seq.serialize_element(&head)?;
        last = doc;
    }
    seq.end()
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

/// The analysis of consecutive documents: their stems, folded words and postings.
struct Part {
    /// Stem number → stem.
    stems: Vec<String>,
    /// Each folded word with the stem of its first occurrence, in order of first occurrence.
    surfaces: Vec<(String, u32)>,
    /// Parallel to `stems`: the documents of the part that hold the stem, in order.
    postings: Vec<Postings>,
}

impl Part {
    /// Analyses `docs`, whose first document is number `first` of the language.
    fn build(first: usize, docs: &[SearchDoc], analyzer: &Analyzer) -> Part {
        let mut vocab = Vocab::default();
        let mut postings: Vec<Postings> = Vec::new();
        let mut hits = DocHits::default();
        for (d, doc) in docs.iter().enumerate() {
            for (_, raw) in terms::tokens(&doc.title) {
                if let Some(stem) = vocab.stem_of(raw, analyzer) {
                    hits.of(stem).title += 1;
                }
            }
            for (_, raw) in terms::tokens(&doc.description) {
                if let Some(stem) = vocab.stem_of(raw, analyzer) {
                    hits.of(stem).body += 1;
                }
            }
            // Number of headings that start at or before the current word: words come in text
            // order, so it only moves forward.
            let mut section = 0;
            for (start, raw) in terms::tokens(&doc.text) {
                let Some(stem) = vocab.stem_of(raw, analyzer) else {
                    continue;
                };
                while doc.headings.get(section).is_some_and(|h| h.offset <= start) {
                    section += 1;
                }
                let in_heading = section > 0 && start < doc.headings[section - 1].end;
                let hit = hits.of(stem);
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
            let doc = u32::try_from(first + d).unwrap_or(u32::MAX);
            postings.resize_with(vocab.stems.len(), Vec::new);
            for (stem, hit) in hits.drain() {
                postings[stem as usize].push((doc, hit.score(), hit.head));
            }
        }
        for run in &mut postings {
            run.shrink_to_fit();
        }
        // The lookup tables go now: every part is kept until all are done.
        Part {
            stems: vocab.stems,
            surfaces: vocab.surfaces,
            postings,
        }
    }
}

/// The words met so far: each distinct token is folded and stemmed once (that is most of the
/// index's work, and texts repeat their words).
#[derive(Default)]
struct Vocab<'a> {
    /// Token as written → its stem number, `None` when it is not indexed. Looked up for every
    /// word of every text, so hashed with foldhash (a fraction of SipHash's cost on short keys,
    /// still seeded per process); only its lookups matter, never its order. The tokens are
    /// borrowed from the documents' texts: none is copied.
    tokens: foldhash::HashMap<&'a str, Option<u32>>,
    /// Folded words already in `surfaces`.
    folded: HashSet<String>,
    /// Stem number → stem.
    stems: Vec<String>,
    stem_ids: HashMap<String, u32>,
    /// Each folded word with the stem of its first occurrence, in order of first occurrence.
    surfaces: Vec<(String, u32)>,
}

impl<'a> Vocab<'a> {
    /// The stem number of a token, analysing it on its first occurrence.
    fn stem_of(&mut self, raw: &'a str, analyzer: &Analyzer) -> Option<u32> {
        if let Some(known) = self.tokens.get(raw) {
            return *known;
        }
        let stem = self.analyze(raw, analyzer);
        self.tokens.insert(raw, stem);
        stem
    }

    /// Folds and stems a token met for the first time; a folded word first met here is
    /// recorded with this stem.
    fn analyze(&mut self, raw: &str, analyzer: &Analyzer) -> Option<u32> {
        let (folded, stem) = analyzer.analyze(raw)?;
        let id = match self.stem_ids.get(&stem) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.stems.len()).unwrap_or(u32::MAX);
                self.stems.push(stem.clone());
                self.stem_ids.insert(stem, id);
                id
            }
        };
        if !self.folded.contains(&folded) {
            self.folded.insert(folded.clone());
            self.surfaces.push((folded, id));
        }
        Some(id)
    }
}

/// How each stem occurs in the current document, by stem number.
#[derive(Default)]
struct DocHits {
    /// Stem number → position in `hits`, `NONE` when the stem is not in the document yet.
    slot: Vec<u32>,
    hits: Vec<(u32, Hits)>,
}

impl DocHits {
    const NONE: u32 = u32::MAX;

    fn of(&mut self, stem: u32) -> &mut Hits {
        let s = stem as usize;
        if self.slot.len() <= s {
            self.slot.resize(s + 1, Self::NONE);
        }
        if self.slot[s] == Self::NONE {
            self.slot[s] = u32::try_from(self.hits.len()).unwrap_or(Self::NONE);
            self.hits.push((stem, Hits::default()));
        }
        let at = self.slot[s] as usize;
        &mut self.hits[at].1
    }

    /// The document's stems and hits; leaves it empty for the next document.
    fn drain(&mut self) -> impl Iterator<Item = (u32, Hits)> + '_ {
        for (stem, _) in &self.hits {
            self.slot[*stem as usize] = Self::NONE;
        }
        self.hits.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_built_in_parts_equals_one_built_in_one_pass() {
        use crate::lang::Lang;
        use crate::markdown::TextHeading;
        let analyzer = Analyzer::new(&Lang::try_from("es".to_string()).expect("valid code"));
        let words = [
            "regalos", "Regalo", "regalar", "año", "ANO", "niño", "Denuncia",
        ];
        let docs: Vec<SearchDoc<'_>> = (0..200)
            .map(|i| {
                let text = format!(
                    "Sección {} {}. Texto {} y {} del {i}",
                    words[i % 7],
                    words[(i / 7) % 7],
                    words[(i * 3) % 7],
                    words[(i / 3) % 7]
                );
                SearchDoc {
                    title: format!("{} {i}", words[(i / 11) % 7]),
                    url: format!("p{i}/"),
                    section: String::new(),
                    description: words[(i / 5) % 7].to_string(),
                    headings: vec![TextHeading {
                        id: "s".into(),
                        offset: 0,
                        end: text.find('.').unwrap_or(0),
                    }],
                    text: std::borrow::Cow::Owned(text),
                }
            })
            .collect();
        let parts = TermIndex::build(&docs, &analyzer);
        let one_pass = TermIndex::from_parts(vec![Part::build(0, &docs, &analyzer)]);
        assert!(docs.len() > PARTS, "more than one part");
        assert_eq!(parts.surfaces, one_pass.surfaces);
        let flat = |index: &TermIndex| -> BTreeMap<String, Postings> {
            let runs = index.postings.iter();
            runs.map(|(stem, runs)| (stem.clone(), runs.concat()))
                .collect()
        };
        assert_eq!(flat(&parts), flat(&one_pass));
        let shards = |index: &TermIndex| -> Vec<(String, Vec<u8>)> {
            let shards = index.shards().map(|(prefix, shard)| {
                let json = serde_json::to_vec(&shard).expect("maps with string keys serialize");
                (prefix, json)
            });
            shards.collect()
        };
        assert_eq!(shards(&parts), shards(&one_pass));
        let most = flat(&one_pass).values().map(Vec::len).max();
        assert_eq!(most, Some(200));
        for postings in flat(&parts).values() {
            assert!(
                postings.windows(2).all(|w| w[0].0 < w[1].0),
                "in document order"
            );
        }
    }

    #[test]
    fn best_postings_are_the_top_scores_with_the_first_documents_among_equals() {
        // Scores with many ties, over runs as the parts leave them.
        let all: Postings = (0..3000u32).map(|d| (d, (d * 7919) % 13, d % 5)).collect();
        let runs: Vec<Postings> = all.chunks(700).map(<[_]>::to_vec).collect();
        let mut expected = all.clone();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        expected.truncate(MAX_POSTINGS);
        expected.sort_unstable();
        let kept = |runs: &[Postings]| -> Postings { Cut::of(runs).kept(runs).copied().collect() };
        assert_eq!(kept(&runs), expected);
        assert_eq!(kept(&runs[..1]), runs[0]);
        let one_score: Vec<Postings> = vec![(0..900).map(|d| (d, 7, 0)).collect()];
        assert_eq!(kept(&one_score), one_score[0][..MAX_POSTINGS]);
    }

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
