//! `integridad new chapter|checklist`: the scaffold lands in the right place, passes `check`,
//! is printed, and nothing is ever overwritten.

use crate::harness::SiteTest;

#[test]
fn new_chapter_takes_the_next_number_and_passes_check() {
    let site = SiteTest::fixture("serve/basic");
    let run = site.run(&["new", "chapter", "Regalos: ¿sí o no?"]);
    run.ok();
    assert_eq!(
        run.stdout,
        "created content/toolkit/03-regalos-si-o-no.md\n"
    );
    let text = site.read("content/toolkit/03-regalos-si-o-no.md");
    assert!(
        text.starts_with(
            "---\ntitle: \"Regalos: ¿sí o no?\"\ndescription: \"\"\nweight: 3\ndate: 20"
        ),
        "{text}"
    );
    site.check().ok();
    let build = site.build();
    build.ok();
    assert!(site
        .out("toolkit/regalos-si-o-no/index.html")
        .contains("Regalos: ¿sí o no?"));
}

#[test]
fn new_chapter_refuses_an_existing_slug() {
    let site = SiteTest::fixture("serve/basic");
    let before = site.read("content/toolkit/01-uno.md");
    site.run(&["new", "chapter", "Uno"])
        .fails(2)
        .stderr_has("already uses the slug `uno`");
    site.run(&["new", "chapter", "¿?"])
        .fails(2)
        .stderr_has("no usable file name");
    assert_eq!(site.read("content/toolkit/01-uno.md"), before);
}

#[test]
fn new_checklist_writes_a_valid_skeleton_once() {
    let site = SiteTest::fixture("serve/basic");
    let run = site.run(&["new", "checklist", "mineria"]);
    run.ok();
    assert_eq!(run.stdout, "created content/checklists/mineria.yaml\n");
    let check = site.check();
    check.ok();
    assert!(
        check.stderr.contains("1 checklist,") && check.stderr.contains("(no warnings)"),
        "{}",
        check.stderr
    );

    site.write("content/checklists/mineria.yaml", "title: mío\n");
    site.run(&["new", "checklist", "mineria"])
        .fails(2)
        .stderr_has("already exists");
    assert_eq!(site.read("content/checklists/mineria.yaml"), "title: mío\n");
    site.run(&["new", "checklist", "../Minería"])
        .fails(2)
        .stderr_has("cannot make a checklist id from `../Minería`");
}

#[test]
fn new_checklist_makes_the_id_from_any_title_and_passes_check_in_both_languages() {
    let site = SiteTest::fixture("build/basic");
    let run = site.run(&["new", "checklist", "Transporte Público"]);
    run.ok();
    assert_eq!(
        run.stdout,
        "created content/checklists/transporte-publico.yaml\n"
    );
    let text = site.read("content/checklists/transporte-publico.yaml");
    assert!(text.contains("es: \"Transporte Público\""), "{text}");
    assert!(
        text.contains(
            "en: \"Does the company have a written code of conduct that all staff know?\""
        ),
        "{text}"
    );
    assert!(!text.contains("What meeting it means"), "{text}");
    let check = site.check();
    check.ok();
    assert!(check.stderr.contains("(no warnings)"), "{}", check.stderr);
}
