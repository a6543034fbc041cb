//! The basic build: URLs per language, outputs the SPEC lists, ordering, neighbours, drafts.

use crate::harness::SiteTest;

#[test]
fn builds_every_output_of_a_bilingual_site() {
    let site = SiteTest::fixture("build/basic");
    site.build()
        .ok()
        .stderr_has("built 5 pages, 1 checklist, 2 languages");
    for file in [
        "index.html",
        "en/index.html",
        "toolkit/index.html",
        "en/guide/index.html",
        "toolkit/riesgos/index.html",
        "en/guide/risks/index.html",
        "toolkit/codigo-de-conducta/index.html",
        "checklists/index.html",
        "checklists/obra/index.html",
        "en/checklists/obra/index.html",
        "checklists/obra/checklist.json",
        "toolkit/mapa.png",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "atom.xml",
        "en/atom.xml",
        "search/index.html",
        "en/search/index.html",
        "SHA256SUMS",
    ] {
        assert!(
            site.exists(&format!("public/{file}")),
            "missing public/{file}"
        );
    }
    assert!(
        !site.exists("public/en/guide/codigo-de-conducta/index.html"),
        "untranslated pages are not duplicated"
    );
}

#[test]
fn pages_link_to_their_translations_and_fall_back_to_the_other_home() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let risks = site.out("toolkit/riesgos/index.html");
    assert!(
        risks.contains(r#"<link rel="alternate" hreflang="en" href="../../en/guide/risks/">"#),
        "{risks}"
    );
    let code = site.out("toolkit/codigo-de-conducta/index.html");
    assert!(
        code.contains(r#"href="../../en/" hreflang="en" data-translated="false""#),
        "{code}"
    );
}

#[test]
fn sections_list_children_in_weight_then_file_order_with_fallbacks() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let en = site.out("en/guide/index.html");
    let list = &en[en.find(r#"<ul class="children">"#).unwrap()..];
    let risks = list.find("Risks").unwrap();
    let code = list.find("Código de conducta").expect("fallback listed");
    assert!(code < risks, "weighted pages first: {list}");
    assert!(
        en.contains(r#"<a href="../../toolkit/codigo-de-conducta/" lang="es">"#),
        "{en}"
    );
}

#[test]
fn pages_know_previous_and_next() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-cierre.md",
        "---\ntitle: Cierre\nweight: 3\n---\nFin.\n",
    );
    site.build().ok();
    let code = site.out("toolkit/codigo-de-conducta/index.html");
    assert!(
        code.contains(r#"<a rel="next" href="../cierre/">Cierre</a>"#),
        "{code}"
    );
    assert!(
        !code.contains(r#"rel="prev""#),
        "weighted page comes first: {code}"
    );
    let risks = site.out("toolkit/riesgos/index.html");
    assert!(
        risks.contains(r#"<a rel="prev" href="../cierre/">"#),
        "unweighted pages come last: {risks}"
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/09-borrador.md",
        "---\ntitle: Borrador\ndraft: true\n---\nEn obra.\n",
    );
    site.build().ok();
    assert!(!site.exists("public/toolkit/borrador/index.html"));
    site.run(&["build", "--drafts"]).ok();
    assert!(site
        .out("toolkit/borrador/index.html")
        .contains(r#"<p class="draft">Borrador</p>"#));
}

#[test]
fn same_input_gives_byte_identical_output() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let first = site.tree("public");
    site.build().ok();
    let second = site.tree("public");
    assert_eq!(first.len(), second.len());
    for ((a, x), (b, y)) in first.iter().zip(&second) {
        assert_eq!(a, b);
        assert!(x == y, "{a} differs between builds");
    }
}

#[test]
fn sums_list_every_file_sorted_and_verify() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let sums = site.out("SHA256SUMS");
    let paths: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let files = site.tree("public");
    assert_eq!(
        paths.len(),
        files.len() - 2,
        "every file but SHA256SUMS itself and the output marker"
    );
    let verify = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("--quiet")
        .arg("SHA256SUMS")
        .current_dir(site.path("public"))
        .output();
    if let Ok(output) = verify {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn feed_sitemap_and_robots_use_the_base_url() {
    let site = SiteTest::fixture("build/basic");
    site.run(&[
        "build",
        "--base-url",
        "https://espejo.example.net/integridad",
    ])
    .ok();
    let sitemap = site.out("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://espejo.example.net/integridad/toolkit/riesgos/</loc>"),
        "{sitemap}"
    );
    assert!(sitemap
        .contains(r#"hreflang="en" href="https://espejo.example.net/integridad/en/guide/risks/""#));
    let feed = site.out("atom.xml");
    assert!(
        feed.contains("<title>Riesgos</title>") && feed.contains("2026-01-10T00:00:00Z"),
        "{feed}"
    );
    assert!(site
        .out("robots.txt")
        .contains("Sitemap: https://espejo.example.net/integridad/sitemap.xml"));
}

#[test]
fn offline_builds_link_to_index_files() {
    let site = SiteTest::fixture("build/basic");
    site.run(&["build", "--offline"]).ok();
    let home = site.out("index.html");
    assert!(
        home.contains(r#"href="toolkit/codigo-de-conducta/index.html#sanciones""#),
        "{home}"
    );
    let risks = site.out("toolkit/riesgos/index.html");
    assert!(
        risks.contains(r#"href="../../en/guide/risks/index.html""#),
        "{risks}"
    );
}

#[test]
fn links_files_setting_matches_offline() {
    let site = SiteTest::fixture("build/basic");
    let config = site.read("site.toml") + "[build]\nlinks = \"files\"\n";
    site.write("site.toml", config);
    site.build().ok();
    assert!(site
        .out("index.html")
        .contains("checklists/obra/index.html"));
}

#[test]
fn a_site_without_a_theme_folder_uses_the_built_in_default_theme() {
    let site = SiteTest::fixture("build/basic");
    std::fs::remove_dir_all(site.path("themes")).unwrap();
    site.build().ok();
    let home = site.out("index.html");
    assert!(
        home.contains(r#"<a class="skip-link""#) || home.contains("skip"),
        "{home}"
    );
    let css = site
        .tree("public")
        .into_iter()
        .any(|(name, _)| name.starts_with("static/style.") && name.ends_with(".css"));
    assert!(css, "the built-in theme's stylesheet is written");
}

#[test]
fn an_unknown_theme_is_an_error() {
    let site = SiteTest::fixture("build/basic");
    let config = site.read("site.toml").replace(
        "title = \"Sitio de prueba\"",
        "title = \"Sitio de prueba\"\ntheme = \"otro\"",
    );
    site.write("site.toml", config);
    site.check().fails(2).stderr_has("cannot read theme");
}

#[test]
fn a_minimal_theme_falls_back_to_section_and_page_templates() {
    let site = SiteTest::fixture("build/basic");
    for name in ["home", "checklists", "search", "404"] {
        std::fs::remove_file(site.path(&format!("themes/default/templates/{name}.html"))).unwrap();
    }
    site.build().ok();
    assert!(
        site.out("index.html").contains(r#"<ul class="children">"#),
        "home rendered with section.html"
    );
    assert!(site
        .out("checklists/index.html")
        .contains(r#"<ul class="children">"#));
    assert!(!site.exists("public/404.html") && !site.exists("public/search/index.html"));
}

#[test]
fn aliases_write_redirect_pages_to_the_new_url() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/05-nuevo.md",
        "---\ntitle: Nuevo\naliases: [/guia/viejo/, antiguo.html]\n---\nTexto.\n",
    );
    site.build().ok();
    let redirect = site.out("guia/viejo/index.html");
    assert!(
        redirect.contains(r#"<meta http-equiv="refresh" content="0; url=../../toolkit/nuevo/">"#),
        "{redirect}"
    );
    assert!(
        redirect.contains(r#"<link rel="canonical" href="https://example.org/toolkit/nuevo/">"#)
    );
    assert!(site.out("antiguo.html").contains("url=toolkit/nuevo/"));
}

#[test]
fn front_matter_picks_the_template_and_the_table_of_contents() {
    let site = SiteTest::fixture("build/basic");
    site.write("themes/default/templates/landing.html", "{% extends \"base.html\" %}{% block content %}<p class=\"landing\">{{ page.title }}</p>{% endblock content %}");
    site.write(
        "content/toolkit/05-portada.md",
        "---\ntitle: Portada\ntemplate: landing\n---\n## Uno\n",
    );
    site.write(
        "content/toolkit/06-sin-indice.md",
        "---\ntitle: Sin índice\ntoc: false\n---\n## Uno\n## Dos\n",
    );
    site.write(
        "content/toolkit/07-con-indice.md",
        "---\ntitle: Con índice\n---\n## Uno\n## Dos\n",
    );
    site.build().ok();
    assert!(site
        .out("toolkit/portada/index.html")
        .contains(r#"<p class="landing">Portada</p>"#));
    assert!(!site
        .out("toolkit/sin-indice/index.html")
        .contains(r#"class="toc""#));
    assert!(site.out("toolkit/con-indice/index.html").contains(
        r##"<ol class="toc"><li><a href="#uno">Uno</a></li><li><a href="#dos">Dos</a></li></ol>"##
    ));
    site.write(
        "content/toolkit/05-portada.md",
        "---\ntitle: Portada\ntemplate: nada\n---\n",
    );
    site.check()
        .fails(1)
        .stderr_has("template `nada.html` not found in the theme")
        .stderr_has("content/toolkit/05-portada.md:3:11");
}
