//! What the test suites need from the machine beyond Rust (Node.js, Debian's Chromium, Java for
//! the Nu checker, pdftotext, the stock minisign, Python's docx/openpyxl/yaml), checked once per
//! test binary. When something is missing and the tests run as root on Debian, the check runs
//! `scripts/setup-test-machine` (what `.ci/run` runs), so `cargo test` needs no step before it on
//! a fresh machine; otherwise the test that needs it fails with the one line that installs it.
//! Shared by `tests/browser.rs` and `tests/it`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Node.js major version the suite needs (package.json `engines`).
const NODE_MAJOR: u32 = 20;

/// Debian's Chromium; `INTEGRIDAD_CHROMIUM` may point elsewhere (the node suite reads it too).
pub(crate) fn chromium() -> PathBuf {
    std::env::var_os("INTEGRIDAD_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// The standard output of `program args` when it runs and succeeds.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One piece the tests need that is not on the machine: what it is for, and its Debian package.
pub(crate) struct Missing {
    what: String,
    package: &'static str,
}

impl Missing {
    pub(crate) fn new(what: impl Into<String>, package: &'static str) -> Missing {
        Missing {
            what: what.into(),
            package,
        }
    }
}

/// Node.js 20 or later, as `node --version` says (`v20.19.2`).
fn node_is_recent() -> Option<bool> {
    let version = output_of("node", &["--version"])?;
    let major = version.trim().trim_start_matches('v').split('.').next()?;
    Some(major.parse::<u32>().ok()? >= NODE_MAJOR)
}

/// Every program and Python module the tests need that is missing, each with its Debian package.
/// The Python modules and minisign serve `tests/it` (downloads round trip, stock minisign),
/// which cannot fail loudly without them; they are checked here so a machine is set up at once.
fn missing_tools(npm_needed: bool) -> Vec<Missing> {
    let mut missing = Vec::new();
    match node_is_recent() {
        None => missing.push(Missing::new(
            "`node` (Node.js 20 or later) runs the browser suite",
            "nodejs",
        )),
        Some(false) => missing.push(Missing::new(
            "Node.js 20 or later (`node --version` is older)",
            "nodejs",
        )),
        Some(true) => {}
    }
    if npm_needed && output_of("npm", &["--version"]).is_none() {
        missing.push(Missing::new(
            "`npm` installs the packages of package-lock.json",
            "npm",
        ));
    }
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(Missing::new(
            format!(
                "Chromium at `{}` (or set INTEGRIDAD_CHROMIUM)",
                chromium.display()
            ),
            "chromium",
        ));
    }
    if output_of("java", &["-version"]).is_none() {
        missing.push(Missing::new(
            "`java` runs the Nu HTML checker",
            "default-jre-headless",
        ));
    }
    if output_of("pdftotext", &["-v"]).is_none() {
        missing.push(Missing::new(
            "`pdftotext` reads the printed handbook",
            "poppler-utils",
        ));
    }
    if output_of("minisign", &["-v"]).is_none() {
        missing.push(Missing::new(
            "`minisign` checks signatures with the stock tool",
            "minisign",
        ));
    }
    for (module, package) in [
        ("docx", "python3-docx"),
        ("openpyxl", "python3-openpyxl"),
        ("yaml", "python3-yaml"),
    ] {
        let import = format!("import {module}");
        if output_of("/usr/bin/python3", &["-c", &import]).is_none() {
            missing.push(Missing::new(
                format!(
                    "the Python module `{module}` for /usr/bin/python3 reads the downloads back"
                ),
                package,
            ));
        }
    }
    missing
}

/// The failure message: every missing piece, then the one command that installs them all.
pub(crate) fn missing_message(missing: &[Missing]) -> String {
    let mut packages: Vec<&str> = Vec::new();
    for missing in missing {
        if !packages.contains(&missing.package) {
            packages.push(missing.package);
        }
    }
    let list: Vec<String> = missing
        .iter()
        .map(|m| format!("  - {} (Debian package `{}`)", m.what, m.package))
        .collect();
    format!(
        "the tests cannot run; missing:\n{}\ninstall them as root with:\n  apt-get install -y {}\n\
         or run `scripts/setup-test-machine` as root, which installs everything the tests need",
        list.join("\n"),
        packages.join(" ")
    )
}

/// `Ok` once everything the tests need is on the machine, installing it first where it may;
/// else the failure message. Checked (and installed) once per test binary.
pub(crate) fn ready(npm_needed: bool) -> Result<(), String> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    READY
        .get_or_init(|| {
            let missing = missing_tools(npm_needed);
            if missing.is_empty() {
                return Ok(());
            }
            if !may_install() {
                return Err(missing_message(&missing));
            }
            install(&missing)?;
            let still = missing_tools(npm_needed);
            if still.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "scripts/setup-test-machine ran, but {}",
                    missing_message(&still)
                ))
            }
        })
        .clone()
}

/// Root on Debian: `apt-get` can install what is missing.
fn may_install() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        root && Path::new("/etc/debian_version").is_file()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Runs `scripts/setup-test-machine`, its output going to the test's stderr.
fn install(missing: &[Missing]) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup-test-machine");
    let what: Vec<&str> = missing.iter().map(|m| m.package).collect();
    eprintln!(
        "missing {}: running `{}` as root (what .ci/run runs)",
        what.join(", "),
        script.display()
    );
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", script.display()))?;
    eprint!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{}` failed ({}); {}",
            script.display(),
            out.status,
            missing_message(missing)
        ))
    }
}
