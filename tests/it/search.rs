//! The split search index (issue 14): a manifest per language naming term shards, title chunks
//! and result texts that all exist; words folded and stemmed; checklist items as results; and
//! every language complete: a 404 page each, absolute hreflang and sitemap URLs, Open Graph tags,
//! and a language switcher that never leads to a missing file.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::harness::SiteTest;

/// The JSON of an index script (`self.X = {…};` or `(…)["key"]={…};`).
fn script_json(text: &str) -> Value {
    let start = if text.starts_with('(') {
        text.find("]=").expect("a part assignment") + 2
    } else {
        text.find(" = ").expect("the manifest assignment") + 3
    };
    let end = text.trim_end().strip_suffix(';').expect("ends with ;");
    serde_json::from_str(&end[start..]).expect("valid JSON")
}

/// The manifest and every part of one language's index, parts keyed by file name.
struct Index {
    manifest: Value,
    parts: BTreeMap<String, Value>,
}

fn index(site: &SiteTest, lang: &str) -> Index {
    let files = site.tree("public");
    let (_, manifest) = files
        .iter()
        .find(|(name, _)| {
            name.starts_with(&format!("search-index.{lang}.")) && name.ends_with(".js")
        })
        .expect("a manifest");
    let manifest = script_json(&String::from_utf8_lossy(manifest));
    let dir = manifest["dir"].as_str().unwrap().to_string();
    let parts = files
        .iter()
        .filter_map(|(name, bytes)| {
            let file = name.strip_prefix(&dir)?;
            Some((
                file.to_string(),
                script_json(&String::from_utf8_lossy(bytes)),
            ))
        })
        .collect();
    Index { manifest, parts }
}

impl Index {
    /// The shard a term lives in: the one keyed by the longest prefix of the term.
    fn shard_of(&self, term: &str) -> &Value {
        let shards = self.manifest["shards"].as_object().unwrap();
        let key = shards
            .keys()
            .filter(|k| term.starts_with(k.as_str()))
            .max_by_key(|k| k.len())
            .expect("a shard for every term");
        &self.parts[shards[key].as_str().unwrap()]
    }

    fn stem_of(&self, word: &str) -> Option<String> {
        let stem = self.shard_of(word)["w"].get(word)?.as_str()?;
        Some(if stem.is_empty() { word } else { stem }.to_string())
    }

    /// Titles and URLs of the documents a stem occurs in, best first.
    fn documents(&self, stem: &str) -> Vec<(String, String, u64)> {
        let flat = self.shard_of(stem)["p"][stem]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let chunk = self.manifest["chunk"].as_u64().unwrap() as usize;
        let meta = self.manifest["meta"].as_array().unwrap();
        let mut out = Vec::new();
        let mut doc = 0;
        for triple in flat.chunks(3) {
            doc += triple[0].as_u64().unwrap() as usize;
            let entry = &self.parts[meta[doc / chunk].as_str().unwrap()][doc % chunk];
            out.push((
                entry[0].as_str().unwrap().to_string(),
                entry[1].as_str().unwrap().to_string(),
                triple[1].as_u64().unwrap(),
            ));
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.2));
        out
    }
}

fn basic() -> SiteTest {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-denuncias.md",
        "---\ntitle: Denunciar sin miedo\n---\n## Canales de denuncia\n\nLas denuncias llegan cada año. Se denunció un regalo.\n\n## Otro apartado\n\nTexto sin relación.\n",
    );
    site.build().ok();
    site
}

