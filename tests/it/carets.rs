//! How problems are shown: positions and wording of YAML problems, carets under the whole
//! offending text as it was loaded, and floods cut short.

use crate::harness::SiteTest;

#[test]
fn duplicate_front_matter_key_is_reported_where_it_is_repeated() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-doble.md",
        "---\ntitle: Uno\ndescription: x\ntitle: Dos\n---\n",
    );
    site.check()
        .fails(1)
        .stderr_has("error: duplicate key `title` in front matter\n --> content/toolkit/07-doble.md:4:1\n  |\n4 | title: Dos\n  | ^^^^^\n  = help: `title` is already given on line 2; keep one of them\n");
}

#[test]
fn a_tab_indent_says_tabs_cannot_indent_yaml() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-tab.md",
        "---\ntitle: T\nsectors:\n\t- obra\n---\n",
    );
    site.check()
        .fails(1)
        .stderr_has("a tab indents this line, and tabs cannot indent YAML")
        .stderr_has(" --> content/toolkit/07-tab.md:4:1")
        .stderr_has("indent with spaces");
}

#[test]
fn the_whole_link_is_underlined() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-enlace.md",
        "---\ntitle: T\n---\nVer [el código](nada.md) hoy.\n",
    );
    site.check()
        .fails(1)
        .stderr_has("4 | Ver [el código](nada.md) hoy.\n  |     ^^^^^^^^^^^^^^^^^^^^\n");
}

#[test]
fn caret_is_drawn_from_the_text_that_was_loaded() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/07-enlace.md",
        "---\ntitle: T\n---\nVer [roto](nada.md).\n",
    );
    let (files, diagnostics) = integridad::build_in_memory(&site.root).unwrap();
    assert!(files.is_none());
    // The file changes after the build, before its errors are shown (as in `serve`).
    site.write(
        "content/toolkit/07-enlace.md",
        "---\ntitle: Otro título más largo\n---\n\nOtra cosa.\n",
    );
    let shown = diagnostics.render();
    assert!(
        shown.contains("4 | Ver [roto](nada.md).\n  |     ^^^^^^^^^^^^^^^\n"),
        "{shown}"
    );
}

#[test]
fn a_flood_of_errors_shows_twenty_then_counts_per_file() {
    let site = SiteTest::fixture("build/basic");
    let links: String = (1..=30).map(|i| format!("[x](falta-{i}.md)\n\n")).collect();
    site.write(
        "content/toolkit/07-muchos.md",
        format!("---\ntitle: T\n---\n{links}"),
    );
    site.write(
        "content/toolkit/08-otro.md",
        "---\ntitle: T\n---\n[x](falta.md)\n",
    );
    let run = site.check();
    run.fails(1);
    assert_eq!(run.errors(), 20, "{}", run.stderr);
    run.stderr_has("11 more errors, not shown in full:\n  content/toolkit/07-muchos.md: 10 errors\n  content/toolkit/08-otro.md: 1 error\n")
        .stderr_has("check failed: 31 errors");
}
