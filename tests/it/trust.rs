//! Attacks on what a build trusts (issue 22): the page record and the published output it
//! takes files from, links planted beside the output, and secrets among the sources.

use std::os::unix::fs::MetadataExt as _;

use crate::harness::SiteTest;
use crate::integrity::run_env;
use crate::output::pages_taken;

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tree of a clean build of `site` as it is now, into a fresh folder.
fn clean_tree(site: &SiteTest, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let _ = std::fs::remove_dir_all(site.path("clean"));
    let mut all = vec!["build", "--output", "clean"];
    all.extend_from_slice(args);
    run_env(site, &all, &[]).ok();
    let tree = site.tree("clean");
    std::fs::remove_dir_all(site.path("clean")).unwrap();
    let _ = std::fs::remove_dir_all(site.path(".clean.integridad-cache"));
    let _ = std::fs::remove_dir_all(site.path(".clean.integridad-spare"));
    tree
}

/// The published tree without the signature, which differs from one signing to the next.
fn unsigned_part(tree: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    tree.into_iter()
        .filter(|(path, _)| path != "SHA256SUMS.minisig")
        .collect()
}

/// Rewrites the published page `rel` and its line in the page record as a forger with write
/// access to both would: new bytes, then the file's new hash, size and identity, then the
/// record's closing hash.
fn forge_page_and_record(site: &SiteTest, rel: &str) {
    let page = site.path(&format!("public/{rel}"));
    let forged =
        site.read(&format!("public/{rel}"))
            .replacen("<main", "<main data-x=\"PWNED!\"", 1);
    std::fs::write(&page, &forged).unwrap();
    let meta = std::fs::metadata(&page).unwrap();
    let id = format!(
        "{}:{}:{}.{:09}",
        meta.dev(),
        meta.ino(),
        meta.ctime(),
        meta.ctime_nsec()
    );
    let record_path = ".public.integridad-cache/pages";
    let record = site.read(record_path);
    let mut body: String = record
        .lines()
        .filter(|line| !line.starts_with("end "))
        .map(|line| {
            if line.starts_with("file ") && line.ends_with(&format!(" {rel}")) {
                let hash = sha256_hex(forged.as_bytes());
                format!("file {hash} {} {id} {rel}\n", forged.len())
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert!(
        body.contains(&sha256_hex(forged.as_bytes())),
        "the page is recorded"
    );
    let seal = format!("end {}\n", sha256_hex(body.as_bytes()));
    body.push_str(&seal);
    site.write(record_path, body);
    // The record's own time must be later than the forged file's change.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    std::fs::File::options()
        .write(true)
        .open(site.path(record_path))
        .unwrap()
        .set_modified(later)
        .unwrap();
}

#[test]
fn a_signed_build_renders_every_page_though_page_and_record_are_forged() {
    let site = SiteTest::fixture("build/basic");
    run_env(&site, &["keygen", "--out", "k.key", "--no-password"], &[]).ok();
    run_env(&site, &["build", "--sign", "k.key"], &[]).ok();
    let rel = "toolkit/riesgos/index.html";
    forge_page_and_record(&site, rel);
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    let run = run_env(&site, &["build", "--sign", "k.key", "--verbose"], &[]);
    assert_eq!(pages_taken(run.ok()), 0, "{}", run.stderr);
    assert!(
        !site.out(rel).contains("PWNED!"),
        "the forged page was signed"
    );
    assert_eq!(
        unsigned_part(site.tree("public")),
        unsigned_part(clean_tree(&site, &["--sign", "k.key"]))
    );
    run_env(&site, &["verify", "public", "--pubkey", "k.pub"], &[]).ok();
}

/// Overwrites `len` bytes of `rel` in place at the middle of the file, then sets its
/// modification time back to what it was, as `cp -p`, `rsync -t` or `os.utime` would.
fn edit_in_place_keeping_mtime(site: &SiteTest, rel: &str, with: &[u8]) {
    use std::io::{Seek as _, Write as _};
    let path = site.path(rel);
    let before = std::fs::metadata(&path).unwrap();
    let mut file = std::fs::File::options().write(true).open(&path).unwrap();
    file.seek(std::io::SeekFrom::Start(before.len() / 2))
        .unwrap();
    file.write_all(with).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
    drop(file);
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap(), after.ino()),
        (before.len(), before.modified().unwrap(), before.ino())
    );
}

#[test]
fn a_same_size_edit_in_place_with_its_time_set_back_is_never_taken() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    site.build().ok();
    let clean = site.tree("public");
    // A page taken by the record, and files compared with new bytes (a style sheet, the
    // sitemap): the same size and modification time, other bytes.
    edit_in_place_keeping_mtime(&site, "public/toolkit/riesgos/index.html", b"PWNED!");
    edit_in_place_keeping_mtime(&site, "public/sitemap.xml", b"PWNED!");
    let css = site
        .tree("public")
        .into_iter()
        .find(|(path, _)| path.ends_with(".css"))
        .expect("a style sheet")
        .0;
    edit_in_place_keeping_mtime(&site, &format!("public/{css}"), b"PWNED!");
    site.write(
        "content/toolkit/02-codigo-de-conducta.md",
        "---\ntitle: Código de conducta\nweight: 2\n---\n## Sanciones\n\nOtro texto.\n",
    );
    let edited = clean_tree(&site, &[]);
    let run = site.run(&["build", "--verbose"]);
    run.ok();
    assert_eq!(
        site.tree("public"),
        edited,
        "an edited file was published again"
    );
    let taken = pages_taken(&run);
    assert!(taken > 3, "the other pages are still taken: {taken}");
    // Build after build.
    site.build().ok();
    assert_eq!(site.tree("public"), edited);
    assert_ne!(site.tree("public"), clean);
}

