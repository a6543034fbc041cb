//! `integridad serve` (SPEC "Command line"): builds the site into memory with drafts and live
//! reload, serves it over HTTP from that snapshot, and rebuilds on every change. Wires the
//! parts together (`watch` → `state` ← `server`/`conn`/`http`/`reload`); it never writes to
//! disk.

mod conn;
pub(crate) mod http;
mod limits;
mod open;
mod reload;
mod server;
mod state;
mod watch;

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use crate::diagnostics::Diagnostics;
use state::{BuildFn, Outcome, ServeState};
pub use watch::WatchMode;

/// How `serve` runs; the defaults match the command line's.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root; `None` looks upward for `site.toml`.
    pub root: Option<PathBuf>,
    /// Address to listen on; anything but loopback exposes drafts to the network (warned about).
    pub bind: IpAddr,
    /// First port to try; when busy, the next ones are tried (`PORT_ATTEMPTS` in all). `0` lets
    /// the system pick a free one.
    pub port: u16,
    pub watch: WatchMode,
    /// Open the served site in the desktop's browser once it listens (`--open`).
    pub open: Open,
}

/// Whether `serve` opens a browser on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Open {
    #[default]
    No,
    Browser,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            root: None,
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 1111,
            watch: WatchMode::Events,
            open: Open::No,
        }
    }
}

/// At shutdown, how long event streams get to send their last chunk and close.
const STREAMS_END: std::time::Duration = std::time::Duration::from_secs(1);

/// How many consecutive ports are tried before giving up.
const PORT_ATTEMPTS: u16 = 10;

/// Runs the dev server at `root` until Ctrl-C or SIGTERM: builds, binds, prints the URL, then
/// rebuilds on every change. `build` renders the site into memory. Errors are environment
/// failures (no free port, cannot watch); content errors are shown in the terminal and the
/// browser instead. At the end, open event streams get `STREAMS_END` to close.
pub(crate) fn run(options: &ServeOptions, root: &Path, build: Box<BuildFn>) -> anyhow::Result<()> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = stop.send(());
    }) {
        eprintln!("warning: Ctrl-C will not stop the server cleanly ({error})");
    }
    let root =
        dunce::canonicalize(root).with_context(|| format!("cannot read `{}`", root.display()))?;
    let (lang, output) = site_basics(&root);
    let mut watcher = watch::SiteWatcher::start(&root, &output, options.watch)?;
    let instance = format!("{}-{}", std::process::id(), start_time());
    let state = Arc::new(ServeState::new(lang, instance, build));

    eprintln!("building `{}` …", root.display());
    let mut seen = Seen::new();
    report(&state.rebuild(None, false), &state, None, &mut seen);

    let (listener, addr) = bind(options)?;
    let url = print_url(addr);
    for ip in open::lan_addresses(options.bind) {
        eprintln!(
            "on this network (a phone, another computer): {}",
            open::url_of(ip, addr.port())
        );
    }
    if options.open == Open::Browser {
        open::open_browser(&url);
    }
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: listening on {} makes this preview, drafts included, reachable from other devices on the network",
            options.bind
        );
    }
    if options.watch == WatchMode::Poll {
        eprintln!(
            "watching by polling every {} ms",
            watch::POLL_INTERVAL.as_millis()
        );
    }
    let hosts = if options.bind.is_loopback() {
        conn::Hosts::Loopback
    } else {
        conn::Hosts::Any
    };
    let connections = server::start(listener, &state, hosts)?;

    {
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            let mut debouncer = watch::Debouncer::new(watch::QUIET, watch::MAX_WAIT);
            while let Some(batch) = watcher.next_batch(&mut debouncer) {
                let changed = (!batch.everything).then_some(batch.paths.as_slice());
                let outcome = state.rebuild(changed, batch.styles_only);
                report(&outcome, &state, Some(&batch.paths), &mut seen);
            }
        });
    }
    let _ = stopped.recv();
    state.shut_down();
    connections.wait_for_streams(STREAMS_END);
    eprintln!("stopped");
    Ok(())
}

