//! `SHA256SUMS` in coreutils format (sorted paths; every file but itself and its signature), so
//! `sha256sum -c SHA256SUMS` verifies a mirror; and `verify`, which checks a folder against it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

pub(crate) const SUMS_FILE: &str = "SHA256SUMS";
pub(crate) const SIGNATURE_FILE: &str = "SHA256SUMS.minisig";

/// Formats the checksum file: `<hex>  <path>` per line, in path order.
pub(crate) fn render_sums(hashes: &BTreeMap<String, [u8; 32]>) -> String {
    let mut out = String::new();
    for (path, hash) in hashes {
        if path == SUMS_FILE || path == SIGNATURE_FILE {
            continue;
        }
        for byte in hash {
            out.push_str(&format!("{byte:02x}"));
        }
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub checked: usize,
    pub mismatched: Vec<String>,
    pub missing: Vec<String>,
    /// Files present in the folder but not listed (a mirror must not add files).
    pub unlisted: Vec<String>,
    pub malformed: Vec<usize>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.mismatched.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.malformed.is_empty()
    }
}

/// Checks every file listed in `dir/SHA256SUMS`, and that no unlisted file was added.
pub fn verify_dir(dir: &Path) -> anyhow::Result<Verification> {
    let sums_path = dir.join(SUMS_FILE);
    let sums = std::fs::read_to_string(&sums_path)
        .with_context(|| format!("cannot read `{}`", sums_path.display()))?;
    let mut result = Verification::default();
    let mut listed = std::collections::BTreeSet::new();
    for (n, line) in sums.lines().enumerate() {
        let Some((hex, path)) = line.split_once("  ") else {
            result.malformed.push(n + 1);
            continue;
        };
        if hex.len() != 64
            || path.split('/').any(|s| s == ".." || s.is_empty())
            || path.starts_with('/')
        {
            result.malformed.push(n + 1);
            continue;
        }
        listed.insert(path.to_string());
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                let actual: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if actual != hex.to_ascii_lowercase() {
                    result.mismatched.push(path.to_string());
                }
                result.checked += 1;
            }
            Err(_) => result.missing.push(path.to_string()),
        }
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel != SUMS_FILE && rel != SIGNATURE_FILE && !listed.contains(&rel) {
            result.unlisted.push(rel);
        }
    }
    Ok(result)
}

/// Reads the secret key's password from `INTEGRIDAD_KEY_PASSWORD`; `None` asks on the terminal.
/// Without it and without a terminal to ask on, this is an error rather than a hang.
fn password_from_env() -> anyhow::Result<Option<String>> {
    use std::io::IsTerminal as _;
    match std::env::var("INTEGRIDAD_KEY_PASSWORD") {
        Ok(password) => Ok(Some(password)),
        Err(_) if std::io::stdin().is_terminal() => Ok(None),
        Err(_) => anyhow::bail!(
            "set INTEGRIDAD_KEY_PASSWORD to the key's password (no terminal to ask on)"
        ),
    }
}

/// Writes a minisign key pair: the secret key to `out`, the public key to `out` + `.pub`.
/// Refuses to overwrite either file.
pub fn keygen(out: &Path) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let public = out.with_extension("pub");
    for path in [out, public.as_path()] {
        if path.exists() {
            anyhow::bail!(
                "`{}` already exists; refusing to overwrite a key",
                path.display()
            );
        }
    }
    let pair = minisign::KeyPair::generate_encrypted_keypair(password_from_env()?)
        .map_err(|e| anyhow::anyhow!("cannot generate a key pair: {e}"))?;
    let secret = pair
        .sk
        .to_box(Some("integridad secret key"))
        .map_err(|e| anyhow::anyhow!("cannot encode the secret key: {e}"))?;
    let public_box = pair
        .pk
        .to_box()
        .map_err(|e| anyhow::anyhow!("cannot encode the public key: {e}"))?;
    write_new(out, secret.to_string().as_bytes())?;
    write_new(&public, public_box.to_string().as_bytes())?;
    Ok((out.to_path_buf(), public))
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// A loaded secret key: opened once (the password is asked before the build starts), then used
/// to sign `SHA256SUMS` after it. Its public key is shown on the site's verify page.
pub(crate) struct Signer {
    secret: minisign::SecretKey,
    public: minisign::PublicKey,
}

