//! Proving that a copy says what the publisher built: `SHA256SUMS` (`sums`), minisign keys and
//! signatures (`keys`), and `verify` of a folder (`verify`) or of a live mirror (`remote`).
//! Nothing here renders pages; `build` hands over the finished files' hashes.

mod foreign;
mod keys;
mod remote;
mod sums;
mod verify;

pub(crate) use foreign::check_foreign_files;
pub(crate) use keys::Signer;
pub use keys::{keygen, KeyPair, Password};
pub use remote::{verify_url, RemoteOptions};
pub(crate) use sums::{hex, render_sums, SIGNATURE_FILE, SUMS_FILE};
pub use verify::{verify_dir, Problem, SignatureCheck, Trust, Verification};
