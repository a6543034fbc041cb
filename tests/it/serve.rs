//! `integridad serve` end to end: the binary is started on a free port over a copy of a tiny
//! fixture site, files are changed the ways editors change them, and each change must be served.
//! Waits are bounded polls (every 50 ms, up to `DEADLINE`), never fixed sleeps.

mod client;
// Every case stands in a shell-script opener or reads the interfaces the Unix way.
#[cfg(unix)]
mod open;
mod streams;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::harness::SiteTest;
use client::{errors, next_status, Server, DEADLINE, POLL};

const UNO: &str = "content/toolkit/01-uno.md";

#[test]
fn edits_creations_atomic_saves_renames_and_deletions_are_served() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    assert!(server
        .get("/toolkit/uno/")
        .body
        .contains("Texto original del capítulo uno."));

    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nTexto editado.\n");
    server.wait_for("/toolkit/uno/", "the edit", |r| {
        r.body.contains("Texto editado.")
    });

    site.write(
        "content/toolkit/03-tres.md",
        "---\ntitle: \"Tres\"\n---\n\nNuevo capítulo.\n",
    );
    server.wait_for("/toolkit/tres/", "the new page", |r| {
        r.status == 200 && r.body.contains("Nuevo capítulo.")
    });

    // vim: probe file `4913`, backup `~`, then write a temp file and rename it over the original.
    site.write("content/toolkit/4913", "");
    std::fs::remove_file(site.path("content/toolkit/4913")).unwrap();
    site.write("content/toolkit/.01-uno.md.swp", "swap");
    site.write(
        "content/toolkit/01-uno.md.tmp",
        "---\ntitle: \"Capítulo uno\"\n---\n\nGuardado atómico.\n",
    );
    std::fs::rename(site.path("content/toolkit/01-uno.md.tmp"), site.path(UNO)).unwrap();
    server.wait_for("/toolkit/uno/", "the atomic save", |r| {
        r.body.contains("Guardado atómico.")
    });

    std::fs::rename(
        site.path("content/toolkit/03-tres.md"),
        site.path("content/toolkit/04-cuatro.md"),
    )
    .unwrap();
    server.wait_for("/toolkit/cuatro/", "the renamed page", |r| r.status == 200);
    server.wait_for("/toolkit/tres/", "the old name gone", |r| r.status == 404);

    std::fs::remove_file(site.path("content/toolkit/04-cuatro.md")).unwrap();
    let gone = server.wait_for("/toolkit/cuatro/", "a 404", |r| r.status == 404);
    assert!(
        gone.body.contains("Página no encontrada"),
        "the site's own 404 page: {}",
        gone.body
    );

    site.write(
        "content/nueva/_index.md",
        "---\ntitle: \"Nueva sección\"\n---\n",
    );
    site.write(
        "content/nueva/sub/01-a.md",
        "---\ntitle: \"A\"\n---\n\nEn una carpeta nueva.\n",
    );
    server.wait_for("/nueva/sub/a/", "a page in new folders", |r| {
        r.body.contains("En una carpeta nueva.")
    });

    let template = site
        .read("themes/default/templates/page.html")
        .replace("<h1>", "<h1 class=\"cambiada\">");
    site.write("themes/default/templates/page.html", template);
    server.wait_for("/toolkit/uno/", "the template edit", |r| {
        r.body.contains("class=\"cambiada\"")
    });

    let config = site
        .read("site.toml")
        .replace("Sitio de prueba", "Sitio renombrado");
    site.write("site.toml.tmp", config);
    std::fs::rename(site.path("site.toml.tmp"), site.path("site.toml")).unwrap();
    server.wait_for("/toolkit/uno/", "the site.toml edit", |r| {
        r.body.contains("Sitio renombrado")
    });
    assert!(
        !site.exists("public"),
        "serve must never write the output folder"
    );
}

