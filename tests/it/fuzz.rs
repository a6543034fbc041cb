//! The fuzz targets on stable: every committed input of `fuzz/corpus/<target>/` and a few
//! thousand generated ones go through the same entry points as `cargo fuzz run <target>`.
//! A panic (or a failed check inside an entry point) fails the test and names the input.

use std::path::Path;

use integridad::fuzzing;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("front_matter", fuzzing::front_matter),
    ("checklist", fuzzing::checklist),
    ("site_toml", fuzzing::site_toml),
    ("markdown", fuzzing::markdown),
    ("request_path", fuzzing::request_path),
];

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn committed_corpus_replays_without_panics() {
    for (target, run) in TARGETS {
        let inputs = corpus(target);
        assert!(inputs.len() >= 5, "too few seeds for `{target}`");
        for (name, bytes) in inputs {
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "fuzz/corpus/{target}/{name} panicked");
        }
    }
}

/// Concatenations of `tokens` and arbitrary short strings: random text alone rarely reaches
/// past a parser's first check, pieces of its syntax do.
fn pieces(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(tokens).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => proptest::collection::vec(any::<u8>(), 0..4)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|parts| parts.concat().into_bytes())
}

/// Runs `target` on `cases` generated inputs; a failure is shrunk to a minimal input.
fn generate(target: Target, strategy: impl Strategy<Value = Vec<u8>>, cases: u32) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |bytes| {
        target(&bytes);
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

const YAML: &[&str] = &[
    "\n",
    " ",
    "  ",
    "- ",
    ": ",
    ":",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "|\n",
    ">\n",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "-1",
    "1e9",
    "0x1F",
    "\\u0000",
    "\t",
    "title",
    "description",
    "weight",
    "slug",
    "draft",
    "date",
    "updated",
    "aliases",
    "sectors",
    "template",
    "toc",
    "2024-02-29",
    "es",
    "en",
    "sections",
    "items",
    "id",
    "question",
    "guidance",
    "risk",
    "high",
    "element",
    "training",
    "references",
    "related",
    "../toolkit/01-codigo.md#sanciones",
    "lic-01",
    "ñ",
    "<<: ",
    "?",
];

const MARKDOWN: &[&str] = &[
    "\n",
    "\n\n",
    " ",
    "    ",
    "#",
    "## ",
    "### ",
    "{#",
    "}",
    ".c",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[^",
    "]:",
    "01-codigo.md",
    "#sanciones",
    "../",
    "./",
    "../checklists/obra.yaml",
    "#lic-01",
    "https://x.org",
    "<",
    ">",
    "</",
    "div",
    "script",
    "span",
    "<!--",
    "-->",
    "=\"",
    "`",
    "```",
    "~~",
    "*",
    "**",
    "_",
    "|",
    "|-|",
    ":-:",
    "- ",
    "1. ",
    "- [ ] ",
    "- [x] ",
    "> ",
    "> [!NOTE]",
    "> [!CAUTION]",
    ": ",
    "\\",
    "&amp;",
    "&#0;",
    "\"",
    "'",
    "--",
    "...",
    "ñ",
    "\u{0}",
    "\r",
    "%20",
    "\t",
];

const TOML: &[&str] = &[
    "\n",
    " ",
    "=",
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    ".",
    "#",
    "title",
    "description",
    "base_url",
    "default_language",
    "theme",
    "languages",
    "name",
    "build",
    "output_dir",
    "links",
    "drafts",
    "markdown",
    "unsafe_html",
    "smart_punctuation",
    "integrity",
    "checksums",
    "\"es\"",
    "\"en\"",
    "es",
    "en",
    "\"https://x.org\"",
    "\"default\"",
    "\"pretty\"",
    "\"files\"",
    "true",
    "false",
    "1",
    "\"\"\"",
    "\\u0000",
];

const URL: &[&str] = &[
    "/",
    "//",
    ".",
    "..",
    "%",
    "%2e",
    "%2E",
    "%2f",
    "%2F",
    "%5c",
    "%00",
    "%0a",
    "%C3",
    "%A9",
    "%ff",
    "%2",
    "\\",
    ":",
    "?",
    "#",
    "a",
    "index.html",
    "en",
    "__integridad",
    "C:",
    "é",
    "\u{0}",
];

#[test]
fn generated_front_matter_never_panics() {
    let documents =
        pieces(YAML, 40).prop_map(|yaml| [b"---\n".to_vec(), yaml, b"\n---\n".to_vec()].concat());
    generate(fuzzing::front_matter, documents, 400);
}

#[test]
fn generated_checklists_never_panic() {
    generate(fuzzing::checklist, pieces(YAML, 60), 400);
}

#[test]
fn generated_site_toml_never_panics() {
    generate(fuzzing::site_toml, pieces(TOML, 60), 600);
}

#[test]
fn generated_markdown_never_panics() {
    let bodies =
        (any::<u8>(), pieces(MARKDOWN, 60)).prop_map(|(flags, body)| [vec![flags], body].concat());
    generate(fuzzing::markdown, bodies, 500);
}

#[test]
fn generated_request_paths_never_panic() {
    generate(fuzzing::request_path, pieces(URL, 20), 2000);
}
