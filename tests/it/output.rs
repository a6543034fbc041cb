//! The output folder: swapped in only on success, dangerous targets refused, foreign folders kept.

use crate::harness::SiteTest;

/// Names beside the output that start with `.public.` (staging and old folders), but for the
/// page record and the spare (the previous output) that a build keeps there on purpose.
fn hidden_beside(site: &SiteTest) -> Vec<String> {
    let kept = [
        ".public.integridad-cache",
        ".public.integridad-spare",
        ".public.integridad-lock",
    ];
    let mut names: Vec<String> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.") && !kept.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let before = site.tree("public");
    site.write("content/toolkit/03-roto.md", "---\ntitle: [\n---\n");
    site.build().fails(1);
    assert_eq!(site.tree("public"), before);
    assert_eq!(
        hidden_beside(&site),
        Vec::<String>::new(),
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
    assert_eq!(hidden_beside(&site), Vec::<String>::new());
}

#[test]
fn check_writes_nothing() {
    let site = SiteTest::fixture("build/basic");
    site.check().ok().stderr_has("checked 5 pages");
    assert!(!site.exists("public"));
    assert_eq!(hidden_beside(&site), Vec::<String>::new());
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

#[cfg(unix)]
#[test]
fn an_output_reached_through_a_symlink_into_content_is_refused() {
    let site = SiteTest::fixture("build/basic");
    std::fs::create_dir_all(site.path("some")).unwrap();
    std::os::unix::fs::symlink(site.path("content"), site.path("some/link")).unwrap();
    std::os::unix::fs::symlink(site.path("content/toolkit"), site.path("salida")).unwrap();
    for output in ["some/link/x", "some/link", "salida", "salida/y"] {
        site.run(&[
            "build",
            "--output",
            &site.path(output).display().to_string(),
        ])
        .fails(2)
        .stderr_has("refusing to use")
        .stderr_has("`content/` or inside it");
    }
    assert!(!site.exists("content/x") && !site.exists("content/toolkit/y"));
    assert!(site.exists("content/toolkit/01-riesgos.md"));
}

#[test]
fn a_half_deleted_folder_of_an_earlier_version_does_not_block_the_build() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    // What a kill during the old deletion left: no marker, some files. Not provably ours, so
    // it is kept, but it no longer stops the build.
    site.write(".public.integridad-old/toolkit/index.html", "resto");
    site.build().ok();
    assert_eq!(
        site.read(".public.integridad-old/toolkit/index.html"),
        "resto"
    );
    site.build().ok();
}

#[test]
fn leftovers_of_killed_builds_are_removed_and_a_missing_output_is_restored() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let before = site.tree("public");
    // A staging folder, an old output half-deleted (marker kept) and an empty one whose marker
    // was already removed; then the output moved aside with no new one in its place.
    site.write(".public.integridad-new-4242/.integridad-output", "x");
    site.write(".public.integridad-new-4242/index.html", "partial");
    site.write(".public.integridad-new-7/.integridad-output", "x");
    std::fs::create_dir(site.path(".public.integridad-new-8")).unwrap();
    std::fs::rename(site.path("public"), site.path(".public.integridad-old-99")).unwrap();
    site.write("content/toolkit/03-roto.md", "---\ntitle: [\n---\n");
    site.build().fails(1);
    assert_eq!(site.tree("public"), before, "the old output is back");
    for leftover in ["new-4242", "new-7", "new-8", "old-99"] {
        assert!(
            !site.exists(&format!(".public.integridad-{leftover}")),
            "{leftover}"
        );
    }
}

#[test]
fn the_marker_is_not_listed_and_a_copied_mirror_verifies_with_sha256sum() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    assert!(site.exists("public/.integridad-output"));
    assert!(!site.out("SHA256SUMS").contains(".integridad-output"));
    let copy = std::process::Command::new("sh")
        .args(["-c", "mkdir mirror && cp -r public/* mirror/ && cd mirror && sha256sum -c --quiet SHA256SUMS"])
        .current_dir(&site.root)
        .output()
        .unwrap();
    assert!(
        copy.status.success(),
        "{}",
        String::from_utf8_lossy(&copy.stderr)
    );
}

