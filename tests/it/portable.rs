//! One site, the same on every system: names Windows cannot hold are refused by `check` at the
//! file that causes them, and file names and links in either Unicode form (macOS writes NFD)
//! meet.

use unicode_normalization::UnicodeNormalization as _;

use crate::harness::SiteTest;

#[test]
fn names_windows_cannot_hold_are_errors_of_check_at_their_source() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/con.md", "---\ntitle: Con\n---\nTexto.\n")
        .write("content/toolkit/aux.pdf", "%PDF")
        .write("static/a:b.txt", "x")
        .write("static/notas.", "x")
        .write(
            "content/toolkit/03-otra.md",
            "---\ntitle: Otra\nslug: com1\n---\nTexto.\n",
        );
    let run = site.check();
    run.fails(1)
        .stderr_has("this page would be written to `toolkit/con/index.html`: `con` is a device name that Windows reserves")
        .stderr_has(" --> content/toolkit/con.md")
        .stderr_has("the file `content/toolkit/aux.pdf` would be written to `toolkit/aux.pdf`: `aux.pdf` is a device name")
        .stderr_has("the file `static/a:b.txt` would be written to `a:b.txt`: `a:b.txt` holds `:`")
        .stderr_has("`notas.` ends with a dot")
        .stderr_has("this page would be written to `toolkit/com1/index.html`")
        .stderr_has("the site must open on Windows, macOS and Linux alike");
    assert_eq!(run.errors(), 5, "{}", run.stderr);
    // `build` refuses the same before writing anything.
    site.build().fails(1);
    assert!(!site.exists("public"));
}

#[test]
fn decomposed_file_names_are_published_composed_and_links_in_either_form_find_them() {
    let site = SiteTest::fixture("build/basic");
    let composed = "evaluación";
    let decomposed: String = composed.nfd().collect();
    assert_ne!(composed, decomposed);
    // Saved by macOS: the names on disk are decomposed.
    site.write(&format!("content/toolkit/{decomposed}.pdf"), "%PDF-1.4")
        .write(
            &format!("content/toolkit/04-{decomposed}-de-riesgos.md"),
            "---\ntitle: Evaluación\n---\nTexto.\n",
        )
        .write(
            "content/toolkit/05-enlaces.md",
            format!(
                "---\ntitle: Enlaces\n---\n[a]({composed}.pdf) [b]({decomposed}.pdf) \
                 [c](04-{composed}-de-riesgos.md) [d](04-{decomposed}-de-riesgos.md)\n"
            ),
        );
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("not found"), "{}", run.stderr);
    assert!(site.exists(&format!("public/toolkit/{composed}.pdf")));
    assert!(!site.exists(&format!("public/toolkit/{decomposed}.pdf")));
    let sums = site.out("SHA256SUMS");
    assert!(sums.contains(&format!("toolkit/{composed}.pdf")), "{sums}");
    assert!(!sums.contains(&decomposed), "{sums}");
    let page = site.out("toolkit/enlaces/index.html");
    for (text, href) in [
        ("a", "../evaluaci%C3%B3n.pdf"),
        ("b", "../evaluaci%C3%B3n.pdf"),
        ("c", "../evaluacion-de-riesgos/"),
        ("d", "../evaluacion-de-riesgos/"),
    ] {
        let link = format!("<a href=\"{href}\">{text}</a>");
        assert!(page.contains(&link), "{link} in {page}");
    }
    assert!(site
        .out("toolkit/evaluacion-de-riesgos/index.html")
        .contains("Texto."));
}

#[test]
fn office_lock_files_beside_an_open_document_are_never_read_nor_published() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/plantilla.docx", "PK")
        .write("content/toolkit/~$plantilla.docx", "\u{0}owner")
        .write("content/toolkit/.~lock.plantilla.docx#", "usuario,equipo\n")
        .write("static/~$notas.xlsx", "\u{0}owner");
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("lock"), "{}", run.stderr);
    assert!(site.exists("public/toolkit/plantilla.docx"));
    let sums = site.out("SHA256SUMS");
    assert!(!sums.contains("~$") && !sums.contains(".~lock"), "{sums}");
}
