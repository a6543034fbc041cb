//! `integridad new chapter "Title" --lang en --from FILE`: the translation of a page, beside its
//! source (SPEC "Content": `name.md` → `name.en.md`), with the source's weight, dates and draft
//! state so both versions sort and publish alike, and a slug from the translated title to check.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::quoted;
use crate::config::Config;
use crate::content::front_matter::parse_document;
use crate::content::page::{is_valid_slug, slugify};

/// Path and text of the `lang` translation of `from`, titled `name`. Errors: `lang` is not a
/// translation language of the site, `from` is not a default-language page under `content/`,
/// the source's front matter is broken, or the title gives no usable slug.
pub(super) fn translation(
    config: &Config,
    lang: &str,
    from: &Path,
    name: &str,
) -> anyhow::Result<(PathBuf, String)> {
    let language = config
        .languages
        .iter()
        .skip(1)
        .find(|l| l.lang.as_str() == lang);
    let Some(language) = language else {
        let others: Vec<String> = config.languages[1..]
            .iter()
            .map(|l| format!("`{}`", l.lang))
            .collect();
        anyhow::bail!(
            "`--lang {lang}` is not a translation language of this site; expected one of {}",
            if others.is_empty() {
                "none (declare it under [languages] in site.toml)".to_string()
            } else {
                others.join(", ")
            }
        );
    };
    let source =
        dunce::canonicalize(from).with_context(|| format!("cannot read `{}`", from.display()))?;
    let content = dunce::canonicalize(&config.content_dir)
        .with_context(|| format!("cannot read `{}`", config.content_dir.display()))?;
    let rel = source
        .strip_prefix(&content)
        .map_err(|_| anyhow::anyhow!("`{}` is not under `content/`", from.display()))?;
    let file_name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
    let stem = file_name
        .as_deref()
        .and_then(|n| n.strip_suffix(".md"))
        .ok_or_else(|| anyhow::anyhow!("`{}` is not a markdown page", from.display()))?;
    if let Some((_, suffix)) = stem.rsplit_once('.') {
        anyhow::bail!(
            "`{}` is itself a translation (`.{suffix}`); give the default-language file to --from",
            from.display()
        );
    }
    let shown = Path::new("content").join(rel);
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("cannot read `{}`", source.display()))?;
    let front = parse_document(&text, &shown)
        .map_err(|d| {
            anyhow::anyhow!(
                "`{}` has a broken front matter ({}); fix it first",
                shown.display(),
                d.message
            )
        })?
        .front;

    let title = name.trim();
    if title.is_empty() || title.chars().any(char::is_control) {
        anyhow::bail!("a translation needs a one-line title, e.g. `integridad new chapter \"Gifts and hospitality\" --lang en --from FILE`");
    }
    let is_home = rel == Path::new("_index.md");
    let mut yaml = format!("---\ntitle: {}\ndescription: \"\"\n", quoted(title));
    if let Some(weight) = front.weight {
        yaml.push_str(&format!("weight: {weight}\n"));
    }
    if !is_home {
        let slug = slugify(title);
        if !is_valid_slug(&slug) {
            anyhow::bail!(
                "the title `{title}` gives no usable slug; use Latin letters or digits in it"
            );
        }
        yaml.push_str(&format!(
            "slug: {slug}                # the last part of the URL in {}: check it\n",
            language.name
        ));
    }
    if front.draft {
        // Published alone, the translation would be a page whose source is unpublished.
        yaml.push_str("draft: true\n");
    }
    for (key, date) in [("date", &front.date), ("updated", &front.updated)] {
        if let Some(date) = date {
            yaml.push_str(&format!("{key}: {}\n", date.as_str()));
        }
    }
    let body = format!(
        "---\n\nTranslate `{}` ({}) into {} here.\n",
        file_name.as_deref().unwrap_or_default(),
        front.title,
        language.name
    );
    let path = from.with_file_name(format!("{stem}.{lang}.md"));
    Ok((path, yaml + &body))
}
