//! `serve --open` starts the desktop's browser on the served URL; `--bind 0.0.0.0` names the
//! addresses other devices on the network can open.

use std::time::Instant;

use super::client::{Server, DEADLINE, POLL};
use crate::harness::SiteTest;

/// A stand-in `xdg-open` that records the URL it was asked to open. The record appears whole
/// (written beside it, then renamed), so a reader polling for it never sees it half written.
#[cfg(all(unix, not(target_os = "macos")))]
fn fake_opener(dir: &std::path::Path, record: &std::path::Path, exit: u8) {
    use std::os::unix::fs::PermissionsExt as _;
    let script = dir.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$1\" > '{0}.tmp'\nmv '{0}.tmp' '{0}'\nexit {exit}\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn open_starts_the_browser_on_the_served_url() {
    let site = SiteTest::fixture("serve/basic");
    let bin = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let record = bin.path().join("opened");
    fake_opener(bin.path(), &record, 0);
    let server = Server::start_with_path_first(&site, &["--open"], bin.path());
    let started = Instant::now();
    while !record.exists() && started.elapsed() < DEADLINE {
        std::thread::sleep(POLL);
    }
    let opened = std::fs::read_to_string(&record).unwrap_or_default();
    assert_eq!(opened.trim(), format!("http://127.0.0.1:{}/", server.port));
    assert!(!server.stderr().contains("warning"), "{}", server.stderr());
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn a_browser_that_cannot_be_opened_is_a_warning() {
    let site = SiteTest::fixture("serve/basic");
    let bin = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let record = bin.path().join("opened");
    fake_opener(bin.path(), &record, 3);
    let server = Server::start_with_path_first(&site, &["--open"], bin.path());
    let started = Instant::now();
    while !server.stderr().contains("could not open a browser") && started.elapsed() < DEADLINE {
        std::thread::sleep(POLL);
    }
    assert!(
        server
            .stderr()
            .contains("warning: \"xdg-open\" could not open a browser"),
        "{}",
        server.stderr()
    );
    // The server keeps serving.
    assert_eq!(server.get("/").status, 200);
}

#[cfg(unix)]
#[test]
fn binding_every_interface_names_the_network_addresses() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &["--bind", "0.0.0.0"]);
    // The addresses are printed before the server answers; wait for the answer and the reader.
    assert_eq!(server.get("/").status, 200);
    let started = Instant::now();
    while !server.stderr().contains("makes this preview") && started.elapsed() < DEADLINE {
        std::thread::sleep(POLL);
    }
    let stderr = server.stderr();
    let listed: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("on this network (a phone, another computer): "))
        .collect();
    for url in &listed {
        assert!(
            url.starts_with("http://") && url.ends_with(&format!(":{}/", server.port)),
            "{url}"
        );
        assert!(!url.starts_with("http://127."), "{url}");
    }
    // Every IPv4 address the system reports for this machine is listed.
    if let Ok(out) = std::process::Command::new("hostname").arg("-I").output() {
        for ip in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            if ip.parse::<std::net::Ipv4Addr>().is_ok() {
                let url = format!("http://{ip}:{}/", server.port);
                assert!(listed.contains(&url.as_str()), "{url} not in:\n{stderr}");
            }
        }
    }
    let local = Server::start(&SiteTest::fixture("serve/basic"), &[]);
    assert_eq!(local.get("/").status, 200);
    assert!(
        !local.stderr().contains("on this network"),
        "{}",
        local.stderr()
    );
}