#[cfg(unix)]
/// Path → (inode, bytes) of every file of a folder.
fn inodes(site: &SiteTest, rel: &str) -> std::collections::BTreeMap<String, (u64, Vec<u8>)> {
    use std::os::unix::fs::MetadataExt as _;
    site.tree(rel)
        .into_iter()
        .map(|(path, bytes)| {
            let ino = std::fs::symlink_metadata(site.path(&format!("{rel}/{path}")))
                .unwrap()
                .ino();
            (path, (ino, bytes))
        })
        .collect()
}

#[cfg(unix)]
/// Builds, edits one page's body, builds again, and checks that exactly the files whose bytes
/// did not change share their inode with the first build's (which is still alive while the
/// second build writes, so no inode number of it can be handed to a new file), and that the
/// result equals a clean build.
fn assert_rebuild_links_only_unchanged_files(site: &SiteTest) {
    site.build().ok();
    let first = inodes(site, "public");
    let old_inodes: std::collections::BTreeSet<u64> = first.values().map(|(ino, _)| *ino).collect();
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    site.build().ok();
    let second = inodes(site, "public");
    let (mut linked, mut written) = (0, 0);
    for (path, (ino, bytes)) in &second {
        if path == ".integridad-output" {
            continue; // the marker is always written first, so that a kill leaves it
        }
        match first.get(path) {
            Some((old_ino, old_bytes)) if old_bytes == bytes => {
                assert_eq!(ino, old_ino, "unchanged `{path}` was written again");
                linked += 1;
            }
            _ => {
                assert!(
                    !old_inodes.contains(ino),
                    "changed `{path}` shares an inode"
                );
                written += 1;
            }
        }
    }
    assert!(
        linked > 10 && written >= 2,
        "linked {linked}, written {written}"
    );
    assert!(second["toolkit/codigo-de-conducta/index.html"]
        .1
        .windows(11)
        .any(|w| w == b"Otro texto."));
    assert_eq!(
        hidden_beside(site),
        Vec::<String>::new(),
        "old output removed"
    );
    let rebuilt = site.tree("public");
    std::fs::remove_dir_all(site.path("public")).unwrap();
    site.build().ok();
    assert_eq!(rebuilt, site.tree("public"), "same bytes as a clean build");
}

#[cfg(unix)]
#[test]
fn a_rebuild_links_unchanged_files_from_the_published_output() {
    let site = SiteTest::fixture("build/basic");
    assert_rebuild_links_only_unchanged_files(&site);
}

#[cfg(unix)]
#[test]
fn without_checksums_a_rebuild_compares_the_published_bytes() {
    let site = SiteTest::fixture("build/basic");
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        format!("{config}\n[integrity]\nchecksums = false\n"),
    );
    assert_rebuild_links_only_unchanged_files(&site);
    assert!(!site.exists("public/SHA256SUMS"));
}

/// Edits two published files by hand as no checksum list may hide: `same_size` gets other bytes
/// of the same size (newer than `SHA256SUMS`), `longer` grows and is given a time older than
/// the list's.
fn edit_published_by_hand(site: &SiteTest, same_size: &str, longer: &str) {
    let sums_written = std::fs::metadata(site.path("public/SHA256SUMS"))
        .unwrap()
        .modified()
        .unwrap();
    site.write(same_size, site.read(same_size).replacen('<', "[", 1));
    site.write(longer, format!("{}<!-- edited -->", site.read(longer)));
    std::fs::File::options()
        .write(true)
        .open(site.path(longer))
        .unwrap()
        .set_modified(sums_written - std::time::Duration::from_secs(60))
        .unwrap();
}

#[test]
fn a_published_file_edited_by_hand_is_never_reused() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let clean = site.tree("public");
    // Neither may be taken for the file the list describes.
    edit_published_by_hand(&site, "public/index.html", "public/sitemap.xml");
    site.build().ok();
    assert_eq!(site.tree("public"), clean);
}

