//! The output plan: every path a build writes, with what claims it, computed from the model and
//! the theme before anything is rendered. Two claims on one path, or a path that would have to
//! be both a file and a folder, is a content error at the source that causes it, so `check`
//! finds every collision that `build` would hit and a build never fails half-way through writing.

use std::collections::HashMap;
use std::path::Path;

use crate::content::front_matter::Located;
use crate::diagnostics::{display_path, Diagnostic, Diagnostics, Span};
use crate::render::theme::Theme;
use crate::site::Site;

/// What writes an output path.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// A file the generator writes on its own (sitemap, feeds, checksums, …).
    Generated(&'static str),
    Page(&'a Path),
    Checklist(&'a Path),
    ThemeFile(&'a crate::render::theme::StaticFile),
    /// A colocated file under `content/`, by its content-relative path.
    Asset(&'a str),
    /// A file of the site's `static/` folder, by its path relative to it.
    Static(&'a str),
    Alias {
        alias: &'a Located,
        page: &'a Path,
    },
    /// A file declared in a page's front matter `downloads`, blamed at its declaration.
    Download {
        span: &'a Span,
        page: &'a Path,
    },
}

impl Owner<'_> {
    /// The owner as the object of a sentence: "… which is {taken_by}".
    fn taken_by(&self) -> String {
        match self {
            Owner::Generated(what) => (*what).to_string(),
            Owner::Page(file) => format!("the page `{}`", display_path(file)),
            Owner::Checklist(file) => format!("the checklist `{}`", display_path(file)),
            Owner::ThemeFile(file) => format!("the theme file `{}`", display_path(&file.source)),
            Owner::Asset(rel) => format!("the file `content/{rel}`"),
            Owner::Static(rel) => format!("the file `static/{rel}`"),
            Owner::Alias { alias, page } => {
                format!("the alias `{}` of `{}`", alias.value, display_path(page))
            }
            Owner::Download { page, .. } => {
                format!("a download of `{}`", display_path(page))
            }
        }
    }

    /// The owner as the subject of the error, with where to point and what to do. Generated
    /// files are claimed first, so they are never blamed for a collision with a source.
    fn blame(&self) -> (String, Option<Span>, &'static str) {
        let (subject, span, help) = match self {
            Owner::Generated(what) => return ((*what).to_string(), None, ""),
            Owner::Page(file) => (
                "this page".into(),
                Span::file(*file),
                "give the page another `slug`, or rename its file",
            ),
            Owner::Checklist(file) => (
                "this checklist".into(),
                Span::file(*file),
                "rename the checklist file",
            ),
            Owner::ThemeFile(file) => (
                format!("the theme file `{}`", display_path(&file.source)),
                Span::file(&file.source),
                "rename the file in the theme's static/ folder",
            ),
            Owner::Asset(rel) => (
                format!("the file `content/{rel}`"),
                Span::file(Path::new("content").join(rel)),
                "rename or move the file",
            ),
            Owner::Static(rel) => (
                format!("the file `static/{rel}`"),
                Span::file(Path::new(crate::content::STATIC_DIR).join(rel)),
                "rename or remove the file in `static/`; generated files cannot be replaced",
            ),
            Owner::Alias { alias, .. } => (
                format!("the alias `{}`", alias.value),
                alias.span.clone(),
                "choose an alias that is not a page, a file or a folder of the site",
            ),
            Owner::Download { span, .. } => (
                "this download".into(),
                (*span).clone(),
                "move or rename the other file, or declare the download once (a register takes its name from its heading id)",
            ),
        };
        (subject, Some(span), help)
    }
}

/// Every claimed file path, and the first owner of every folder those paths need.
#[derive(Default)]
struct Claims<'a> {
    files: HashMap<String, Owner<'a>>,
    dirs: HashMap<String, Owner<'a>>,
}

impl<'a> Claims<'a> {
    fn claim(&mut self, path: String, owner: Owner<'a>, diags: &mut Diagnostics) {
        if let Some(problem) = crate::portable::path_problem(&path) {
            diags.push(unportable(&owner, &path, &problem));
            return;
        }
        let taken = self
            .files
            .get(&path)
            .map(|other| (*other, path.clone()))
            .or_else(|| self.dirs.get(&path).map(|other| (*other, path.clone())))
            .or_else(|| {
                folders_of(&path).find_map(|dir| self.files.get(dir).map(|o| (*o, dir.to_string())))
            })
            .or_else(|| {
                std::iter::once(path.as_str())
                    .chain(folders_of(&path))
                    .find(|p| is_search_index(p))
                    .map(|p| (SEARCH_INDEX, p.to_string()))
            });
        match taken {
            // Two pages with one URL are reported by the model (`Site::check_urls`).
            Some((Owner::Page(_), _)) if matches!(owner, Owner::Page(_)) => {}
            Some((other, at)) => diags.push(collision(&owner, &other, &path, &at)),
            None => {
                for dir in folders_of(&path) {
                    self.dirs.entry(dir.to_string()).or_insert(owner);
                }
                self.files.insert(path, owner);
            }
        }
    }
}

/// Search index scripts carry a content hash in their names (`search-index.es.1a2b3c4d.js`), so
/// the whole pattern is theirs, and so is the folder of each language's shards (`search-index.es/`).
const SEARCH_INDEX: Owner<'static> = Owner::Generated("the search index");

fn is_search_index(path: &str) -> bool {
    !path.contains('/')
        && path.strip_prefix("search-index.").is_some_and(|rest| {
            rest.strip_suffix(".js")
                .is_some_and(|middle| !middle.is_empty())
                || (!rest.is_empty() && rest != "js" && !rest.contains('.'))
        })
}

/// `a/b/c.html` → `a`, `a/b`.
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// The error for an output path some operating system cannot hold (`portable`).
fn unportable(owner: &Owner<'_>, path: &str, problem: &str) -> Diagnostic {
    let (subject, span, help) = owner.blame();
    let mut diagnostic =
        Diagnostic::error(format!("{subject} would be written to `{path}`: {problem}"));
    if let Some(span) = span {
        let help = if help.is_empty() { "rename it" } else { help };
        diagnostic = diagnostic.at(span).with_help(format!(
            "{help}; the site must open on Windows, macOS and Linux alike"
        ));
    }
    diagnostic
}

fn collision(owner: &Owner<'_>, other: &Owner<'_>, path: &str, at: &str) -> Diagnostic {
    let (subject, span, help) = owner.blame();
    let message = if at == path {
        format!(
            "{subject} would be written to `{path}`, which is already {}",
            other.taken_by()
        )
    } else if path.starts_with(&format!("{at}/")) {
        format!(
            "{subject} would be written to `{path}`, but `{at}` is {}",
            other.taken_by()
        )
    } else {
        format!(
            "{subject} would be written to `{path}`, but that is a folder of {}",
            other.taken_by()
        )
    };
    let mut diagnostic = Diagnostic::error(message);
    if let Some(span) = span {
        diagnostic = diagnostic.at(span).with_help(help);
    }
    diagnostic
}

/// Claims every output path of the site in a fixed order (generated files, pages, checklists,
/// theme files, `static/` files, colocated files, downloads, aliases), so a collision is blamed on
/// the later, more specific source. Invalid aliases are reported here too.
pub(crate) fn check_outputs(site: &Site, theme: Option<&Theme>, diags: &mut Diagnostics) {
    let mut claims = Claims::default();
    let config = &site.config;
    // Written after rendering by `output` and `integrity`.
    let reserved = [
        (crate::output::MARKER, "the marker of integridad's output"),
        ("SHA256SUMS", "the checksum list"),
        ("SHA256SUMS.minisig", "the checksum signature"),
        ("robots.txt", "the robots.txt file"),
        ("sitemap.xml", "the sitemap"),
        // Reserved even without `--bundle`, so `check` agrees with every kind of build.
        (crate::bundle::BUNDLE_FILE, "the offline bundle"),
    ];
    for (path, what) in reserved {
        claims.claim(path.to_string(), Owner::Generated(what), diags);
    }
    for language in &config.languages {
        let prefix = site.lang_prefix(&language.lang);
        claims.claim(
            format!("{prefix}atom.xml"),
            Owner::Generated("a feed"),
            diags,
        );
    }
    if let Some(theme) = theme {
        if theme.has_template("404.html") {
            for language in &config.languages {
                let prefix = site.lang_prefix(&language.lang);
                claims.claim(
                    format!("{prefix}404.html"),
                    Owner::Generated("the 404 page"),
                    diags,
                );
            }
        }
        if theme.has_template("search.html") {
            for language in &config.languages {
                let url = crate::render::views::search_url(site, &language.lang);
                claims.claim(url.output_file(), Owner::Generated("a search page"), diags);
            }
        }
        for language in &config.languages {
            if let Some(url) = crate::render::handbook::handbook_url(site, theme, &language.lang) {
                claims.claim(url.output_file(), Owner::Generated("the handbook"), diags);
            }
        }
    }
    for (page, url) in site.pages.iter().zip(&site.urls) {
        claims.claim(url.output_file(), Owner::Page(&page.file), diags);
    }
    for (checklist, urls) in site.checklists.iter().zip(&site.checklist_urls) {
        for url in urls {
            let owner = Owner::Checklist(&checklist.file);
            claims.claim(url.output_file(), owner, diags);
            claims.claim(format!("{}checklist.json", url.as_str()), owner, diags);
        }
    }
    for file in theme.map_or(&[][..], |t| t.static_files.as_slice()) {
        claims.claim(file.output.clone(), Owner::ThemeFile(file), diags);
    }
    for file in &site.statics {
        claims.claim(file.rel.clone(), Owner::Static(&file.rel), diags);
    }
    for asset in &site.assets {
        claims.claim(asset.rel.clone(), Owner::Asset(&asset.rel), diags);
    }
    for (page, url) in site.pages.iter().zip(&site.urls) {
        for (path, span) in super::downloads::planned_paths(page, url) {
            let owner = Owner::Download {
                span,
                page: &page.file,
            };
            claims.claim(path, owner, diags);
        }
    }
    for page in &site.pages {
        for alias in &page.front.aliases {
            match super::aliases::alias_url(&alias.value) {
                Ok(url) => {
                    let owner = Owner::Alias {
                        alias,
                        page: &page.file,
                    };
                    claims.claim(url.output_file(), owner, diags);
                }
                Err(message) => diags.push(
                    Diagnostic::error(message)
                        .at(alias.span.clone())
                        .with_help("write a site path such as `/guia/codigo/`"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_search_index_names() {
        let folders: Vec<&str> = folders_of("en/toolkit/a/index.html").collect();
        assert_eq!(folders, ["en", "en/toolkit", "en/toolkit/a"]);
        assert_eq!(folders_of("robots.txt").count(), 0);
        for (path, expected) in [
            ("search-index.es.1a2b3c4d.js", true),
            ("search-index.js", false),
            ("search-index.es", true),
            ("en/search-index.es.1a2b3c4d.js", false),
            ("search-index.es.css", false),
        ] {
            assert_eq!(is_search_index(path), expected, "{path}");
        }
    }
}
