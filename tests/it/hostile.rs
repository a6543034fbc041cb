//! Hostile and careless inputs: symbolic links out of the site root, colliding outputs, file
//! names and strings with control characters, deep nesting, thousands of identical headings.
//! Each is caused for real and must end in a positioned content error (exit 1) with nothing
//! written, or in a correct build.

#[cfg(unix)]
use std::path::Path;

use crate::harness::SiteTest;

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_root_are_errors_and_never_read() {
    let site = SiteTest::fixture("build/basic");
    let outside = site.root.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secreto.txt"), "token-de-ci").unwrap();
    symlink("/proc/self/environ", &site.path("content/env.txt"));
    symlink("/etc/passwd", &site.path("content/toolkit/passwd"));
    site.write(
        ".git/config",
        "url = https://usuario:token-de-git@example.org/repo",
    );
    symlink("../.git/config", &site.path("content/git.txt"));
    symlink(&outside, &site.path("content/fuera"));
    symlink(
        "../../../../outside/secreto.txt",
        &site.path("themes/default/static/s.css"),
    );
    for run in [site.check(), site.build()] {
        run.fails(1)
            .stderr_has("error: the symbolic link `content/env.txt` points outside the site root, to `/proc/self/environ`\n --> content/env.txt:1:1")
            .stderr_has("error: the symbolic link `content/toolkit/passwd` points outside the site root, to `/etc/passwd`\n --> content/toolkit/passwd:1:1")
            .stderr_has(&format!("error: the symbolic link `content/fuera` points outside the site root, to `{}`\n --> content/fuera:1:1", outside.display()))
            .stderr_has("error: the symbolic link `themes/default/static/s.css` points outside the site root, to `../../../../outside/secreto.txt` (`")
            .stderr_has("error: the symbolic link `content/git.txt` points to a hidden path of the site, `.git/config`\n --> content/git.txt:1:1")
            .stderr_has("5 errors");
        // The targets are never read, not even to show a source line.
        for secret in ["PATH=", "root:", "token-de-ci", "token-de-git"] {
            assert!(
                !run.stderr.contains(secret),
                "{secret} leaked:\n{}",
                run.stderr
            );
        }
    }
    assert!(!site.exists("public"), "nothing may be written");
    // The dev server builds through the same loader.
    let (files, diags) = integridad::build_in_memory(&site.root).unwrap();
    assert!(files.is_none());
    assert_eq!(diags.error_count(), 5);
}

#[cfg(unix)]
#[test]
fn symbolic_links_inside_the_root_keep_working() {
    let site = SiteTest::fixture("build/basic");
    site.write("compartido/aviso.pdf", "pdf");
    site.write("compartido/extra.css", "body{}");
    symlink(
        "../../compartido/aviso.pdf",
        &site.path("content/toolkit/aviso.pdf"),
    );
    symlink(site.path("compartido"), &site.path("content/docs"));
    symlink(
        "../../../compartido/extra.css",
        &site.path("themes/default/static/extra.css"),
    );
    site.build().ok();
    assert_eq!(site.out("toolkit/aviso.pdf"), "pdf");
    assert_eq!(site.out("docs/extra.css"), "body{}");
    let statics: Vec<String> = site
        .tree("public/static")
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        statics
            .iter()
            .any(|p| p.starts_with("extra.") && p.ends_with(".css")),
        "{statics:?}"
    );
}

