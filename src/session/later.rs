//! Outputs the dev server makes only when first asked for: the search index changes with every
//! edit and takes longer to make than all the changed pages together, yet is read only by the
//! search page. It is made once per rebuild, on the first request for one of its files (other
//! requests for it wait), and never when nobody searches.

use std::sync::{Mutex, OnceLock, PoisonError};

use super::Files;

/// Files that are made on first use.
pub(crate) struct Later {
    owns: Owns,
    made: OnceLock<Files>,
    make: Mutex<Option<Box<dyn FnOnce() -> Files + Send>>>,
}

impl Later {
    pub(crate) fn new(owns: Owns, make: Box<dyn FnOnce() -> Files + Send>) -> Later {
        Later {
            owns,
            made: OnceLock::new(),
            make: Mutex::new(Some(make)),
        }
    }

    /// Whether `path` would be one of these files.
    pub(crate) fn owns(&self, path: &str) -> bool {
        match &self.owns {
            Owns::Prefix(prefix) => path.starts_with(prefix),
            Owns::Paths(paths) => paths.iter().any(|p| p == path),
        }
    }

    /// The files, made now if this is the first call.
    pub(crate) fn files(&self) -> &Files {
        self.made.get_or_init(|| {
            let make = self
                .make
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            make.map(|make| make()).unwrap_or_default()
        })
    }
}

/// Which paths a `Later` makes.
pub(crate) enum Owns {
    /// Every path starting with this (at the site root).
    Prefix(&'static str),
    Paths(Vec<String>),
}

/// A rebuilt site: its files, and those made on first use.
#[derive(Default)]
pub(crate) struct Built {
    pub files: Files,
    pub later: Vec<std::sync::Arc<Later>>,
    /// How many pages were rendered for this rebuild (the others were unchanged).
    pub pages_rendered: usize,
}

impl Built {
    /// The file at `path`, making the later files if it is one of them.
    pub(crate) fn get(&self, path: &str) -> Option<&super::Stored> {
        self.files.get(path).or_else(|| {
            self.later
                .iter()
                .find(|later| later.owns(path))
                .and_then(|later| later.files().get(path))
        })
    }

    /// Every file, the later ones made now.
    pub(crate) fn all(&self) -> Files {
        let mut files = self.files.clone();
        for later in &self.later {
            files.extend(later.files().iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        files
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }
}
