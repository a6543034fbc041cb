//! The printable handbook of each language (issue 11, section 4): chapters in order with ids
//! made unique, checklists as blank forms, the cover's date and key, the links to it, and its
//! reserved path. The fixture has no theme of its own, so it builds with the built-in default.

use std::collections::BTreeSet;

use crate::harness::SiteTest;

fn site() -> SiteTest {
    let site = SiteTest::fixture("handbook/basic");
    // The harness gives a fixture without a theme the minimal test theme; the handbook is the
    // default theme's, which the generator uses when the site has no theme folder.
    std::fs::remove_dir_all(site.path("themes")).unwrap();
    site
}

/// Every value of ` name="…"` in `html`, in order.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The `<main>` element of a page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

#[test]
fn each_language_gets_a_handbook_with_its_chapters_in_order() {
    let site = site();
    site.build().ok();
    let es = site.out("manual/index.html");
    let en = site.out("en/handbook/index.html");
    let first = es
        .find("Riesgos de corrupción</h2>")
        .expect("chapter 1 in es");
    let second = es.find("Código de conducta</h2>").expect("chapter 2 in es");
    let form = es.find("id=\"form-obra\"").expect("the form in es");
    assert!(first < second && second < form, "chapters, then forms");
    assert!(es.contains("<html lang=\"es\">"));
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("Corruption risks</h2>"));
    // The untranslated chapter comes in Spanish, marked as such.
    assert!(
        en.contains("<section class=\"handbook-chapter\" aria-labelledby=\"ch2\" lang=\"es\">"),
        "{}",
        main_of(&en)
    );
    // Sections and the about page are not chapters.
    assert!(!main_of(&es).contains("Versiones consultadas"));
}

