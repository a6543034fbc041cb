//! The law registry (`content/leyes.yaml`): `ley:` citations resolve to the official text, the
//! generated list names every law and who cites it, and a page or checklist whose legal review
//! predates a cited law's last reform is a warning at the citation.

use integridad::Session;

use crate::harness::SiteTest;

fn site() -> SiteTest {
    SiteTest::fixture("laws/basic")
}

/// The fixture's registry with the LGRA's last reform moved to `date`.
fn reform_lgra(site: &SiteTest, date: &str) {
    let registry = site.read("content/leyes.yaml");
    assert!(registry.contains("last_reform: 2025-12-01"));
    site.write(
        "content/leyes.yaml",
        registry.replace("last_reform: 2025-12-01", &format!("last_reform: {date}")),
    );
}

fn warnings(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.starts_with("warning:")).count()
}

#[test]
fn citations_link_the_official_text_with_the_law_as_title() {
    let site = site();
    let run = site.build();
    run.ok();
    assert_eq!(warnings(&run.stderr), 0, "{}", run.stderr);
    let page = site.out("toolkit/marco/index.html");
    assert!(
        page.contains(r#"<a href="https://www.diputados.gob.mx/LeyesBiblio/ref/lgra.htm" title="Ley General de Responsabilidades Administrativas">artículo 24</a>"#),
        "{page}"
    );
    let english = site.out("en/toolkit/marco/index.html");
    assert!(
        english
            .contains(r#"title="General Law of Administrative Responsibilities">article 24</a>"#),
        "{english}"
    );
    let checklist = site.out("checklists/obra/index.html");
    assert!(
        checklist.contains(
            r#"href="https://www.diputados.gob.mx/LeyesBiblio/ref/lgra.htm">LGRA art. 25-I</a>"#
        ),
        "{checklist}"
    );
    let data = site.out("checklists/obra/checklist.json");
    assert!(data.contains(r#""text": "LGRA art. 25-I""#), "{data}");
}

#[test]
fn the_generated_list_names_each_law_its_dates_and_who_cites_it() {
    let site = site();
    site.build().ok();
    let list = site.out("leyes/index.html");
    for expected in [
        r#"<h2 id="lgra">LGRA: Ley General de Responsabilidades Administrativas</h2>"#,
        "<li>Publicación: 18 de julio de 2016</li>",
        "<li>Última reforma: 1 de diciembre de 2025</li>",
        r#"<li>La citan: <a href="../checklists/obra/">Obra</a> (art. 25-I); <a href="../toolkit/marco/">Marco legal</a> (art. 24, 81)</li>"#,
        r#"<li>La citan: <a href="../checklists/obra/">Obra</a>; <a href="../toolkit/marco/">Marco legal</a> (art. 113 Bis)</li>"#,
        "<li>Última reforma: sin fecha</li>",
        "<li>Nadie la cita.</li>",
    ] {
        assert!(list.contains(expected), "{expected}\n{list}");
    }
    let english = site.out("en/laws/index.html");
    assert!(
        english.contains(r#"<li>Cited by: <a href="../checklists/obra/">Construction</a> (art. 25-I); <a href="../toolkit/marco/">Legal framework</a> (art. 24)</li>"#),
        "{english}"
    );
    // Pages link to the list by the registry's file name, like to a checklist's.
    assert!(site
        .out("index.html")
        .contains(r#"<a href="leyes/">lista de leyes</a>"#));
    assert!(site
        .out("en/index.html")
        .contains(r#"<a href="laws/">list of laws</a>"#));
}

#[test]
fn a_reform_after_the_review_date_is_a_warning_at_each_citing_file() {
    let site = site();
    site.check().ok();
    reform_lgra(&site, "2026-02-01");
    let run = site.check();
    run.ok()
        .stderr_has(concat!(
            "warning: `lgra` was reformed in the DOF on 2026-02-01, after this file's legal review of 2026-01-15\n",
            " --> content/toolkit/01-marco.md:5:30\n",
        ))
        .stderr_has(" --> content/toolkit/01-marco.en.md:5:29\n")
        .stderr_has(" --> content/checklists/obra.yaml:11:22\n")
        .stderr_has("= help: check what the file says of this law against its current text, then set `reviewed:` to the day of that check");
    // One warning per law and file, not one per citation: the page cites the LGRA twice.
    assert_eq!(warnings(&run.stderr), 3, "{}", run.stderr);
    // Reviewing the page again clears its warning.
    let page = site.read("content/toolkit/01-marco.md");
    site.write(
        "content/toolkit/01-marco.md",
        page.replace("reviewed: 2026-01-15", "reviewed: 2026-02-01"),
    );
    let run = site.check();
    assert_eq!(warnings(&run.stderr), 2, "{}", run.stderr);
    assert!(!run.stderr.contains("01-marco.md:"), "{}", run.stderr);
}

#[test]
fn the_dev_server_warns_as_soon_as_the_registry_records_a_reform() {
    let site = site();
    let mut session = Session::new(&site.root);
    let (files, diags) = session.update(None).unwrap();
    assert!(files.is_some());
    assert_eq!(diags.warning_count(), 0, "{}", diags.render());
    reform_lgra(&site, "2026-02-01");
    let (files, diags) = session
        .update(Some(&["content/leyes.yaml".to_string()]))
        .unwrap();
    let (fresh_files, fresh) = integridad::build_in_memory(&site.root).unwrap();
    assert_eq!(diags.warning_count(), 3, "{}", diags.render());
    assert_eq!(diags.render(), fresh.render());
    // The list shows the new date, exactly as a fresh build writes it.
    let (files, fresh_files) = (files.unwrap(), fresh_files.unwrap());
    let list = String::from_utf8_lossy(&files["leyes/index.html"]).into_owned();
    assert!(list.contains("1 de febrero de 2026"), "{list}");
    assert!(
        files == fresh_files,
        "the session's files differ from a fresh build's"
    );
}

#[test]
fn a_file_that_cites_without_a_review_date_gets_one_warning() {
    let site = site();
    let page = site.read("content/toolkit/01-marco.md");
    site.write(
        "content/toolkit/01-marco.md",
        page.replace("reviewed: 2026-01-15\n", ""),
    );
    let run = site.check();
    run.ok().stderr_has(concat!(
        "warning: this file cites `lgra` but has no `reviewed:` date\n",
        " --> content/toolkit/01-marco.md:4:30\n",
    ));
    assert_eq!(warnings(&run.stderr), 1, "{}", run.stderr);
}

#[test]
fn unknown_laws_and_articles_are_errors_at_the_citation() {
    let site = site();
    site.write(
        "content/toolkit/02-otra.md",
        "---\ntitle: Otra\nreviewed: 2026-01-15\n---\nVer [la ley](ley:lgr#24), [otra](ley:lgra#Art-24) y [más](ley:ninguna).\n",
    );
    site.write(
        "content/checklists/salud.yaml",
        "title: { es: Salud, en: Health }\nsections:\n  - id: a\n    title: { es: A, en: A }\n    items:\n      - { id: a-1, question: { es: Q, en: Q }, risk: low, references: [\"ley:lgs#376\"] }\n",
    );
    let run = site.check();
    run.fails(1)
        .stderr_has(concat!(
            "error: unknown law `lgr` in `ley:lgr#24`\n",
            " --> content/toolkit/02-otra.md:5:5\n",
        ))
        .stderr_has("= help: did you mean `lgra`? laws are listed in `content/leyes.yaml`")
        .stderr_has(concat!(
            "error: invalid article `Art-24` in `ley:lgra#Art-24`\n",
            " --> content/toolkit/02-otra.md:5:27\n",
        ))
        .stderr_has("error: unknown law `ninguna` in `ley:ninguna`")
        .stderr_has(concat!(
            "error: unknown law `lgs` in `ley:lgs#376`\n",
            " --> content/checklists/salud.yaml:6:72\n",
        ));
    assert_eq!(run.errors(), 4, "{}", run.stderr);
}

#[test]
fn a_citation_without_a_registry_is_an_error_and_a_broken_registry_is_reported_once() {
    let site = site();
    std::fs::remove_file(site.path("content/leyes.yaml")).unwrap();
    site.write("content/_index.md", "---\ntitle: Inicio\n---\nHola.\n");
    site.write("content/_index.en.md", "---\ntitle: Home\n---\nHi.\n");
    site.check()
        .fails(1)
        .stderr_has("error: `ley:lgra#24` cites a law, but the site has no `content/leyes.yaml`");
    site.write("content/leyes.yaml", "page: {}\nlaws: []\nnotas: x\n");
    let run = site.check();
    run.fails(1).stderr_has("content/leyes.yaml:");
    // The citations are not reported again while the registry itself is broken.
    assert_eq!(run.errors(), 1, "{}", run.stderr);
}

#[test]
fn the_bundled_site_cites_through_the_registry_without_warnings() {
    let site = SiteTest::bundled();
    let run = site.check();
    run.ok();
    assert_eq!(warnings(&run.stderr), 0, "{}", run.stderr);
    let registry = site.read("content/leyes.yaml");
    // Every official text the chapters link to is a law of the registry, cited with `ley:`.
    for entry in walkdir::WalkDir::new(site.path("content")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !text.contains("diputados.gob.mx/LeyesBiblio/ref/"),
                "{} links a law's text directly",
                entry.path().display()
            );
        }
    }
    assert!(registry.contains("id: lgra"));
}
