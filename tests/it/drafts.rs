//! Drafts in preview and publish: `check --drafts` and `build --drafts` see what `serve` sees,
//! and a published page that links to a draft is a warning wherever drafts are included,
//! because the published build fails on it.

use crate::harness::SiteTest;
use crate::messages::{serve_first_build, ServeLog};

const WARNING: &str = "warning: link to `03-borrador.md`, a draft: the published build (without --drafts) will fail here with \"link target not found\"\n --> content/toolkit/04-publicada.md:4:5";

fn site_with_a_link_to_a_draft() -> SiteTest {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-borrador.md",
        "---\ntitle: Borrador\ndraft: true\n---\nEn preparación.\n",
    );
    site.write(
        "content/toolkit/04-publicada.md",
        "---\ntitle: Publicada\n---\nVer [el borrador](03-borrador.md).\n",
    );
    site
}

/// Diagnostics only, without the summary line (which differs between commands) and the notes
/// that only `check` and `build` print.
fn diagnostics(stderr: &str) -> String {
    let mut lines: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("note:")).collect();
    lines.pop();
    lines.join("\n")
}

#[test]
fn a_link_to_a_draft_fails_the_published_check_and_warns_with_drafts() {
    let site = site_with_a_link_to_a_draft();
    site.check()
        .fails(1)
        .stderr_has("error: link target `03-borrador.md` not found");
    let with_drafts = site.run(&["check", "--drafts"]);
    with_drafts.ok().stderr_has(WARNING);
    assert!(
        with_drafts.stderr.contains("(1 warning)"),
        "{}",
        with_drafts.stderr
    );
    site.run(&["build", "--drafts"]).ok().stderr_has(WARNING);
    assert!(site.exists("public/toolkit/borrador/index.html"));
}

#[test]
fn check_with_drafts_reports_what_serve_reports() {
    let site = site_with_a_link_to_a_draft();
    let check = site.run(&["check", "--drafts"]);
    check.ok();
    let serve = serve_first_build(&site, "built #1");
    let served: String = serve
        .lines()
        .skip_while(|l| l.starts_with("building "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(served.contains(WARNING), "{served}");
    assert_eq!(diagnostics(&served), diagnostics(&check.stderr));
}

#[test]
fn links_between_drafts_and_sites_that_publish_drafts_need_no_warning() {
    let site = site_with_a_link_to_a_draft();
    site.write(
        "content/toolkit/04-publicada.md",
        "---\ntitle: Publicada\ndraft: true\n---\nVer [el borrador](03-borrador.md).\n",
    );
    let run = site.run(&["check", "--drafts"]);
    assert!(!run.ok().stderr.contains("warning:"), "{}", run.stderr);

    let site = site_with_a_link_to_a_draft();
    let config = site.read("site.toml") + "[build]\ndrafts = true\n";
    site.write("site.toml", config);
    let run = site.check();
    assert!(!run.ok().stderr.contains("warning:"), "{}", run.stderr);
}

#[test]
fn serve_shows_a_new_link_to_a_draft_once_when_it_appears() {
    let site = site_with_a_link_to_a_draft();
    let published = site.read("content/toolkit/04-publicada.md");
    site.write(
        "content/toolkit/04-publicada.md",
        "---\ntitle: Publicada\n---\nSin enlaces todavía.\n",
    );
    let serve = ServeLog::start(&site);
    let first = serve.until("built #1");
    assert!(!first.contains("warning:"), "{first}");

    site.write("content/toolkit/04-publicada.md", &published);
    let second = serve.until("built #2");
    assert!(second.contains(WARNING), "{second}");
    assert!(second.trim_end().ends_with("(1 warning)"), "{second}");

    // Unchanged on the next rebuild: counted, not repeated.
    site.write(
        "content/toolkit/04-publicada.md",
        published + "\nMás texto.\n",
    );
    let third = serve.until("built #3");
    assert!(
        !third.contains("warning:") && third.contains("(1 warning)"),
        "{third}"
    );
}
