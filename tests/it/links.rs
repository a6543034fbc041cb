//! Links written to source files become relative URLs; broken ones are positioned errors.

use crate::harness::SiteTest;

#[test]
fn source_links_become_relative_urls_in_the_same_language() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let home = site.out("index.html");
    assert!(
        home.contains(r#"<a href="toolkit/codigo-de-conducta/#sanciones">código</a>"#),
        "{home}"
    );
    assert!(
        home.contains(r#"<a href="checklists/obra/">lista</a>"#),
        "{home}"
    );
    let risks = site.out("toolkit/riesgos/index.html");
    assert!(
        risks.contains(r#"href="https://example.com/x.md""#),
        "external links untouched"
    );
    assert!(
        risks.contains(r#"src="../mapa.png""#),
        "colocated image: {risks}"
    );
}

#[test]
fn links_fall_back_to_the_default_language() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let en_home = site.out("en/index.html");
    assert!(
        en_home.contains(r#"<a href="../toolkit/codigo-de-conducta/">code</a>"#),
        "{en_home}"
    );
    let en_risks = site.out("en/guide/risks/index.html");
    assert!(
        en_risks.contains(r#"href="../../../toolkit/codigo-de-conducta/#sanciones""#),
        "{en_risks}"
    );
}

#[test]
fn missing_target_reports_file_line_col() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-roto.md",
        "---\ntitle: Roto\n---\n\nUno [dos](no-existe.md) tres.\n",
    );
    site.check()
        .fails(1)
        .stderr_has("error: link target `no-existe.md` not found\n --> content/toolkit/03-roto.md:5:5\n  |\n5 | Uno [dos](no-existe.md) tres.\n  |     ^^^^^^^^^^^^^^^^^^^\n");
}

#[test]
fn missing_fragment_reports_file_line_col() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-roto.md",
        "---\ntitle: Roto\n---\n[x](02-codigo-de-conducta.md#sancion)\n",
    );
    site.check()
        .fails(1)
        .stderr_has("fragment `#sancion` not found in `content/toolkit/02-codigo-de-conducta.md`")
        .stderr_has(" --> content/toolkit/03-roto.md:4:1")
        .stderr_has("did you mean `#sanciones`");
}

#[test]
fn repeated_headings_get_numbered_ids_and_explicit_ids_win() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/04-ids.md", "---\ntitle: Ids\n---\n## ¿Qué es un conflicto de interés?\n## Otro {#propio}\n## Otro\n[a](#propio) [b](#que-es-un-conflicto-de-interes)\n");
    site.build().ok();
    let page = site.out("toolkit/ids/index.html");
    assert!(
        page.contains(r#"<h2 id="que-es-un-conflicto-de-interes">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<h2 id="propio">"#) && page.contains(r#"<h2 id="otro">"#),
        "{page}"
    );
    let code = site.out("toolkit/codigo-de-conducta/index.html");
    assert!(code.contains(r#"id="sanciones-1""#), "{code}");
}

#[test]
fn every_broken_link_of_a_build_is_reported() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-roto.md",
        "---\ntitle: Roto\n---\n[a](a.md) [b](b.md)\n\n[c](../checklists/nada.yaml)\n",
    );
    site.write(
        "content/toolkit/04-otro.md",
        "---\ntitle: Otro\n---\n[d](#nada)\n",
    );
    let run = site.check();
    run.fails(1);
    assert_eq!(run.errors(), 4, "{}", run.stderr);
}

#[test]
fn raw_html_is_escaped_with_a_warning_unless_allowed() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/05-html.md",
        "---\ntitle: Html\n---\nTexto <b>fuerte</b>.\n",
    );
    site.build()
        .ok()
        .stderr_has("warning: raw HTML is escaped")
        .stderr_has("content/toolkit/05-html.md:4:7");
    assert!(site
        .out("toolkit/html/index.html")
        .contains("&lt;b&gt;fuerte&lt;/b&gt;"));
    let config = site.read("site.toml") + "[markdown]\nunsafe_html = true\n";
    site.write("site.toml", config);
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    assert!(site
        .out("toolkit/html/index.html")
        .contains("<b>fuerte</b>"));
}

