//! The command-line contract: exit codes, root discovery, usage errors.

use crate::harness::SiteTest;

#[test]
fn root_is_found_upward_from_the_current_folder() {
    let site = SiteTest::fixture("build/basic");
    let sub = site.path("content/toolkit");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_integridad"))
        .arg("check")
        .current_dir(&sub)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let site = SiteTest::fixture("build/basic");
    assert_eq!(site.run_in(&["build", "--no-such-flag"], false).code, 2);
    let missing = site.root.join("nowhere").display().to_string();
    site.run_in(&["check", "--root", &missing], false)
        .fails(2)
        .stderr_has("has no site.toml");
    let tmp = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_integridad"))
        .arg("check")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no site.toml found"));
}

#[test]
fn content_errors_exit_1_with_a_summary_line() {
    let site = SiteTest::fixture("build/basic");
    site.write("content/x.md", "---\ntitel: x\n---\n");
    let run = site.build();
    run.fails(1);
    assert!(
        run.stderr
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("build failed: 1 error,"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_short_flags_of_hugo_and_zola_users_work() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/09-borrador.md",
        "---\ntitle: Borrador\ndraft: true\n---\nEn preparación.\n",
    );
    site.run(&["build", "-D"]).ok();
    assert!(site.exists("public/toolkit/borrador/index.html"));
    site.run(&["check", "-D"]).ok();
    let help = site.run_in(&["serve", "--help"], false);
    assert!(help.stdout.contains("-p, --port <PORT>"), "{}", help.stdout);
    assert!(help.stdout.contains("-D, --drafts"), "{}", help.stdout);
}