#[test]
fn every_output_collision_is_a_content_error_found_before_writing() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let style = site
        .tree("public/static")
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.starts_with("style."))
        .unwrap();
    std::fs::remove_dir_all(site.path("public")).unwrap();
    let theme_asset = format!("/static/{style}");
    let cases = [
        (
            "/index.html",
            "`index.html`, which is already the page `content/_index.md`".to_string(),
        ),
        (
            "/404.html",
            "`404.html`, which is already the 404 page".into(),
        ),
        (
            "/sitemap.xml",
            "`sitemap.xml/index.html`, but `sitemap.xml` is the sitemap".into(),
        ),
        (
            "/robots.txt",
            "but `robots.txt` is the robots.txt file".into(),
        ),
        ("/atom.xml", "but `atom.xml` is a feed".into()),
        ("/en/atom.xml", "but `en/atom.xml` is a feed".into()),
        (
            "/SHA256SUMS",
            "but `SHA256SUMS` is the checksum list".into(),
        ),
        (
            "/SHA256SUMS.minisig",
            "but `SHA256SUMS.minisig` is the checksum signature".into(),
        ),
        (
            "/integridad-offline.zip",
            "but `integridad-offline.zip` is the offline bundle".into(),
        ),
        (
            "/.integridad-output",
            "but `.integridad-output` is the marker of integridad's output".into(),
        ),
        (
            "/toolkit/",
            "`toolkit/index.html`, which is already the page `content/toolkit/_index.md`".into(),
        ),
        (
            "/en/search/",
            "`en/search/index.html`, which is already a search page".into(),
        ),
        (
            "/search-index.es.js",
            "but `search-index.es.js` is the search index".into(),
        ),
        (
            "/checklists/obra/checklist.json",
            "but `checklists/obra/checklist.json` is the checklist `content/checklists/obra.yaml`"
                .into(),
        ),
        (
            theme_asset.as_str(),
            format!("but `static/{style}` is the theme file `themes/default/static/style.css`"),
        ),
        (
            "/toolkit/mapa.png/",
            "but `toolkit/mapa.png` is the file `content/toolkit/mapa.png`".into(),
        ),
        (
            "/viejo/",
            "`viejo/index.html`, which is already the alias `/viejo/` of `content/a00.md`".into(),
        ),
    ];
    site.write("content/a00.md", "---\ntitle: A\naliases: [/viejo/]\n---\n");
    for (n, (alias, _)) in cases.iter().enumerate() {
        site.write(
            &format!("content/a{:02}.md", n + 1),
            format!("---\ntitle: A\naliases: [\"{alias}\"]\n---\n"),
        );
    }
    site.write("content/sitemap.xml", "<urlset/>");
    site.write("content/z.md", "---\ntitle: Z\nslug: search\n---\n");
    site.write(
        "content/nul.md",
        "---\ntitle: N\naliases: [\"/a\\0b/\"]\n---\n",
    );
    for run in [site.check(), site.build()] {
        run.fails(1);
        for (n, (alias, expected)) in cases.iter().enumerate() {
            let head = format!("error: the alias `{alias}` would be written to `");
            let at = format!(" --> content/a{:02}.md:3:11", n + 1);
            let lines: Vec<&str> = run.stderr.lines().collect();
            let found = lines.windows(2).any(|pair| {
                pair[0].starts_with(&head) && pair[0].contains(expected.as_str()) && pair[1] == at
            });
            assert!(found, "{head}…{expected} at {at}:\n{}", run.stderr);
        }
        run.stderr_has("error: the file `content/sitemap.xml` would be written to `sitemap.xml`, which is already the sitemap\n --> content/sitemap.xml:1:1")
            .stderr_has("error: this page would be written to `search/index.html`, which is already a search page\n --> content/z.md:1:1")
            .stderr_has("error: invalid front matter: this text holds the control character U+0000\n --> content/nul.md:3:11");
        assert_eq!(run.errors(), cases.len() + 3, "{}", run.stderr);
    }
    assert!(!site.exists("public"), "nothing may be written");
}

