//! Every language has a home page, even when `content/` has none: a new site and a
//! half-migrated one still open at `/` and `/<lang>/`, titled from site.toml.

use crate::harness::SiteTest;

fn title(html: &str) -> &str {
    let start = html.find("<h1>").expect("an <h1>") + 4;
    let end = html[start..].find("</h1>").expect("</h1>") + start;
    &html[start..end]
}

#[test]
fn an_empty_content_folder_builds_a_home_page_per_language() {
    let site = SiteTest::fixture("build/basic");
    std::fs::remove_dir_all(site.path("content")).unwrap();
    std::fs::create_dir(site.path("content")).unwrap();
    site.check().ok();
    site.build().ok();
    assert_eq!(title(&site.out("index.html")), "Sitio de prueba");
    assert_eq!(title(&site.out("en/index.html")), "Test site");
    assert!(site
        .out("sitemap.xml")
        .contains("<loc>https://example.org/en/</loc>"));
}

#[test]
fn a_site_without_home_files_gets_home_pages_that_list_its_sections() {
    let site = SiteTest::fixture("build/basic");
    std::fs::remove_file(site.path("content/_index.md")).unwrap();
    std::fs::remove_file(site.path("content/_index.en.md")).unwrap();
    site.build().ok();
    let home = site.out("index.html");
    assert_eq!(title(&home), "Sitio de prueba");
    assert!(home.contains(r#"href="toolkit/""#), "{home}");
    let en = site.out("en/index.html");
    assert_eq!(title(&en), "Test site");
    assert!(en.contains(r#"href="guide/""#), "{en}");
}

#[test]
fn a_missing_translation_of_the_home_page_gets_one_and_a_written_one_is_kept() {
    let site = SiteTest::fixture("build/basic");
    std::fs::remove_file(site.path("content/_index.en.md")).unwrap();
    site.build().ok();
    assert_eq!(title(&site.out("index.html")), "Inicio");
    assert_eq!(title(&site.out("en/index.html")), "Test site");
}
