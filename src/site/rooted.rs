//! Root-absolute links (`/toolkit/y/`): they work only where the site is served at the domain
//! root, never on a mirror under a sub-path or from disk, so each one is reported with the
//! source file to link to instead. Reports only; such a link is published as written.

use unicode_normalization::UnicodeNormalization as _;

use crate::config::LinkStyle;
use crate::diagnostics::{display_path, Diagnostic, Span};
use crate::url::UrlPath;

use super::Site;

/// What to do with a root-absolute link.
pub(crate) enum Rooted {
    /// A warning: the link stays as written.
    Warn(Diagnostic),
    /// An error (the site is built to work from disk, where `/` is the file system's root).
    Refuse { message: String, help: String },
}

/// Judges the root-absolute destination `dest` written in a file of content folder `dir`.
/// With `LinkStyle::Files` (`--offline`, `links = "files"`, the offline bundle) it is an error,
/// otherwise a warning; both name the source file whose output the path is, when there is one.
pub(crate) fn check(site: &Site, dir: &str, dest: &str, span: &Span) -> Rooted {
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let source = site.source_of(path).map(|rel| {
        let mut link = relative_source(dir, &rel);
        if let Some(fragment) = fragment {
            link.push('#');
            link.push_str(fragment);
        }
        link
    });
    let (message, help) = match source {
        Some(link) => (
            format!(
                "`{dest}` only works where the site is served at the domain root; link to `{link}` instead"
            ),
            "a link to the source file becomes a relative URL, which works on every mirror, under any sub-path and from disk".to_string(),
        ),
        None => (
            format!(
                "`{dest}` only works where the site is served at the domain root, and names no page or content file of this site"
            ),
            "to link to a page of this site, link to its source file relative to this one (like `../toolkit/02-capitulo.md`); to link to another site, write its full URL (`https://…`)".to_string(),
        ),
    };
    if site.config.links == LinkStyle::Files {
        Rooted::Refuse { message, help }
    } else {
        Rooted::Warn(
            Diagnostic::warning(message)
                .at(span.clone())
                .with_help(help),
        )
    }
}

impl Site {
    /// The content-relative source file (`toolkit/02-x.en.md`, `checklists/a.yaml`, `img/a.png`)
    /// whose output a root-absolute URL path names, with or without the path of `base_url`
    /// (`/se/integridad/toolkit/x/` for a site published at `/se/integridad/`). `None` for
    /// paths outside the content: the theme's files, feeds, or another site on the same host.
    pub(crate) fn source_of(&self, path: &str) -> Option<String> {
        // File names are NFC in the model (`content::walk`), as in `Resolver::resolve`.
        let path: String = super::links::percent_decode(path.trim_start_matches('/'))
            .nfc()
            .collect();
        let base_path = self
            .config
            .base_url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('/'))
            .map_or("", |(_, p)| p);
        let below_base = match base_path {
            "" => None,
            base => path.strip_prefix(base),
        };
        let source = below_base
            .into_iter()
            .chain([path.as_str()])
            .find_map(|p| self.source_of_site_path(p));
        source
    }

    fn source_of_site_path(&self, path: &str) -> Option<String> {
        let page_path = path
            .strip_suffix("index.html")
            .filter(|p| p.is_empty() || p.ends_with('/'))
            .unwrap_or(path);
        let dir = UrlPath::dir(page_path);
        let content_rel = |file: &std::path::Path| {
            let file = display_path(file);
            file.strip_prefix("content/").map(str::to_string)
        };
        if let Some(i) = self.urls.iter().position(|url| *url == dir) {
            return content_rel(&self.pages[i].file);
        }
        let checklist = self
            .checklist_urls
            .iter()
            .position(|urls| urls.contains(&dir));
        if let Some(c) = checklist {
            return content_rel(&self.checklists[c].file);
        }
        self.asset(path).map(|asset| asset.rel.clone())
    }
}

/// The relative path from a file in content folder `dir` to content-relative file `rel`.
fn relative_source(dir: &str, rel: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = rel.split('/').collect();
    let (to_dirs, _) = to.split_at(to.len() - 1);
    let common = from.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut link = "../".repeat(from.len() - common);
    link.push_str(&to[common..].join("/"));
    link
}

#[cfg(test)]
mod tests {
    use super::relative_source;

    #[test]
    fn relative_source_paths() {
        let cases = [
            ("toolkit", "toolkit/02-x.md", "02-x.md"),
            ("", "toolkit/02-x.md", "toolkit/02-x.md"),
            ("guide", "toolkit/02-x.en.md", "../toolkit/02-x.en.md"),
            ("checklists", "checklists/obra.yaml", "obra.yaml"),
            ("a/b", "_index.md", "../../_index.md"),
            ("a/b", "a/c/img.png", "../c/img.png"),
        ];
        for (dir, rel, expected) in cases {
            assert_eq!(relative_source(dir, rel), expected, "{dir} → {rel}");
        }
    }
}
