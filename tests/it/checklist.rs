//! Checklists in a site: pages per language, links both ways, data file, positioned errors.

use crate::harness::SiteTest;

#[test]
fn checklist_pages_link_chapters_both_ways() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let page = site.out("checklists/obra/index.html");
    assert!(
        page.contains(r#"<fieldset id="lic-01" data-risk="high">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<a class="chapter" href="../../toolkit/riesgos/">Riesgos</a>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<a class="related" href="../../toolkit/riesgos/">Riesgos</a>"#),
        "{page}"
    );
    assert!(
        page.contains(
            r#"<a class="ref" href="../../toolkit/codigo-de-conducta/">Código de conducta</a>"#
        ),
        "{page}"
    );
    assert!(page.contains(r#"<span class="ref">LGRA art. 25</span>"#));
    assert!(page.contains(r#"<script type="application/json" id="scoring-rules">{"#));
    let chapter = site.out("toolkit/riesgos/index.html");
    assert!(
        chapter.contains(r#"<a class="sector" href="../../checklists/obra/">Obra</a>"#),
        "{chapter}"
    );
    let index = site.out("checklists/index.html");
    assert!(index.contains(r#"<a href="obra/">Obra</a> (2)"#), "{index}");
}

#[test]
fn missing_translation_is_a_warning_and_marked_with_lang() {
    let site = SiteTest::fixture("build/basic");
    let yaml = site.read("content/checklists/obra.yaml").replace(
        r#"question: { es: "¿Se revisan los pagos?", en: "Are payments reviewed?" }"#,
        r#"question: "¿Se revisan los pagos?""#,
    );
    site.write("content/checklists/obra.yaml", yaml);
    site.build()
        .ok()
        .stderr_has("warning: missing `en` translation of `question`")
        .stderr_has("content/checklists/obra.yaml:16:19");
    let en = site.out("en/checklists/obra/index.html");
    assert!(
        en.contains(r#"<legend lang="es">¿Se revisan los pagos?</legend>"#),
        "{en}"
    );
}

#[test]
fn checklist_json_holds_every_language_with_absolute_urls() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let json: serde_json::Value =
        serde_json::from_str(&site.out("checklists/obra/checklist.json")).unwrap();
    assert_eq!(json["id"], "obra");
    assert_eq!(json["title"]["en"], "Construction");
    let item = &json["sections"][0]["items"][0];
    assert_eq!(item["risk"], "high");
    assert_eq!(item["weight"], 3);
    assert_eq!(
        item["references"][1]["url"]["es"],
        "https://example.org/toolkit/codigo-de-conducta/"
    );
    assert_eq!(json["scoring"]["weights"]["high"], 3);
    assert_eq!(
        site.out("checklists/obra/checklist.json"),
        site.out("en/checklists/obra/checklist.json")
    );
}

#[test]
fn broken_checklists_are_reported_precisely() {
    let base = SiteTest::fixture("build/basic").read("content/checklists/obra.yaml");
    let cases = [
        (
            base.replace("risk: high", "risk: extreme"),
            "unknown risk `extreme`",
            ":12:15",
        ),
        (
            base.replace("id: lic-02", "id: lic-01"),
            "duplicate item id `lic-01`",
            ":15:",
        ),
        (
            base.replace(
                "../toolkit/02-codigo-de-conducta.md]",
                "../toolkit/99-nada.md]",
            ),
            "link target `../toolkit/99-nada.md` not found",
            ":14:",
        ),
        (
            base.replace(
                "        risk: low\n",
                "        risk: low\n        colour: red\n",
            ),
            "unknown key `colour`",
            ":18:9",
        ),
        (
            base.replace("title: { es: Obra, en: Construction }\n", ""),
            "missing required key `title`",
            ":1:",
        ),
    ];
    for (text, message, position) in cases {
        let site = SiteTest::fixture("build/basic");
        site.write("content/checklists/obra.yaml", &text);
        site.check()
            .fails(1)
            .stderr_has(message)
            .stderr_has(&format!("content/checklists/obra.yaml{position}"));
    }
}

#[test]
fn checklist_without_kind_is_a_sector_and_kind_reaches_the_data() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let json: serde_json::Value =
        serde_json::from_str(&site.out("checklists/obra/checklist.json")).unwrap();
    assert_eq!(json["kind"], "sector");

    let yaml = site
        .read("content/checklists/obra.yaml")
        .replace("weight: 1\n", "weight: 1\nkind: process\n");
    site.write("content/checklists/obra.yaml", yaml);
    site.build().ok();
    let json: serde_json::Value =
        serde_json::from_str(&site.out("checklists/obra/checklist.json")).unwrap();
    assert_eq!(json["kind"], "process");
}

#[test]
fn unknown_kind_is_reported_with_file_line_col() {
    let site = SiteTest::fixture("build/basic");
    let yaml = site
        .read("content/checklists/obra.yaml")
        .replace("weight: 1\n", "weight: 1\nkind: proceso\n");
    site.write("content/checklists/obra.yaml", yaml);
    site.check()
        .fails(1)
        .stderr_has("unknown kind `proceso`; expected one of `sector`, `process`")
        .stderr_has("content/checklists/obra.yaml:4:7");
    let site = SiteTest::fixture("build/basic");
    let yaml = site
        .read("content/checklists/obra.yaml")
        .replace("weight: 1\n", "weight: 1\nkind: [process]\n");
    site.write("content/checklists/obra.yaml", yaml);
    site.check()
        .fails(1)
        .stderr_has("wrong type for `kind`: expected a string, found a list")
        .stderr_has("content/checklists/obra.yaml:4:7");
}

#[test]
fn index_lists_sector_and_process_checklists_apart() {
    let site = SiteTest::bundled();
    site.build().ok();
    for lang in ["", "en/"] {
        let index = site.out(&format!("{lang}checklists/index.html"));
        let sector_at = index
            .find(r#"<section class="checklist-kind checklist-kind-sector""#)
            .expect("a sector group");
        let process_at = index
            .find(r#"<section class="checklist-kind checklist-kind-process""#)
            .expect("a process group");
        assert!(sector_at < process_at, "sectors are listed first");
        let ids: Vec<String> = std::fs::read_dir(site.path("content/checklists"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".yaml").map(str::to_string)
            })
            .collect();
        let mut kinds = std::collections::BTreeSet::new();
        for id in ids {
            let json: serde_json::Value =
                serde_json::from_str(&site.out(&format!("{lang}checklists/{id}/checklist.json")))
                    .unwrap();
            let kind = json["kind"].as_str().unwrap().to_string();
            let card = index
                .find(&format!(r#"<li class="card sector-card sector-{id}">"#))
                .unwrap_or_else(|| panic!("{id} is on the index"));
            let in_process_group = card > process_at;
            assert_eq!(in_process_group, kind == "process", "{id} ({kind})");
            let page = site.out(&format!("{lang}checklists/{id}/index.html"));
            let eyebrow = match (kind.as_str(), lang) {
                ("process", "") => "Autoevaluación por proceso",
                ("process", _) => "Self-assessment by process",
                (_, "") => "Autoevaluación por sector",
                _ => "Sector self-assessment",
            };
            assert!(page.contains(eyebrow), "{id}: {eyebrow}");
            kinds.insert(kind);
        }
        assert_eq!(kinds.len(), 2, "both kinds are present: {kinds:?}");
    }
}