#[test]
fn a_broken_file_reports_errors_keeps_the_last_good_page_and_recovers() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let events = server.events();
    let first = next_status(&events, &server, |_| true);
    assert_eq!(errors(&first), 0);

    site.write(UNO, "---\ntitel: \"Capítulo uno\"\n---\n\nRoto.\n");
    let broken = next_status(&events, &server, |s| errors(s) > 0);
    assert_eq!(
        broken["build"], first["build"],
        "a failed build swaps nothing in"
    );
    assert_eq!(
        broken["errors"][0]["location"],
        "content/toolkit/01-uno.md:2:1"
    );
    assert!(broken["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`titel`"));
    assert!(broken["errors"][0]["source"]
        .as_str()
        .unwrap()
        .contains("titel: \"Capítulo uno\""));
    let page = server.get("/toolkit/uno/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Texto original del capítulo uno."),
        "{}",
        page.body
    );
    let status = server.get("/__integridad/status");
    assert!(
        status.body.contains("content/toolkit/01-uno.md:2:1"),
        "{}",
        status.body
    );
    assert!(
        server
            .stderr()
            .contains(" --> content/toolkit/01-uno.md:2:1"),
        "{}",
        server.stderr()
    );

    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nArreglado.\n");
    let fixed = next_status(&events, &server, |s| errors(s) == 0);
    assert_ne!(fixed["build"], first["build"]);
    let page = server.get("/toolkit/uno/");
    assert!(page.body.contains("Arreglado."), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("content=\"{}\"", fixed["build"].as_str().unwrap())),
        "{}",
        page.body
    );
}

#[test]
fn a_failing_first_build_still_starts_and_shows_the_errors() {
    let site = SiteTest::fixture("serve/basic");
    site.write(UNO, "---\ntitle: [sin cerrar\n---\n");
    let server = Server::start(&site, &[]);
    let page = server.get("/toolkit/uno/");
    assert_eq!(page.status, 503);
    assert!(
        page.body.contains("El sitio no se pudo compilar"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("content/toolkit/01-uno.md:2"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("/__integridad/reload.js"),
        "{}",
        page.body
    );

    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nYa compila.\n");
    server.wait_for("/toolkit/uno/", "the fixed page", |r| {
        r.status == 200 && r.body.contains("Ya compila.")
    });
}

#[test]
fn only_files_of_the_built_site_are_served() {
    let site = SiteTest::fixture("serve/basic");
    site.write("content/secreto.txt", "público");
    let server = Server::start(&site, &[]);
    let outside = [
        "/../site.toml",
        "/../../../../etc/passwd",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/.%2e/site.toml",
        "/toolkit/..%2f..%2fsite.toml",
        "/toolkit%5c..%5csite.toml",
        "//etc/passwd",
        "/site.toml",
        "/content/toolkit/01-uno.md",
        "/themes/default/templates/base.html",
        "/index.html%00.txt",
        "/C:/Windows/win.ini",
    ];
    for path in outside {
        let reply = server.get(path);
        assert!(
            matches!(reply.status, 400 | 404),
            "{path}: {}",
            reply.status
        );
        assert!(
            !reply.body.contains("base_url") && !reply.body.contains("root:"),
            "{path} leaked:\n{}",
            reply.body
        );
    }
    let asset = server.get("/secreto.txt");
    assert_eq!((asset.status, asset.body.as_str()), (200, "público"));
    assert!(
        asset
            .headers
            .contains("content-type: text/plain; charset=utf-8"),
        "{}",
        asset.headers
    );

    let home = server.get("/");
    assert!(
        home.headers
            .contains("content-type: text/html; charset=utf-8"),
        "{}",
        home.headers
    );
    let head = server.request("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(
        head.headers
            .contains(&format!("content-length: {}", home.body.len())),
        "{}",
        head.headers
    );

    let redirect = server.get("/toolkit/uno?x=1");
    assert_eq!(redirect.status, 301);
    assert!(
        redirect.headers.contains("location: /toolkit/uno/?x=1"),
        "{}",
        redirect.headers
    );

    let script = server.get("/__integridad/reload.js");
    assert!(script
        .headers
        .contains("content-type: text/javascript; charset=utf-8"));
    assert!(script.body.contains("EventSource"));
    assert_eq!(server.get("/__integridad/overlay.css").status, 200);
    assert_eq!(server.request("POST", "/").status, 405);
}

#[test]
fn many_open_event_streams_do_not_block_ordinary_requests() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let streams: Vec<_> = (0..16).map(|_| server.events()).collect();
    for events in &streams {
        next_status(events, &server, |_| true);
    }
    let started = Instant::now();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let port = server.port;
            std::thread::spawn(move || {
                (0..10).all(|_| {
                    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
                    write!(
                        stream,
                        "GET /toolkit/uno/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    )
                    .expect("send");
                    let mut reply = String::new();
                    stream.read_to_string(&mut reply).is_ok() && reply.starts_with("HTTP/1.1 200")
                })
            })
        })
        .collect();
    for client in clients {
        assert!(client.join().expect("client"), "a request failed");
    }
    assert!(started.elapsed() < DEADLINE);
    site.write(
        UNO,
        "---\ntitle: \"Capítulo uno\"\n---\n\nTodos avisados.\n",
    );
    for events in &streams {
        next_status(events, &server, |s| s["generation"] == 2);
    }
}