#[test]
fn a_rebuild_never_writes_into_the_published_files() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    // A second name for every published file, outside the output: were a rebuild to write
    // through a link, these would change.
    let before = site.tree("public");
    for (path, _) in &before {
        let copy = site.path(&format!("kept/{path}"));
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::hard_link(site.path(&format!("public/{path}")), copy).unwrap();
    }
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Otro título\n---\nNuevo.\n",
    );
    site.build().ok();
    assert_ne!(site.tree("public"), before);
    assert_eq!(site.tree("kept"), before);
}

#[cfg(unix)]
#[test]
fn removing_the_old_output_follows_no_link_and_removes_every_folder() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    // What a hand could leave in the published output: links to a folder and a file outside it
    // (their targets must survive), and a deep, wide tree of folders.
    site.write("outside/keep/file.txt", "mine");
    std::os::unix::fs::symlink(site.path("outside/keep"), site.path("public/to-folder")).unwrap();
    std::os::unix::fs::symlink(
        site.path("outside/keep/file.txt"),
        site.path("public/toolkit/to-file"),
    )
    .unwrap();
    for a in 0..6 {
        for b in 0..6 {
            site.write(&format!("public/deep/{a}/{b}/c/d/index.html"), "x");
        }
    }
    site.build().ok();
    assert_eq!(site.read("outside/keep/file.txt"), "mine");
    for gone in ["public/to-folder", "public/toolkit/to-file", "public/deep"] {
        assert!(
            std::fs::symlink_metadata(site.path(gone)).is_err(),
            "{gone} is still there"
        );
    }
    assert_eq!(
        hidden_beside(&site),
        Vec::<String>::new(),
        "old output removed"
    );
    crate::kill::assert_complete(&site.path("public"));
}

/// The count in `build --verbose`'s note of pages taken from the published output (0 without
/// the note).
pub(crate) fn pages_taken(run: &crate::harness::Run) -> usize {
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

/// `site`'s output equals a build of the same tree into an empty folder.
#[track_caller]
fn assert_equals_a_clean_build(site: &SiteTest) {
    let _ = std::fs::remove_dir_all(site.path("clean"));
    let _ = std::fs::remove_dir_all(site.path(".clean.integridad-cache"));
    site.run(&["build", "--output", "clean"]).ok();
    let (ours, clean) = (site.tree("public"), site.tree("clean"));
    let differing: Vec<&String> = ours
        .iter()
        .filter(|file| !clean.contains(file))
        .chain(clean.iter().filter(|file| !ours.contains(file)))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differing.is_empty(),
        "differs from a clean build: {differing:?}"
    );
}

#[test]
fn a_rebuild_takes_the_pages_nothing_changed_for_from_the_published_output() {
    let site = SiteTest::fixture("build/basic");
    let first = site.run(&["build", "--verbose"]);
    first.ok();
    assert_eq!(pages_taken(&first), 0, "nothing to take from yet");
    assert!(site.exists(".public.integridad-cache/pages"));
    let all = pages_taken(site.run(&["build", "--verbose"]).ok());
    assert!(all >= 8, "an unchanged site takes every page: {all}");
    // A body edit changes that page only.
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    assert_eq!(pages_taken(site.run(&["build", "--verbose"]).ok()), all - 1);
    assert!(site
        .out("toolkit/codigo-de-conducta/index.html")
        .contains("Otro texto."));
    assert_equals_a_clean_build(&site);
    // A title edit changes the pages that list it too.
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    let taken = pages_taken(site.run(&["build", "--verbose"]).ok());
    assert!(taken < all - 1, "{taken} of {all} taken after a title edit");
    assert_equals_a_clean_build(&site);
    // A theme edit changes every page, and so do other build options.
    let template = site.read("themes/default/templates/page.html");
    site.write(
        "themes/default/templates/page.html",
        template.replace("{% endblock content %}", "<p>pie</p>{% endblock content %}"),
    );
    assert_eq!(pages_taken(site.run(&["build", "--verbose"]).ok()), 0);
    assert!(site
        .out("toolkit/codigo-de-conducta/index.html")
        .contains("<p>pie</p>"));
    // A template that shows the search index's name: a body edit renames the index, so every
    // page made with it changes.
    site.write(
        "themes/default/templates/page.html",
        template.replace(
            "{% endblock content %}",
            "<script src=\"{{ site.search_index_url }}\"></script>{% endblock content %}",
        ),
    );
    site.build().ok();
    let text = site.read("content/toolkit/01-riesgos.md");
    site.write(
        "content/toolkit/01-riesgos.md",
        format!("{text}\nNuevo párrafo.\n"),
    );
    site.build().ok();
    assert_equals_a_clean_build(&site);
    let args = ["build", "--verbose", "--base-url", "https://x.org/espejo/"];
    assert_eq!(pages_taken(site.run(&args).ok()), 0);
    assert_eq!(pages_taken(site.run(&args).ok()), all);
    assert_eq!(pages_taken(site.run(&["build", "--verbose"]).ok()), 0);
}

