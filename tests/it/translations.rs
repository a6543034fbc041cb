//! Translations in sight: `check` sums up the pages a language lacks in one line and lists them
//! with `--verbose`; a translation older than its source's `updated` date is a warning.

use crate::harness::SiteTest;

const NOTE: &str =
    "note: 2 pages have no English (`en`) version; `integridad check --verbose` lists them\n";

#[test]
fn check_sums_up_missing_translations_and_lists_them_when_verbose() {
    let site = SiteTest::fixture("build/basic");
    let run = site.check();
    run.ok().stderr_has(NOTE);
    assert!(!run.stderr.contains(" → "), "{}", run.stderr);
    assert!(run.stderr.ends_with("(no warnings)\n"), "{}", run.stderr);

    site.write(
        "content/solo-ingles.en.md",
        "---\ntitle: Only in English\n---\n",
    );
    let run = site.run(&["check", "--verbose"]);
    run.ok().stderr_has(
        "note: 2 pages have no English (`en`) version:\n  \
         content/checklists/_index.md → content/checklists/_index.en.md\n  \
         content/toolkit/02-codigo-de-conducta.md → content/toolkit/02-codigo-de-conducta.en.md\n",
    );
    run.stderr_has(
        "note: 1 page has no Español (`es`) version:\n  \
         content/solo-ingles.en.md → content/solo-ingles.md\n",
    );

    site.run(&["check", "--quiet"]).ok();
    assert_eq!(site.run(&["check", "--quiet"]).stderr, "");
}

#[test]
fn a_fully_translated_site_has_no_note() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/checklists/_index.en.md",
        "---\ntitle: Checklists\n---\n",
    );
    site.write(
        "content/toolkit/02-codigo-de-conducta.en.md",
        "---\ntitle: Code of conduct\nslug: code-of-conduct\n---\n## Sanciones {#sanciones}\n",
    );
    let run = site.run(&["check", "--verbose"]);
    assert!(!run.ok().stderr.contains("note:"), "{}", run.stderr);
}

#[test]
fn a_translation_older_than_its_source_update_is_flagged() {
    let site = SiteTest::fixture("build/basic");
    let source = site.read("content/toolkit/01-riesgos.md").replace(
        "date: 2026-01-10\n",
        "date: 2026-01-10\nupdated: 2026-05-01\n",
    );
    site.write("content/toolkit/01-riesgos.md", source);
    site.check().ok().stderr_has(
        "warning: this translation may be out of date: its source `content/toolkit/01-riesgos.md` was updated on 2026-05-01, after this version (2026-01-10)\n \
         --> content/toolkit/01-riesgos.en.md:1:1",
    );

    // Brought up to date: no warning.
    let translation = site.read("content/toolkit/01-riesgos.en.md").replace(
        "date: 2026-01-10\n",
        "date: 2026-01-10\nupdated: 2026-05-02\n",
    );
    site.write("content/toolkit/01-riesgos.en.md", translation);
    let run = site.check();
    assert!(!run.ok().stderr.contains("warning:"), "{}", run.stderr);
}

#[test]
fn quiet_prints_errors_only() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/05-a.md",
        "---\ntitle: A\n---\nTexto <br> a.\n",
    );
    let run = site.run(&["build"]);
    run.ok()
        .stderr_has("warning: raw HTML")
        .stderr_has("note: ");
    let run = site.run(&["build", "--quiet"]);
    assert_eq!(run.ok().stderr, "", "warnings and notes are left out");
    site.write("content/x.md", "---\ntitel: x\n---\n");
    let run = site.run(&["build", "--quiet"]);
    run.fails(1);
    assert!(
        run.stderr.starts_with("error: invalid front matter")
            && !run.stderr.contains("warning:")
            && !run.stderr.contains("note:"),
        "{}",
        run.stderr
    );
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("build failed: 1 error, 1 warning in "),
        "{last}"
    );
    site.run(&["check", "--quiet", "--verbose"]).fails(2);
}
