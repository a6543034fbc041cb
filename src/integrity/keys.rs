//! Minisign keys (SPEC "Signing"): `keygen` writes a pair that is hard to misuse (secret key
//! 0600, never overwritten, never silently unencrypted); `Signer` opens the secret key for
//! `build --sign`; `load_public_key` reads the key `verify` trusts. Nothing here reads the site.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// Where the password of a secret key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Password {
    /// `INTEGRIDAD_KEY_PASSWORD`, or asked on the terminal; an empty one is refused.
    Required,
    /// `keygen --no-password`: the secret key is written unencrypted, on purpose.
    None,
}

/// What `keygen` wrote.
#[derive(Debug)]
pub struct KeyPair {
    /// The secret key (mode 0600): keep it private, never publish or commit it.
    pub secret: PathBuf,
    /// The public key: publish it through a channel readers trust.
    pub public: PathBuf,
    /// The public key as one `RW…` line (`verify --pubkey-string`, `minisign -P`).
    pub public_line: String,
    /// Set when the secret key landed in a git working tree whose `.gitignore` does not list
    /// `*.key`: the path of that working tree.
    pub unignored_in_repository: Option<PathBuf>,
}

/// Reads a password from `INTEGRIDAD_KEY_PASSWORD`, else from the terminal (`confirm` asks
/// twice). Without either, this is an error rather than a hang.
fn read_password(confirm: bool) -> anyhow::Result<String> {
    use std::io::IsTerminal as _;
    if let Ok(password) = std::env::var("INTEGRIDAD_KEY_PASSWORD") {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        bail!("set INTEGRIDAD_KEY_PASSWORD to the key's password (no terminal to ask on)");
    }
    let password = rpassword::prompt_password("Password of the secret key: ")
        .context("cannot read the password from the terminal")?;
    if confirm {
        let again = rpassword::prompt_password("The same password again: ")
            .context("cannot read the password from the terminal")?;
        if again != password {
            bail!("the two passwords differ; nothing was written");
        }
    }
    Ok(password)
}

/// Writes a minisign key pair: the secret key to `out` (mode 0600), the public key beside it
/// with `.pub`. Refuses to overwrite either file, and refuses an empty password unless
/// `password` is `Password::None`.
pub fn keygen(out: &Path, password: Password) -> anyhow::Result<KeyPair> {
    refuse_published_place(out)?;
    let public = out.with_extension("pub");
    if public == out {
        bail!(
            "`{}` would be both the secret and the public key; name the secret key `*.key`",
            out.display()
        );
    }
    for path in [out, public.as_path()] {
        if path.exists() {
            bail!(
                "`{}` already exists; refusing to overwrite a key (move it away first)",
                path.display()
            );
        }
    }
    let pair = match password {
        Password::None => generate_unencrypted(),
        Password::Required => {
            let password = read_password(true)?;
            if password.is_empty() {
                bail!(
                    "the password is empty, so the secret key would be stored unencrypted; \
                     give a password (INTEGRIDAD_KEY_PASSWORD or the terminal), or pass \
                     --no-password if that is really wanted"
                );
            }
            minisign::KeyPair::generate_encrypted_keypair(Some(password))
        }
    }
    .map_err(|e| anyhow::anyhow!("cannot generate a key pair: {e}"))?;
    let secret = pair
        .sk
        .to_box(Some("integridad secret key"))
        .map_err(|e| anyhow::anyhow!("cannot encode the secret key: {e}"))?;
    let public_box = pair
        .pk
        .to_box()
        .map_err(|e| anyhow::anyhow!("cannot encode the public key: {e}"))?;
    write_new(out, secret.to_string().as_bytes(), 0o600)?;
    write_new(&public, public_box.to_string().as_bytes(), 0o644)?;
    Ok(KeyPair {
        secret: out.to_path_buf(),
        public,
        public_line: pair.pk.to_base64(),
        unignored_in_repository: unignored_repository(out),
    })
}

