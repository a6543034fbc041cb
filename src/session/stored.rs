//! How the dev server holds a file in memory: HTML, scripts and other text deflated (at 10,000
//! pages the navigation alone makes over 600 MB of HTML, which deflates about twentyfold), and
//! inflated again for each request, which takes well under a millisecond for a page.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use flate2::Compression;

/// Files smaller than this are kept as they are: deflating them saves little.
const SMALLEST: usize = 2048;

/// One output file, shared between the published state and the snapshots that serve it.
#[derive(Clone)]
pub(crate) struct Stored {
    bytes: Arc<[u8]>,
    deflated: bool,
    /// Of the file's own bytes, so that a file written again unchanged (the sitemap, the feeds,
    /// after a text edit) keeps its stored copy instead of being deflated again.
    hash: u64,
    len: usize,
    /// The bytes last served (inflated, with what `served` added), shared by every request
    /// answered while one of them still holds them, and tagged with what was added.
    served: Arc<Mutex<Option<Served>>>,
}

/// A variant of a file's bytes being sent (its tag, and the bytes while any reply holds them).
type Served = (String, Weak<[u8]>);

fn hash_of(bytes: &[u8]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Stored {
    #[cfg(test)]
    pub(crate) fn new(bytes: &[u8]) -> Stored {
        Stored::hashed(bytes, hash_of(bytes))
    }

    fn hashed(bytes: &[u8], hash: u64) -> Stored {
        if bytes.len() >= SMALLEST {
            let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
            let deflated = encoder.write_all(bytes).and_then(|()| encoder.finish());
            if let Ok(deflated) = deflated {
                if deflated.len() < bytes.len() / 10 * 9 {
                    return Stored {
                        bytes: deflated.into(),
                        deflated: true,
                        hash,
                        len: bytes.len(),
                        served: Arc::default(),
                    };
                }
            }
        }
        Stored {
            bytes: bytes.into(),
            deflated: false,
            hash,
            len: bytes.len(),
            served: Arc::default(),
        }
    }

    /// Whether this holds `bytes` (by length and hash; then the bytes themselves).
    fn holds(&self, bytes: &[u8], hash: u64) -> bool {
        self.len == bytes.len() && self.hash == hash && *self.bytes() == *bytes
    }

    /// The file's bytes to send, shared: one copy in memory however many clients are sent it
    /// at once (a file kept as it is is never copied).
    pub(crate) fn shared(&self) -> Arc<[u8]> {
        if !self.deflated {
            return Arc::clone(&self.bytes);
        }
        self.served("", <[u8]>::to_vec)
    }

    /// What `make` makes of the file's bytes, for the variant named `tag` (the build a page's
    /// marker names), made once and shared while any request still holds it.
    pub(crate) fn served(&self, tag: &str, make: impl FnOnce(&[u8]) -> Vec<u8>) -> Arc<[u8]> {
        let mut cache = self.served.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((cached_tag, weak)) = cache.as_ref() {
            if let Some(bytes) = weak.upgrade().filter(|_| cached_tag == tag) {
                return bytes;
            }
        }
        let bytes: Arc<[u8]> = make(&self.bytes()).into();
        *cache = Some((tag.to_string(), Arc::downgrade(&bytes)));
        bytes
    }

    /// The file's bytes.
    pub(crate) fn bytes(&self) -> Cow<'_, [u8]> {
        if !self.deflated {
            return Cow::Borrowed(&self.bytes);
        }
        let mut out = Vec::with_capacity(self.bytes.len() * 8);
        // Bytes this process deflated itself always inflate.
        match flate2::read::DeflateDecoder::new(&self.bytes[..]).read_to_end(&mut out) {
            Ok(_) => Cow::Owned(out),
            Err(_) => Cow::Owned(Vec::new()),
        }
    }
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Stored({} bytes, deflated: {})",
            self.bytes.len(),
            self.deflated
        )
    }
}

/// A sink that stores every file as it arrives, deflating in the rendering threads; a file
/// equal to the one at its path in `previous` keeps that one's stored copy.
#[derive(Default)]
pub(crate) struct StoringSink<'a> {
    files: Mutex<BTreeMap<String, Stored>>,
    previous: Option<&'a BTreeMap<String, Stored>>,
}

impl<'a> StoringSink<'a> {
    pub(crate) fn after(previous: &'a BTreeMap<String, Stored>) -> StoringSink<'a> {
        StoringSink {
            files: Mutex::default(),
            previous: Some(previous),
        }
    }

    pub(crate) fn into_files(self) -> BTreeMap<String, Stored> {
        self.files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl crate::output::OutputSink for StoringSink<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let hash = hash_of(bytes);
        let stored = match self.previous.and_then(|files| files.get(path)) {
            Some(old) if old.holds(bytes, hash) => old.clone(),
            _ => Stored::hashed(bytes, hash),
        };
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_string(), stored);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_served_at_once_are_one_copy() {
        let page = "<li><a href=\"../x/\">Página</a></li>\n".repeat(500);
        let stored = Stored::new(page.as_bytes());
        let (a, b) = (stored.shared(), stored.clone().shared());
        assert!(Arc::ptr_eq(&a, &b), "two copies for two requests");
        assert_eq!(&a[..], page.as_bytes());
        let marked = stored.served("t:1", |bytes| [bytes, b"!"].concat());
        assert!(Arc::ptr_eq(&marked, &stored.served("t:1", |_| Vec::new())));
        assert!(stored
            .served("t:2", |_| b"other".to_vec())
            .starts_with(b"other"));
        drop((a, b, marked));
        let plain = Stored::new(b"small");
        assert!(Arc::ptr_eq(&plain.shared(), &plain.bytes));
    }

    #[test]
    fn large_text_is_deflated_and_comes_back_the_same() {
        let page = "<li><a href=\"../x/\">Página</a></li>\n".repeat(500);
        let stored = Stored::new(page.as_bytes());
        assert!(stored.deflated);
        assert!(stored.bytes.len() < page.len() / 10);
        assert_eq!(stored.bytes(), page.as_bytes());
        let small = Stored::new(b"hola");
        assert!(stored.holds(page.as_bytes(), hash_of(page.as_bytes())));
        assert!(!stored.holds(b"otra", hash_of(b"otra")));
        assert!(!small.deflated);
        assert_eq!(small.bytes(), &b"hola"[..]);
    }

    #[test]
    fn incompressible_bytes_are_kept_as_they_are() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..10_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let stored = Stored::new(&noise);
        assert!(!stored.deflated);
        assert_eq!(stored.bytes(), &noise[..]);
    }
}
