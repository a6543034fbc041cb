//! Mirrors: SHA256SUMS, minisign signatures, `verify` of a folder, and keys that are hard to
//! misuse (issue 10 points 1, 5 and 6).

use std::process::Command;

use crate::harness::SiteTest;

const PASSWORD: &str = "clave de prueba";

/// Runs the binary in the site folder with a clean environment plus `env`.
pub(crate) fn run_env(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> crate::harness::Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_integridad"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(&site.root);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    crate::harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn with_password(site: &SiteTest, args: &[&str]) -> crate::harness::Run {
    run_env(site, args, &[("INTEGRIDAD_KEY_PASSWORD", PASSWORD)])
}

/// A built and signed copy of the basic fixture; returns the public key's `RW…` line.
fn signed_site() -> (SiteTest, String) {
    let site = SiteTest::fixture("build/basic");
    let keygen = with_password(&site, &["keygen", "--out", "firma.key"]);
    keygen.ok();
    let line = keygen
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("public key line: "))
        .expect("keygen prints the public key line")
        .to_string();
    with_password(&site, &["build", "--sign", "firma.key"]).ok();
    (site, line)
}

/// Replaces `rel` in the copy and rewrites its line in SHA256SUMS, as a forger would.
fn forge(site: &SiteTest, rel: &str, text: &str) {
    site.write(&format!("public/{rel}"), text);
    let hash: String = sha2_hex(text.as_bytes());
    let sums: String = site
        .out("SHA256SUMS")
        .lines()
        .map(|line| {
            if line.ends_with(&format!("  {rel}")) {
                format!("{hash}  {rel}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    site.write("public/SHA256SUMS", sums);
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn signed_builds_verify_with_a_key_file_or_the_key_line() {
    let (site, line) = signed_site();
    assert!(site.exists("public/SHA256SUMS.minisig"));
    assert!(!site.out("SHA256SUMS").contains("minisig"));
    site.run_in(&["verify", "public", "--pubkey", "firma.pub"], false)
        .ok()
        .stderr_has("signature good (key from `firma.pub`)");
    site.run_in(&["verify", "public", "--pubkey-string", &line], false)
        .ok()
        .stderr_has(&format!("signature good (key {line})"));
}

#[test]
fn a_signed_copy_never_passes_without_its_signature_being_checked() {
    let (site, _) = signed_site();
    forge(&site, "toolkit/riesgos/index.html", "alterado");
    let without_key = site.run_in(&["verify", "public"], false);
    without_key
        .fails(1)
        .stderr_has("this copy is signed (SHA256SUMS.minisig) but no key was given")
        .stderr_has("--pubkey FILE or --pubkey-string RW…")
        .stderr_has("verification failed: 1 problem");
    site.run_in(&["verify", "public", "--pubkey", "firma.pub"], false)
        .fails(1)
        .stderr_has("the signature does not match SHA256SUMS");
    site.run_in(&["verify", "public", "--unsigned"], false)
        .ok()
        .stderr_has("checksums only, signature not checked (--unsigned)");
}

#[test]
fn tampered_added_and_missing_files_are_each_reported() {
    let (site, _) = signed_site();
    site.write("public/toolkit/riesgos/index.html", "alterado");
    site.write("public/extra.html", "nuevo");
    std::fs::remove_file(site.path("public/404.html")).unwrap();
    let run = site.run_in(&["verify", "public", "--pubkey", "firma.pub"], false);
    run.fails(1)
        .stderr_has("error: changed: toolkit/riesgos/index.html")
        .stderr_has("error: not listed: extra.html")
        .stderr_has("error: missing: 404.html")
        .stderr_has("verification failed: 3 problems");
    assert_eq!(run.errors(), 3, "{}", run.stderr);
}

#[test]
fn a_wrong_key_or_a_key_without_signature_fails() {
    let (site, _) = signed_site();
    with_password(&site, &["keygen", "--out", "otra.key"]).ok();
    site.run_in(&["verify", "public", "--pubkey", "otra.pub"], false)
        .fails(1)
        .stderr_has("signature does not match");
    std::fs::remove_file(site.path("public/SHA256SUMS.minisig")).unwrap();
    site.run_in(&["verify", "public", "--pubkey", "firma.pub"], false)
        .fails(1)
        .stderr_has("this copy has no SHA256SUMS.minisig: it is not signed");
    site.run_in(&["verify", "public"], false)
        .ok()
        .stderr_has("checksums only: this copy is not signed");
    site.run_in(&["verify", "public", "--pubkey-string", "RWnotakey"], false)
        .fails(2)
        .stderr_has("`RWnotakey` is not a minisign public key");
    site.run_in(&["verify", "public", "--pubkey", "firma.key"], false)
        .fails(2)
        .stderr_has("`firma.key` is a secret key");
    site.run_in(
        &["verify", "public", "--unsigned", "--pubkey", "firma.pub"],
        false,
    )
    .fails(2);
}

#[test]
fn a_copy_made_with_a_shell_glob_verifies() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    assert!(!site.out("SHA256SUMS").contains(".integridad-output"));
    // `cp -r public/* mirror/` skips dot files such as the output marker.
    std::fs::create_dir_all(site.path("mirror")).unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg("cp -r public/* mirror/")
        .current_dir(&site.root)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!site.exists("mirror/.integridad-output"));
    site.run_in(&["verify", "mirror", "--unsigned"], false)
        .ok()
        .stderr_has("verified ");
    // The original folder, marker included, verifies too: the marker is never "not listed".
    let run = site.run_in(&["verify", "public", "--unsigned"], false);
    run.ok();
    assert!(!run.stderr.contains(".integridad-output"), "{}", run.stderr);
    if Command::new("sha256sum").arg("--version").output().is_ok() {
        let check = Command::new("sha256sum")
            .args(["--strict", "-c", "SHA256SUMS"])
            .current_dir(site.path("mirror"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

#[test]
fn sums_are_the_same_from_any_folder_locale_and_time_zone() {
    let a = SiteTest::fixture("build/basic");
    let b = SiteTest::fixture("build/basic");
    // A second, deeper root path with other characters in it.
    let other_root = b.root.with_file_name("otra carpeta ñ").join("sitio");
    std::fs::create_dir_all(other_root.parent().unwrap()).unwrap();
    std::fs::rename(&b.root, &other_root).unwrap();
    let build = |root: &std::path::Path, tz: &str, lang: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_integridad"))
            .args(["build", "--root"])
            .arg(root)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TZ", tz)
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(root.join("public/SHA256SUMS")).unwrap()
    };
    let first = build(&a.root, "UTC", "C");
    let second = build(&other_root, "Pacific/Kiritimati", "es_MX.UTF-8");
    assert!(!first.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}

#[cfg(unix)]
#[test]
fn keygen_writes_a_private_secret_key_and_says_which_file_to_publish() {
    use std::os::unix::fs::PermissionsExt as _;
    let site = SiteTest::fixture("build/basic");
    let run = with_password(&site, &["keygen", "--out", "firma.key"]);
    run.ok();
    assert!(run
        .stdout
        .contains("secret key: firma.key (keep it private"));
    assert!(run
        .stdout
        .contains("public key: firma.pub (publish this one"));
    let mode = |rel: &str| {
        std::fs::metadata(site.path(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("firma.key"), 0o600);
    let before = site.read("firma.key");
    with_password(&site, &["keygen", "--out", "firma.key"])
        .fails(2)
        .stderr_has("`firma.key` already exists; refusing to overwrite a key");
    assert_eq!(site.read("firma.key"), before);
}

#[test]
fn keygen_refuses_an_empty_password_unless_asked_for_none() {
    let site = SiteTest::fixture("build/basic");
    run_env(
        &site,
        &["keygen", "--out", "vacia.key"],
        &[("INTEGRIDAD_KEY_PASSWORD", "")],
    )
    .fails(2)
    .stderr_has("the password is empty")
    .stderr_has("--no-password");
    assert!(!site.exists("vacia.key") && !site.exists("vacia.pub"));
    run_env(&site, &["keygen", "--out", "sin.key", "--no-password"], &[]).ok();
    // An unencrypted key signs without asking for a password.
    run_env(&site, &["build", "--sign", "sin.key"], &[]).ok();
    site.run_in(&["verify", "public", "--pubkey", "sin.pub"], false)
        .ok();
}

#[test]
fn signing_with_the_public_key_or_a_corrupt_file_says_so() {
    let site = SiteTest::fixture("build/basic");
    with_password(&site, &["keygen", "--out", "firma.key"]).ok();
    with_password(&site, &["build", "--sign", "firma.pub"])
        .fails(2)
        .stderr_has("`firma.pub` is a public key; --sign needs the secret key");
    let mut corrupt = site.read("firma.key");
    corrupt.truncate(corrupt.len() - 40);
    site.write("rota.key", corrupt);
    with_password(&site, &["build", "--sign", "rota.key"])
        .fails(2)
        .stderr_has("`rota.key` is not a minisign secret key or is corrupt");
    site.write("texto.key", "hola\n");
    with_password(&site, &["build", "--sign", "texto.key"])
        .fails(2)
        .stderr_has("is not a minisign secret key or is corrupt");
    run_env(
        &site,
        &["build", "--sign", "firma.key"],
        &[("INTEGRIDAD_KEY_PASSWORD", "otra")],
    )
    .fails(2)
    .stderr_has("cannot open the secret key `firma.key`");
    assert!(
        !site.exists("public"),
        "nothing is built with an unusable key"
    );
}

/// The stock tool agrees (`.ci/run` installs Debian's `minisign`): it verifies integridad's
/// signatures, and signs with a `--no-password` key without asking for a password.
#[test]
fn stock_minisign_verifies_signatures_and_opens_unencrypted_keys() {
    if let Err(message) = crate::machine::ready(false) {
        panic!("{message}");
    }
    let version = Command::new("minisign")
        .arg("-v")
        .output()
        .expect("minisign runs");
    assert!(version.status.success());
    let (site, _) = signed_site();
    let check = Command::new("minisign")
        .args(["-Vm", "public/SHA256SUMS", "-p", "firma.pub"])
        .current_dir(&site.root)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    run_env(&site, &["keygen", "--out", "sin.key", "--no-password"], &[]).ok();
    site.write("nota.txt", "hola\n");
    let sign = Command::new("minisign")
        .args(["-Sm", "nota.txt", "-s", "sin.key"])
        .current_dir(&site.root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        sign.status.success(),
        "{}",
        String::from_utf8_lossy(&sign.stderr)
    );
    let verify = Command::new("minisign")
        .args(["-Vm", "nota.txt", "-p", "sin.pub"])
        .current_dir(&site.root)
        .output()
        .unwrap();
    assert!(verify.status.success());
}

#[test]
fn keygen_warns_when_the_key_lands_in_a_repository_that_does_not_ignore_it() {
    let site = SiteTest::fixture("build/basic");
    std::fs::create_dir_all(site.path(".git")).unwrap();
    with_password(&site, &["keygen", "--out", "a.key"])
        .ok()
        .stderr_has("warning: the secret key is inside the git repository");
    site.write(".gitignore", "/public\n*.key\n");
    let run = with_password(&site, &["keygen", "--out", "b.key"]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}
