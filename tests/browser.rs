//! Browser tests (issue 6 item 7): builds the bundled site with the real binary into a temp folder,
//! then runs the node suite in `tests/browser/` (headless Debian Chromium, axe-core, the Nu HTML
//! checker) and fails when it fails. It never skips: a missing tool fails with what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL: &str = "install them with `npm ci` in the repository and, as root on Debian, \
    `apt-get install chromium default-jre-headless` (`.ci/run` does both on a fresh machine)";

/// Debian's Chromium; `INTEGRIDAD_CHROMIUM` may point elsewhere (the node suite reads it too).
fn chromium() -> PathBuf {
    std::env::var_os("INTEGRIDAD_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Every tool the suite needs that is not there, each with the command that installs it.
fn missing_tools(repo: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !runs("node", "--version") {
        missing.push("`node` (Node.js 20 or later: `apt-get install nodejs npm`)".to_owned());
    }
    for (path, what) in [
        (
            "node_modules/playwright-core/package.json",
            "playwright-core",
        ),
        ("node_modules/axe-core/axe.min.js", "axe-core"),
        ("node_modules/vnu-jar/build/dist/vnu.jar", "vnu-jar"),
    ] {
        if !repo.join(path).is_file() {
            missing.push(format!("the npm package `{what}` (`npm ci`)"));
        }
    }
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at `{}` (`apt-get install chromium`)",
            chromium.display()
        ));
    }
    if !runs("pdftotext", "-v") {
        missing.push(
            "`pdftotext` to read the printed handbook (`apt-get install poppler-utils`)".to_owned(),
        );
    }
    if !runs("java", "-version") {
        missing.push(
            "a Java runtime for the Nu HTML checker (`apt-get install default-jre-headless`)"
                .to_owned(),
        );
    }
    missing
}

/// The suite's files, `tests/browser/*.test.mjs`, sorted (explicit paths work on every Node version).
fn test_files(repo: &Path) -> Vec<PathBuf> {
    let dir = repo.join("tests/browser");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    files
}

#[test]
fn bundled_site_passes_the_browser_suite() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = missing_tools(repo);
    assert!(
        missing.is_empty(),
        "the browser tests cannot run; missing:\n  - {}\n{INSTALL}",
        missing.join("\n  - ")
    );

    let tmp = tempfile::Builder::new()
        .prefix("browser-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("a temp folder under CARGO_TARGET_TMPDIR");
    let site = tmp.path().join("site");
    let binary = env!("CARGO_BIN_EXE_integridad");
    let build = Command::new(binary)
        .arg("build")
        .arg("--root")
        .arg(repo)
        .arg("--output")
        .arg(&site)
        .output()
        .expect("the integridad binary runs");
    assert!(
        build.status.success(),
        "building the bundled site failed ({}):\n{}",
        build.status,
        String::from_utf8_lossy(&build.stderr)
    );

    let files = test_files(repo);
    assert!(!files.is_empty(), "no tests/browser/*.test.mjs files");
    // stdout and stderr are inherited, so the node report streams as it runs.
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg("--test-concurrency=2")
        .args(&files)
        .current_dir(repo)
        .env("INTEGRIDAD_SITE_DIR", &site)
        .env("INTEGRIDAD_BIN", binary)
        .env("INTEGRIDAD_TMP", tmp.path())
        .env("INTEGRIDAD_CHROMIUM", chromium())
        .status()
        .expect("node runs");
    assert!(
        status.success(),
        "the browser suite failed ({status}); its report is above"
    );
}
