//! Live reload in a real browser: headless Chromium opens a page in each language, and after an
//! edit each tab reloads by itself; a stylesheet edit is swapped in without a reload; a broken
//! file shows the overlay (in the page's language, under a strict CSP) and fixing it removes the
//! overlay. Driven over the DevTools protocol.
//! Like `tests/browser.rs` it never skips: without Chromium it fails and says what to install.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

use super::client::{Server, DEADLINE, POLL};
use super::UNO;
use crate::harness::SiteTest;

/// Debian's Chromium; `INTEGRIDAD_CHROMIUM` may point elsewhere (as for `tests/browser.rs`).
fn chromium() -> PathBuf {
    std::env::var_os("INTEGRIDAD_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

struct Browser {
    child: Child,
    /// `host:port` of the DevTools endpoint.
    devtools: String,
    /// The browser-wide DevTools WebSocket, used to close it.
    browser_ws: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts headless Chromium showing `url` (headless mode takes one URL; see `open`).
    fn launch(chromium: &PathBuf, url: &str) -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("chromium-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("profile");
        let mut child = Command::new(chromium)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let (sender, receiver) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ws) = line.strip_prefix("DevTools listening on ") {
                    let _ = sender.send(ws.to_string());
                }
            }
        });
        let browser_ws = match receiver.recv_timeout(DEADLINE) {
            Ok(ws) => ws,
            Err(_) => {
                let _ = child.kill();
                panic!("chromium did not start its DevTools endpoint");
            }
        };
        let devtools = browser_ws
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        Browser {
            child,
            devtools,
            browser_ws,
            _profile: profile,
        }
    }

    /// A request to the DevTools HTTP endpoint; the reply's body as JSON. The endpoint keeps
    /// connections open, so the body is read by its `Content-Length`.
    fn devtools_json(&self, method: &str, path: &str) -> Value {
        let stream = TcpStream::connect(&self.devtools).expect("devtools");
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        write!(
            &stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.devtools
        )
        .expect("send");
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("devtools reply");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("devtools body");
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    }

    /// Opens `url` in a new tab; returns its DevTools WebSocket URL.
    fn open(&self, url: &str) -> String {
        let target = self.devtools_json("PUT", &format!("/json/new?{url}"));
        target["webSocketDebuggerUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("cannot open a tab: {target}"))
            .to_string()
    }

    /// The DevTools WebSocket URL of the tab showing `url`, once it exists.
    fn tab(&self, url: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let list = self.devtools_json("GET", "/json/list");
            if let Value::Array(targets) = &list {
                let found = targets.iter().find(|t| {
                    t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
                });
                if let Some(ws) = found.and_then(|t| t["webSocketDebuggerUrl"].as_str()) {
                    return ws.to_string();
                }
            }
            assert!(Instant::now() < deadline, "no tab for {url}: {list}");
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Browser {
    /// Closes Chromium through DevTools so it reaps its own helper processes; kills it otherwise.
    fn drop(&mut self) {
        let mut browser = Tab::connect(&self.browser_ws);
        let _ = browser.socket.send(tungstenite::Message::text(
            r#"{"id":1,"method":"Browser.close"}"#,
        ));
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One tab, driven with `Runtime.evaluate`.
struct Tab {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Tab {
    fn connect(ws_url: &str) -> Tab {
        let address = ws_url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .expect("host");
        let stream = TcpStream::connect(address).expect("connect to tab");
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        let (socket, _) = tungstenite::client(ws_url, stream).expect("websocket handshake");
        Tab { socket, next_id: 0 }
    }

    /// The value of a JavaScript expression (`null` while the page is between documents).
    fn eval(&mut self, expression: &str) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({"id": id, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": true}});
        self.socket
            .send(tungstenite::Message::text(request.to_string()))
            .expect("send");
        loop {
            let message = self.socket.read().expect("devtools reply");
            let Ok(text) = message.to_text() else {
                continue;
            };
            let Ok(reply) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if reply["id"] == id {
                return reply["result"]["result"]["value"].clone();
            }
        }
    }

    /// Sends a DevTools command and returns its result; events arriving meanwhile are dropped.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(tungstenite::Message::text(request.to_string()))
            .expect("send");
        loop {
            let reply = self.message();
            if reply["id"] == id {
                assert!(reply["error"].is_null(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// The parameters of the next DevTools event named `method`.
    fn event(&mut self, method: &str) -> Value {
        loop {
            let message = self.message();
            if message["method"] == method {
                return message["params"].clone();
            }
        }
    }

    fn message(&mut self) -> Value {
        loop {
            let message = self.socket.read().expect("devtools message");
            if let Ok(Ok(value)) = message.to_text().map(serde_json::from_str::<Value>) {
                return value;
            }
        }
    }

    /// Evaluates `expression` until it returns `true`.
    #[track_caller]
    fn wait_until(&mut self, expression: &str, what: &str, server: &Server) {
        let deadline = Instant::now() + DEADLINE;
        while self.eval(expression) != Value::Bool(true) {
            if Instant::now() > deadline {
                let body = self.eval("document.body ? document.body.innerText : ''");
                panic!(
                    "timed out waiting for {what}; page shows {body}\nserver stderr:\n{}",
                    server.stderr()
                );
            }
            std::thread::sleep(POLL);
        }
    }
}

const OVERLAY: &str = "document.getElementById('integridad-overlay')";

#[test]
fn open_tabs_reload_by_themselves_and_show_errors_in_their_language() {
    let chromium = chromium();
    assert!(
        chromium.is_file(),
        "no Chromium at `{}`: install it with `apt-get install chromium` (`.ci/run` does) or set INTEGRIDAD_CHROMIUM",
        chromium.display()
    );
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let es = format!("http://127.0.0.1:{}/toolkit/uno/", server.port);
    let en = format!("http://127.0.0.1:{}/en/toolkit/uno/", server.port);
    let browser = Browser::launch(&chromium, &es);
    let mut tabs = [
        Tab::connect(&browser.tab(&es)),
        Tab::connect(&browser.open(&en)),
    ];
    for tab in &mut tabs {
        tab.wait_until(
            "document.readyState === 'complete' && !!document.querySelector('main')",
            "the page",
            &server,
        );
        tab.eval(
            "window.__before = true; window.__csp = []; \
             document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));",
        );
    }

    site.write(
        UNO,
        "---\ntitle: \"Capítulo uno\"\n---\n\nRecargado solo.\n",
    );
    tabs[0].wait_until(
        "!window.__before && !!document.querySelector('main') && document.querySelector('main').textContent.includes('Recargado solo.')",
        "the Spanish tab to reload with the edit",
        &server,
    );
    tabs[1].wait_until(
        "!window.__before && document.readyState === 'complete'",
        "the English tab to reload",
        &server,
    );

    for tab in &mut tabs {
        tab.eval(
            "window.__before = true; window.__csp = []; \
             document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));",
        );
    }
    site.write(
        "themes/default/static/style.css",
        "main { color: rgb(1, 2, 3) }\n",
    );
    for tab in &mut tabs {
        tab.wait_until(
            "getComputedStyle(document.querySelector('main')).color === 'rgb(1, 2, 3)'",
            "the new stylesheet",
            &server,
        );
        assert_eq!(
            tab.eval("window.__before === true"),
            Value::Bool(true),
            "a stylesheet change swaps styles without reloading the tab"
        );
    }

    site.write(UNO, "---\ntitel: \"Capítulo uno\"\n---\n");
    let shows = |text: &str| {
        format!("!!{OVERLAY} && {OVERLAY}.textContent.includes('{text}') && {OVERLAY}.textContent.includes('content/toolkit/01-uno.md:2:1')")
    };
    tabs[0].wait_until(
        &shows("La compilación falló"),
        "the Spanish overlay",
        &server,
    );
    tabs[1].wait_until(&shows("The build failed"), "the English overlay", &server);
    for tab in &mut tabs {
        assert_eq!(
            tab.eval("window.__before === true"),
            Value::Bool(true),
            "a failed build must not reload the tab"
        );
        tab.wait_until(
            &format!("getComputedStyle({OVERLAY}).position === 'fixed'"),
            "the overlay stylesheet",
            &server,
        );
        assert_eq!(
            tab.eval("JSON.stringify(window.__csp)"),
            Value::String("[]".into()),
            "CSP violations"
        );
        assert_eq!(tab.eval("document.querySelector('main').textContent.includes('Recargado solo.') || location.pathname.startsWith('/en/')"), Value::Bool(true));
    }

    site.write(UNO, "---\ntitle: \"Capítulo uno\"\n---\n\nArreglado.\n");
    tabs[0].wait_until(
        &format!("!{OVERLAY} && !window.__before && document.querySelector('main').textContent.includes('Arreglado.')"),
        "the overlay to go and the fixed page to load",
        &server,
    );
    tabs[1].wait_until(
        &format!("!{OVERLAY} && !window.__before"),
        "the English tab to recover",
        &server,
    );
}

/// A tab without an event stream (its connection lost, or not yet made) misses the events sent
/// meanwhile; a build finished while it was not connected (here: its request for the stream
/// held back with DevTools) must still reload it once it is.
#[test]
fn a_tab_reloads_for_a_build_finished_while_it_was_reconnecting() {
    let chromium = chromium();
    assert!(
        chromium.is_file(),
        "no Chromium at `{}`: install it with `apt-get install chromium` (`.ci/run` does) or set INTEGRIDAD_CHROMIUM",
        chromium.display()
    );
    let site = SiteTest::fixture("serve/basic");
    let server = Server::start(&site, &[]);
    let url = format!("http://127.0.0.1:{}/toolkit/uno/", server.port);
    let browser = Browser::launch(&chromium, &url);
    let mut tab = Tab::connect(&browser.tab(&url));
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('main')",
        "the page",
        &server,
    );
    // Streams live as long as their tab, so the request to hold back is the one a fresh load of
    // the page makes. The page is left first, so that no request of the old page (its stream
    // reconnecting while it unloads) is the one held back.
    tab.call("Page.navigate", json!({"url": "about:blank"}));
    tab.wait_until("location.href === 'about:blank'", "a blank page", &server);
    tab.call(
        "Fetch.enable",
        json!({"patterns": [{"urlPattern": "*/__integridad/events*"}]}),
    );
    tab.call("Page.navigate", json!({ "url": url }));
    tab.socket
        .get_mut()
        .set_read_timeout(Some(DEADLINE * 2))
        .expect("timeout");
    let paused = tab.event("Fetch.requestPaused");
    tab.socket
        .get_mut()
        .set_read_timeout(Some(DEADLINE))
        .expect("timeout");
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('main')",
        "the reloaded page",
        &server,
    );
    tab.eval("window.__before = true");

    site.write(
        UNO,
        "---\ntitle: \"Capítulo uno\"\n---\n\nCompilado en la pausa.\n",
    );
    server.wait_for("/toolkit/uno/", "the edit", |r| {
        r.body.contains("Compilado en la pausa.")
    });
    assert_eq!(
        tab.eval("window.__before === true"),
        Value::Bool(true),
        "the tab reloaded without an event stream"
    );
    tab.call(
        "Fetch.continueRequest",
        json!({"requestId": paused["requestId"]}),
    );
    tab.call("Fetch.disable", json!({}));
    tab.wait_until(
        "!window.__before && !!document.querySelector('main') && document.querySelector('main').textContent.includes('Compilado en la pausa.')",
        "the tab to reload after reconnecting",
        &server,
    );
}
