//! Translations in sight (SPEC "Content": `name.md` and `name.en.md` are one page): which pages
//! have no version in a language, and which translations may be stale because their source was
//! updated after them. Reads the model only; generated home pages count as missing.

use std::path::{Path, PathBuf};

use crate::diagnostics::{display_path, Diagnostic, Diagnostics, Span};
use crate::lang::Lang;
use crate::site::Site;

/// The pages that exist in some language but not in `lang`.
#[derive(Debug, Clone)]
pub(crate) struct Missing {
    pub lang: Lang,
    /// Language name from site.toml (`English`).
    pub name: String,
    /// `(existing source, file the translation would be)`, both relative to the site root,
    /// in page id order.
    pub pages: Vec<(PathBuf, PathBuf)>,
}

/// Every language with at least one missing page, in site.toml order.
pub(crate) fn missing_translations(site: &Site) -> Vec<Missing> {
    let mut ids: Vec<_> = site.by_id.keys().collect();
    ids.sort();
    let mut missing = Vec::new();
    for language in &site.config.languages {
        let mut pages = Vec::new();
        for id in &ids {
            let written = |lang: &Lang| site.page(id, lang).filter(|&i| !site.pages[i].generated);
            if written(&language.lang).is_some() {
                continue;
            }
            let source = written(&site.config.default_lang)
                .or_else(|| site.config.languages.iter().find_map(|l| written(&l.lang)));
            let Some(source) = source else { continue };
            let file = &site.pages[source].file;
            pages.push((
                file.clone(),
                translation_file(site, id.as_str(), &language.lang),
            ));
        }
        if !pages.is_empty() {
            missing.push(Missing {
                lang: language.lang.clone(),
                name: language.name.clone(),
                pages,
            });
        }
    }
    missing
}

/// `content/toolkit/02-x.en.md` for id `toolkit/02-x.md` in `en`; the id itself in the default
/// language.
fn translation_file(site: &Site, id: &str, lang: &Lang) -> PathBuf {
    let name = if lang == &site.config.default_lang {
        id.to_string()
    } else {
        let stem = id.strip_suffix(".md").unwrap_or(id);
        format!("{stem}.{lang}.md")
    };
    Path::new("content").join(name)
}

/// Warns about each translation whose source has an `updated` date later than the
/// translation's own `updated` (or, without one, its `date`). Undated translations are not
/// compared.
pub(crate) fn check_stale_translations(site: &Site, diags: &mut Diagnostics) {
    let default = &site.config.default_lang;
    for page in &site.pages {
        if &page.lang == default || page.generated {
            continue;
        }
        let Some(source) = site.page(&page.id, default).map(|i| &site.pages[i]) else {
            continue;
        };
        let Some(updated) = &source.front.updated else {
            continue;
        };
        let own = page.front.updated.as_ref().or(page.front.date.as_ref());
        let Some(own) = own else { continue };
        if own.as_str() < updated.as_str() {
            diags.push(
                Diagnostic::warning(format!(
                    "this translation may be out of date: its source `{}` was updated on {}, after this version ({})",
                    display_path(&source.file),
                    updated.as_str(),
                    own.as_str()
                ))
                .at(Span::file(&page.file))
                .with_help(format!(
                    "bring the translation up to date, then set `updated: {}` in its front matter",
                    updated.as_str()
                )),
            );
        }
    }
}
