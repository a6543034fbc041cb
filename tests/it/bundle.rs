//! The offline bundle, `build --bundle` (issue 10 point 3): a deterministic ZIP of the
//! `--offline` site with its own SHA256SUMS and signature, offered on the home and about pages.

use std::io::Read as _;

use crate::harness::SiteTest;

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>, zip::DateTime)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            let time = file.last_modified().unwrap_or_default();
            (file.name().to_string(), bytes, time)
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_bundle_is_byte_identical_twice_and_holds_the_signed_offline_site() {
    let site = SiteTest::bundled();
    site.run_in(&["keygen", "--out", "firma.key", "--no-password"], false)
        .ok();
    site.run(&["build", "--bundle", "--sign", "firma.key"]).ok();
    let first = std::fs::read(site.path("public/integridad-offline.zip")).unwrap();
    site.run(&[
        "build",
        "--bundle",
        "--sign",
        "firma.key",
        "--output",
        "otra",
    ])
    .ok();
    let second = std::fs::read(site.path("otra/integridad-offline.zip")).unwrap();
    assert!(first == second, "two builds give different bundles");

    let files = entries(&first);
    let names: Vec<&str> = files.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries in path order");
    assert!(names.iter().all(|n| n.starts_with("integridad-offline/")));
    assert!(names.contains(&"integridad-offline/SHA256SUMS"));
    assert!(names.contains(&"integridad-offline/SHA256SUMS.minisig"));
    assert!(!names
        .iter()
        .any(|n| n.ends_with(".zip") || n.contains(".integridad-output")));
    assert!(files
        .iter()
        .all(|(_, _, t)| (t.year(), t.month(), t.day()) == (1980, 1, 1)));
    let home = files
        .iter()
        .find(|(n, _, _)| n == "integridad-offline/index.html")
        .map(|(_, b, _)| String::from_utf8_lossy(b).into_owned())
        .unwrap();
    assert!(
        home.contains("href=\"toolkit/index.html\""),
        "offline links end in index.html"
    );
    assert!(
        !home.contains("offline-box"),
        "the bundle does not offer itself"
    );

    // Unpacked, it verifies with the publisher's key.
    let unpacked = site.path("usb");
    for (name, bytes, _) in &files {
        let path = unpacked.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    site.run_in(
        &["verify", "usb/integridad-offline", "--pubkey", "firma.pub"],
        false,
    )
    .ok()
    .stderr_has("signature good");
    // The online copy lists the bundle in its own SHA256SUMS.
    let hash = sha256(&first);
    assert!(site
        .out("SHA256SUMS")
        .contains(&format!("{hash}  integridad-offline.zip\n")));
}

#[test]
fn home_and_about_offer_the_bundle_with_its_size_and_hash() {
    let site = SiteTest::bundled();
    site.run(&["build", "--bundle"]).ok();
    let zip = std::fs::read(site.path("public/integridad-offline.zip")).unwrap();
    let hash = sha256(&zip);
    let size = if zip.len() < 1_000_000 {
        format!("ZIP, {} kB", zip.len().div_ceil(1000))
    } else {
        format!("ZIP, {:.1} MB", zip.len() as f64 / 1e6)
    };
    for (page, text, link) in [
        (
            "index.html",
            "Descargar para consultar sin conexión",
            "integridad-offline.zip",
        ),
        (
            "acerca/index.html",
            "Descargar para consultar sin conexión",
            "../integridad-offline.zip",
        ),
        (
            "en/index.html",
            "Download for offline use",
            "../integridad-offline.zip",
        ),
        (
            "en/about/index.html",
            "Download for offline use",
            "../../integridad-offline.zip",
        ),
    ] {
        let html = site.out(page);
        assert!(html.contains(text), "{page} lacks the offer");
        assert!(html.contains(&hash), "{page} lacks the SHA-256");
        assert!(html.contains(&size), "{page} lacks `{size}`");
        assert!(
            html.contains(&format!("href=\"{link}\" download")),
            "{page} links the ZIP"
        );
    }
    assert!(!site.out("toolkit/index.html").contains("offline-box"));
    // Without --bundle there is no ZIP and no offer.
    site.build().ok();
    assert!(!site.exists("public/integridad-offline.zip"));
    assert!(!site.out("index.html").contains("offline-box"));
}

#[test]
fn pages_carry_a_hidden_mirror_notice_pointing_at_the_origin() {
    let site = SiteTest::bundled();
    site.build().ok();
    let html = site.out("en/toolkit/index.html");
    let notice = html
        .split("<div class=\"mirror-notice\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("a mirror notice");
    // The official hosts: base_url's, then site.toml's `[mirror] official_hosts`.
    assert!(notice.contains(
        "data-official-hosts=\"integridad.example.gob.mx www.integridad.example.gob.mx\" hidden"
    ));
    assert!(
        notice.contains("This is a copy of the official site integridad.example.gob.mx."),
        "{notice}"
    );
    assert!(notice.contains("href=\"https://integridad.example.gob.mx/en/toolkit/\""));
    assert!(notice.contains("href=\"https://integridad.example.gob.mx/en/about/#verify\""));
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "no inline script or style"
    );
}

#[test]
fn content_errors_fail_a_bundle_build_once_and_write_nothing() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "content/toolkit/03-roto.md",
        "---\ntitle: Roto\n---\n[x](no-existe.md)\n",
    );
    let run = site.run(&["build", "--bundle"]);
    run.fails(1);
    assert_eq!(run.errors(), 1, "{}", run.stderr);
    assert!(!site.exists("public"));
}