/// The default language (for the server's own pages) and the output folder relative to the root
/// (to ignore); the build reports a broken `site.toml` itself.
fn site_basics(root: &Path) -> (String, PathBuf) {
    match crate::config::load_config(root) {
        Ok(Ok(config)) => {
            let output = config
                .output_dir
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (config.default_lang.to_string(), output)
        }
        _ => ("es".into(), PathBuf::from("public")),
    }
}

/// With the process id, tells a restarted server from the previous one (never in the output).
fn start_time() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Reads `--bind`: an IP address, or `localhost` for 127.0.0.1.
pub fn parse_bind(text: &str) -> anyhow::Result<IpAddr> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    text.parse().map_err(|_| {
        anyhow::anyhow!(
            "--bind needs an IP address such as `127.0.0.1` or `0.0.0.0`, found `{text}`"
        )
    })
}

/// Binds the first free port from `options.port`, saying so when it is not the one asked for.
fn bind(options: &ServeOptions) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let attempts = if options.port == 0 { 1 } else { PORT_ATTEMPTS };
    for offset in 0..attempts {
        let Some(port) = options.port.checked_add(offset) else {
            break;
        };
        match TcpListener::bind(SocketAddr::new(options.bind, port)) {
            Ok(listener) => {
                let addr = listener.local_addr().context("the server has no address")?;
                if offset > 0 {
                    eprintln!(
                        "port {} is busy; using {} instead",
                        options.port,
                        addr.port()
                    );
                }
                return Ok((listener, addr));
            }
            Err(error) if error.kind() == ErrorKind::AddrInUse => continue,
            Err(error) => anyhow::bail!("cannot listen on {}:{port}: {error}", options.bind),
        }
    }
    let last = options.port.saturating_add(attempts - 1);
    anyhow::bail!(
        "ports {} to {last} are all in use; choose a free one with --port",
        options.port
    )
}

/// Prints the URL to open (stdout's first line) and returns it.
fn print_url(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", addr.port());
    println!("serving on {url} (Ctrl-C to stop)");
    url
}

/// Rendered warnings of the last successful build: a rebuild prints only the ones not in it.
type Seen = std::collections::BTreeSet<String>;

/// Prints one build's result: diagnostics on failure, on success only warnings that the previous
/// successful build did not have (so an editor's terminal is not flooded, yet a new problem,
/// such as a new link to a draft, is shown once), and one line either way.
fn report(outcome: &Outcome, state: &ServeState, changed: Option<&[String]>, seen: &mut Seen) {
    // File names as they are on disk: printed inert.
    use crate::diagnostics::inert;
    let cause = match changed {
        Some([one]) => format!(" after a change to {}", inert(one)),
        Some([first, rest @ ..]) => {
            format!(" after changes to {} and {} more", inert(first), rest.len())
        }
        _ => String::new(),
    };
    match outcome {
        Outcome::Built {
            generation,
            files,
            pages,
            diagnostics,
            took,
        } => {
            let mut now = Seen::new();
            let mut fresh = Vec::new();
            for diagnostic in diagnostics.sorted() {
                let text = diagnostics.render_one(diagnostic);
                if !seen.contains(&text) {
                    fresh.push(diagnostic);
                }
                now.insert(text);
            }
            *seen = now;
            // New warnings only, cut short like any flood.
            eprint!("{}", diagnostics.render_subset(&fresh));
            let warnings = warnings_note(diagnostics);
            let rendered = match pages {
                1 => "1 page".to_string(),
                n => format!("{n} pages"),
            };
            eprintln!(
                "built #{generation}: {files} files ({rendered} rendered) in {} ms{cause}{warnings}",
                took.as_millis()
            );
        }
        Outcome::Failed { diagnostics, took } => {
            eprint!("{}", diagnostics.render());
            let errors = match diagnostics.error_count() {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            let served = if state.snapshot().generation > 0 {
                "the last good build is still served"
            } else {
                "nothing is served until a build succeeds"
            };
            eprintln!(
                "build failed{cause}: {errors} in {} ms; the browser shows them and {served}",
                took.as_millis()
            );
        }
    }
}

fn warnings_note(diagnostics: &Diagnostics) -> String {
    match diagnostics.warning_count() {
        0 => String::new(),
        1 => " (1 warning)".into(),
        n => format!(" ({n} warnings)"),
    }
}
