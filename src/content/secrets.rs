//! Secret keys among the files a build publishes verbatim (colocated assets, `static/`, the
//! theme's `static/`): found by their content, whatever their name, and reported as errors so
//! that they never reach the output, `SHA256SUMS`, the signature or the bundle. Reads files;
//! never prints their bytes.

use std::io::Read as _;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// Files larger than this are not read whole: only their first and last bytes are searched
/// (a key is a few hundred bytes, pasted at one end of a file if anywhere).
const READ_WHOLE: u64 = 16 << 20;
const ENDS: u64 = 1 << 20;

/// The base64 openings of a minisign secret key: `Ed` + `Sc` (scrypt) + `B2`, and `Ed` + no
/// key derivation + `B2` (an unencrypted key).
const MINISIGN_OPENINGS: [&[u8]; 2] = [b"RWRTY0Iy", b"RWQAAEIy"];

/// A minisign secret key's size once decoded.
const MINISIGN_SECRET_LEN: usize = 158;

/// Pushes an error for each of `files` (path shown relative to the site root, path on disk)
/// that holds a secret key.
pub(crate) fn check_secrets<'a>(
    files: impl Iterator<Item = (String, &'a Path)>,
    diags: &mut Diagnostics,
) {
    for (shown, abs) in files {
        if let Some(bytes) = read_searchable(abs) {
            check_bytes(&shown, &bytes, diags);
        }
    }
}

/// Pushes an error when `bytes`, published as `shown` (relative to the site root), hold a
/// secret key.
pub(crate) fn check_bytes(shown: &str, bytes: &[u8], diags: &mut Diagnostics) {
    let Some((what, offset)) = find_secret_key(bytes) else {
        return;
    };
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    diags.push(
        Diagnostic::error(format!(
            "`{shown}` holds {what}; it would be published, listed in `SHA256SUMS` and signed"
        ))
        .at(Span::new(shown, line, col))
        .with_help(
            "move the key out of the site (keep it beside the repository, not in it) and make a new key pair if it was ever published",
        ),
    );
}

/// The bytes of `abs` to search: all of a file up to `READ_WHOLE`, else its first and last
/// `ENDS` bytes. `None` when it cannot be read (the copy reports that).
fn read_searchable(abs: &Path) -> Option<Vec<u8>> {
    let mut file = std::fs::File::open(abs).ok()?;
    let len = file.metadata().ok()?.len();
    let mut bytes = Vec::new();
    if len <= READ_WHOLE {
        file.take(READ_WHOLE).read_to_end(&mut bytes).ok()?;
        return Some(bytes);
    }
    use std::io::Seek as _;
    (&mut file).take(ENDS).read_to_end(&mut bytes).ok()?;
    bytes.push(b'\n');
    file.seek(std::io::SeekFrom::End(-(ENDS as i64))).ok()?;
    file.take(ENDS).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// What kind of secret key `bytes` holds and where it starts, if any: a minisign secret key
/// (its base64 line), or a PEM block whose label names a private key (OpenSSH, PKCS#8, RSA,
/// EC, DSA, PGP) followed by its encoded body.
pub(crate) fn find_secret_key(bytes: &[u8]) -> Option<(&'static str, usize)> {
    for opening in MINISIGN_OPENINGS {
        for at in find_all(bytes, opening) {
            let run = &bytes[at..];
            let end = run
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
                .unwrap_or(run.len());
            let decoded = std::str::from_utf8(&run[..end])
                .ok()
                .and_then(decode_base64);
            if decoded.is_some_and(|d| d.len() == MINISIGN_SECRET_LEN) {
                return Some(("a minisign secret key", at));
            }
        }
    }
    for at in find_all(bytes, b"-----BEGIN ") {
        let rest = &bytes[at + 11..];
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let label = String::from_utf8_lossy(&rest[..line_end]);
        let Some(label) = label.trim_end().strip_suffix("-----") else {
            continue;
        };
        if !label.contains("PRIVATE KEY") {
            continue;
        }
        let body = rest[line_end..]
            .split(|&b| b == b'\n')
            .map(|line| line.trim_ascii())
            .find(|line| !line.is_empty() && !line.contains(&b':'));
        let encoded = body.is_some_and(|line| {
            line.len() >= 16
                && line
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        });
        if encoded {
            let what = if label == "OPENSSH PRIVATE KEY" {
                "an OpenSSH private key"
            } else {
                "a PEM private key"
            };
            return Some((what, at));
        }
    }
    None
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use ct_codecs::Decoder as _;
    ct_codecs::Base64::decode_to_vec(text, None).ok()
}

/// Every offset of `needle` in `haystack`.
fn find_all<'a>(haystack: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(move |(_, window)| *window == needle)
        .map(|(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_found_by_content_and_public_ones_are_not() {
        let minisign = minisign::KeyPair::generate_encrypted_keypair(Some("x".into())).unwrap();
        let secret = minisign.sk.to_box(Some("c")).unwrap().to_string();
        let public = minisign.pk.to_box().unwrap().to_string();
        let pem_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n";
        for (text, found) in [
            (secret.clone(), Some("a minisign secret key")),
            (format!("notes\n\n{secret}\nmore"), Some("a minisign secret key")),
            (public.clone(), None),
            (
                format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{pem_body}-----END OPENSSH PRIVATE KEY-----\n"),
                Some("an OpenSSH private key"),
            ),
            (
                format!("-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\n{pem_body}"),
                Some("a PEM private key"),
            ),
            (format!("-----BEGIN PRIVATE KEY-----\n{pem_body}"), Some("a PEM private key")),
            (format!("-----BEGIN CERTIFICATE-----\n{pem_body}"), None),
            ("a page that says -----BEGIN PRIVATE KEY----- … in passing".into(), None),
            ("-----BEGIN PRIVATE KEY-----\n…\n".into(), None),
        ] {
            assert_eq!(find_secret_key(text.as_bytes()).map(|f| f.0), found, "{text}");
        }
        let unencrypted = {
            let mut bytes = minisign.sk.to_bytes();
            bytes[2..4].copy_from_slice(&[0, 0]);
            use ct_codecs::Encoder as _;
            ct_codecs::Base64::encode_to_string(bytes).unwrap()
        };
        assert!(
            find_secret_key(format!("untrusted comment: x\n{unencrypted}\n").as_bytes()).is_some()
        );
    }
}
