//! The real toolkit site: it must build cleanly and keep its shape.

use crate::harness::SiteTest;

#[test]
fn bundled_site_builds_without_errors_or_warnings() {
    let site = SiteTest::bundled();
    let run = site.build();
    run.ok();
    // The only warning: the site is not published yet, so its `base_url` is still the example.
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].starts_with("warning: `base_url` is still the example"),
        "{}",
        run.stderr
    );
    let check = site.check();
    assert!(!check.ok().stderr.contains("warning:"), "{}", check.stderr);
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

/// Every `href` and `src` of every HTML file that points inside the site resolves to a file of
/// the output (a folder link to its `index.html`), fragments included.
fn assert_internal_links_resolve(site: &SiteTest, output: &str) {
    let base = site.path(output);
    let files = site.tree(output);
    let html_files: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .collect();
    let mut checked = 0;
    for (name, bytes) in &html_files {
        if name == "404.html" {
            continue; // its links start from the base URL's path, checked by the browser tests
        }
        let text = String::from_utf8_lossy(bytes);
        for attr in ["href=\"", "src=\""] {
            for piece in text.split(attr).skip(1) {
                let link = &piece[..piece.find('"').unwrap()];
                if link.is_empty()
                    || link.starts_with('#')
                    || link.contains("://")
                    || link.starts_with("mailto:")
                    || link.starts_with('/')
                {
                    continue;
                }
                let (path, fragment) = link
                    .split_once('#')
                    .map_or((link, None), |(p, f)| (p, Some(f)));
                let dir = std::path::Path::new(name).parent().unwrap();
                let mut target = base.join(dir).join(path);
                if path.ends_with('/') || target.is_dir() {
                    target = target.join("index.html");
                }
                assert!(
                    target.is_file(),
                    "{output}/{name}: link `{link}` does not resolve"
                );
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let page = std::fs::read_to_string(&target).unwrap();
                    assert!(
                        page.contains(&format!("id=\"{fragment}\"")),
                        "{output}/{name}: `{link}`: no id `{fragment}`"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

#[test]
fn every_internal_link_of_the_bundled_site_resolves_online_and_offline() {
    let site = SiteTest::bundled();
    site.build().ok();
    assert_internal_links_resolve(&site, "public");
    site.run(&[
        "build",
        "--offline",
        "--output",
        &site.path("offline").display().to_string(),
    ])
    .ok();
    assert_internal_links_resolve(&site, "offline");
    let offline_home = site.read("offline/index.html");
    assert!(
        !offline_home.contains("href=\"toolkit/\""),
        "offline links name index.html"
    );
}