#[test]
fn manifest_names_shards_chunks_and_texts_that_exist() {
    let site = basic();
    for lang in ["es", "en"] {
        let index = index(&site, lang);
        let count = index.manifest["count"].as_u64().unwrap() as usize;
        let chunk = index.manifest["chunk"].as_u64().unwrap() as usize;
        let meta = index.manifest["meta"].as_array().unwrap();
        assert_eq!(meta.len(), count.div_ceil(chunk));
        let mut texts = 0;
        for file in meta {
            for entry in index.parts[file.as_str().unwrap()].as_array().unwrap() {
                assert!(
                    index.parts.contains_key(entry[3].as_str().unwrap()),
                    "{entry}"
                );
                texts += 1;
            }
        }
        assert_eq!(texts, count);
        for file in index.manifest["shards"].as_object().unwrap().values() {
            assert!(index.parts.contains_key(file.as_str().unwrap()), "{file}");
        }
        // Nothing else in the folder: every part is reachable from the manifest.
        assert_eq!(
            index.parts.len(),
            count + meta.len() + index.manifest["shards"].as_object().unwrap().len()
        );
    }
}

#[test]
fn forms_of_a_word_share_a_stem_and_accents_and_enye_fold() {
    let site = basic();
    let index = index(&site, "es");
    let stem = index.stem_of("denuncias").expect("denuncias is indexed");
    assert_eq!(index.stem_of("denunciar").as_deref(), Some(stem.as_str()));
    // "denunció" and "año" are found as the reader types them without accents or ñ.
    assert!(index.stem_of("denuncio").is_some());
    assert!(index.stem_of("ano").is_some());
    assert!(index.stem_of("año").is_none());
    let docs = index.documents(&stem);
    assert_eq!(docs[0].0, "Denunciar sin miedo", "{docs:?}");
    assert!(index.stem_of("regalo").is_some());
}

#[test]
fn matches_link_to_their_heading_and_title_outranks_body() {
    let site = basic();
    let index = index(&site, "es");
    let shard = index.shard_of("canal");
    let stem = index.stem_of("canales").unwrap();
    let flat = shard["p"][&stem].as_array().unwrap();
    assert_eq!(flat.len(), 3, "one document: {flat:?}");
    // Head 1: the first heading of the page, "Canales de denuncia" (a heading match).
    assert_eq!(flat[2], 1);
    let doc = flat[0].as_u64().unwrap() as usize;
    let chunk = index.manifest["chunk"].as_u64().unwrap() as usize;
    let meta = &index.parts[index.manifest["meta"][doc / chunk].as_str().unwrap()][doc % chunk];
    let text = &index.parts[meta[3].as_str().unwrap()];
    assert_eq!(text["h"][0][0], "canales-de-denuncia");
    let body = text["b"].as_str().unwrap();
    let offset = text["h"][0][1].as_u64().unwrap() as usize;
    let from: String = body
        .encode_utf16()
        .skip(offset)
        .take(7)
        .map(|u| char::from_u32(u.into()).unwrap())
        .collect();
    assert_eq!(from, "Canales");
    // Title (100+) beats heading (20+) beats body.
    let scores: Vec<u64> = index
        .documents(&index.stem_of("denuncias").unwrap())
        .iter()
        .map(|d| d.2)
        .collect();
    assert!(scores[0] >= 100, "{scores:?}");
}

#[test]
fn checklist_items_are_results_linking_to_their_question() {
    let site = basic();
    for (lang, word, url) in [
        ("es", "firmas", "checklists/obra/#lic-01"),
        ("en", "signatures", "en/checklists/obra/#lic-01"),
    ] {
        let index = index(&site, lang);
        let stem = index.stem_of(word).unwrap();
        let docs = index.documents(&stem);
        assert!(docs.iter().any(|(_, u, _)| u == url), "{lang}: {docs:?}");
    }
}

#[test]
fn index_is_deterministic_and_small_shards() {
    let site = basic();
    let first = site.tree("public");
    site.build().ok();
    assert!(first == site.tree("public"), "a second build differs");
    for (name, bytes) in &first {
        if name.contains("/s-") {
            assert!(bytes.len() < 40_000, "{name}: {} bytes", bytes.len());
        }
    }
}

#[test]
fn every_language_has_its_404_page() {
    let site = basic();
    let es = site.out("404.html");
    let en = site.out("en/404.html");
    assert!(es.contains("<html lang=\"es\""), "{es}");
    assert!(en.contains("<html lang=\"en\""), "{en}");
}

