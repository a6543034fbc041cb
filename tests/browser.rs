//! Browser tests: builds the bundled site with the real binary into a temp folder, then runs the
//! node suite in `tests/browser/` (headless Debian Chromium, axe-core, the Nu HTML checker) and
//! fails when it fails. It never skips: it runs `npm ci` itself when node_modules is out of date
//! with package-lock.json, installs a missing program as root on Debian (`support/machine.rs`),
//! and otherwise fails with every missing piece and the `apt-get install` line for them. Its
//! target is named `web` so that cargo runs it after `hostile_serve` and `it`: a machine without
//! a browser still runs every other test.

#[path = "support/machine.rs"]
mod machine;

use std::path::{Path, PathBuf};
use std::process::Command;

use machine::chromium;
#[cfg(test)]
use machine::{missing_message, Missing};

/// What `npm ci` installs from package-lock.json; the same flags as `scripts/setup-test-machine`.
const NPM_CI: [&str; 5] = [
    "ci",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
];

/// Why `node_modules` does not hold what package-lock.json pins, or `None` when it does.
fn node_modules_out_of_date(repo: &Path) -> Option<String> {
    let lock_path = repo.join("package-lock.json");
    let lock = std::fs::read_to_string(&lock_path)
        .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", lock_path.display()));
    let lock: serde_json::Value = serde_json::from_str(&lock)
        .unwrap_or_else(|e| panic!("`{}` is not JSON: {e}", lock_path.display()));
    let packages = lock["packages"].as_object()?;
    for (dir, entry) in packages {
        let (Some(name), Some(pinned)) =
            (dir.strip_prefix("node_modules/"), entry["version"].as_str())
        else {
            continue;
        };
        let manifest = repo.join(dir).join("package.json");
        let installed = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|json| json["version"].as_str().map(str::to_owned));
        match installed {
            None if entry["optional"] == true => {}
            None => return Some(format!("`{name}` is not installed")),
            Some(version) if version != pinned => {
                return Some(format!(
                    "`{name}` {version} is installed, package-lock.json pins {pinned}"
                ))
            }
            Some(_) => {}
        }
    }
    None
}

/// Runs `npm ci` with the flags of `scripts/setup-test-machine`; fails with its output.
fn npm_ci(repo: &Path, reason: &str) {
    eprintln!(
        "node_modules is out of date ({reason}): running `npm {}`",
        NPM_CI.join(" ")
    );
    let out = Command::new("npm")
        .args(NPM_CI)
        .current_dir(repo)
        .output()
        .expect("npm runs");
    assert!(
        out.status.success(),
        "`npm {}` failed ({}):\n{}{}",
        NPM_CI.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(still) = node_modules_out_of_date(repo) {
        panic!("after `npm ci`, node_modules is still out of date: {still}");
    }
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
    let stale = node_modules_out_of_date(repo);
    if let Err(message) = machine::ready(stale.is_some()) {
        panic!("{message}");
    }
    if let Some(reason) = stale {
        npm_ci(repo, &reason);
    }

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

/// A tiny repository whose package-lock.json pins `pkg` 1.2.3 and an optional `extra` 1.0.0.
fn lock_fixture(installed: Option<&str>) -> tempfile::TempDir {
    let repo = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temp folder");
    let lock = r#"{"lockfileVersion": 3, "packages": {
        "": {"name": "x", "version": "0.0.0"},
        "node_modules/pkg": {"version": "1.2.3"},
        "node_modules/extra": {"version": "1.0.0", "optional": true}}}"#;
    std::fs::write(repo.path().join("package-lock.json"), lock).expect("write the lock");
    if let Some(version) = installed {
        let dir = repo.path().join("node_modules/pkg");
        std::fs::create_dir_all(&dir).expect("node_modules/pkg");
        let manifest = format!(r#"{{"name": "pkg", "version": "{version}"}}"#);
        std::fs::write(dir.join("package.json"), manifest).expect("write package.json");
    }
    repo
}

#[test]
fn node_modules_is_out_of_date_when_a_pinned_package_is_absent_or_another_version() {
    let absent = lock_fixture(None);
    assert_eq!(
        node_modules_out_of_date(absent.path()).as_deref(),
        Some("`pkg` is not installed")
    );
    let other = lock_fixture(Some("1.2.4"));
    assert_eq!(
        node_modules_out_of_date(other.path()).as_deref(),
        Some("`pkg` 1.2.4 is installed, package-lock.json pins 1.2.3")
    );
    let current = lock_fixture(Some("1.2.3"));
    assert_eq!(node_modules_out_of_date(current.path()), None);
}

#[test]
fn the_missing_message_lists_every_piece_and_one_apt_get_line() {
    let message = missing_message(&[
        Missing::new("`java` runs the Nu HTML checker", "default-jre-headless"),
        Missing::new("the Python module `docx`", "python3-docx"),
    ]);
    assert!(message
        .contains("  - `java` runs the Nu HTML checker (Debian package `default-jre-headless`)\n"));
    assert!(message.contains("  - the Python module `docx` (Debian package `python3-docx`)\n"));
    assert!(message.contains("\n  apt-get install -y default-jre-headless python3-docx\n"));
    assert!(message.contains("scripts/setup-test-machine"));
}
