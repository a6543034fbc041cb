//! Validation of checklist files: each problem's message and position, and the model of a
//! valid file.

use std::path::Path;

use super::*;
use crate::diagnostics::Severity;

const VALID: &str = "\
title: { es: Construcción, en: Construction }
description: { es: \"Para **obras**\", en: \"For **builders**\" }
weight: 3
related: [../toolkit/05-riesgos.md, ../toolkit/07-denuncias.md#canales]
sections:
  - id: licitaciones
    title: { es: Licitaciones, en: Tenders }
    items:
      - id: lic-01
        question: { es: \"¿Hay reglas?\", en: \"Are there rules?\" }
        guidance: { es: Texto, en: Text }
        risk: high
        element: whistleblowing
        references: [\"LGRA art. 25\", ../toolkit/06-denuncias.md, https://dof.gob.mx/x]
      - id: lic-02
        question: { es: \"¿Otra?\", en: \"Another?\" }
        risk: low
";

fn langs(codes: &[&str]) -> Vec<Lang> {
    codes.iter().map(|c| Lang::try_from(*c).unwrap()).collect()
}

/// Parses `text` as `content/checklists/obra.yaml` with the given languages (the first is the
/// default); diagnostics come back as `severity line:col message (help: …)`.
fn run(text: &str, codes: &[&str]) -> (Option<Checklist>, Vec<String>) {
    let all = langs(codes);
    let languages = Languages {
        default: &all[0],
        all: &all,
    };
    let mut diags = Diagnostics::new();
    let file = Path::new("content/checklists/obra.yaml");
    let id = ChecklistId::try_from("obra").unwrap();
    let checklist = parse_checklist(text, file, id, languages, &mut diags);
    let lines = diags
        .sorted()
        .into_iter()
        .map(|d| {
            let span = d
                .span
                .as_ref()
                .expect("every checklist diagnostic has a span");
            assert_eq!(span.file, file);
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let help = d
                .help
                .as_ref()
                .map(|h| format!(" (help: {h})"))
                .unwrap_or_default();
            format!("{severity} {}:{} {}{help}", span.line, span.col, d.message)
        })
        .collect();
    (checklist, lines)
}

#[test]
fn valid_file_becomes_the_model() {
    let (checklist, diags) = run(VALID, &["es", "en"]);
    assert_eq!(diags, Vec::<String>::new());
    let checklist = checklist.expect("valid");
    assert_eq!(checklist.id.as_str(), "obra");
    assert_eq!(checklist.file, Path::new("content/checklists/obra.yaml"));
    assert_eq!(checklist.weight, 3);
    let es = Lang::try_from("es").unwrap();
    assert_eq!(checklist.title.get(&es, &es).text, "Construcción");
    let related: Vec<_> = checklist
        .related
        .iter()
        .map(|l| (l.dest.as_str(), l.span.line, l.span.col))
        .collect();
    assert_eq!(
        related,
        [
            ("../toolkit/05-riesgos.md", 4, 11),
            ("../toolkit/07-denuncias.md#canales", 4, 37)
        ]
    );
    let section = &checklist.sections[0];
    assert_eq!(
        (section.id.as_str(), section.span.line, section.span.col),
        ("licitaciones", 6, 5)
    );
    let item = &section.items[0];
    assert_eq!(
        (item.id.as_str(), item.span.line, item.span.col),
        ("lic-01", 9, 9)
    );
    assert_eq!(
        (item.risk, item.element),
        (Risk::High, Some(Element::Whistleblowing))
    );
    assert!(item.guidance.is_some());
    let link = LinkRef {
        dest: "../toolkit/06-denuncias.md".into(),
        span: Span::new("content/checklists/obra.yaml", 14, 38).with_len(26),
    };
    assert_eq!(
        item.references,
        [
            Reference::Text("LGRA art. 25".into()),
            Reference::Link(link),
            Reference::Url("https://dof.gob.mx/x".into()),
        ]
    );
    let ids: Vec<&str> = checklist.items().map(|item| item.id.as_str()).collect();
    assert_eq!(ids, ["lic-01", "lic-02"]);
    let second = &section.items[1];
    assert_eq!(
        (second.risk, second.element, second.references.len()),
        (Risk::Low, None, 0)
    );
    assert!(second.guidance.is_none());
}

#[test]
fn defaults_apply_and_bom_and_crlf_are_accepted() {
    let text = "\u{feff}title: Obra\r\nsections:\r\n  - id: a\r\n    title: A\r\n    items:\r\n      - { id: x, question: Q, risk: medium }\r\n";
    let (checklist, diags) = run(text, &["es"]);
    assert_eq!(diags, Vec::<String>::new());
    let checklist = checklist.expect("valid");
    assert_eq!(
        (
            checklist.weight,
            checklist.description,
            checklist.related.len()
        ),
        (0, None, 0)
    );
    assert_eq!(
        checklist.sections[0].items[0].span,
        Span::new("content/checklists/obra.yaml", 6, 11).with_len(2)
    );
}

/// Each case: a file (one language, `es`, so plain strings are complete) and every diagnostic.
#[test]
fn each_problem_is_reported_at_its_position() {
    const SECTIONS: &str = "sections:\n  - id: a\n    title: A\n    items:\n      - { id: x, question: Q, risk: low }\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unknown key at the top",
            format!("title: T\ntitel: T\n{SECTIONS}"),
            vec!["error 2:1 unknown key `titel`; expected one of `title`, `description`, `kind`, `weight`, `reviewed`, `related`, `sections`"],
        ),
        (
            "unknown kind",
            format!("title: T\nkind: sectorial\n{SECTIONS}"),
            vec!["error 2:7 unknown kind `sectorial`; expected one of `sector`, `process`"],
        ),
        (
            "kind that is not a string",
            format!("title: T\nkind: 1\n{SECTIONS}"),
            vec!["error 2:7 wrong type for `kind`: expected a string, found a number"],
        ),
        (
            "unknown key in an item",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - id: x\n        question: Q\n        risk: low\n        riesgo: alto\n".into(),
            vec!["error 9:9 unknown key `riesgo`; expected one of `id`, `question`, `guidance`, `risk`, `element`, `references`"],
        ),
        (
            "missing title",
            SECTIONS.into(),
            vec!["error 1:1 missing required key `title` (help: every checklist needs `title`, `sections`)"],
        ),
        (
            "title without a value",
            format!("title:\n{SECTIONS}"),
            vec!["error 1:1 missing value for `title` (help: every checklist needs `title`, `sections`)"],
        ),
        (
            "missing question and risk",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - id: x\n".into(),
            vec![
                "error 6:9 missing required key `question` (help: every item needs `id`, `question`, `risk`)",
                "error 6:9 missing required key `risk` (help: every item needs `id`, `question`, `risk`)",
            ],
        ),
        (
            "no sections key",
            "title: T\n".into(),
            vec!["error 1:1 missing required key `sections` (help: every checklist needs `title`, `sections`)"],
        ),
        ("no sections", "title: T\nsections: []\n".into(), vec!["error 2:1 checklist has no sections"]),
        (
            "empty section",
            "title: T\nsections:\n  - id: a\n    title: A\n    items: []\n".into(),
            vec!["error 5:5 section `a` has no items (help: add at least one item or remove the section)"],
        ),
        (
            "bad risk",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - { id: x, question: Q, risk: extreme }\n".into(),
            vec!["error 6:37 unknown risk `extreme`; expected one of `high`, `medium`, `low`"],
        ),
        (
            "bad element",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - { id: x, question: Q, risk: low, element: bribes }\n".into(),
            vec!["error 6:51 unknown element `bribes`; expected one of `procedures-manual`, `code-of-conduct`, `controls-audit`, `whistleblowing`, `training`, `hr-policies`, `transparency`"],
        ),
        (
            "bad ids",
            "title: T\nsections:\n  - id: Licitaciones\n    title: A\n    items:\n      - { id: lic_01, question: Q, risk: low }\n".into(),
            vec![
                "error 3:9 invalid section id `Licitaciones`; use only lowercase letters, digits and `-`",
                "error 6:15 invalid item id `lic_01`; use only lowercase letters, digits and `-`",
            ],
        ),
        (
            "numeric id",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - { id: 7, question: Q, risk: low }\n".into(),
            vec!["error 6:15 wrong type for `id`: expected a string, found a number (help: write the id in quotes, such as `id: \"01\"`)"],
        ),
        (
            "duplicate section id",
            format!("title: T\n{SECTIONS}  - id: a\n    title: B\n    items:\n      - {{ id: y, question: Q, risk: low }}\n"),
            vec!["error 7:9 duplicate section id `a` (help: `a` is first used on line 3)"],
        ),
        (
            "duplicate item id across sections",
            format!("title: T\n{SECTIONS}  - id: b\n    title: B\n    items:\n      - {{ id: y, question: Q, risk: low }}\n      - {{ id: x, question: Q, risk: low }}\n"),
            vec!["error 11:15 duplicate item id `x` (help: `x` is first used on line 6)"],
        ),
        (
            "wrong types",
            "title: [T]\nweight: uno\nsections:\n  - id: a\n    title: A\n    items:\n      - { id: x, question: Q, risk: 3, references: LGRA }\n".into(),
            vec![
                "error 1:8 wrong type for `title`: expected a string or a map of language to string, found a list",
                "error 2:9 wrong type for `weight`: expected an integer, found a string",
                "error 7:37 wrong type for `risk`: expected a string, found a number",
                "error 7:52 wrong type for `references`: expected a list, found a string",
            ],
        ),
        (
            "wrong type of a list entry",
            "title: T\nsections:\n  - id: a\n    title: A\n    items:\n      - just a question\n".into(),
            vec!["error 6:9 wrong type for an entry of `items`: expected a mapping, found a string"],
        ),
        (
            "empty texts",
            "title: \"\"\nsections:\n  - id: a\n    title: {}\n    items:\n      - { id: x, question: { es: \" \" }, risk: low, references: [\"\"] }\n".into(),
            vec![
                "error 1:8 `title` is empty",
                "error 4:12 `title` is empty (help: write the text, or one text per language: `{ es: …, en: … }`)",
                "error 6:34 the `es` text of `question` is empty",
                "error 6:65 an entry of `references` is empty",
            ],
        ),
        (
            "undeclared language",
            format!("title: {{ es: T, fr: T, ES: T }}\n{SECTIONS}"),
            vec![
                "error 1:17 unknown language `fr` in `title`; expected one of `es` (help: the site's languages are declared under `[languages]` in `site.toml`)",
                "error 1:24 unknown language `ES` in `title`; expected one of `es` (help: the site's languages are declared under `[languages]` in `site.toml`)",
            ],
        ),
        (
            "related that is not a file link",
            format!("title: T\nrelated: [\"LGRA art. 25\", https://x.mx/a.md]\n{SECTIONS}"),
            vec![
                "error 2:11 invalid entry `LGRA art. 25` in `related`; expected a relative path to a `.md` or `.yaml` file",
                "error 2:27 invalid entry `https://x.mx/a.md` in `related`; expected a relative path to a `.md` or `.yaml` file",
            ],
        ),
        (
            "not a mapping",
            "- a\n".into(),
            vec!["error 1:1 wrong type for the checklist: expected a mapping, found a list"],
        ),
        (
            "empty file",
            String::new(),
            vec!["error 1:1 wrong type for the checklist: expected a mapping, found nothing"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, expected) in cases {
        let (checklist, diags) = run(&text, &["es"]);
        if diags != expected || checklist.is_some() {
            failures.push(format!(
                "{name}: {diags:#?} (parsed: {})",
                checklist.is_some()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_of_a_file_is_reported_not_only_the_first() {
    let text = "\
title: T
color: red
sections:
  - id: a
    title: A
    items:
      - { id: x, question: Q, risk: extreme }
      - { id: x, question: Q, risk: low, element: bribes }
  - id: b
    title: B
    items: []
";
    let (checklist, diags) = run(text, &["es"]);
    assert!(checklist.is_none());
    let positions: Vec<&str> = diags
        .iter()
        .map(|d| d.split(' ').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        positions,
        ["2:1", "7:37", "8:15", "8:51", "11:5"],
        "{diags:#?}"
    );
}

#[test]
fn repeated_keys_are_reported_at_the_repeat() {
    let text = "\
title: T
sections:
  - id: a
    title: { es: A, es: B }
    id: b
    items:
      - { id: x, question: Q, risk: low }
title: U
";
    let (checklist, diags) = run(text, &["es"]);
    assert!(checklist.is_none());
    assert_eq!(
        diags,
        [
            "error 4:21 duplicate key `es`",
            "error 5:5 duplicate key `id`",
            "error 8:1 duplicate key `title`",
        ]
    );
}

#[test]
fn yaml_syntax_errors_are_positioned() {
    let (checklist, diags) = run("title: [T\nsections: []\n", &["es"]);
    assert!(checklist.is_none());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].starts_with("error 2:9 invalid checklist: "),
        "{diags:?}"
    );
}

#[test]
fn missing_translations_are_warnings_naming_the_text_shown() {
    let text = "\
title: Obra
sections:
  - id: a
    title: { en: Section }
    items:
      - id: x
        question: { es: ¿Sí?, en: Yes? }
        guidance: Solo en español
        risk: low
";
    let (checklist, diags) = run(text, &["es", "en"]);
    assert_eq!(
        diags,
        [
            "warning 1:8 missing `en` translation of `title`; the `es` text is shown",
            "warning 4:12 missing `es` translation of `title`; the `en` text is shown",
            "warning 8:19 missing `en` translation of `guidance`; the `es` text is shown",
        ]
    );
    assert!(checklist.is_some(), "warnings do not fail the file");
}

#[test]
fn references_are_classified_by_their_text() {
    let span = Span::new("c.yaml", 1, 1);
    let link = |dest: &str| {
        Reference::Link(LinkRef {
            dest: dest.into(),
            span: span.clone(),
        })
    };
    let cases = [
        ("LGRA art. 25", Reference::Text("LGRA art. 25".into())),
        (
            "../toolkit/06-denuncias.md",
            link("../toolkit/06-denuncias.md"),
        ),
        ("06-denuncias.md#canales", link("06-denuncias.md#canales")),
        ("salud.yaml", link("salud.yaml")),
        (
            "https://dof.gob.mx/nota.md",
            Reference::Url("https://dof.gob.mx/nota.md".into()),
        ),
        ("http://x.mx", Reference::Url("http://x.mx".into())),
        ("ver notas.md", Reference::Text("ver notas.md".into())),
        ("#canales", Reference::Text("#canales".into())),
        ("notas.md.txt", Reference::Text("notas.md.txt".into())),
        ("a.yml", Reference::Text("a.yml".into())),
    ];
    for (text, expected) in cases {
        assert_eq!(Reference::parse(text, span.clone()), expected, "{text}");
    }
}

#[test]
fn risks_and_elements_match_their_serde_spelling() {
    for risk in Risk::ALL {
        assert_eq!(serde_json::to_value(risk).unwrap(), risk.as_str());
    }
    for element in Element::ALL {
        assert_eq!(serde_json::to_value(element).unwrap(), element.as_str());
    }
    assert_eq!(Risk::ALL.map(Risk::weight), [3, 2, 1]);
}

#[test]
fn deep_nesting_and_control_characters_are_refused_at_their_position() {
    let nested = format!("title: Obra\nsections: {}\n", "{a: ".repeat(10_000));
    let nested_blocks: String = (0..200)
        .map(|n| format!("{}k{n}:\n", " ".repeat(n)))
        .collect();
    let control = VALID.replace("Texto", "\"Te\\0xto\"");
    let cases = [
        (
            nested.as_str(),
            "error 2:263 checklist is nested more than 64 levels deep",
        ),
        (
            nested_blocks.as_str(),
            "error 65:65 checklist is nested more than 64 levels deep",
        ),
        (
            control.as_str(),
            "error 11:25 invalid checklist: this text holds the control character U+0000",
        ),
    ];
    for (text, expected) in cases {
        let (checklist, diags) = run(text, &["es", "en"]);
        assert!(checklist.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].starts_with(expected), "{} ≠ {expected}", diags[0]);
    }
}

#[test]
fn items_hash_follows_ids_risks_and_elements_not_wording() {
    let hash = |text: &str| run(text, &["es", "en"]).0.expect("valid").items_hash();
    let base = hash(VALID);
    assert_eq!(base.len(), 16);
    assert!(base.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(hash(VALID), base, "the same file gives the same hash");
    let reworded = VALID.replace("¿Hay reglas?", "¿Existen reglas escritas?");
    assert_eq!(hash(&reworded), base, "wording is not a new version");
    for (what, from, to) in [
        ("risk", "risk: low", "risk: medium"),
        ("element", "element: whistleblowing", "element: training"),
        ("item id", "id: lic-02", "id: lic-03"),
        ("section id", "id: licitaciones", "id: contratos"),
    ] {
        assert_ne!(
            hash(&VALID.replace(from, to)),
            base,
            "a changed {what} is a new version"
        );
    }
}