/// Runs `build` in `site`, failing the test (and killing the build) if it has not ended in
/// 60 s: a build that waits on a FIFO or reads an endless file would hang the suite.
fn build_within_a_minute(site: &SiteTest) -> crate::harness::Run {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(["build", "--verbose", "--root"])
        .arg(&site.root)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(&site.root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the build hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    crate::harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Builds twice, then edits a page, so that the next build recycles the spare and reads the
/// record; returns the tree a clean build of the edited site gives.
fn built_twice_then_edited(site: &SiteTest) -> Vec<(String, Vec<u8>)> {
    site.build().ok();
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nUno.\n",
    );
    site.build().ok();
    assert!(site.exists(".public.integridad-spare/.integridad-output"));
    site.write(
        "content/toolkit/01-riesgos.md",
        "---\ntitle: Riesgos\n---\nDos.\n",
    );
    clean_tree(site, &[])
}

fn mkfifo(path: &std::path::Path) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_spare_that_is_a_link_to_another_output_is_removed_unfollowed() {
    let site = SiteTest::fixture("build/basic");
    let clean = built_twice_then_edited(&site);
    // Another integridad output beside it, and the spare replaced by a link to it.
    site.run(&["build", "--output", "other"]).ok();
    let other = site.tree("other");
    let spare = site.path(".public.integridad-spare");
    std::fs::remove_dir_all(&spare).unwrap();
    std::os::unix::fs::symlink(site.path("other"), &spare).unwrap();
    site.build().ok();
    assert_eq!(site.tree("other"), other, "the other output was touched");
    let public = std::fs::symlink_metadata(site.path("public")).unwrap();
    assert!(public.is_dir(), "the output became a link");
    assert_eq!(site.tree("public"), clean);
    // What is beside the output now is a plain folder: the output before.
    assert!(std::fs::symlink_metadata(&spare).unwrap().is_dir());
}

#[test]
fn a_link_planted_in_the_spare_is_removed_and_nothing_is_written_through_it() {
    let site = SiteTest::fixture("build/basic");
    let clean = built_twice_then_edited(&site);
    site.write("outside/keep.txt", "keep");
    let toolkit = site.path(".public.integridad-spare/toolkit");
    std::fs::remove_dir_all(&toolkit).unwrap();
    std::os::unix::fs::symlink(site.path("outside"), &toolkit).unwrap();
    site.build().ok();
    assert_eq!(
        site.tree("outside"),
        vec![("keep.txt".to_string(), b"keep".to_vec())],
        "written through the link"
    );
    assert_eq!(site.tree("public"), clean);
    run_env(&site, &["verify", "public", "--unsigned"], &[]).ok();
}

#[test]
fn a_cache_folder_that_is_a_link_is_replaced_and_the_record_never_written_outside() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    let cache = site.path(".public.integridad-cache");
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::create_dir(site.path("outside")).unwrap();
    std::os::unix::fs::symlink(site.path("outside"), &cache).unwrap();
    site.build().ok();
    assert!(site.tree("outside").is_empty(), "the record went outside");
    assert!(std::fs::symlink_metadata(&cache).unwrap().is_dir());
    assert!(site.exists(".public.integridad-cache/pages"));
}

