//! The site's `static/` folder, junk and hidden files under `content/`, and files in the output
//! folder that integridad did not write.

use crate::harness::SiteTest;

#[test]
fn static_folder_is_copied_verbatim_and_listed() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "static/.well-known/security.txt",
        "Contact: mailto:x@y.mx\n",
    )
    .write("static/.htaccess", "ErrorDocument 404 /404.html\n")
    .write("static/google1234.html", "google-site-verification\n")
    .write("static/.DS_Store", "junk")
    .write("static/img/Thumbs.db", "junk");
    site.build().ok();
    assert_eq!(
        site.out(".well-known/security.txt"),
        "Contact: mailto:x@y.mx\n"
    );
    assert_eq!(site.out(".htaccess"), "ErrorDocument 404 /404.html\n");
    assert!(site.exists("public/google1234.html"));
    assert!(!site.exists("public/.DS_Store"));
    assert!(!site.exists("public/img"));
    let sums = site.out("SHA256SUMS");
    for listed in [".htaccess", ".well-known/security.txt", "google1234.html"] {
        assert!(sums.contains(&format!("  {listed}\n")), "{listed}:\n{sums}");
    }
    site.run_in(&["verify", "public"], false).ok();
}

#[test]
fn static_file_colliding_with_a_generated_file_is_an_error() {
    let site = SiteTest::fixture("build/basic");
    site.write("static/sitemap.xml", "<urlset/>")
        .write("static/toolkit/riesgos/index.html", "<p>mine</p>");
    let run = site.check();
    run.fails(1)
        .stderr_has("the file `static/sitemap.xml` would be written to `sitemap.xml`, which is already the sitemap")
        .stderr_has(" --> static/sitemap.xml")
        .stderr_has("the file `static/toolkit/riesgos/index.html` would be written to `toolkit/riesgos/index.html`, which is already the page `content/toolkit/01-riesgos.md`");
    assert_eq!(run.errors(), 2, "{}", run.stderr);
}

#[test]
fn junk_in_content_is_neither_read_nor_published() {
    let site = SiteTest::fixture("build/basic");
    for junk in [
        "Thumbs.db",
        ".DS_Store",
        "desktop.ini",
        "01-riesgos.md~",
        ".01-riesgos.md.swp",
        ".01-riesgos.md.swo",
        "#01-riesgos.md#",
        "notas.tmp",
        "mapa.png.bak",
        ".vscode/settings.json",
        ".obsidian/workspace.json",
        "~$plantilla.docx",
        "~$gistro.xlsx",
        ".~lock.plantilla.docx#",
    ] {
        site.write(&format!("content/toolkit/{junk}"), "\u{0}junk");
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "usuario@equipo.1234:1700000000",
        site.path("content/toolkit/.#01-riesgos.md"),
    )
    .unwrap();
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("content/toolkit"), "{}", run.stderr);
    let published: Vec<String> = site
        .tree("public/toolkit")
        .into_iter()
        .map(|(rel, _)| rel)
        .filter(|rel| !rel.ends_with("index.html"))
        .collect();
    assert_eq!(published, ["mapa.png"]);
}

#[test]
fn hidden_files_in_content_point_to_static() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/.well-known/security.txt", "Contact: x\n")
        .write("content/.htaccess", "Deny from all\n");
    let run = site.check();
    run.fails(1)
        .stderr_has("hidden files under `content/` are not published: `content/.well-known`")
        .stderr_has("move it to `static/.well-known`")
        .stderr_has("hidden files under `content/` are not published: `content/.htaccess`");
    assert_eq!(run.errors(), 2, "{}", run.stderr);
}

#[test]
fn files_integridad_did_not_write_are_named_before_they_go() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    for name in [
        "a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g/h.txt",
    ] {
        site.write(&format!("public/{name}"), "mine");
    }
    let run = site.build();
    run.ok().stderr_has(
        "warning: `public` holds 7 files that integridad did not write, deleted by this build: `a.txt`, `b.txt`, `c.txt`, `d.txt`, `e.txt`, and 2 more",
    )
    .stderr_has("put files to publish in `static/`");
    assert!(!site.exists("public/a.txt"));
    let again = site.build();
    again.ok();
    assert!(!again.stderr.contains("did not write"), "{}", again.stderr);
}

#[test]
fn without_checksums_foreign_files_are_those_the_new_build_lacks() {
    let site = SiteTest::fixture("build/basic");
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        format!("{config}\n[integrity]\nchecksums = false\n"),
    );
    site.build().ok();
    site.write("public/.htaccess", "Deny from all\n");
    site.build()
        .ok()
        .stderr_has("`public` holds 1 file that neither this build nor integridad's list of the old one has, deleted by this build: `.htaccess`");
}
