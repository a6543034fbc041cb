//! The real toolkit site: it must build cleanly and keep its shape.

use crate::harness::SiteTest;

#[test]
fn bundled_site_builds_without_errors_or_warnings() {
    let site = SiteTest::bundled();
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    for lang in ["", "en/"] {
        assert!(site.exists(&format!("public/{lang}index.html")));
    }
    let chapters = std::fs::read_dir(site.path("content/toolkit"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".md") && !name.ends_with(".en.md") && !name.starts_with('_')
        })
        .count();
    assert!(chapters >= 10, "at least 10 chapters, found {chapters}");
    for id in ["construction", "health", "finance", "sports", "professions"] {
        let json: serde_json::Value =
            serde_json::from_str(&site.out(&format!("checklists/{id}/checklist.json"))).unwrap();
        let sections = json["sections"].as_array().unwrap();
        let items: usize = sections
            .iter()
            .map(|s| s["items"].as_array().unwrap().len())
            .sum();
        assert!(
            (3..=5).contains(&sections.len()),
            "{id}: {} sections",
            sections.len()
        );
        assert!((15..=25).contains(&items), "{id}: {items} items");
        assert!(site.exists(&format!("public/en/checklists/{id}/index.html")));
    }
}