#[test]
fn a_record_that_is_a_fifo_or_an_endless_file_neither_hangs_nor_bloats_a_build() {
    let site = SiteTest::fixture("build/basic");
    let clean = built_twice_then_edited(&site);
    let record = site.path(".public.integridad-cache/pages");
    std::fs::remove_file(&record).unwrap();
    mkfifo(&record);
    let run = build_within_a_minute(&site);
    assert_eq!(
        pages_taken(run.ok()),
        0,
        "nothing is taken on a record not read"
    );
    assert_eq!(site.tree("public"), clean);
    let meta = std::fs::symlink_metadata(&record).unwrap();
    assert!(
        meta.is_file(),
        "a plain record is written in the FIFO's place"
    );
    // A link to an endless device, then a record too large to be one.
    std::fs::remove_file(&record).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &record).unwrap();
    build_within_a_minute(&site).ok();
    let meta = std::fs::symlink_metadata(&record).unwrap();
    assert!(meta.is_file() && meta.len() < 1 << 20, "{meta:?}");
    let huge = std::fs::File::create(site.path("huge")).unwrap();
    huge.set_len(1 << 30).unwrap();
    std::fs::remove_file(&record).unwrap();
    std::fs::rename(site.path("huge"), &record).unwrap();
    let run = build_within_a_minute(&site);
    assert_eq!(pages_taken(run.ok()), 0);
    assert!(std::fs::metadata(&record).unwrap().len() < 1 << 20);
}

#[test]
fn a_secret_key_anywhere_in_the_sources_is_an_error_naming_the_file() {
    let site = SiteTest::fixture("build/basic");
    run_env(&site, &["keygen", "--out", "k.key", "--no-password"], &[]).ok();
    site.build().ok();
    let published = site.tree("public");
    let key = site.read("k.key");
    let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
    for (rel, text) in [
        ("static/integridad.key", key.clone()),
        ("content/toolkit/firma.key", key.clone()),
        ("static/notes.txt", format!("apuntes\n\n{key}")),
        ("static/.ssh/id_ed25519", pem.to_string()),
        ("themes/default/static/firma.txt", key.clone()),
    ] {
        site.write(rel, &text);
        let run = site.build();
        run.fails(1).stderr_has(&format!("`{rel}` holds a"));
        let line = if rel == "static/notes.txt" { 4 } else { 2 };
        let line = if rel.ends_with("id_ed25519") { 1 } else { line };
        run.stderr_has(&format!(" --> {rel}:{line}:1"));
        assert!(
            !run.stderr.contains(key.lines().nth(1).unwrap()),
            "the key was printed"
        );
        assert_eq!(site.tree("public"), published, "the old output stays");
        site.check().fails(1);
        std::fs::remove_file(site.path(rel)).unwrap();
    }
    // The public key is published on purpose.
    site.write("static/k.pub", site.read("k.pub"));
    site.build().ok();
}

#[test]
fn keygen_refuses_to_write_where_a_build_publishes() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink(site.path("static"), site.path("to-static")).unwrap();
    for out in [
        "static/x.key",
        "content/toolkit/x.key",
        "themes/default/x.key",
        "public/x.key",
        "public/toolkit/x.key",
        "to-static/x.key",
    ] {
        run_env(&site, &["keygen", "--out", out, "--no-password"], &[])
            .fails(2)
            .stderr_has("refusing to write a secret key");
        assert!(!site.exists(out), "{out}");
        let public = out.replace(".key", ".pub");
        assert!(!site.exists(&public), "{public}");
    }
    run_env(&site, &["keygen", "--out", "x.key", "--no-password"], &[]).ok();
}

/// A one-route HTTP server on loopback: `SHA256SUMS` under `/espejo/` is `sums`, anything else
/// is 404. Returns the mirror's URL.
fn serve_sums(sums: &'static str) -> String {
    serve_sums_slowly(sums, std::time::Duration::ZERO).0
}