#[test]
fn a_top_level_page_marked_for_the_handbook_comes_before_the_chapters() {
    let site = site();
    site.write(
        "content/guia.md",
        "---\ntitle: Guía para personas facilitadoras\nhandbook: true\n---\n## Agenda\n\nUse la [matriz](toolkit/01-riesgos.md) y [acerca](acerca.md).\n",
    );
    site.build().ok();
    let es = site.out("manual/index.html");
    let guide = es
        .find("Guía para personas facilitadoras</h2>")
        .expect("the guide");
    let first = es.find("Riesgos de corrupción</h2>").expect("chapter 2");
    assert!(guide < first, "the guide comes first");
    // Its links lead within the handbook, or to the page's own address from the handbook's.
    let main = main_of(&es);
    assert!(main.contains(r##"href="#ch2""##), "{main}");
    assert!(main.contains(r#"href="../acerca/""#), "{main}");
    // The English handbook has it too, in Spanish, as the guide has no translation.
    assert!(site
        .out("en/handbook/index.html")
        .contains("Guía para personas facilitadoras</h2>"));
    // Pages at the top without the key stay out.
    assert!(!main.contains("Versiones consultadas"));
}

#[test]
fn links_the_handbook_writes_are_checked_like_written_ones() {
    let site = site();
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        format!("{config}\n[markdown]\nunsafe_html = true\n"),
    );
    // Raw HTML links are not markdown links, so only the check of what the handbook writes sees
    // them: in the handbook `#matriz` becomes `#ch1-matriz`, which the chapter does not hold.
    let chapter = site.read("content/toolkit/01-riesgos.md");
    site.write(
        "content/toolkit/01-riesgos.md",
        format!(
            "{chapter}\n<a href=\"#matriz\">matriz</a> <a href=\"../../../fuera/\">fuera</a>\n"
        ),
    );
    let run = site.build();
    run.fails(1)
        .stderr_has(concat!(
            "error: the handbook links `#ch1-matriz`, but holds no such id\n",
            " --> content/toolkit/01-riesgos.md:14:10\n",
        ))
        .stderr_has(concat!(
            "error: the handbook links `../../../fuera/`, which leads above the site's root\n",
            " --> content/toolkit/01-riesgos.md:14:39\n",
        ))
        .stderr_has("= help: the link comes from chapter 1 (`Riesgos de corrupción`)");
    // Both handbooks hold the chapter (the English one has its own translation, without them).
    assert_eq!(run.errors(), 2, "{}", run.stderr);
}

#[test]
fn ids_are_unique_and_every_fragment_link_has_its_target() {
    let site = site();
    site.build().ok();
    for file in ["manual/index.html", "en/handbook/index.html"] {
        let html = site.out(file);
        let ids = attributes(&html, "id");
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "duplicate ids in {file}: {ids:?}");
        for href in attributes(&html, "href") {
            if let Some(fragment) = href.strip_prefix('#') {
                assert!(unique.contains(fragment), "{file}: `{href}` leads nowhere");
            }
        }
    }
    let es = site.out("manual/index.html");
    // Both chapters have a heading and a footnote with the same id on their own pages.
    for id in [
        "ch1-que-es-un-riesgo",
        "ch2-que-es-un-riesgo",
        "ch1-fn-inegi",
        "ch2-fn-inegi",
    ] {
        assert!(es.contains(&format!(" id=\"{id}\"")), "no `{id}`");
    }
    assert!(es.contains("href=\"#ch1-fn-inegi\""), "footnote reference");
    assert!(
        es.contains("href=\"#ch1-que-es-un-riesgo\""),
        "link within the chapter"
    );
}

#[test]
fn links_lead_within_the_handbook_or_are_rebased_to_its_address() {
    let site = site();
    site.build().ok();
    let es = site.out("manual/index.html");
    let chapter = &es[es.find("aria-labelledby=\"ch1\"").unwrap()..];
    let chapter = &chapter[..chapter.find("</section>").unwrap()];
    let links = attributes(chapter, "href");
    assert!(links.contains(&"#ch2-detalle"), "{links:?}");
    assert!(links.contains(&"#form-obra"), "{links:?}");
    assert!(links.contains(&"#form-obra_lic-01"), "an item: {links:?}");
    assert!(links.contains(&"#form-obra__pagos"), "a section: {links:?}");
    assert!(links.contains(&"../acerca/#leyes"), "{links:?}");
    assert!(links.contains(&"https://www.dof.gob.mx/"), "{links:?}");
    // Content headings sit one level below the chapter title.
    assert!(
        chapter.contains("<h3 id=\"ch1-que-es-un-riesgo\">"),
        "{chapter}"
    );
    let en = site.out("en/handbook/index.html");
    assert!(en.contains("href=\"#ch2-detalle\""));
    assert!(en.contains("href=\"#form-obra\""));
}

#[test]
fn every_checklist_item_is_a_blank_form_with_risk_element_and_four_boxes() {
    let site = site();
    site.build().ok();
    let es = site.out("manual/index.html");
    let form = &es[es.find("id=\"form-obra\"").unwrap()..];
    for question in [
        "¿Se documenta cada licitación?",
        "¿Hay un canal de denuncia?",
        "¿Se autorizan los pagos por dos personas?",
    ] {
        assert!(form.contains(question), "{question}");
    }
    assert_eq!(form.matches("<span class=\"box\"").count(), 3 * 4);
    for answer in ["Sí", "Parcialmente", "No", "No aplica"] {
        assert_eq!(form.matches(&format!("</span> {answer}</li>")).count(), 3);
    }
    assert!(form.contains("Riesgo alto (peso 3)"));
    assert!(form.contains("Riesgo medio (peso 2)"));
    assert!(form.contains("Elemento: Control, vigilancia y auditoría"));
    assert!(form.contains("Regla de puntuación"));
    assert!(form.contains("de 50 % a menos de 80 %"));
    assert!(!form.contains("<input"), "a paper form has no inputs");
    // CSP-clean: no inline style or script; the page loads only the site's main script.
    let en = site.out("en/handbook/index.html");
    assert!(en.contains("Is every tender documented?"));
    assert!(en.contains("High risk (weight 3)"));
    assert_eq!(attributes(&en, "src").len(), 1, "only main.js");
    assert!(!en.contains("<style") && !en.contains(" style=\""));
}

#[test]
fn cover_shows_the_newest_content_date_address_and_partners() {
    let site = site();
    site.build().ok();
    let es = site.out("manual/index.html");
    let cover = &es[es.find("handbook-cover").unwrap()..es.find("handbook-contents").unwrap()];
    // The newest `date`/`updated` of the language's pages (02-codigo.md), not the build's clock.
    assert!(
        cover.contains("<time datetime=\"2026-05-02\">2 de mayo de 2026</time>"),
        "{cover}"
    );
    assert!(cover.contains("https://integridad.example.gob.mx/"));
    assert!(cover.contains("Programa de las Naciones Unidas para el Desarrollo (PNUD)"));
    assert!(
        !cover.contains("minisign"),
        "an unsigned build shows no key"
    );
    let en = site.out("en/handbook/index.html");
    assert!(en.contains("<time datetime=\"2026-04-15\">"));
    assert!(en.contains("https://integridad.example.gob.mx/en/"));
    let before = site.tree("public");
    site.build().ok();
    assert!(
        before == site.tree("public"),
        "a second build gives other bytes"
    );
}

#[test]
fn a_signed_build_shows_the_public_key_on_the_cover() {
    let site = site();
    let keygen = site.run_in(&["keygen", "--out", "firma.key", "--no-password"], false);
    keygen.ok();
    let line = keygen
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("public key line: "))
        .expect("keygen prints the public key line")
        .to_string();
    site.run(&["build", "--sign", "firma.key"]).ok();
    let es = site.out("manual/index.html");
    let cover = &es[es.find("handbook-cover").unwrap()..es.find("handbook-contents").unwrap()];
    assert!(
        cover.contains(&format!("<code class=\"cover-key\">{line}</code>")),
        "{cover}"
    );
}

#[test]
fn home_and_about_pages_link_to_the_handbook() {
    let site = site();
    site.build().ok();
    assert!(attributes(main_of(&site.out("index.html")), "href").contains(&"manual/"));
    assert!(attributes(main_of(&site.out("acerca/index.html")), "href").contains(&"../manual/"));
    assert!(attributes(main_of(&site.out("en/index.html")), "href").contains(&"handbook/"));
    assert!(
        attributes(main_of(&site.out("en/about/index.html")), "href").contains(&"../handbook/")
    );
    // Other pages do not carry the box.
    assert!(!site
        .out("toolkit/riesgos/index.html")
        .contains("handbook-link"));
}

#[test]
fn a_page_on_the_handbook_path_is_an_error_at_that_page() {
    let site = site();
    site.write("content/manual.md", "---\ntitle: Manual\n---\nTexto.\n");
    site.check()
        .fails(1)
        .stderr_has(
            "this page would be written to `manual/index.html`, which is already the handbook",
        )
        .stderr_has("--> content/manual.md");
}

#[test]
fn a_theme_without_the_template_has_no_handbook() {
    let site = SiteTest::fixture("handbook/basic");
    site.build().ok();
    assert!(!site.exists("public/manual"));
    assert!(!site.exists("public/en/handbook"));
}

#[test]
fn offline_links_to_other_pages_name_their_files() {
    let site = site();
    site.run(&["build", "--offline"]).ok();
    let links = attributes(&site.out("manual/index.html"), "href")
        .into_iter()
        .map(str::to_string)
        .collect::<BTreeSet<_>>();
    assert!(links.contains("../acerca/index.html#leyes"), "{links:?}");
    assert!(links.contains("#ch2-detalle"), "{links:?}");
    assert!(links.contains("../index.html"), "{links:?}");
}
