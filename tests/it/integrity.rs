//! Mirrors: SHA256SUMS, minisign signatures and `verify`.

use crate::harness::SiteTest;

fn run_with_password(site: &SiteTest, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(args)
        .env("INTEGRIDAD_KEY_PASSWORD", "clave de prueba")
        .current_dir(&site.root)
        .output()
        .unwrap()
}

#[test]
fn signed_builds_verify_and_tampering_is_detected() {
    let site = SiteTest::fixture("build/basic");
    let keygen = run_with_password(&site, &["keygen", "--out", "firma.key"]);
    assert!(
        keygen.status.success(),
        "{}",
        String::from_utf8_lossy(&keygen.stderr)
    );
    let again = run_with_password(&site, &["keygen", "--out", "firma.key"]);
    assert_eq!(again.status.code(), Some(2), "refuses to overwrite a key");
    let build = run_with_password(&site, &["build", "--sign", "firma.key"]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(site.exists("public/SHA256SUMS.minisig"));
    assert!(!site.out("SHA256SUMS").contains("minisig"));
    site.run_in(&["verify", "public", "--pubkey", "firma.pub"], false)
        .ok()
        .stderr_has("signature: good");
    site.write("public/toolkit/riesgos/index.html", "alterado");
    site.run_in(&["verify", "public"], false)
        .fails(1)
        .stderr_has("changed: toolkit/riesgos/index.html");
    site.write("public/extra.html", "nuevo");
    site.run_in(&["verify", "public"], false)
        .fails(1)
        .stderr_has("not listed: extra.html");
}

#[test]
fn a_wrong_key_fails_verification() {
    let site = SiteTest::fixture("build/basic");
    assert!(run_with_password(&site, &["keygen", "--out", "a.key"])
        .status
        .success());
    assert!(run_with_password(&site, &["keygen", "--out", "b.key"])
        .status
        .success());
    assert!(run_with_password(&site, &["build", "--sign", "a.key"])
        .status
        .success());
    site.run_in(&["verify", "public", "--pubkey", "b.pub"], false)
        .fails(1)
        .stderr_has("signature does not match");
}
