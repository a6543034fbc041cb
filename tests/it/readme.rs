//! The README is followed word by word: its facts (Rust version, `npm ci` flags) match the
//! repository, and the links it shows as examples work in a Spanish chapter of the bundled site.

use std::path::Path;

use crate::harness::SiteTest;

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn readme_names_the_minimum_rust_version_of_cargo_toml() {
    let cargo = repo_file("Cargo.toml");
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml has a rust-version")
        .trim_matches('"');
    let readme = repo_file("README.md");
    assert!(
        readme.contains(&format!("Rust {version} or newer")),
        "README does not name Rust {version}"
    );
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("target/release/integridad"));
}

#[test]
fn readme_ci_and_the_browser_test_install_npm_packages_the_same_way() {
    let ci = repo_file(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "scripts/setup-test-machine"),
        ".ci/run does not set the machine up with scripts/setup-test-machine"
    );
    let setup = repo_file("scripts/setup-test-machine");
    let line = setup
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("npm ci"))
        .expect("scripts/setup-test-machine runs npm ci");
    let browser = repo_file("tests/browser.rs");
    for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
        assert!(
            browser.contains(&format!("\"{flag}\"")),
            "tests/browser.rs runs npm ci without {flag}"
        );
    }
    let flags: Vec<&str> = line
        .split_whitespace()
        .filter(|w| w.starts_with("--") && !w.starts_with("--loglevel"))
        .collect();
    let readme = repo_file("README.md");
    for readme_line in readme
        .lines()
        .filter(|l| l.trim_start().starts_with("npm ci"))
    {
        for flag in &flags {
            assert!(
                readme_line.contains(flag),
                "README `{readme_line}` lacks {flag}"
            );
        }
    }
}

#[test]
fn the_link_examples_of_the_readme_resolve_in_the_bundled_site() {
    let readme = repo_file("README.md");
    let mut links: Vec<&str> = Vec::new();
    for (start, _) in readme.match_indices('`') {
        let rest = &readme[start + 1..];
        let Some(end) = rest.find('`') else { continue };
        let text = &rest[..end];
        let chapter = text.split('#').next().unwrap_or_default();
        let is_chapter = chapter.ends_with(".md")
            && chapter.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && !text.contains(' ');
        if is_chapter {
            links.push(text);
        }
    }
    let site = SiteTest::bundled();
    let existing: Vec<&str> = links
        .into_iter()
        .filter(|l| site.exists(&format!("content/toolkit/{}", l.split('#').next().unwrap())))
        .collect();
    assert!(
        existing.iter().any(|l| l.contains('#')),
        "the README shows no link with a fragment to a bundled chapter: {existing:?}"
    );
    let body: String = existing.iter().map(|l| format!("[x]({l})\n\n")).collect();
    site.write(
        "content/toolkit/99-ejemplos.md",
        format!("---\ntitle: Ejemplos\n---\n{body}"),
    );
    site.check().ok();
}
