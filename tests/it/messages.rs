//! What the tool says: summary lines in plain English, `base_url` checked where it is written,
//! template and fragment errors that name what is wrong and what would be right.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::SiteTest;

fn last_line(stderr: &str) -> &str {
    stderr.trim_end().lines().last().unwrap_or_default()
}

fn set_base_url(site: &SiteTest, url: &str) {
    let config = site.read("site.toml").replace("https://example.org/", url);
    site.write("site.toml", config);
}

#[test]
fn summaries_use_singular_plural_and_the_command_name() {
    let site = SiteTest::fixture("build/basic");
    let check = site.check();
    check.ok();
    let line = last_line(&check.stderr);
    assert!(
        line.starts_with("checked 5 pages, 1 checklist, 2 languages, ")
            && line.ends_with(" s (no warnings)"),
        "{line}"
    );

    // Raw HTML is escaped with a warning.
    site.write(
        "content/toolkit/05-a.md",
        "---\ntitle: A\n---\nTexto <br> a.\n",
    );
    let build = site.build();
    build.ok();
    let line = last_line(&build.stderr);
    assert!(
        line.starts_with("built 6 pages, 1 checklist, 2 languages, ")
            && line.ends_with(" s (1 warning)"),
        "{line}"
    );

    site.write("content/x.md", "---\ntitel: x\n---\n");
    let line = last_line(&site.check().stderr).to_string();
    assert!(
        line.starts_with("check failed: 1 error, 1 warning in "),
        "{line}"
    );
    let build = site.build();
    build.fails(1);
    let line = last_line(&build.stderr);
    assert!(
        line.starts_with("build failed: 1 error, 1 warning in "),
        "{line}"
    );

    site.write("content/y.md", "---\ntitel: y\n---\n");
    site.write(
        "content/toolkit/06-b.md",
        "---\ntitle: B\n---\nTexto <br> b.\n",
    );
    let line = last_line(&site.check().stderr).to_string();
    assert!(
        line.starts_with("check failed: 2 errors, 2 warnings in "),
        "{line}"
    );
}

/// A running `serve` whose stderr is read line by line; stopped when dropped.
pub(crate) struct ServeLog {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    root: String,
}

impl ServeLog {
    pub(crate) fn start(site: &SiteTest) -> ServeLog {
        let mut child = Command::new(env!("CARGO_BIN_EXE_integridad"))
            .args(["serve", "--port", "0", "--root"])
            .arg(&site.root)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start integridad serve");
        let stderr = child.stderr.take().expect("stderr");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        ServeLog {
            child,
            lines,
            root: site.root.display().to_string(),
        }
    }

    /// The stderr lines up to and including the next one that starts with `until`
    /// (`built #1`, `build failed`); panics after 20 s without one.
    pub(crate) fn until(&self, until: &str) -> String {
        let mut seen = String::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if line.starts_with(until) {
                        return seen.replace(&self.root, "$ROOT");
                    }
                }
                Err(_) => panic!("serve printed no line starting with {until:?}; stderr:\n{seen}"),
            }
        }
    }
}

impl Drop for ServeLog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on `site` and returns its stderr up to and including the first line that
/// starts with `until`, then stops it.
pub(crate) fn serve_first_build(site: &SiteTest, until: &str) -> String {
    ServeLog::start(site).until(until)
}

#[test]
fn a_first_serve_build_that_fails_does_not_claim_a_last_good_build() {
    let site = SiteTest::fixture("serve/basic");
    site.write("content/toolkit/01-uno.md", "---\ntitel: x\n---\n");
    let stderr = serve_first_build(&site, "build failed");
    let failed = last_line(&stderr);
    assert!(
        failed.contains("nothing is served until a build succeeds")
            && !failed.contains("last good build"),
        "{failed}"
    );
}

#[test]
fn a_bad_base_url_in_site_toml_is_an_error_at_its_line() {
    for (url, expected) in [
        ("https://x.org/sub/?a=1#x", "must not have a query"),
        ("https://x.org/sub/#top", "must not have a fragment"),
        ("ftp://x.org/", "must start with `https://` or `http://`"),
    ] {
        let site = SiteTest::fixture("build/basic");
        set_base_url(&site, url);
        site.check()
            .fails(1)
            .stderr_has(expected)
            .stderr_has(" --> site.toml:2:12");
        assert!(!site.exists("public"));
    }
}

#[test]
fn base_url_gets_a_trailing_slash_and_percent_encoding() {
    let site = SiteTest::fixture("build/basic");
    set_base_url(&site, "https://x.org/guía de integridad");
    site.build().ok();
    let sitemap = site.out("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://x.org/gu%C3%ADa%20de%20integridad/toolkit/riesgos/</loc>"),
        "{sitemap}"
    );

    site.run(&["build", "--base-url", "https://x.org/a b"]).ok();
    assert!(site
        .out("sitemap.xml")
        .contains("<loc>https://x.org/a%20b/toolkit/riesgos/</loc>"));
    site.run(&["build", "--base-url", "https://x/sub/?a=1#x"])
        .fails(2)
        .stderr_has("--base-url: `base_url` must not have a query");
    assert!(site.out("sitemap.xml").contains("https://x.org/a%20b/"));
}

#[test]
fn build_warns_while_base_url_is_still_the_example() {
    let site = SiteTest::fixture("build/basic");
    set_base_url(&site, "https://integridad.example.gob.mx/");
    site.build()
        .ok()
        .stderr_has("warning: `base_url` is still the example `https://integridad.example.gob.mx/`")
        .stderr_has(" --> site.toml:2:12");
    // `check` is for content; only a build publishes the URL.
    let check = site.check();
    assert!(!check.stderr.contains("warning:"), "{}", check.stderr);
    // Given on the command line, the URL is the one published.
    let run = site.run(&["build", "--base-url", "https://integridad.gob.mx/"]);
    assert!(!run.ok().stderr.contains("warning:"), "{}", run.stderr);

    let real = SiteTest::fixture("build/basic");
    set_base_url(&real, "https://integridad.gob.mx/");
    let run = real.build();
    assert!(!run.ok().stderr.contains("warning:"), "{}", run.stderr);
}

#[test]
fn an_unknown_template_tag_is_named() {
    let site = SiteTest::fixture("build/basic");
    let page = site.read("themes/default/templates/page.html");
    site.write(
        "themes/default/templates/page.html",
        page.replacen(
            "{% block content %}",
            "{% block content %}{% frobnicate %}",
            1,
        ),
    );
    site.check()
        .fails(1)
        .stderr_has("template syntax error: unknown tag `frobnicate`")
        .stderr_has(" --> themes/default/templates/page.html:2:");
}

#[test]
fn a_missing_fragment_suggests_the_closest_ids_of_the_target() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código\n---\n## Sanciones\n\n## Sanciones graves\n\n## Denuncias\n\n## Capacitación\n",
    );
    site.write(
        "content/toolkit/03-enlaces.md",
        "---\ntitle: Enlaces\n---\n[a](02-codigo-de-conducta.md#sanciones-grave) [b](02-codigo-de-conducta.md#dennuncias) [c](02-codigo-de-conducta.md#zzz)\n",
    );
    let run = site.check();
    run.fails(1).stderr_has(
        "fragment `#sanciones-grave` not found in `content/toolkit/02-codigo-de-conducta.md`\n --> content/toolkit/03-enlaces.md:4:1",
    );
    run.stderr_has("= help: did you mean `#sanciones-graves` or `#sanciones`?")
        .stderr_has("= help: did you mean `#denuncias`?")
        .stderr_has("= help: link to a heading id of the target");
}