#[test]
fn a_published_page_edited_by_hand_is_rendered_again_though_its_record_matches() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let clean = site.tree("public");
    // The first page's bytes are hashed (it is newer than the list); the second's size tells.
    edit_published_by_hand(
        &site,
        "public/toolkit/codigo-de-conducta/index.html",
        "public/toolkit/riesgos/index.html",
    );
    let run = site.run(&["build", "--verbose"]);
    let all = pages_taken(site.run(&["build", "--verbose"]).ok());
    assert_eq!(pages_taken(run.ok()), all - 2);
    assert_eq!(site.tree("public"), clean);
}

#[test]
fn a_damaged_or_foreign_page_record_costs_time_never_a_wrong_page() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let record = site.read(".public.integridad-cache/pages");
    // Every recorded hash wrong: the published files do not match, so every page is rendered.
    let zero = "0".repeat(64);
    let wrong: String = record
        .lines()
        .map(|line| match line.strip_prefix("file ") {
            Some(rest) => format!("file {zero}{}\n", &rest[64..]),
            None => format!("{line}\n"),
        })
        .collect();
    site.write(".public.integridad-cache/pages", &wrong);
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nNuevo.\n",
    );
    assert_eq!(pages_taken(site.run(&["build", "--verbose"]).ok()), 0);
    assert_equals_a_clean_build(&site);
    // A record cut in the middle of a line, then one of another site: still a correct build.
    let record = site.read(".public.integridad-cache/pages");
    site.write(
        ".public.integridad-cache/pages",
        &record[..record.len() / 2],
    );
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nOtro.\n",
    );
    site.run(&["build"]).ok();
    assert_equals_a_clean_build(&site);
    let other = SiteTest::bundled();
    other.build().ok();
    site.write(
        ".public.integridad-cache/pages",
        other.read(".public.integridad-cache/pages"),
    );
    site.run(&["build"]).ok();
    assert_equals_a_clean_build(&site);
    // No record at all: every page is rendered, and the record is written again.
    std::fs::remove_dir_all(site.path(".public.integridad-cache")).unwrap();
    assert_eq!(pages_taken(site.run(&["build", "--verbose"]).ok()), 0);
    assert!(pages_taken(site.run(&["build", "--verbose"]).ok()) > 0);
}

