//! The progress line of a long build: drawn on a terminal, never when stderr is not one.

use std::process::Command;

use crate::harness::SiteTest;

/// Runs the binary under a pseudo-terminal (`script` from util-linux) with the progress delay
/// set to zero, so even a small build counts as long; returns what the terminal showed.
#[cfg(target_os = "linux")]
fn run_on_terminal(site: &SiteTest, args: &str) -> String {
    let command = format!(
        "{} {args} --root '{}'",
        env!("CARGO_BIN_EXE_integridad"),
        site.root.display()
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("INTEGRIDAD_PROGRESS_DELAY_MS", "0")
        .output()
        .expect("`script` (util-linux) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn a_long_build_on_a_terminal_shows_its_phases_and_counts() {
    let site = SiteTest::fixture("build/basic");
    let shown = run_on_terminal(&site, "build");
    assert!(shown.contains("writing pages and files: "), "{shown}");
    assert!(shown.contains(" written ("), "{shown}");
    assert!(shown.contains("built 5 pages"), "{shown}");
    let quiet = run_on_terminal(&site, "build --quiet");
    assert!(!quiet.contains("written"), "{quiet}");
}

#[test]
fn nothing_extra_when_stderr_is_not_a_terminal() {
    let site = SiteTest::fixture("build/basic");
    let output = Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(["build", "--root"])
        .arg(&site.root)
        .env("INTEGRIDAD_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("written"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(stderr.contains("built 5 pages"), "{stderr}");
}