#[cfg(unix)]
#[test]
fn unprintable_file_names_are_errors_naming_the_file() {
    use std::os::unix::ffi::OsStrExt;
    let site = SiteTest::fixture("build/basic");
    site.write("content/toolkit/linea\nnueva.pdf", "x");
    site.write("content/toolkit/escape\u{1b}.md", "---\ntitle: E\n---\n");
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.png");
    std::fs::write(site.path("content/toolkit").join(latin1), "x").unwrap();
    let folder = site
        .path("content/toolkit")
        .join(std::ffi::OsStr::from_bytes(b"a\xf1o"));
    for name in ["1.png", "2.png", "3.md"] {
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), "x").unwrap();
    }
    site.build()
        .fails(1)
        .stderr_has("error: the file name `toolkit/linea\\nnueva.pdf` holds the control character U+000A\n --> content/toolkit/linea?nueva.pdf:1:1")
        .stderr_has("error: the file name `toolkit/escape\\u{1b}.md` holds the control character U+001B")
        .stderr_has("error: the file name `toolkit/caf\u{fffd}.png` is not UTF-8 text\n --> content/toolkit/caf\u{fffd}.png:1:1")
        .stderr_has("error: the folder name `toolkit/a\u{fffd}o` is not UTF-8 text\n --> content/toolkit/a\u{fffd}o:1:1")
        .stderr_has("build failed: 4 errors");
    assert!(!site.exists("public"));
}

#[test]
fn control_characters_in_yaml_and_toml_strings_are_refused_at_their_position() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/a.md", "---\ntitle: \"Hola\\u0000\"\n---\n");
    site.write(
        "content/checklists/bell.yaml",
        "title: \"Campana\\a\"\nsections: []\n",
    );
    let toml = site
        .read("site.toml")
        .replace("title = \"Test site\"", "title = \"Test\\u001b[31m\"");
    site.write("site.toml", toml);
    site.check()
        .fails(1)
        .stderr_has("error: this text holds the control character U+001B\n --> site.toml:9:9");
    // With the configuration fixed, the YAML strings are reported.
    let toml = site.read("site.toml").replace("\\u001b[31m", "");
    site.write("site.toml", toml);
    site.build()
        .fails(1)
        .stderr_has("error: invalid front matter: this text holds the control character U+0000\n --> content/a.md:2:8")
        .stderr_has("error: invalid checklist: this text holds the control character U+0007\n --> content/checklists/bell.yaml:1:8");
    site.write(
        "themes/default/i18n/en.toml",
        "search_title = \"Bus\\u0000car\"\n",
    );
    site.check().fails(1).stderr_has(
        "error: this text holds the control character U+0000\n --> themes/default/i18n/en.toml:1:16",
    );
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let site = SiteTest::fixture("build/basic");
    let deep = "[".repeat(64_000) + &"]".repeat(64_000);
    site.write("content/a.md", format!("---\ntitle: A\nx: {deep}\n---\n"));
    let mapping: String = (0..5_000)
        .map(|n| format!("{}k:\n", " ".repeat(n)))
        .collect();
    site.write(
        "content/checklists/hondo.yaml",
        format!("title: Hondo\nsections:\n{mapping}"),
    );
    site.check()
        .fails(1)
        .stderr_has("error: front matter is nested more than 64 levels deep\n --> content/a.md:3:67")
        .stderr_has("error: checklist is nested more than 64 levels deep\n --> content/checklists/hondo.yaml:67:65");
    let toml = site.read("site.toml") + &format!("x = {deep}\n");
    site.write("site.toml", toml);
    site.check()
        .fails(1)
        .stderr_has("error: invalid site.toml: nested too deeply (tables and arrays may nest at most 80 levels)\n --> site.toml:10:");
}

#[test]
fn twenty_thousand_identical_headings_get_numbered_ids() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-repetido.md",
        format!(
            "---\ntitle: R\ntoc: false\n---\n{}",
            "## x\n\n".repeat(20_000)
        ),
    );
    site.build().ok();
    let html = site.out("toolkit/repetido/index.html");
    let ids: Vec<&str> = html
        .match_indices("<h2 id=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(ids.len(), 20_000);
    for (n, id) in ids.iter().enumerate() {
        let expected = if n == 0 {
            "x".to_string()
        } else {
            format!("x-{n}")
        };
        assert_eq!(*id, expected);
    }
}