/// Refuses a key path whose folder a build publishes: an output folder (one with the marker),
/// or the `content/`, `static/` or `themes/` folder of the site around it. Judged by the real
/// location, so a link into one of them is refused too.
fn refuse_published_place(out: &Path) -> anyhow::Result<()> {
    let real = crate::output::real_path(out);
    for dir in real.ancestors().skip(1) {
        if dir.join(crate::output::MARKER).is_file() {
            bail!(
                "refusing to write a secret key into `{}`: it is an output folder, which is published",
                dir.display()
            );
        }
        if dir.join("site.toml").is_file() {
            for published in ["content", "static", "themes"] {
                if real.starts_with(dir.join(published)) {
                    bail!(
                        "refusing to write a secret key into the site's `{published}/` folder: \
                         its files are published; keep the key outside the site (`--out ../firma.key`)"
                    );
                }
            }
        }
    }
    Ok(())
}

/// The git working tree holding `path`, when its top-level `.gitignore` has no `*.key` line.
fn unignored_repository(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let repository = absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())?;
    let ignored = std::fs::read_to_string(repository.join(".gitignore"))
        .is_ok_and(|text| text.lines().any(|line| line.trim() == "*.key"));
    (!ignored).then(|| repository.to_path_buf())
}

/// An unencrypted pair as stock minisign writes it (`minisign -G -W`): the checksum is
/// written and the key-derivation algorithm is "none", so both tools open it without asking.
fn generate_unencrypted() -> Result<minisign::KeyPair, minisign::PError> {
    let pair = minisign::KeyPair::generate_encrypted_keypair(Some(String::new()))?;
    let mut bytes = pair.sk.to_bytes();
    bytes[2..4].copy_from_slice(&[0, 0]);
    Ok(minisign::KeyPair {
        pk: pair.pk,
        sk: minisign::SecretKey::from_bytes(&bytes)?,
    })
}

/// Creates `path` (never replacing a file) with `mode` on Unix, so a secret key is never
/// readable by others, not even for a moment.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// The base64 line of a minisign key file (the line after `untrusted comment:`), or of a bare
/// `RW…` line.
fn key_line(text: &str) -> Option<&str> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    if first.starts_with("untrusted comment:") {
        lines.next()
    } else {
        Some(first)
    }
}

