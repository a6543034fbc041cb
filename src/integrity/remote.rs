//! `verify URL`: checks a copy that is already online. Downloads `SHA256SUMS` and its
//! signature, applies the same trust rules as a folder, then fetches every listed file with
//! bounded concurrency, a timeout per request, a size limit per file, and redirects followed
//! only within the mirror's origin. HTTPS uses rustls (no OpenSSL).

use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::bail;
use sha2::{Digest, Sha256};

use super::sums::{parse_sums, Entry, SIGNATURE_FILE, SUMS_FILE};
use super::verify::{
    check_signature, malformed_problems, resolve_key, Problem, SignatureCheck, Trust, Verification,
};

/// Limits of a remote check.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Longest time one request may take, from connecting to the last byte.
    pub timeout: Duration,
    /// A file larger than this is reported as changed without reading the rest.
    pub max_file_bytes: u64,
    /// Files fetched at the same time.
    pub concurrency: usize,
    /// Show a progress line (only when stderr is a terminal).
    pub progress: bool,
    /// Longest time the whole check may take; files not fetched by then are counted as one
    /// problem.
    pub total_timeout: Duration,
}

const MAX_REDIRECTS: usize = 5;

/// The mirror's root URL (ending in `/`) and its origin (`scheme://host[:port]`, lowercase).
struct Mirror {
    base: String,
    origin: String,
}

/// `scheme://authority` of an absolute http(s) URL, lowercased; `None` for anything else.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

impl Mirror {
    fn parse(url: &str) -> anyhow::Result<Mirror> {
        let Some(origin) = origin_of(url) else {
            bail!("`{url}` is not an http(s) URL of a copy's root folder");
        };
        let mut base = url.split(['?', '#']).next().unwrap_or(url).to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(Mirror { base, origin })
    }

    fn url_of(&self, path: &str) -> String {
        format!("{}{}", self.base, encode_path(path))
    }
}

/// Percent-encodes every byte of `path` but unreserved characters and `/`.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Resolves a `Location` header against the URL that answered with it.
fn resolve_location(current: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = current.split_once("://").map_or("https", |(s, _)| s);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let origin = origin_of(current).unwrap_or_default();
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let without_query = current.split(['?', '#']).next().unwrap_or(current);
    let dir = without_query
        .rsplit_once('/')
        .map_or(without_query, |(dir, _)| dir);
    format!("{dir}/{location}")
}

/// Why a file could not be fetched.
enum FetchError {
    Status(u16),
    OtherOrigin(String),
    Network(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Status(code) => write!(f, "HTTP {code}"),
            FetchError::OtherOrigin(url) => {
                write!(f, "redirected outside the mirror's origin, to {url}")
            }
            FetchError::Network(why) => f.write_str(why),
        }
    }
}

/// A network error in words: ureq's timeouts read `timeout: per call`.
fn describe(error: impl std::fmt::Display) -> String {
    let text = error.to_string();
    if text.starts_with("timeout") {
        "timed out: no complete answer within the time --timeout allows".to_string()
    } else {
        text
    }
}

fn agent(options: &RemoteOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_per_call(Some(options.timeout))
        .timeout_connect(Some(options.timeout))
        .user_agent(concat!("integridad/", env!("CARGO_PKG_VERSION"), " verify"))
        .build()
        .new_agent()
}

