//! `verify` of a copy in a folder: the signature of `SHA256SUMS` (never skipped when the copy
//! is signed), then every listed file, then files the list does not name. The trust rules and
//! the report are shared with the HTTP check in `remote.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

use super::sums::{is_unlisted, parse_sums, Listing, SIGNATURE_FILE, SUMS_FILE};

/// Which key `verify` checks the signature with; it always comes from outside the copy.
#[derive(Debug, Clone)]
pub enum Trust {
    /// A minisign public key file (`--pubkey FILE`).
    KeyFile(std::path::PathBuf),
    /// The `RW…` line the origin's about page shows (`--pubkey-string`).
    KeyString(String),
    /// `--unsigned`: only the checksums are wanted, said explicitly.
    Unsigned,
    /// No option given: a signed copy then fails, an unsigned one gets its checksums checked.
    Unspecified,
}

/// The outcome of the signature check, as the summary states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Checked and good with the key described (`integridad.pub`, `RW…`).
    Good(String),
    /// `--unsigned` was given: not checked.
    Skipped,
    /// The copy has no signature and no key was asked for: only checksums were checked.
    NotSigned,
    /// Verification fails: why (bad signature, signed copy without key, key without signature).
    Failed(String),
}

/// What is wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Changed(String),
    Missing(String),
    /// Could not be read or fetched: path and why (HTTP status, timeout, redirect).
    Unreadable(String, String),
    /// In the folder but not in `SHA256SUMS` (a copy must not add files).
    NotListed(String),
    /// A line of `SHA256SUMS` that is not `<sha256>  <path>` (line number).
    Malformed(usize),
    /// `verify URL` ran out of its overall time: how many listed files were not fetched, and
    /// the limit in seconds.
    OutOfTime {
        left: usize,
        limit: u64,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Paths come from the copy's `SHA256SUMS` or folder, reasons from its server.
        use crate::diagnostics::inert;
        match self {
            Problem::Changed(path) => write!(f, "changed: {}", inert(path)),
            Problem::Missing(path) => write!(f, "missing: {}", inert(path)),
            Problem::Unreadable(path, why) => {
                write!(f, "unreadable: {} ({})", inert(path), inert(why))
            }
            Problem::NotListed(path) => write!(f, "not listed: {}", inert(path)),
            Problem::Malformed(line) => {
                write!(f, "SHA256SUMS line {line} is not `<sha256>  <path>`")
            }
            Problem::OutOfTime { left, limit } => write!(
                f,
                "stopped after the overall time limit of {limit} s (--total-timeout): {} not fetched",
                crate::plural(*left, "listed file", "listed files")
            ),
        }
    }
}

/// What `verify` found: files checked, problems in path order, and the signature's outcome.
#[derive(Debug)]
pub struct Verification {
    pub checked: usize,
    pub problems: Vec<Problem>,
    pub signature: SignatureCheck,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && !matches!(self.signature, SignatureCheck::Failed(_))
    }

    /// The last line of the report: what was checked, or how many problems were found.
    pub fn summary(&self) -> String {
        let how = match &self.signature {
            SignatureCheck::Good(key) => format!("signature good (key {key})"),
            SignatureCheck::Skipped => {
                "checksums only, signature not checked (--unsigned)".to_string()
            }
            SignatureCheck::NotSigned => "checksums only: this copy is not signed".to_string(),
            SignatureCheck::Failed(_) => String::new(),
        };
        let failures =
            self.problems.len() + usize::from(matches!(self.signature, SignatureCheck::Failed(_)));
        let files = crate::plural(self.checked, "file", "files");
        match failures {
            0 => format!("verified {files}; {how}"),
            n => format!(
                "verification failed: {} ({files} checked)",
                crate::plural(n, "problem", "problems")
            ),
        }
    }
}

/// Resolves the key `trust` names; `Ok(None)` for `Unsigned` and `Unspecified`. A key that
/// cannot be read or parsed is a usage error.
pub(crate) fn resolve_key(trust: &Trust) -> anyhow::Result<Option<(minisign::PublicKey, String)>> {
    match trust {
        Trust::KeyFile(path) => {
            let key = super::keys::load_public_key(path)?;
            Ok(Some((key, format!("from `{}`", path.display()))))
        }
        Trust::KeyString(line) => {
            let key = super::keys::parse_public_key(line).ok_or_else(|| {
                anyhow::anyhow!(
                    "`{line}` is not a minisign public key; expected the `RW…` line of 56 \
                     characters that the origin's about page shows"
                )
            })?;
            Ok(Some((key, line.trim().to_string())))
        }
        Trust::Unsigned | Trust::Unspecified => Ok(None),
    }
}