impl Signer {
    pub fn load(key: &Path) -> anyhow::Result<Signer> {
        let text = std::fs::read_to_string(key)
            .with_context(|| format!("cannot read `{}`", key.display()))?;
        let secret_box = minisign::SecretKeyBox::from_string(&text).map_err(|e| {
            anyhow::anyhow!("`{}` is not a minisign secret key: {e}", key.display())
        })?;
        let secret = secret_box
            .into_secret_key(password_from_env()?)
            .map_err(|e| anyhow::anyhow!("cannot open the secret key `{}`: {e}", key.display()))?;
        let public = minisign::PublicKey::from_secret_key(&secret)
            .map_err(|e| anyhow::anyhow!("cannot derive the public key: {e}"))?;
        Ok(Signer { secret, public })
    }

    /// The public key as minisign prints it (`RW…`), for `minisign -P` and the verify page.
    pub fn public_key(&self) -> String {
        self.public.to_base64()
    }

    /// Signs `sums`. The trusted comment is fixed (no timestamp), so it reveals nothing about
    /// when or where the build ran.
    pub fn sign(&self, sums: &[u8]) -> anyhow::Result<String> {
        let signature = minisign::sign(
            Some(&self.public),
            &self.secret,
            std::io::Cursor::new(sums),
            Some("integridad SHA256SUMS"),
            Some("signature of SHA256SUMS by integridad"),
        )
        .map_err(|e| anyhow::anyhow!("cannot sign SHA256SUMS: {e}"))?;
        Ok(signature.into_string())
    }
}

/// Checks `dir/SHA256SUMS.minisig` against `dir/SHA256SUMS` with the public key file `pubkey`.
pub fn verify_signature(dir: &Path, pubkey: &Path) -> anyhow::Result<()> {
    let key_text = std::fs::read_to_string(pubkey)
        .with_context(|| format!("cannot read `{}`", pubkey.display()))?;
    let public = minisign::PublicKeyBox::from_string(&key_text)
        .and_then(|b| b.into_public_key())
        .or_else(|_| minisign::PublicKey::from_base64(key_text.trim()))
        .map_err(|e| anyhow::anyhow!("`{}` is not a minisign public key: {e}", pubkey.display()))?;
    let sig_path = dir.join(SIGNATURE_FILE);
    let signature_text = std::fs::read_to_string(&sig_path)
        .with_context(|| format!("cannot read `{}`", sig_path.display()))?;
    let signature = minisign::SignatureBox::from_string(&signature_text).map_err(|e| {
        anyhow::anyhow!("`{}` is not a minisign signature: {e}", sig_path.display())
    })?;
    let sums = std::fs::read(dir.join(SUMS_FILE))
        .with_context(|| format!("cannot read `{}`", dir.join(SUMS_FILE).display()))?;
    minisign::verify(
        &public,
        &signature,
        std::io::Cursor::new(sums),
        true,
        false,
        false,
    )
    .map_err(|e| anyhow::anyhow!("the signature does not match: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_and_exclude_themselves() {
        let mut hashes = BTreeMap::new();
        hashes.insert("b.html".to_string(), [1u8; 32]);
        hashes.insert("a/index.html".to_string(), [0u8; 32]);
        hashes.insert(SUMS_FILE.to_string(), [2u8; 32]);
        let text = render_sums(&hashes);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with("  a/index.html") && lines[0].starts_with("0000"));
        assert!(lines[1].ends_with("  b.html") && lines[1].starts_with("0101"));
    }
}