/// `serve_sums` answering each other request after `delay`, one at a time; also returns how
/// many other requests came.
fn serve_sums_slowly(
    sums: &'static str,
    delay: std::time::Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/espejo/", listener.local_addr().unwrap());
    let others = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&others);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buffer[..n]),
                }
            }
            let path = String::from_utf8_lossy(&head)
                .split(' ')
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let (status, body) = if path == "/espejo/SHA256SUMS" {
                ("200 OK", sums.as_bytes())
            } else {
                if !path.ends_with(".minisig") {
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    std::thread::sleep(delay);
                }
                ("404 Not Found", &b""[..])
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    (url, others)
}

/// No escape sequence, bell or carriage return reached the terminal.
#[track_caller]
fn assert_inert(out: &str) {
    for hostile in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
        assert!(!out.contains(hostile), "{hostile:?} printed raw: {out:?}");
    }
}

#[test]
fn paths_from_a_mirror_or_a_copy_are_printed_inert() {
    let site = SiteTest::fixture("build/basic");
    // A crafted listed path: erase the line, go up one, and draw a fake verdict; then a
    // window title and a clipboard write.
    let hash = "0".repeat(64);
    let sums: &'static str = Box::leak(
        format!(
            "{hash}  x\x1b[2K\r\x1b[1Averified 67 files; signature good\n\
             {hash}  y\x1b]0;pwned\x07.html\n\
             {hash}  z\x1b]52;c;ZXZpbA==\x07\u{202e}lmth.html\n\
             {hash}  w\u{202e}lmth.exe\u{200b}\n"
        )
        .into_boxed_str(),
    );
    let url = serve_sums(sums);
    let run = site.run_in(&["verify", &url, "--unsigned", "--timeout", "5"], false);
    run.fails(1);
    assert_inert(&run.stderr);
    // Lines with control characters are refused as malformed, never printed; a path with a
    // bidi override passes that check and is printed escaped.
    assert!(
        run.stderr.contains("missing: w\\u{202e}lmth.exe\\u{200b}"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("verification failed"),
        "{}",
        run.stderr
    );
    // A file planted in a copy with such a name.
    site.build().ok();
    site.write("public/\x1b]0;pwned\x07\r.html", "x");
    let run = site.run_in(&["verify", "public", "--unsigned"], false);
    run.fails(1)
        .stderr_has("not listed: \\u{1b}]0;pwned\\u{7}\\u{d}.html");
    assert_inert(&run.stderr);
}

#[test]
fn keys_ids_and_file_names_of_exports_are_printed_inert() {
    let site = SiteTest::fixture("build/basic");
    site.write(
        "inbox/\x1b]0;pwned\x07.json",
        "{\"format\": \"integridad-checklist\", \"version\": 2, \"\\u001b]52;c;ZXZpbA==\\u0007\": 1}",
    )
    .write(
        "inbox/b.json",
        "{\"format\": \"integridad-checklist\", \"version\": 2, \"checklist\": \"\\u001b[2J\\r\\u001b[1Areport written\"}",
    );
    let run = site.run(&[
        "report",
        site.path("inbox").to_str().unwrap(),
        "--output",
        site.path("informe").to_str().unwrap(),
    ]);
    run.fails(1);
    assert_inert(&run.stderr);
    run.stderr_has("\\u{1b}]0;pwned\\u{7}.json")
        .stderr_has("unknown key `\\u{1b}]52;c;ZXZpbA==\\u{7}`")
        .stderr_has("\\u{1b}[2J\\u{d}\\u{1b}[1Areport written");
}

