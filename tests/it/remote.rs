//! `verify URL` against a live mirror (issue 10 point 2): a tiny HTTP server in the test serves a
//! signed copy intact, with a page changed, a page missing, a forged list, redirects inside and
//! outside the mirror's origin, an oversized file, and requests that stall.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::harness::SiteTest;

/// What the server answers for one path.
#[derive(Clone)]
enum Reply {
    File(Vec<u8>),
    Status(u16),
    Redirect(String),
    /// Reads the request and never answers.
    Stall,
    /// Sends the headers and part of the body, then nothing more.
    StallBody,
}

/// A loopback HTTP/1.1 server answering from a path → reply table that tests may change.
struct Server {
    base: String,
    origin: String,
    routes: Arc<Mutex<BTreeMap<String, Reply>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<BTreeMap<String, Reply>>> = Arc::default();
        let shared = Arc::clone(&routes);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &routes));
            }
        });
        Server {
            base: format!("{origin}/espejo/"),
            origin,
            routes,
        }
    }

    fn set(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .unwrap()
            .insert(format!("/espejo/{path}"), reply);
    }

    /// Serves every file of `dir` under `/espejo/`.
    fn serve_copy(&self, site: &SiteTest, dir: &str) {
        for (path, bytes) in site.tree(dir) {
            self.set(&path, Reply::File(bytes));
        }
    }
}

fn answer(mut stream: TcpStream, routes: &Mutex<BTreeMap<String, Reply>>) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request);
    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
    let reply = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or(Reply::Status(404));
    let (status, headers, body) = match reply {
        Reply::File(bytes) => ("200 OK".to_string(), String::new(), bytes),
        Reply::Status(code) => (format!("{code} Status"), String::new(), Vec::new()),
        Reply::Redirect(location) => (
            "302 Found".to_string(),
            format!("Location: {location}\r\n"),
            Vec::new(),
        ),
        Reply::Stall => {
            // Hold the connection until the client gives up.
            let _ = stream.read(&mut buffer);
            return;
        }
        Reply::StallBody => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<p>a medias");
            let _ = stream.flush();
            let _ = stream.read(&mut buffer);
            return;
        }
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

fn signed_copy() -> SiteTest {
    let site = SiteTest::fixture("build/basic");
    for args in [
        &["keygen", "--out", "firma.key", "--no-password"][..],
        &["build", "--sign", "firma.key"][..],
    ] {
        site.run_in(args, false).ok();
    }
    site
}

fn verify(site: &SiteTest, url: &str, extra: &[&str]) -> crate::harness::Run {
    let mut args = vec!["verify", url];
    args.extend_from_slice(extra);
    if !extra.contains(&"--timeout") {
        args.extend_from_slice(&["--timeout", "5"]);
    }
    site.run_in(&args, false)
}

#[test]
fn an_intact_mirror_verifies_and_each_fault_is_reported_with_its_status() {
    let site = signed_copy();
    let server = Server::start();
    server.serve_copy(&site, "public");
    let files = site.out("SHA256SUMS").lines().count();
    verify(&site, &server.base, &["--pubkey", "firma.pub"])
        .ok()
        .stderr_has(&format!(
            "verified {files} files; signature good (key from `firma.pub`)"
        ));
    // The address without its trailing slash is the same folder.
    verify(
        &site,
        server.base.trim_end_matches('/'),
        &["--pubkey", "firma.pub"],
    )
    .ok();
    verify(&site, &server.base, &[])
        .fails(1)
        .stderr_has("this copy is signed (SHA256SUMS.minisig) but no key was given");

    server.set(
        "toolkit/riesgos/index.html",
        Reply::File(b"alterado".to_vec()),
    );
    server.set("404.html", Reply::Status(404));
    server.set("sitemap.xml", Reply::Status(500));
    let run = verify(&site, &server.base, &["--pubkey", "firma.pub"]);
    run.fails(1)
        .stderr_has("error: changed: toolkit/riesgos/index.html")
        .stderr_has("error: missing: 404.html (HTTP 404)")
        .stderr_has("error: unreadable: sitemap.xml (HTTP 500)")
        .stderr_has("verification failed: 3 problems");
    assert!(
        !run.stderr.contains("checking "),
        "no progress line when stderr is not a terminal"
    );
}

