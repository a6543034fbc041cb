//! Attacks on what a build trusts (issue 22): the page record and the published output it
//! takes files from, links planted beside the output, and secrets among the sources.

use std::os::unix::fs::MetadataExt as _;

use crate::harness::SiteTest;
use crate::integrity::run_env;

/// The count in `build --verbose`'s note of pages taken from the published output.
fn pages_taken(run: &crate::harness::Run) -> usize {
    run.stderr
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("note: ")?;
            let (count, what) = rest.split_once(' ')?;
            what.contains("unchanged since the last build")
                .then(|| count.parse().unwrap())
        })
        .unwrap_or(0)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tree of a clean build of `site` as it is now, into a fresh folder.
fn clean_tree(site: &SiteTest, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let _ = std::fs::remove_dir_all(site.path("clean"));
    let mut all = vec!["build", "--output", "clean"];
    all.extend_from_slice(args);
    run_env(site, &all, &[]).ok();
    let tree = site.tree("clean");
    std::fs::remove_dir_all(site.path("clean")).unwrap();
    let _ = std::fs::remove_dir_all(site.path(".clean.integridad-cache"));
    let _ = std::fs::remove_dir_all(site.path(".clean.integridad-spare"));
    tree
}

/// The published tree without the signature, which differs from one signing to the next.
fn unsigned_part(tree: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    tree.into_iter()
        .filter(|(path, _)| path != "SHA256SUMS.minisig")
        .collect()
}

/// Rewrites the published page `rel` and its line in the page record as a forger with write
/// access to both would: new bytes, then the file's new hash, size and identity, then the
/// record's closing hash.
fn forge_page_and_record(site: &SiteTest, rel: &str) {
    let page = site.path(&format!("public/{rel}"));
    let forged =
        site.read(&format!("public/{rel}"))
            .replacen("<main", "<main data-x=\"PWNED!\"", 1);
    std::fs::write(&page, &forged).unwrap();
    let meta = std::fs::metadata(&page).unwrap();
    let id = format!(
        "{}:{}:{}.{:09}",
        meta.dev(),
        meta.ino(),
        meta.ctime(),
        meta.ctime_nsec()
    );
    let record_path = ".public.integridad-cache/pages";
    let record = site.read(record_path);
    let mut body: String = record
        .lines()
        .filter(|line| !line.starts_with("end "))
        .map(|line| {
            if line.starts_with("file ") && line.ends_with(&format!(" {rel}")) {
                let hash = sha256_hex(forged.as_bytes());
                format!("file {hash} {} {id} {rel}\n", forged.len())
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert!(
        body.contains(&sha256_hex(forged.as_bytes())),
        "the page is recorded"
    );
    let seal = format!("end {}\n", sha256_hex(body.as_bytes()));
    body.push_str(&seal);
    site.write(record_path, body);
    // The record's own time must be later than the forged file's change.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    std::fs::File::options()
        .write(true)
        .open(site.path(record_path))
        .unwrap()
        .set_modified(later)
        .unwrap();
}

#[test]
fn a_signed_build_renders_every_page_though_page_and_record_are_forged() {
    let site = SiteTest::fixture("build/basic");
    run_env(&site, &["keygen", "--out", "k.key", "--no-password"], &[]).ok();
    run_env(&site, &["build", "--sign", "k.key"], &[]).ok();
    let rel = "toolkit/riesgos/index.html";
    forge_page_and_record(&site, rel);
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    let run = run_env(&site, &["build", "--sign", "k.key", "--verbose"], &[]);
    assert_eq!(pages_taken(run.ok()), 0, "{}", run.stderr);
    assert!(
        !site.out(rel).contains("PWNED!"),
        "the forged page was signed"
    );
    assert_eq!(
        unsigned_part(site.tree("public")),
        unsigned_part(clean_tree(&site, &["--sign", "k.key"]))
    );
    run_env(&site, &["verify", "public", "--pubkey", "k.pub"], &[]).ok();
}

/// Overwrites `len` bytes of `rel` in place at the middle of the file, then sets its
/// modification time back to what it was, as `cp -p`, `rsync -t` or `os.utime` would.
fn edit_in_place_keeping_mtime(site: &SiteTest, rel: &str, with: &[u8]) {
    use std::io::{Seek as _, Write as _};
    let path = site.path(rel);
    let before = std::fs::metadata(&path).unwrap();
    let mut file = std::fs::File::options().write(true).open(&path).unwrap();
    file.seek(std::io::SeekFrom::Start(before.len() / 2))
        .unwrap();
    file.write_all(with).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
    drop(file);
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap(), after.ino()),
        (before.len(), before.modified().unwrap(), before.ino())
    );
}

#[test]
fn a_same_size_edit_in_place_with_its_time_set_back_is_never_taken() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    site.build().ok();
    let clean = site.tree("public");
    // A page taken by the record, and files compared with new bytes (a style sheet, the
    // sitemap): the same size and modification time, other bytes.
    edit_in_place_keeping_mtime(&site, "public/toolkit/riesgos/index.html", b"PWNED!");
    edit_in_place_keeping_mtime(&site, "public/sitemap.xml", b"PWNED!");
    let css = site
        .tree("public")
        .into_iter()
        .find(|(path, _)| path.ends_with(".css"))
        .expect("a style sheet")
        .0;
    edit_in_place_keeping_mtime(&site, &format!("public/{css}"), b"PWNED!");
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    let edited = clean_tree(&site, &[]);
    let run = site.run(&["build", "--verbose"]);
    run.ok();
    assert_eq!(
        site.tree("public"),
        edited,
        "an edited file was published again"
    );
    let taken = pages_taken(&run);
    assert!(taken > 3, "the other pages are still taken: {taken}");
    // Build after build.
    site.build().ok();
    assert_eq!(site.tree("public"), edited);
    assert_ne!(site.tree("public"), clean);
}
