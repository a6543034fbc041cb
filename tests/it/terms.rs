//! The term list (`content/terminos.yaml`): an avoided term in a page's text, title or
//! description, or in a checklist's text, is a warning at its file, line and column, in the
//! language of the text only.

use integridad::Session;

use crate::harness::SiteTest;

const TERMS: &str = "terms:\n  - es: { use: riesgo, avoid: [peligro, peligros] }\n    en: { use: risk, avoid: [hazard] }\n  - en: { use: integrity officer, avoid: [integrity lead] }\n";

fn site() -> SiteTest {
    let site = SiteTest::fixture("build/basic");
    site.write("content/terminos.yaml", TERMS);
    site
}

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect()
}

#[test]
fn the_fixture_passes_the_term_list_without_warnings() {
    let run = site().check();
    run.ok();
    assert!(warnings(&run.stderr).is_empty(), "{}", run.stderr);
}

#[test]
fn avoided_terms_are_warnings_at_their_place_in_their_language_only() {
    let site = site();
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Peligros\ndescription: Cómo conocer tus riesgos.\nsectors: [obra]\n---\n## ¿Qué es un peligro?\n\nUn `peligro` en código no cuenta, ni [este](02-codigo-de-conducta.md#sanciones).\n\nEl hazard y el Peligro.\n",
    );
    site.write(
        "content/toolkit/01-riesgos.en.md",
        "---\ntitle: Risks\nslug: risks\n---\nAsk the integrity lead about a hazard, not a peligro.\n",
    );
    let checklist = site.read("content/checklists/obra.yaml");
    site.write(
        "content/checklists/obra.yaml",
        checklist.replace(
            "en: \"A list of signatories.\"",
            "en: \"A list of signatories and of each hazard.\"",
        ),
    );
    let run = site.check();
    run.ok()
        .stderr_has(concat!(
            "warning: `peligros` is not the site's term; write `riesgo`\n",
            " --> content/toolkit/01-riesgos.md:2:8\n",
        ))
        .stderr_has(concat!(
            "warning: `peligro` is not the site's term; write `riesgo`\n",
            " --> content/toolkit/01-riesgos.md:6:15\n",
        ))
        .stderr_has(" --> content/toolkit/01-riesgos.md:10:16\n")
        .stderr_has(concat!(
            "warning: `integrity lead` is not the site's term; write `integrity officer`\n",
            " --> content/toolkit/01-riesgos.en.md:5:9\n",
        ))
        .stderr_has(concat!(
            "warning: `hazard` is not the site's term; write `risk`\n",
            " --> content/toolkit/01-riesgos.en.md:5:32\n",
        ))
        .stderr_has(concat!(
            "warning: `hazard` is not the site's term; write `risk`\n",
            " --> content/checklists/obra.yaml:11:49\n",
        ))
        .stderr_has("= help: the site's terms are listed in `content/terminos.yaml`");
    // Code, link destinations, and terms of another language are not reported: the Spanish
    // page's `hazard` and the English page's `peligro` are fine.
    assert_eq!(warnings(&run.stderr).len(), 6, "{}", run.stderr);
}

#[test]
fn a_bad_term_list_is_an_error_at_its_line() {
    let site = site();
    site.write(
        "content/terminos.yaml",
        "terms:\n  - es: { use: riesgo, avoid: [Riesgo] }\n",
    );
    site.check().fails(1).stderr_has(concat!(
        "error: `Riesgo` is both used and avoided\n",
        " --> content/terminos.yaml:2:32\n",
    ));
    assert!(!site.exists("public/terminos.yaml"));
}

#[test]
fn the_dev_server_applies_an_edited_term_list_at_once() {
    let site = site();
    let mut session = Session::new(&site.root);
    let (_, diags) = session.update(None).unwrap();
    assert_eq!(diags.warning_count(), 0, "{}", diags.render());
    site.write(
        "content/terminos.yaml",
        format!("{TERMS}  - es: {{ use: sanción, avoid: [sanciones] }}\n"),
    );
    let (_, diags) = session
        .update(Some(&["content/terminos.yaml".to_string()]))
        .unwrap();
    let (_, fresh) = integridad::build_in_memory(&site.root).unwrap();
    assert!(diags.warning_count() > 0, "{}", diags.render());
    assert_eq!(diags.render(), fresh.render());
}