#[test]
fn a_forged_list_fails_on_its_signature() {
    let site = signed_copy();
    let server = Server::start();
    site.write("public/toolkit/riesgos/index.html", "alterado");
    let forged_hash: String = {
        use sha2::Digest as _;
        sha2::Sha256::digest(b"alterado")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let sums: String = site
        .out("SHA256SUMS")
        .lines()
        .map(|line| match line.split_once("  ") {
            Some((_, "toolkit/riesgos/index.html")) => {
                format!("{forged_hash}  toolkit/riesgos/index.html\n")
            }
            _ => format!("{line}\n"),
        })
        .collect();
    site.write("public/SHA256SUMS", sums);
    server.serve_copy(&site, "public");
    verify(&site, &server.base, &["--pubkey", "firma.pub"])
        .fails(1)
        .stderr_has("the signature does not match SHA256SUMS")
        .stderr_has("verification failed: 1 problem");
    server.set("SHA256SUMS.minisig", Reply::Status(404));
    verify(&site, &server.base, &["--pubkey", "firma.pub"])
        .fails(1)
        .stderr_has("this copy has no SHA256SUMS.minisig");
}

#[test]
fn redirects_are_followed_only_within_the_mirrors_origin() {
    let site = signed_copy();
    let server = Server::start();
    let other = Server::start();
    server.serve_copy(&site, "public");
    other.serve_copy(&site, "public");
    let page = site.read("public/toolkit/riesgos/index.html").into_bytes();
    // Inside the origin: followed, relative and absolute.
    server.set(
        "toolkit/riesgos/index.html",
        Reply::Redirect("/movido/riesgos.html".into()),
    );
    server
        .routes
        .lock()
        .unwrap()
        .insert("/movido/riesgos.html".into(), Reply::File(page));
    server.set(
        "404.html",
        Reply::Redirect(format!("{}/espejo/otra/404.html", server.origin)),
    );
    server.set(
        "otra/404.html",
        Reply::File(site.read("public/404.html").into_bytes()),
    );
    verify(&site, &server.base, &["--pubkey", "firma.pub"]).ok();
    // To another host (another loopback port): not followed, even though it serves the same bytes.
    server.set(
        "sitemap.xml",
        Reply::Redirect(format!("{}/espejo/sitemap.xml", other.origin)),
    );
    verify(&site, &server.base, &["--pubkey", "firma.pub"])
        .fails(1)
        .stderr_has(&format!(
            "error: unreadable: sitemap.xml (redirected outside the mirror's origin, to {}/espejo/sitemap.xml)",
            other.origin
        ));
}

#[test]
fn stalls_timeouts_and_oversized_files_are_bounded() {
    let site = signed_copy();
    let server = Server::start();
    server.serve_copy(&site, "public");
    server.set("robots.txt", Reply::Stall);
    server.set("atom.xml", Reply::StallBody);
    server.set("sitemap.xml", Reply::File(vec![b'x'; 1024 * 1024 + 1]));
    let run = verify(
        &site,
        &server.base,
        &[
            "--pubkey",
            "firma.pub",
            "--timeout",
            "1",
            "--max-file-size",
            "1",
        ],
    );
    run.fails(1)
        .stderr_has("error: unreadable: robots.txt (timed out: no complete answer within the time --timeout allows)")
        .stderr_has("error: unreadable: atom.xml (timed out")
        .stderr_has(
            "error: changed: sitemap.xml (larger than the limit of 1048576 bytes per file)",
        );

    // The list itself cannot be fetched: the mirror is not reachable as a copy (exit 2).
    server.set("SHA256SUMS", Reply::Stall);
    verify(
        &site,
        &server.base,
        &["--pubkey", "firma.pub", "--timeout", "1"],
    )
    .fails(2)
    .stderr_has(&format!("cannot fetch {}SHA256SUMS", server.base));
    server.set("SHA256SUMS", Reply::Status(404));
    verify(&site, &server.base, &["--unsigned"])
        .fails(2)
        .stderr_has("HTTP 404; is this the address of the copy's root folder?");
    // Nothing listening at all.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    verify(&site, &url, &["--unsigned"])
        .fails(2)
        .stderr_has("cannot fetch");
    verify(&site, "ftp://example.org/", &["--unsigned"]).fails(2);
}

#[test]
fn a_progress_line_shows_on_a_terminal_only() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_script,
        "the `script` command (util-linux) is needed for this test"
    );
    let site = signed_copy();
    let server = Server::start();
    server.serve_copy(&site, "public");
    let files = site.out("SHA256SUMS").lines().count();
    let command = format!(
        "{} verify {} --pubkey firma.pub --timeout 5",
        env!("CARGO_BIN_EXE_integridad"),
        server.base
    );
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(&site.root)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    let counts: Vec<usize> = text
        .split("\rchecking ")
        .skip(1)
        .filter_map(|part| part.split('/').next()?.parse().ok())
        .collect();
    assert_eq!(counts, (1..=files).collect::<Vec<_>>(), "{text}");
    assert!(
        text.contains("\r\x1b[Kverified "),
        "the line is cleared before the summary"
    );
}
