//! The output folder: swapped in only on success, dangerous targets refused, foreign folders kept.

use crate::harness::SiteTest;

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let before = site.tree("public");
    site.write("content/toolkit/03-roto.md", "---\ntitle: [\n---\n");
    site.build().fails(1);
    assert_eq!(site.tree("public"), before);
    assert!(
        !site.exists(".public.integridad-new"),
        "staging folder cleaned up"
    );
}

#[test]
fn an_interrupted_build_leaves_the_previous_output_untouched() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let before = site.tree("public");
    // What a build killed half-way leaves behind: a partial staging folder.
    site.write(".public.integridad-new/.integridad-output", "x");
    site.write(".public.integridad-new/index.html", "partial");
    assert_eq!(site.tree("public"), before);
    site.build().ok();
    assert!(!site.exists(".public.integridad-new"));
}

#[test]
fn check_writes_nothing() {
    let site = SiteTest::fixture("build/basic");
    site.check().ok().stderr_has("checked 5 pages");
    assert!(!site.exists("public"));
    assert!(!site.exists(".public.integridad-new"));
}

#[test]
fn dangerous_output_folders_are_refused() {
    let site = SiteTest::fixture("build/basic");
    let root = site.root.display().to_string();
    let parent = site.root.parent().unwrap().display().to_string();
    for output in [
        root.clone(),
        format!("{root}/content"),
        format!("{root}/themes"),
        format!("{root}/content/x"),
        parent,
        "/".to_string(),
    ] {
        site.run(&["build", "--output", &output])
            .fails(2)
            .stderr_has("refusing to use");
    }
    assert!(site.exists("content/_index.md") && site.exists("themes/default/templates/base.html"));
}

#[test]
fn a_folder_not_written_by_integridad_is_never_replaced() {
    let site = SiteTest::fixture("build/basic");
    site.write("mine/notes.txt", "important");
    site.run(&[
        "build",
        "--output",
        &site.path("mine").display().to_string(),
    ])
    .fails(2)
    .stderr_has("was not written by integridad");
    assert_eq!(site.read("mine/notes.txt"), "important");
}

#[test]
fn output_can_go_anywhere_safe() {
    let site = SiteTest::fixture("build/basic");
    let out = site.path("dist/sitio");
    site.run(&["build", "--output", &out.display().to_string()])
        .ok();
    assert!(site.exists("dist/sitio/index.html"));
    site.run(&["build", "--output", &out.display().to_string()])
        .ok();
}