#[test]
fn a_stylesheet_change_lets_tabs_keep_the_page() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let events = server.events();
    next_status(&events, &server, |_| true);
    site.write("themes/default/static/style.css", "body { margin: 1em }\n");
    let status = next_status(&events, &server, |s| s["generation"] == 2);
    assert_eq!(status["full_since"], 1, "only styles changed: {status}");
    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nOtro.\n");
    let status = next_status(&events, &server, |s| s["generation"] == 3);
    assert_eq!(status["full_since"], 3);
}

#[test]
fn polling_picks_up_edits() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &["--poll"]);
    site.write(
        UNO,
        "---\ntitle: \"Capítulo uno\"\n---\n\nVisto al sondear.\n",
    );
    server.wait_for("/toolkit/uno/", "the edit", |r| {
        r.body.contains("Visto al sondear.")
    });
    assert!(server.stderr().contains("polling"), "{}", server.stderr());
}

#[test]
fn a_busy_port_moves_to_the_next_one() {
    let site = SiteTest::fixture("serve/basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(&site.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("URL line");
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is busy; using")),
        "{stderr}"
    );
    assert!(
        line.starts_with("serving on http://127.0.0.1:") && !line.contains(&format!(":{port}/")),
        "{line}"
    );
}

#[test]
fn listening_beyond_loopback_warns() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &["--bind", "0.0.0.0"]);
    let deadline = Instant::now() + DEADLINE;
    while !server.stderr().contains("reachable from other devices") {
        assert!(
            Instant::now() < deadline,
            "no warning:\n{}",
            server.stderr()
        );
        std::thread::sleep(POLL);
    }
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_bad_bind_address_is_a_usage_error() {
    let site = SiteTest::fixture("serve/basic");
    site.run(&["serve", "--bind", "localhost:80"])
        .fails(2)
        .stderr_has("--bind needs an IP address");
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_stop_the_server_cleanly() {
    for signal in ["-INT", "-TERM"] {
        let site = SiteTest::fixture("serve/basic");
        let mut server = Server::start(&site, &[]);
        let pid = server.child.id().to_string();
        let sent = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = server.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "still running after kill {signal}"
            );
            std::thread::sleep(POLL);
        };
        assert!(status.success(), "{signal}: {status:?}");
        let deadline = Instant::now() + DEADLINE;
        while !server.stderr().contains("stopped") {
            assert!(Instant::now() < deadline, "{signal}: {}", server.stderr());
            std::thread::sleep(POLL);
        }
    }
}