fn is_base64(line: &str) -> bool {
    line.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

/// Length of the base64 line of a minisign secret key (158 bytes) and public key (42 bytes).
const SECRET_KEY_CHARS: usize = 212;
const PUBLIC_KEY_CHARS: usize = 56;

/// A loaded secret key: opened once (the password is asked before the build starts), then used
/// to sign `SHA256SUMS` after it. Its public key is shown on the site's verify page.
pub(crate) struct Signer {
    secret: minisign::SecretKey,
    public: minisign::PublicKey,
}

impl Signer {
    /// Opens the secret key at `key`. A public key, a corrupt file or a wrong password each get
    /// their own message.
    pub fn load(key: &Path) -> anyhow::Result<Signer> {
        let shown = key.display();
        let text =
            std::fs::read_to_string(key).with_context(|| format!("cannot read `{shown}`"))?;
        let line = key_line(&text).unwrap_or_default();
        if line.len() == PUBLIC_KEY_CHARS && parse_public_key(&text).is_some() {
            bail!(
                "`{shown}` is a public key; --sign needs the secret key it was made with \
                 (the file without `.pub`, written by `integridad keygen`)"
            );
        }
        if line.len() != SECRET_KEY_CHARS || !line.starts_with("RW") || !is_base64(line) {
            bail!(
                "`{shown}` is not a minisign secret key or is corrupt: expected a comment line \
                 and a line of {SECRET_KEY_CHARS} base64 characters starting with `RW`"
            );
        }
        let secret_box = minisign::SecretKeyBox::from_string(&text)
            .map_err(|e| anyhow::anyhow!("`{shown}` is not a minisign secret key: {e}"))?;
        // An unencrypted key opens with an empty password; only an encrypted one needs asking.
        let secret = match secret_box.clone().into_secret_key(Some(String::new())) {
            Ok(secret) => secret,
            Err(_) => secret_box
                .into_secret_key(Some(read_password(false)?))
                .map_err(|e| anyhow::anyhow!("cannot open the secret key `{shown}`: {e}"))?,
        };
        let public = minisign::PublicKey::from_secret_key(&secret)
            .map_err(|e| anyhow::anyhow!("`{shown}` is corrupt: {e}"))?;
        Ok(Signer { secret, public })
    }

    /// The public key as minisign prints it (`RW…`), for `minisign -P` and the verify page.
    pub fn public_key(&self) -> String {
        self.public.to_base64()
    }

    /// Signs `sums` as `minisign -S` does (prehashed Ed25519 with a trusted comment), but
    /// deterministically: the minisign crate adds random noise to each signature, which would
    /// make two builds of the same input differ. The comments are fixed (no timestamp), so the
    /// signature reveals nothing about when or where the build ran. The result is checked with
    /// `minisign::verify` before it is returned.
    pub fn sign(&self, sums: &[u8]) -> anyhow::Result<String> {
        use blake2::Digest as _;
        use ct_codecs::Encoder as _;
        use ed25519_dalek::Signer as _;
        const TRUSTED: &str = "integridad SHA256SUMS";
        const UNTRUSTED: &str = "signature of SHA256SUMS by integridad";
        // Layout of a minisign secret key: algorithms (6 bytes), salt (32), limits (16),
        // key id (8), Ed25519 seed and public key (64), checksum (32).
        let bytes = self.secret.to_bytes();
        let (Some(keynum), Some(seed)) = (bytes.get(54..62), bytes.get(62..94)) else {
            anyhow::bail!("the secret key is too short to sign with");
        };
        let seed: [u8; 32] = seed.try_into()?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let signature = key.sign(&blake2::Blake2b512::digest(sums));
        let mut line = b"ED".to_vec();
        line.extend_from_slice(keynum);
        line.extend_from_slice(&signature.to_bytes());
        let mut signed_comment = signature.to_bytes().to_vec();
        signed_comment.extend_from_slice(TRUSTED.as_bytes());
        let global = key.sign(&signed_comment);
        let encode = |bytes: &[u8]| {
            ct_codecs::Base64::encode_to_string(bytes)
                .map_err(|e| anyhow::anyhow!("cannot encode the signature: {e}"))
        };
        let text = format!(
            "untrusted comment: {UNTRUSTED}\n{}\ntrusted comment: {TRUSTED}\n{}\n",
            encode(&line)?,
            encode(&global.to_bytes())?
        );
        let parsed = minisign::SignatureBox::from_string(&text)
            .map_err(|e| anyhow::anyhow!("cannot sign SHA256SUMS: {e}"))?;
        minisign::verify(
            &self.public,
            &parsed,
            std::io::Cursor::new(sums),
            true,
            false,
            false,
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot sign SHA256SUMS: the key does not verify its own signature ({e})"
            )
        })?;
        Ok(text)
    }
}

/// A public key from a minisign `.pub` file or a bare `RW…` line; `None` if it is neither.
pub(crate) fn parse_public_key(text: &str) -> Option<minisign::PublicKey> {
    let line = key_line(text)?;
    if line.len() != PUBLIC_KEY_CHARS || !is_base64(line) {
        return None;
    }
    minisign::PublicKey::from_base64(line).ok()
}

/// The key `verify` trusts, read from a file given on the command line.
pub(crate) fn load_public_key(path: &Path) -> anyhow::Result<minisign::PublicKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if let Some(key) = parse_public_key(&text) {
        return Ok(key);
    }
    if key_line(&text).is_some_and(|l| l.len() == SECRET_KEY_CHARS) {
        bail!(
            "`{}` is a secret key; verify needs the public key (the `.pub` file), and the \
             secret key should never leave the publisher",
            path.display()
        );
    }
    bail!(
        "`{}` is not a minisign public key (expected `untrusted comment: …` and an `RW…` line)",
        path.display()
    )
}