#[test]
fn colocated_files_with_spaces_and_accents_are_copied_and_linked_encoded() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/guía práctica.pdf", "%PDF");
    site.write("content/toolkit/05-descargas.md", "---\ntitle: Descargas\n---\n[guía](<guía práctica.pdf>) y [otra](gu%C3%ADa%20pr%C3%A1ctica.pdf)\n");
    site.build().ok();
    assert!(site.exists("public/toolkit/guía práctica.pdf"));
    let page = site.out("toolkit/descargas/index.html");
    assert_eq!(
        page.matches(r#"href="../gu%C3%ADa%20pr%C3%A1ctica.pdf""#)
            .count(),
        2,
        "{page}"
    );
}

/// A chapter with root-absolute links to a page, an English page, a colocated file, a checklist
/// and a path that is not part of the site.
const ROOTED: &str = "---\ntitle: Rutas\n---\n\nVer [sanciones](/toolkit/codigo-de-conducta/#sanciones).\n\n[risks](/en/guide/risks/) [mapa](/toolkit/mapa.png) [obra](/checklists/obra/index.html)\n\n[otro](/transparencia/)\n";

#[test]
fn root_absolute_link_to_a_page_warns_with_the_source_file_to_link_instead() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/03-rutas.md", ROOTED);
    let run = site.build();
    run.ok()
        .stderr_has("warning: `/toolkit/codigo-de-conducta/#sanciones` only works where the site is served at the domain root; link to `02-codigo-de-conducta.md#sanciones` instead\n --> content/toolkit/03-rutas.md:5:5\n  |\n5 | Ver [sanciones](/toolkit/codigo-de-conducta/#sanciones).\n  |     ^")
        .stderr_has("warning: `/en/guide/risks/` only works where the site is served at the domain root; link to `01-riesgos.en.md` instead\n --> content/toolkit/03-rutas.md:7:1\n")
        .stderr_has("warning: `/toolkit/mapa.png` only works where the site is served at the domain root; link to `mapa.png` instead\n --> content/toolkit/03-rutas.md:7:27\n")
        .stderr_has("warning: `/checklists/obra/index.html` only works where the site is served at the domain root; link to `../checklists/obra.yaml` instead\n --> content/toolkit/03-rutas.md:7:53\n");
    // Published as written: the warning is the fix, not a guess at what was meant.
    let page = site.out("toolkit/rutas/index.html");
    assert!(
        page.contains(r##"<a href="/toolkit/codigo-de-conducta/#sanciones">"##),
        "{page}"
    );
    assert_eq!(run.errors(), 0, "{}", run.stderr);
}

#[test]
fn root_absolute_link_outside_the_site_warns_too() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/03-rutas.md", ROOTED);
    site.check().ok().stderr_has(
        "warning: `/transparencia/` only works where the site is served at the domain root, and names no page or content file of this site\n --> content/toolkit/03-rutas.md:9:1\n",
    );
}

#[test]
fn root_absolute_links_in_checklist_texts_and_under_the_base_path_name_the_source() {
    let site = SiteTest::fixture("build/basic");
    let config = site
        .read("site.toml")
        .replace("https://example.org/", "https://example.org/se/integridad/");
    site.write("site.toml", config);
    let checklist = site.read("content/checklists/obra.yaml").replace(
        "guidance: { es: \"Lista de firmas.\"",
        "guidance: { es: \"Lista de [firmas](/se/integridad/toolkit/riesgos/).\"",
    );
    site.write("content/checklists/obra.yaml", checklist);
    site.check()
        .ok()
        .stderr_has("warning: `/se/integridad/toolkit/riesgos/` only works where the site is served at the domain root; link to `../toolkit/01-riesgos.md` instead\n --> content/checklists/obra.yaml:");
}

#[test]
fn root_absolute_links_are_errors_in_an_offline_build() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/03-rutas.md", ROOTED);
    let run = site.run(&["build", "--offline"]);
    run.fails(1)
        .stderr_has("error: `/toolkit/codigo-de-conducta/#sanciones` only works where the site is served at the domain root; link to `02-codigo-de-conducta.md#sanciones` instead\n --> content/toolkit/03-rutas.md:5:5\n")
        .stderr_has("error: `/transparencia/` only works where the site is served at the domain root, and names no page or content file of this site\n --> content/toolkit/03-rutas.md:9:1\n");
    assert_eq!(run.errors(), 5, "{}", run.stderr);
    assert!(!site.exists("public/toolkit/rutas/index.html"));
}