#[test]
fn overlay_of_a_flood_shows_twenty_errors_then_counts_per_file() {
    let site = SiteTest::fixture("serve/basic");
    let links: String = (1..=24).map(|i| format!("[x](falta-{i}.md)\n\n")).collect();
    site.write(
        "content/toolkit/03-muchos.md",
        format!("---\ntitle: Muchos\n---\n{links}"),
    );
    let server = Server::start(&site, &[]);
    let status: serde_json::Value =
        serde_json::from_str(&server.get("/__integridad/status").body).unwrap();
    assert_eq!(errors(&status), 21, "{status}");
    let last = &status["errors"][20];
    assert_eq!(
        last["message"], "4 more errors: content/toolkit/03-muchos.md (4)",
        "{status}"
    );
    assert!(last["location"].is_null(), "{status}");
    // The terminal shows the same cut.
    let stderr = server.stderr();
    assert_eq!(stderr.matches("error: link target").count(), 20, "{stderr}");
    assert!(
        stderr.contains(
            "4 more errors, not shown in full:\n  content/toolkit/03-muchos.md: 4 errors\n"
        ),
        "{stderr}"
    );
}

#[test]
fn static_files_and_hidden_content_files_are_picked_up_while_serving() {
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    site.write("static/.well-known/security.txt", "Contact: x\n");
    server.wait_for("/.well-known/security.txt", "the static file", |r| {
        r.status == 200 && r.body == "Contact: x\n"
    });
    // A hidden file under content/ is an error at once, and gone with the file.
    site.write("content/.htaccess", "Deny from all\n");
    server.wait_for("/__integridad/status", "the error", |r| {
        r.body
            .contains("hidden files under `content/` are not published")
    });
    std::fs::remove_file(site.path("content/.htaccess")).unwrap();
    server.wait_for("/__integridad/status", "no errors", |r| {
        r.body.contains("\"errors\":[]")
    });
}

/// The search index and the printable handbook are made when first asked for; each request
/// after an edit must get the edited site's, never a previous one's.
#[test]
fn the_search_index_and_the_handbook_follow_every_edit() {
    let site = SiteTest::bundled();
    let server = Server::start(&site, &[]);
    let chapter = "content/toolkit/01-por-que-la-integridad.md";
    let search = server.get("/search/");
    assert_eq!(search.status, 200, "{}", search.body);
    assert!(
        search.body.contains("search-index.es.js"),
        "the dev server's index has a name without a hash: {}",
        search.body
    );
    let titles = |server: &Server| -> String {
        let manifest = server.get("/search-index.es.js");
        assert_eq!(manifest.status, 200, "{}", manifest.body);
        let json = manifest
            .body
            .trim()
            .strip_prefix("self.INTEGRIDAD_SEARCH = ")
            .and_then(|rest| rest.strip_suffix(';'))
            .unwrap_or_else(|| panic!("a manifest script: {}", manifest.body));
        let manifest: serde_json::Value = serde_json::from_str(json).expect("manifest JSON");
        let dir = manifest["dir"].as_str().expect("dir");
        let mut all = String::new();
        for file in manifest["meta"].as_array().expect("meta") {
            let part = server.get(&format!("/{dir}{}", file.as_str().expect("name")));
            assert_eq!(part.status, 200, "{}", part.body);
            all.push_str(&part.body);
        }
        all
    };
    assert!(titles(&server).contains("Por qué la integridad es un buen negocio"));
    let handbook = server.get("/manual/");
    assert_eq!(handbook.status, 200, "{}", handbook.body);
    assert!(handbook
        .body
        .contains("Por qué la integridad es un buen negocio"));

    let text = site.read(chapter).replace(
        "title: \"Por qué la integridad es un buen negocio\"",
        "title: \"La integridad como negocio\"",
    ) + "\nUna frase nueva para el manual impreso.\n";
    site.write(chapter, text);
    server.wait_for("/toolkit/por-que-la-integridad/", "the edit", |r| {
        r.body.contains("Una frase nueva para el manual impreso.")
    });
    assert!(titles(&server).contains("La integridad como negocio"));
    let handbook = server.get("/manual/");
    assert!(handbook
        .body
        .contains("Una frase nueva para el manual impreso."));
    assert!(handbook.body.contains("La integridad como negocio"));
}