/// Applies the trust rules to `sums` and its `signature` (when the copy has one).
pub(crate) fn check_signature(
    sums: &[u8],
    signature: Option<&str>,
    trust: &Trust,
    key: Option<&(minisign::PublicKey, String)>,
) -> SignatureCheck {
    match (signature, key) {
        (_, None) if matches!(trust, Trust::Unsigned) => SignatureCheck::Skipped,
        (None, None) => SignatureCheck::NotSigned,
        (Some(_), None) => SignatureCheck::Failed(format!(
            "this copy is signed ({SIGNATURE_FILE}) but no key was given to check it with; \
             pass the publisher's public key with --pubkey FILE or --pubkey-string RW… (the \
             line on the origin's about page), or --unsigned to check the checksums only"
        )),
        (None, Some(_)) => SignatureCheck::Failed(format!(
            "this copy has no {SIGNATURE_FILE}: it is not signed, so it cannot be checked \
             against the key; ask the publisher for a signed copy, or use --unsigned"
        )),
        (Some(text), Some((public, shown))) => {
            let signature = match minisign::SignatureBox::from_string(text) {
                Ok(signature) => signature,
                Err(e) => {
                    return SignatureCheck::Failed(format!(
                        "{SIGNATURE_FILE} is not a minisign signature: {e}"
                    ))
                }
            };
            match minisign::verify(
                public,
                &signature,
                std::io::Cursor::new(sums),
                true,
                false,
                false,
            ) {
                Ok(()) => SignatureCheck::Good(shown.clone()),
                Err(e) => SignatureCheck::Failed(format!(
                    "the signature does not match {SUMS_FILE} with this key ({e}): the list was \
                     changed, or it was signed with another key"
                )),
            }
        }
    }
}

/// Why a listed file was not hashed.
enum Unread {
    Missing,
    Why(String),
}

/// The SHA-256 of the plain file at `path` (a link is followed to a plain file only), read in
/// a stream and refused beyond `max_bytes`. A FIFO is opened without waiting for a writer and
/// then refused, like a device or a folder.
fn hash_file(path: &Path, max_bytes: u64) -> Result<[u8; 32], Unread> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unread::Missing),
        Err(e) => return Err(Unread::Why(e.to_string())),
    };
    let meta = file.metadata().map_err(|e| Unread::Why(e.to_string()))?;
    if !meta.is_file() {
        return Err(Unread::Why(
            "not a plain file (a folder, FIFO or device); not read".to_string(),
        ));
    }
    if meta.len() > max_bytes {
        return Err(Unread::Why(format!(
            "{} bytes, larger than --max-file-size",
            meta.len()
        )));
    }
    let mut hasher = Sha256::new();
    let read = std::io::copy(&mut file.take(max_bytes + 1), &mut hasher)
        .map_err(|e| Unread::Why(e.to_string()))?;
    if read > max_bytes {
        return Err(Unread::Why(
            "grew past --max-file-size while read".to_string(),
        ));
    }
    Ok(hasher.finalize().into())
}

pub(crate) fn malformed_problems(listing: &Listing) -> Vec<Problem> {
    listing
        .malformed
        .iter()
        .map(|&line| Problem::Malformed(line))
        .collect()
}

/// Checks the copy in `dir`: signature per `trust`, every listed file (streamed, none larger
/// than `max_file_bytes`; a link is followed only to a plain file, and a FIFO or device is
/// reported, never opened for long), and nothing unlisted: no file, link, special file or
/// folder the list does not account for. `Err` only when `SHA256SUMS` or the key cannot be
/// read (usage or I/O errors).
pub fn verify_dir(dir: &Path, trust: &Trust, max_file_bytes: u64) -> anyhow::Result<Verification> {
    let key = resolve_key(trust)?;
    let sums_path = dir.join(SUMS_FILE);
    let sums = std::fs::read(&sums_path)
        .with_context(|| format!("cannot read `{}`", sums_path.display()))?;
    let sig_path = dir.join(SIGNATURE_FILE);
    let signature = match std::fs::read_to_string(&sig_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read `{}`", sig_path.display()));
        }
    };
    let signature = check_signature(&sums, signature.as_deref(), trust, key.as_ref());
    let listing = parse_sums(&String::from_utf8_lossy(&sums));
    let mut problems = malformed_problems(&listing);
    let mut checked = 0;
    let mut listed = BTreeSet::new();
    for entry in &listing.entries {
        listed.insert(entry.path.as_str());
        match hash_file(&dir.join(&entry.path), max_file_bytes) {
            Ok(hash) => {
                checked += 1;
                if super::sums::hex(&hash) != entry.sha256 {
                    problems.push(Problem::Changed(entry.path.clone()));
                }
            }
            Err(Unread::Missing) => problems.push(Problem::Missing(entry.path.clone())),
            Err(Unread::Why(why)) => problems.push(Problem::Unreadable(entry.path.clone(), why)),
        }
    }
    let folders: BTreeSet<&str> = listed
        .iter()
        .flat_map(|path| path.match_indices('/').map(|(at, _)| &path[..at]))
        .collect();
    let mut walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        if entry.depth() == 0 {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let kind = entry.file_type();
        if kind.is_dir() {
            if !folders.contains(rel.as_str()) {
                // Nothing listed is in it: the folder is reported once, not each thing in it.
                problems.push(Problem::NotListed(format!("{rel}/")));
                walk.skip_current_dir();
            }
        } else if listed.contains(rel.as_str()) {
            continue;
        } else if kind.is_file() {
            if !is_unlisted(&rel) {
                problems.push(Problem::NotListed(rel));
            }
        } else {
            let what = if kind.is_symlink() {
                "a symbolic link"
            } else {
                "a special file"
            };
            problems.push(Problem::NotListed(format!("{rel} ({what})")));
        }
    }
    Ok(Verification {
        checked,
        problems,
        signature,
    })
}
