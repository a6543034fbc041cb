//! Bad content files: each gets a positioned error, and all of them are reported at once.

use crate::harness::SiteTest;

#[test]
fn front_matter_errors_name_file_line_and_column() {
    let cases = [
        (
            "---\ntitle: T\ntitel: x\n---\n",
            "unknown key `titel`",
            ":3:1",
        ),
        (
            "---\ntitle: T\nweight: alto\n---\n",
            "wrong type: found string \"alto\"; expected a whole number",
            ":3:9",
        ),
        (
            "---\ntitle: T\ndate: 2026-13-01\n---\n",
            "invalid date `2026-13-01`",
            ":3:7",
        ),
        (
            "---\ndescription: sin título\n---\n",
            "missing required key `title`",
            ":2:1",
        ),
        ("Sin front matter\n", "missing front matter", ":1:1"),
        (
            "---\ntitle: T\nsectors: [mineria]\n---\n",
            "unknown sector checklist `mineria`",
            ":3:11",
        ),
        (
            "---\ntitle: T\nslug: Con Espacios\n---\n",
            "invalid slug `Con Espacios`",
            ":3:7",
        ),
    ];
    for (text, message, position) in cases {
        let site = SiteTest::fixture("build/basic");
        site.write("content/toolkit/07-malo.md", text);
        site.check()
            .fails(1)
            .stderr_has(message)
            .stderr_has(&format!("content/toolkit/07-malo.md{position}"));
    }
}

#[test]
fn bom_and_crlf_are_accepted() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-crlf.md",
        "\u{feff}---\r\ntitle: Windows\r\n---\r\n## Título\r\n",
    );
    site.build().ok();
    assert!(site
        .out("toolkit/crlf/index.html")
        .contains(r#"<h2 id="titulo">"#));
}

#[test]
fn invalid_utf8_names_the_file() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-latin1.md",
        b"---\ntitle: T\n---\nCaf\xe9\n".as_slice(),
    );
    site.check()
        .fails(1)
        .stderr_has("not valid UTF-8")
        .stderr_has("content/toolkit/07-latin1.md:4:4");
}

#[test]
fn all_errors_of_a_build_are_reported_together() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/a.md", "---\ntitel: x\n---\n");
    site.write("content/b.md", "---\ntitle: B\nweight: x\n---\n");
    site.write("content/c.md", "---\ntitle: C\n---\n[x](nada.md)\n");
    let run = site.check();
    run.fails(1);
    assert!(run.errors() >= 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/a.md")
            && run.stderr.contains("content/b.md")
            && run.stderr.contains("content/c.md")
    );
}

#[test]
fn unknown_language_suffix_is_an_error() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/01-riesgos.fr.md",
        "---\ntitle: Risques\n---\n",
    );
    site.check()
        .fails(1)
        .stderr_has("unknown language `fr` in the file name `01-riesgos.fr.md`");
}

#[test]
fn only_language_codes_are_language_suffixes() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/08-ley.pdf.md", "---\ntitle: Ley\n---\n")
        .write("content/toolkit/09-guia.v2.md", "---\ntitle: Guía\n---\n")
        .write(
            "content/toolkit/10-nota.es-419.md",
            "---\ntitle: Nota\n---\n",
        );
    let run = site.check();
    run.fails(1)
        .stderr_has("unknown language `es-419` in the file name `10-nota.es-419.md`");
    assert_eq!(run.errors(), 1, "{}", run.stderr);
    std::fs::remove_file(site.path("content/toolkit/10-nota.es-419.md")).unwrap();
    site.build().ok();
    assert!(site.out("toolkit/ley-pdf/index.html").contains("Ley"));
    assert!(site.out("toolkit/guia-v2/index.html").contains("Guía"));
}

#[test]
fn duplicate_urls_are_an_error() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/05-riesgos.md", "---\ntitle: Otra\n---\n");
    site.check()
        .fails(1)
        .stderr_has("two pages have the URL `/toolkit/riesgos/`");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_warning_not_a_hang() {
    let site = SiteTest::fixture("build/basic");
    std::os::unix::fs::symlink(site.path("content"), site.path("content/toolkit/loop")).unwrap();
    site.build().ok().stderr_has("warning: symbolic link loop");
}

#[test]
fn config_errors_name_the_key_and_its_line() {
    let site = SiteTest::fixture("build/basic");
    let base = site.read("site.toml");
    let cases = [
        (
            format!("{base}colour = \"verde\"\n"),
            "unknown key `colour`",
            "site.toml:10:1",
        ),
        (
            base.replace("default_language = \"es\"\n", ""),
            "missing required key `default_language`",
            "site.toml:1:1",
        ),
        (
            base.replace("default_language = \"es\"", "default_language = \"fr\""),
            "`default_language` is `fr`, which is not declared",
            "site.toml:3:20",
        ),
    ];
    for (text, message, position) in cases {
        site.write("site.toml", &text);
        site.check()
            .fails(1)
            .stderr_has(message)
            .stderr_has(position);
    }
}

#[test]
fn template_errors_point_into_the_theme() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ t(key=\"nope\") }}{% endblock content %}",
    );
    site.check()
        .fails(1)
        .stderr_has("unknown UI string `nope`")
        .stderr_has("themes/default/templates/page.html:1:");
    site.write("themes/default/templates/page.html", "{% if %}");
    site.check()
        .fails(1)
        .stderr_has("template syntax error")
        .stderr_has("themes/default/templates/page.html:1:");
}

#[test]
fn error_output_snapshot() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-malo.md",
        "---\ntitle: Malo\nweight: alto\n---\n",
    );
    site.write("content/toolkit/08-enlace.md", "---\ntitle: Enlace\n---\nVer [aquí](no-existe.md) y [allá](02-codigo-de-conducta.md#nada).\n");
    let run = site.check();
    run.fails(1);
    let stderr: String = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("check failed"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_language_without_pages_is_a_warning_and_gets_no_switcher_link() {
    let site = SiteTest::fixture("build/basic");
    let config = site.read("site.toml") + "[languages.fr]\nname = \"Français\"\n";
    site.write("site.toml", config);
    site.build()
        .ok()
        .stderr_has("warning: language `fr` is declared in site.toml but no page is written in it")
        .stderr_has("site.toml:10:12");
    assert!(!site.out("index.html").contains("hreflang=\"fr\""));
}