/// GETs `url`, following redirects that stay within the mirror's origin; a 200 response or why not.
fn open(
    agent: &ureq::Agent,
    mirror: &Mirror,
    url: String,
) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
    let mut url = url;
    for _ in 0..=MAX_REDIRECTS {
        let response = agent
            .get(&url)
            .call()
            .map_err(|e| FetchError::Network(describe(e)))?;
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let Some(location) = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
            else {
                return Err(FetchError::Status(status));
            };
            let next = resolve_location(&url, location);
            if origin_of(&next).as_deref() != Some(mirror.origin.as_str()) {
                return Err(FetchError::OtherOrigin(next));
            }
            url = next;
            continue;
        }
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        return Ok(response);
    }
    Err(FetchError::Network(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// Reads a small file whole (the list and its signature), up to `limit` bytes.
fn fetch_small(
    agent: &ureq::Agent,
    mirror: &Mirror,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, FetchError> {
    let response = open(agent, mirror, mirror.url_of(name))?;
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FetchError::Network(describe(e)))?;
    if bytes.len() as u64 > limit {
        return Err(FetchError::Network(format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// Fetches one listed file and compares its SHA-256, reading at most the size limit.
fn check_file(
    agent: &ureq::Agent,
    mirror: &Mirror,
    entry: &Entry,
    max_bytes: u64,
) -> Option<Problem> {
    let response = match open(agent, mirror, mirror.url_of(&entry.path)) {
        Ok(response) => response,
        Err(FetchError::Status(code @ (404 | 410))) => {
            return Some(Problem::Missing(format!("{} (HTTP {code})", entry.path)))
        }
        Err(e) => return Some(Problem::Unreadable(entry.path.clone(), describe(e))),
    };
    let mut reader = response.into_body().into_reader().take(max_bytes + 1);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                total += n as u64;
                if total > max_bytes {
                    return Some(Problem::Changed(format!(
                        "{} (larger than the limit of {max_bytes} bytes per file)",
                        entry.path
                    )));
                }
                hasher.update(&buffer[..n]);
            }
            Err(e) => return Some(Problem::Unreadable(entry.path.clone(), describe(e))),
        }
    }
    (super::sums::hex(&hasher.finalize()) != entry.sha256)
        .then(|| Problem::Changed(entry.path.clone()))
}

/// Checks the copy published at `url`. `Err` (exit 2) for a bad URL or key, or when the
/// mirror's `SHA256SUMS` or signature cannot be fetched at all; problems with single files
/// are part of the `Verification`.
pub fn verify_url(
    url: &str,
    trust: &Trust,
    options: &RemoteOptions,
) -> anyhow::Result<Verification> {
    let mirror = Mirror::parse(url)?;
    let key = resolve_key(trust)?;
    let agent = agent(options);
    let sums = fetch_small(&agent, &mirror, SUMS_FILE, options.max_file_bytes).map_err(|e| {
        anyhow::anyhow!(
            "cannot fetch {}: {e}; is this the address of the copy's root folder?",
            mirror.url_of(SUMS_FILE)
        )
    })?;
    let signature = match fetch_small(&agent, &mirror, SIGNATURE_FILE, 64 * 1024) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(FetchError::Status(404 | 410)) => None,
        Err(e) => bail!("cannot fetch {}: {e}", mirror.url_of(SIGNATURE_FILE)),
    };
    let signature = check_signature(&sums, signature.as_deref(), trust, key.as_ref());
    let listing = parse_sums(&String::from_utf8_lossy(&sums));
    let mut problems = malformed_problems(&listing);
    if matches!(signature, SignatureCheck::Failed(_)) {
        // The list is not the publisher's: its files prove nothing, so none is fetched.
        return Ok(Verification {
            checked: 0,
            problems,
            signature,
        });
    }
    let results = check_files(&agent, &mirror, &listing.entries, options);
    let left = results.iter().filter(|r| r.is_none()).count();
    let checked = results
        .iter()
        .flatten()
        .filter(|r| !matches!(r, Some(Problem::Missing(_) | Problem::Unreadable(..))))
        .count();
    problems.extend(results.into_iter().flatten().flatten());
    if left > 0 {
        problems.push(Problem::OutOfTime {
            left,
            limit: options.total_timeout.as_secs(),
        });
    }
    Ok(Verification {
        checked,
        problems,
        signature,
    })
}

/// Fetches `entries` with `options.concurrency` threads; results in the order of `entries`
/// (`None` for a file not fetched before `options.total_timeout` ran out).
fn check_files(
    agent: &ureq::Agent,
    mirror: &Mirror,
    entries: &[Entry],
    options: &RemoteOptions,
) -> Vec<Option<Option<Problem>>> {
    let next = AtomicUsize::new(0);
    let deadline = std::time::Instant::now() + options.total_timeout;
    let results = Mutex::new((vec![None; entries.len()], 0usize));
    let workers = options.concurrency.clamp(1, 32).min(entries.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(entry) = entries.get(i) else { break };
                if std::time::Instant::now() > deadline {
                    break;
                }
                let problem = Some(check_file(agent, mirror, entry, options.max_file_bytes));
                // Counted and printed under the lock, so the progress line never goes back.
                if let Ok(mut guard) = results.lock() {
                    let (results, done) = &mut *guard;
                    results[i] = problem;
                    *done += 1;
                    if options.progress {
                        eprint!("\rchecking {done}/{} files", entries.len());
                    }
                }
            });
        }
    });
    if options.progress {
        eprint!("\r\x1b[K");
    }
    results.into_inner().map(|(r, _)| r).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_redirect_targets() {
        let cases = [
            (
                "https://Camara.Example.org/integridad/",
                Some("https://camara.example.org"),
            ),
            ("http://127.0.0.1:8080/a", Some("http://127.0.0.1:8080")),
            ("https://x.org:443/", Some("https://x.org")),
            ("ftp://x.org/", None),
            ("https://user@x.org/", None),
            ("x.org/", None),
        ];
        for (url, origin) in cases {
            assert_eq!(origin_of(url).as_deref(), origin, "{url}");
        }
        let here = "https://x.org/sitio/toolkit/index.html";
        assert_eq!(resolve_location(here, "/otro/"), "https://x.org/otro/");
        assert_eq!(resolve_location(here, "//y.org/a"), "https://y.org/a");
        assert_eq!(
            resolve_location(here, "b.html"),
            "https://x.org/sitio/toolkit/b.html"
        );
        assert_eq!(resolve_location(here, "http://y.org/"), "http://y.org/");
    }

    #[test]
    fn listed_paths_are_percent_encoded() {
        assert_eq!(encode_path("docs/mi guía.pdf"), "docs/mi%20gu%C3%ADa.pdf");
        assert_eq!(
            encode_path("a/b-c_d.e~/index.html"),
            "a/b-c_d.e~/index.html"
        );
    }
}