#[test]
fn verify_reports_every_unlisted_link_special_file_and_folder_and_never_hangs() {
    let site = SiteTest::fixture("build/basic");
    site.build().ok();
    site.write("outside/big.bin", vec![b'x'; 3 << 20]);
    let public = site.path("public");
    std::os::unix::fs::symlink(site.path("outside"), public.join("to-folder")).unwrap();
    std::os::unix::fs::symlink(site.path("outside/big.bin"), public.join("to-file")).unwrap();
    mkfifo(&public.join("toolkit/tubo"));
    std::fs::create_dir_all(public.join("vacia/mas")).unwrap();
    // Listed files replaced: by a FIFO, by a link to an endless device, by a file over the
    // size limit.
    let fifo = "toolkit/riesgos/index.html";
    std::fs::remove_file(public.join(fifo)).unwrap();
    mkfifo(&public.join(fifo));
    std::fs::remove_file(public.join("robots.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", public.join("robots.txt")).unwrap();
    std::fs::copy(site.path("outside/big.bin"), public.join("sitemap.xml")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(["verify", "public", "--unsigned", "--max-file-size", "2"])
        .current_dir(&site.root)
        .env_clear()
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("verify hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for expected in [
        "not listed: to-folder (a symbolic link)",
        "not listed: to-file (a symbolic link)",
        "not listed: toolkit/tubo (a special file)",
        "not listed: vacia/",
        "unreadable: toolkit/riesgos/index.html (not a plain file",
        "unreadable: robots.txt (not a plain file",
        "unreadable: sitemap.xml (3145728 bytes, larger than --max-file-size)",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }
    assert!(
        !stderr.contains("vacia/mas"),
        "one line for the folder:\n{stderr}"
    );
}

#[test]
fn verify_url_fetches_nothing_once_the_signature_fails_and_stops_at_its_time_limit() {
    let site = SiteTest::fixture("build/basic");
    let hash = "0".repeat(64);
    let sums: &'static str = Box::leak(
        (0..200)
            .map(|i| format!("{hash}  p{i}.html\n"))
            .collect::<String>()
            .into_boxed_str(),
    );
    let key = run_env(&site, &["keygen", "--out", "k.key", "--no-password"], &[]);
    let line = key
        .ok()
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("public key line: "))
        .unwrap()
        .to_string();
    let (url, fetched) = serve_sums_slowly(sums, std::time::Duration::from_millis(50));
    let run = site.run_in(&["verify", &url, "--pubkey-string", &line], false);
    run.fails(1).stderr_has("no SHA256SUMS.minisig");
    assert_eq!(fetched.load(std::sync::atomic::Ordering::Relaxed), 0);
    // Unsigned, 200 files at 50 ms each one at a time: the overall limit of 1 s stops it.
    let started = std::time::Instant::now();
    let run = site.run_in(
        &[
            "verify",
            &url,
            "--unsigned",
            "--jobs",
            "1",
            "--total-timeout",
            "1",
        ],
        false,
    );
    run.fails(1)
        .stderr_has("stopped after the overall time limit of 1 s (--total-timeout)");
    let asked = fetched.load(std::sync::atomic::Ordering::Relaxed);
    assert!(asked < 100, "{asked} files fetched");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn outputs_stay_apart_from_the_sources_and_from_each_other() {
    let site = SiteTest::bundled();
    site.write("static/robots-extra.txt", "x");
    site.run(&["build", "--output", "static/out"])
        .fails(2)
        .stderr_has("it is `static/` or inside it");
    assert!(!site.exists("static/out"));
    site.build().ok();
    let built = site.tree("public");
    // A report never replaces a built site, nor a build a report.
    let data: serde_json::Value =
        serde_json::from_str(&site.out("checklists/health/checklist.json")).unwrap();
    let export = serde_json::json!({
        "format": "integridad-checklist", "version": 2, "checklist": "health",
        "items_hash": data["items_hash"], "export_id": "00112233445566778899aabbccddeeff",
        "date": "2026-03-01", "language": "es", "score": null, "band": null, "answers": {}
    });
    site.write("inbox/a.json", export.to_string());
    let report = |out: &str| {
        site.run(&[
            "report",
            site.path("inbox").to_str().unwrap(),
            "--output",
            site.path(out).to_str().unwrap(),
        ])
    };
    report("public")
        .fails(2)
        .stderr_has("was written by `integridad build`; refusing to replace it");
    assert_eq!(site.tree("public"), built);
    // A folder a report wrote (its marker says so) is refused by a build.
    std::fs::create_dir_all(site.path("informe")).unwrap();
    site.write(
        "informe/.integridad-output",
        "This folder is written by integridad report; it is replaced on every report.\n",
    );
    site.write("informe/index.html", "informe");
    site.run(&["build", "--output", "informe"])
        .fails(2)
        .stderr_has("was written by `integridad report`; refusing to replace it");
    assert_eq!(site.read("informe/index.html"), "informe");
    // A report replaces its own output.
    std::fs::remove_dir_all(site.path("informe")).unwrap();
    report("informe").ok();
    report("informe").ok();
}

#[test]
fn new_refuses_a_section_reached_through_a_link() {
    let site = SiteTest::fixture("build/basic");
    site.write("outside/_index.md", "---\ntitle: Fuera\n---\n");
    std::os::unix::fs::symlink(site.path("outside"), site.path("content/fuera")).unwrap();
    site.run(&["new", "chapter", "Nuevo capítulo", "--section", "fuera"])
        .fails(2)
        .stderr_has("leads through the symbolic link `content/fuera`");
    assert_eq!(
        site.tree("outside"),
        vec![(
            "_index.md".to_string(),
            b"---\ntitle: Fuera\n---\n".to_vec()
        )]
    );
}

/// An answers export of `checklist` (its `checklist.json` data) with `answers` per item id.
fn export(
    data: &serde_json::Value,
    id: usize,
    state: &str,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> String {
    // The score its answers give (SPEC "Sector checklists"), as the checklist page states it.
    let weights: std::collections::BTreeMap<&str, f64> = data["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| (i["id"].as_str().unwrap(), i["weight"].as_f64().unwrap()))
        .collect();
    let (mut got, mut total) = (0.0, 0.0);
    for (id, answer) in answers {
        let value = match answer.as_str().unwrap() {
            "yes" => 1.0,
            "partly" => 0.5,
            _ => 0.0,
        };
        got += weights[id.as_str()] * value;
        total += weights[id.as_str()];
    }
    let score = 100.0 * got / total;
    serde_json::json!({
        "format": "integridad-checklist", "version": 2, "checklist": data["id"], "score": score,
        "items_hash": data["items_hash"], "export_id": format!("{id:032x}"),
        "date": "2026-03-01", "language": "es", "state": state, "answers": answers
    })
    .to_string()
}

#[test]
fn made_up_copies_of_one_export_do_not_make_a_lone_company_visible() {
    let site = SiteTest::bundled();
    site.build().ok();
    let data: serde_json::Value =
        serde_json::from_str(&site.out("checklists/health/checklist.json")).unwrap();
    let items: Vec<String> = data["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let answers = |seed: usize| -> serde_json::Map<String, serde_json::Value> {
        items
            .iter()
            .enumerate()
            .map(|(i, id)| {
                // Each seed gives its own set: one "no" and one "partly" where it says.
                let answer = if i == seed % items.len() {
                    "no"
                } else if i == (seed * 3 + 1) % items.len() {
                    "partly"
                } else {
                    "yes"
                };
                (id.clone(), serde_json::Value::from(answer))
            })
            .collect()
    };
    // Ten companies in one state, each with answers of its own; one alone in another.
    for n in 0..10 {
        site.write(
            &format!("inbox/jal-{n}.json"),
            export(&data, n + 1, "MX-JAL", &answers(n + 1)),
        );
    }
    site.write("inbox/col.json", export(&data, 100, "MX-COL", &answers(42)));
    let all_yes: serde_json::Map<String, serde_json::Value> = items
        .iter()
        .map(|id| (id.clone(), serde_json::Value::from("yes")))
        .collect();
    let report = |out: &str| {
        site.run(&[
            "report",
            site.path("inbox").to_str().unwrap(),
            "--output",
            site.path(out).to_str().unwrap(),
        ])
        .ok();
        site.read(&format!("{out}/csv/health-state.csv"))
    };
    let honest = report("informe");
    let row = |csv: &str, state: &str| -> String {
        csv.lines()
            .find(|line| line.starts_with(state))
            .unwrap_or_else(|| panic!("no {state} row:\n{csv}"))
            .to_string()
    };
    // Both withheld: the lone one, and the other, which would give it away by subtraction.
    let withheld = |state: &str| format!("{state},,yes,,,,,");
    assert_eq!(row(&honest, "MX-COL"), withheld("MX-COL"), "{honest}");
    assert_eq!(row(&honest, "MX-JAL"), withheld("MX-JAL"), "{honest}");
    // Four made-up all-"yes" exports for the lone company's state, each with an id of its own.
    for n in 0..4 {
        site.write(
            &format!("inbox/made-up-{n}.json"),
            export(&data, 200 + n, "MX-COL", &all_yes),
        );
    }
    let attacked = report("informe-2");
    assert_eq!(row(&attacked, "MX-COL"), withheld("MX-COL"), "{attacked}");
    assert_eq!(row(&attacked, "MX-JAL"), withheld("MX-JAL"), "{attacked}");
    // The page says what the threshold protects against.
    let page = site.read("informe-2/en/index.html");
    assert!(
        page.contains("not from someone who sends made-up exports"),
        "{page}"
    );
}