#[cfg(unix)]
#[test]
fn a_recycled_spare_never_leaks_into_the_new_output() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nUno.\n",
    );
    site.build().ok();
    // The previous output, kept for the next build to recycle.
    let spare = ".public.integridad-spare";
    assert!(site.exists(&format!("{spare}/.integridad-output")));
    assert!(site.exists(&format!("{spare}/toolkit/riesgos/index.html")));
    // What a hand or a crash could leave in it: a stray file, a folder where a file was, a file
    // where a folder was, links out of it, and a file replaced with other bytes of the same size.
    site.write(&format!("{spare}/junk.txt"), "junk");
    let page = site.path(&format!("{spare}/toolkit/riesgos/index.html"));
    std::fs::remove_file(&page).unwrap();
    std::fs::create_dir_all(page.join("deeper")).unwrap();
    let folder = site.path(&format!("{spare}/toolkit/codigo-de-conducta"));
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, "a file where a folder was").unwrap();
    site.write("outside/keep.txt", "keep");
    std::os::unix::fs::symlink(
        site.path("outside"),
        site.path(&format!("{spare}/toolkit/to-folder")),
    )
    .unwrap();
    let robots = site.path(&format!("{spare}/robots.txt"));
    std::fs::remove_file(&robots).unwrap();
    std::os::unix::fs::symlink(site.path("outside/keep.txt"), &robots).unwrap();
    let home = site.path(&format!("{spare}/index.html"));
    let other = site
        .read(&format!("{spare}/index.html"))
        .replacen('<', "[", 1);
    std::fs::remove_file(&home).unwrap();
    std::fs::write(&home, other).unwrap();
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nDos.\n",
    );
    site.build().ok();
    assert_equals_a_clean_build(&site);
    assert_eq!(
        site.read("outside/keep.txt"),
        "keep",
        "nothing outside was touched"
    );
    assert!(site.exists("outside/keep.txt"));
    // The spare is now the output before, whole and marked.
    assert!(site.exists(&format!("{spare}/.integridad-output")));
    assert!(site
        .read(&format!("{spare}/toolkit/riesgos/index.html"))
        .contains("Uno."));
    assert!(!site.exists(&format!("{spare}/junk.txt")));
}

/// What Windows does when a terminal, a server or an open document holds the output: the output
/// folder cannot be renamed. Debug builds fail the renames of the names listed in
/// `INTEGRIDAD_TEST_IN_USE` that way, with the atomic exchange off as it is on Windows.
fn in_use(names: &'static str) -> [(&'static str, &'static str); 2] {
    [
        ("INTEGRIDAD_TEST_NO_EXCHANGE", "1"),
        ("INTEGRIDAD_TEST_IN_USE", names),
    ]
}

/// Names inside the output that belong to a replacement in progress.
fn replacement_leftovers(site: &SiteTest) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.path("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".integridad-") && n != ".integridad-output")
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_another_program_holds_open_is_replaced_entry_by_entry() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nTexto nuevo.\n",
    );
    site.run_env(&["build"], &in_use("public")).ok();
    assert!(site
        .out("toolkit/riesgos/index.html")
        .contains("Texto nuevo."));
    let replaced = site.tree("public");
    assert_eq!(replacement_leftovers(&site), Vec::<String>::new());
    assert_eq!(hidden_beside(&site), Vec::<String>::new());
    // The same bytes as a build that could swap the folder.
    std::fs::remove_dir_all(site.path("public")).unwrap();
    site.build().ok();
    assert_eq!(site.tree("public"), replaced);
}

#[test]
fn when_a_file_inside_the_output_is_open_the_old_site_stays_whole() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let before = site.tree("public");
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nTexto nuevo.\n",
    );
    // `toolkit` sorts after other entries that move first, so the rollback has work to do.
    let run = site.run_env(&["build"], &in_use("public,toolkit"));
    run.fails(2)
        .stderr_has("is in use by another program")
        .stderr_has("the site was left as it was; close it and build again")
        .stderr_has("cannot move `$ROOT/public/toolkit`");
    assert_eq!(site.tree("public"), before);
    assert_eq!(replacement_leftovers(&site), Vec::<String>::new());
    assert_eq!(hidden_beside(&site), Vec::<String>::new());
    // Once the program lets go, the next build publishes the edit.
    site.build().ok();
    assert!(site
        .out("toolkit/riesgos/index.html")
        .contains("Texto nuevo."));
}

#[test]
fn the_home_folder_is_refused_whether_home_or_userprofile_names_it() {
    let site = SiteTest::fixture("build/basic");
    site.write("casa/notas.txt", "mías");
    let home = site.path("casa").display().to_string();
    for variable in ["HOME", "USERPROFILE"] {
        site.run_env(&["build", "--output", &home], &[(variable, &home)])
            .fails(2)
            .stderr_has("as the output folder: it is the home folder");
    }
    assert_eq!(site.read("casa/notas.txt"), "mías");
}