#[test]
fn bundled_site_heads_carry_absolute_alternates_and_open_graph() {
    let site = SiteTest::bundled();
    site.build().ok();
    let base = "https://";
    for rel in [
        "toolkit/denuncias/index.html",
        "en/toolkit/speaking-up/index.html",
        "search/index.html",
        "en/checklists/health/index.html",
    ] {
        let html = site.out(rel);
        let alternates: Vec<&str> = html
            .split("<link rel=\"alternate\" hreflang=\"")
            .skip(1)
            .collect();
        assert!(
            alternates.len() >= 3,
            "{rel}: es, en and x-default alternates"
        );
        for alt in alternates {
            let href = alt.split("href=\"").nth(1).unwrap();
            assert!(href.starts_with(base), "{rel}: relative hreflang {alt}");
        }
        for property in [
            "og:title",
            "og:description",
            "og:url",
            "og:locale",
            "og:locale:alternate",
        ] {
            assert!(
                html.contains(&format!("<meta property=\"{property}\" content=\"")),
                "{rel}: no {property}"
            );
        }
        let og_url = html
            .split("<meta property=\"og:url\" content=\"")
            .nth(1)
            .unwrap();
        assert!(og_url.starts_with(base), "{rel}: og:url {og_url}");
    }
    assert!(site
        .out("en/toolkit/speaking-up/index.html")
        .contains("<meta property=\"og:locale\" content=\"en_US\">"));
    assert!(site
        .out("en/toolkit/speaking-up/index.html")
        .contains("<meta property=\"og:locale:alternate\" content=\"es_MX\">"));
    let sitemap = site.out("sitemap.xml");
    for loc in sitemap
        .split("<loc>")
        .skip(1)
        .chain(sitemap.split("href=\"").skip(1))
    {
        assert!(
            loc.starts_with(base),
            "relative URL in the sitemap: {}",
            &loc[..40.min(loc.len())]
        );
    }
}

/// Resolves a link of the language switcher of `page` (an output path) to an output file.
fn switcher_target(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = if href.starts_with('/') {
        Vec::new()
    } else {
        page.split('/').collect::<Vec<_>>()[..page.matches('/').count()].to_vec()
    };
    for piece in href.split('#').next().unwrap().split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut path = parts.join("/");
    if href.split('#').next().unwrap().ends_with('/') || path.is_empty() {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    path
}

#[test]
fn language_switcher_never_leads_to_a_missing_page() {
    let site = SiteTest::bundled();
    site.build().ok();
    let files = site.tree("public");
    let names: std::collections::BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut checked = 0;
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let Some(nav) = html.split("<nav class=\"lang-switch\"").nth(1) else {
            continue;
        };
        let nav = nav.split("</nav>").next().unwrap();
        for href in nav
            .split("href=\"")
            .skip(1)
            .map(|p| &p[..p.find('"').unwrap()])
        {
            let target = switcher_target(name, href);
            assert!(
                names.contains(target.as_str()),
                "{name}: switcher link {href} → missing {target}"
            );
            assert!(
                !target.ends_with("404.html"),
                "{name}: switcher leads to a 404 page"
            );
            checked += 1;
        }
    }
    // Search, checklists and both 404 pages are among the pages checked.
    for page in [
        "search/index.html",
        "en/search/index.html",
        "checklists/health/index.html",
        "404.html",
        "en/404.html",
    ] {
        assert!(
            files
                .iter()
                .any(|(n, b)| n == page && String::from_utf8_lossy(b).contains("lang-switch")),
            "{page}"
        );
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn a_page_cannot_take_the_folder_of_the_search_index() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/x.md",
        "---\ntitle: X\nslug: search-index.es\n---\nx\n",
    );
    site.build().fails(1).stderr_has(
        "error: this page would be written to `search-index.es/index.html`, but `search-index.es` is the search index\n --> content/x.md:1:1",
    );
}
