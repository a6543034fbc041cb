//! Site-relative URL paths and the relative links between them. Every internal link the site
//! writes is relative, so the output works under any sub-path and, with `LinkStyle::Files`, from disk.

use crate::config::LinkStyle;

/// A path below the site root, `/`-separated, without a leading slash. Directory paths end in
/// `/` (`en/toolkit/code-of-conduct/`, `` for the home page); file paths do not (`static/a.css`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub(crate) struct UrlPath(String);

impl UrlPath {
    pub fn dir(path: impl Into<String>) -> UrlPath {
        let mut path = path.into();
        if !path.is_empty() && !path.ends_with('/') {
            path.push('/');
        }
        UrlPath(path)
    }

    pub fn file(path: impl Into<String>) -> UrlPath {
        UrlPath(path.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_dir(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('/')
    }

    /// The output file that serves this URL (`x/` → `x/index.html`).
    pub fn output_file(&self) -> String {
        if self.is_dir() {
            format!("{}index.html", self.0)
        } else {
            self.0.clone()
        }
    }

    /// Directory segments of the path (the file name of a file path is not included).
    fn dir_segments(&self) -> Vec<&str> {
        let dir = if self.is_dir() {
            self.0.as_str()
        } else {
            self.0.rsplit_once('/').map_or("", |(d, _)| d)
        };
        dir.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The relative link from a page at `self` (a directory URL) to `target`.
    pub fn relative_to(&self, target: &UrlPath, style: LinkStyle) -> String {
        let from = self.dir_segments();
        let to: Vec<&str> = target.0.split('/').filter(|s| !s.is_empty()).collect();
        let to_dirs = target.dir_segments();
        let common = from
            .iter()
            .zip(&to_dirs)
            .take_while(|(a, b)| a == b)
            .count();
        let mut link = "../".repeat(from.len() - common);
        link.push_str(&to[common..].join("/"));
        if target.is_dir() {
            if common < to.len() {
                link.push('/');
            }
            if style == LinkStyle::Files {
                link.push_str("index.html");
            }
        }
        if link.is_empty() {
            link.push_str("./");
        }
        link
    }

    /// The relative prefix from a page at `self` to the site root (`./`, `../`, …).
    pub fn root_prefix(&self) -> String {
        let depth = self.dir_segments().len();
        if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        let cases = [
            ("toolkit/a/", "toolkit/b/", LinkStyle::Pretty, "../b/"),
            (
                "toolkit/a/",
                "toolkit/b/",
                LinkStyle::Files,
                "../b/index.html",
            ),
            ("toolkit/a/", "toolkit/", LinkStyle::Pretty, "../"),
            ("toolkit/a/", "toolkit/", LinkStyle::Files, "../index.html"),
            ("", "", LinkStyle::Pretty, "./"),
            ("", "", LinkStyle::Files, "index.html"),
            ("", "en/", LinkStyle::Pretty, "en/"),
            (
                "en/toolkit/x/",
                "toolkit/y/",
                LinkStyle::Pretty,
                "../../../toolkit/y/",
            ),
            ("toolkit/a/", "toolkit/a/", LinkStyle::Pretty, "./"),
            (
                "toolkit/a/",
                "toolkit/img.png",
                LinkStyle::Files,
                "../img.png",
            ),
            (
                "",
                "static/style.css",
                LinkStyle::Pretty,
                "static/style.css",
            ),
        ];
        for (from, to, style, expected) in cases {
            let target = if to.is_empty() || to.ends_with('/') {
                UrlPath::dir(to)
            } else {
                UrlPath::file(to)
            };
            assert_eq!(
                UrlPath::dir(from).relative_to(&target, style),
                expected,
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn root_prefixes() {
        assert_eq!(UrlPath::dir("").root_prefix(), "./");
        assert_eq!(UrlPath::dir("en/toolkit/x").root_prefix(), "../../../");
    }
}
