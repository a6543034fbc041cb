//! `site.toml` → `Config`: parsed once with unknown keys rejected, then resolved into typed values.
//! How the tool runs (build, check, serve, drafts, offline) is `BuildOptions`, never part of `Config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{line_col, Diagnostic, Diagnostics, Span};
use crate::lang::Lang;

pub(crate) const CONFIG_FILE: &str = "site.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: Spanned<String>,
    default_language: Spanned<String>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    languages: BTreeMap<Spanned<String>, RawLanguage>,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    integrity: RawIntegrity,
    #[serde(default)]
    mirror: RawMirror,
}

/// `[mirror]`: the hosts besides `base_url`'s that serve the official site (apex, `www.`,
/// staging), where the theme's "this is a copy" notice never shows.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawMirror {
    official_hosts: Vec<Spanned<String>>,
}

fn default_theme() -> String {
    "default".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    name: String,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawBuild {
    output_dir: String,
    links: LinkStyle,
    drafts: bool,
}

impl Default for RawBuild {
    fn default() -> RawBuild {
        RawBuild {
            output_dir: "public".into(),
            links: LinkStyle::Pretty,
            drafts: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawMarkdown {
    unsafe_html: bool,
    smart_punctuation: bool,
}

impl Default for RawMarkdown {
    fn default() -> RawMarkdown {
        RawMarkdown {
            unsafe_html: false,
            smart_punctuation: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawIntegrity {
    checksums: bool,
}

impl Default for RawIntegrity {
    fn default() -> RawIntegrity {
        RawIntegrity { checksums: true }
    }
}

/// How internal links are written (SPEC `[build] links`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStyle {
    /// `../toolkit/x/`: for web servers that serve `index.html` for a directory.
    Pretty,
    /// `../toolkit/x/index.html`: also works opened from disk (file://).
    Files,
}

/// One language of the site, with its display name and per-language overrides.
#[derive(Debug, Clone)]
pub struct Language {
    pub lang: Lang,
    /// Where the language is declared in site.toml (its `[languages.xx]` key).
    pub span: Span,
    pub name: String,
    pub title: String,
    pub description: String,
}

/// The validated site configuration. Paths are absolute.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// Normalized by `base_url::parse_base_url`: ends in `/`, percent-encoded.
    pub base_url: String,
    /// Where `base_url` is written in site.toml.
    pub base_url_span: Span,
    pub default_lang: Lang,
    /// Default language first, then the others in code order.
    pub languages: Vec<Language>,
    pub theme_dir: PathBuf,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub links: LinkStyle,
    pub drafts: bool,
    pub unsafe_html: bool,
    pub smart_punctuation: bool,
    pub checksums: bool,
    /// `[mirror] official_hosts`, lowercased, in site.toml order; `base_url`'s host is official
    /// too without being listed (see `official_hosts`).
    pub mirror_hosts: Vec<String>,
}

impl Config {
    pub fn language(&self, lang: &Lang) -> Option<&Language> {
        self.languages.iter().find(|l| &l.lang == lang)
    }

    pub fn langs(&self) -> Vec<Lang> {
        self.languages.iter().map(|l| l.lang.clone()).collect()
    }

    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    /// Every host that serves the official site: `base_url`'s first, then `[mirror]
    /// official_hosts` without repeats.
    pub fn official_hosts(&self) -> Vec<&str> {
        let mut hosts = vec![crate::base_url::host_of(&self.base_url)];
        for host in &self.mirror_hosts {
            if !hosts.contains(&host.as_str()) {
                hosts.push(host);
            }
        }
        hosts
    }
}

/// Reads and validates `root/site.toml`. Content problems (syntax, unknown keys, undeclared
/// languages) come back as diagnostics; an unreadable file is an I/O error.
pub(crate) fn load_config(root: &Path) -> anyhow::Result<Result<Config, Diagnostics>> {
    let mut sources = Diagnostics::new();
    let config = load_config_into(root, &mut sources)?;
    Ok(config.ok_or(sources))
}

/// Like `load_config`, pushing problems and the loaded text (for carets) into `diags`.
pub(crate) fn load_config_into(
    root: &Path,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Config>> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?;
    diags.add_source(CONFIG_FILE, &text);
    match parse_config(&text, root) {
        Ok(config) => Ok(Some(config)),
        Err(errors) => {
            diags.extend(errors);
            Ok(None)
        }
    }
}

pub(crate) fn parse_config(text: &str, root: &Path) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let (line, col) = error.span().map_or((1, 1), |s| line_col(text, s.start));
            let message = error.message().replace("unknown field", "unknown key");
            let message = message.replace("missing field", "missing required key");
            let message = message.replace(
                "cannot recurse further; max recursion depth met",
                "nested too deeply (tables and arrays may nest at most 80 levels)",
            );
            diags.push(
                Diagnostic::error(format!("invalid site.toml: {}", message.trim_end()))
                    .at(Span::new(CONFIG_FILE, line, col)),
            );
            return Err(diags);
        }
    };
    diags.extend(check_toml_strings(text, Path::new(CONFIG_FILE)));
    let span_of = |s: std::ops::Range<usize>| {
        let (line, col) = line_col(text, s.start);
        Span::new(CONFIG_FILE, line, col)
    };
    let mut languages = Vec::new();
    for (code, raw_lang) in &raw.languages {
        match Lang::try_from(code.get_ref().as_str()) {
            Ok(lang) => languages.push(Language {
                lang,
                span: span_of(code.span()),
                name: raw_lang.name.clone(),
                title: raw_lang.title.clone().unwrap_or_else(|| raw.title.clone()),
                description: raw_lang
                    .description
                    .clone()
                    .unwrap_or_else(|| raw.description.clone()),
            }),
            Err(message) => diags.push(Diagnostic::error(message).at(span_of(code.span()))),
        }
    }
    let default_lang = match Lang::try_from(raw.default_language.get_ref().as_str()) {
        Ok(lang) => Some(lang),
        Err(message) => {
            diags.push(Diagnostic::error(message).at(span_of(raw.default_language.span())));
            None
        }
    };
    if let Some(default) = &default_lang {
        match languages.iter().position(|l| &l.lang == default) {
            Some(i) => {
                let language = languages.remove(i);
                languages.insert(0, language);
            }
            None if raw.languages.is_empty() => languages.push(Language {
                lang: default.clone(),
                span: span_of(raw.default_language.span()),
                name: default.to_string(),
                title: raw.title.clone(),
                description: raw.description.clone(),
            }),
            None => diags.push(
                Diagnostic::error(format!(
                    "`default_language` is `{default}`, which is not declared under `[languages]`"
                ))
                .at(span_of(raw.default_language.span()))
                .with_help(format!("add a `[languages.{default}]` table with a `name`")),
            ),
        }
    }
    let base_url =
        crate::base_url::parse_base_url(raw.base_url.get_ref()).unwrap_or_else(|message| {
            diags.push(Diagnostic::error(message).at(span_of(raw.base_url.span())));
            String::new()
        });
    let mut mirror_hosts = Vec::new();
    for host in &raw.mirror.official_hosts {
        match crate::base_url::parse_host(host.get_ref()) {
            Ok(host) => mirror_hosts.push(host),
            Err(message) => diags.push(Diagnostic::error(message).at(span_of(host.span()))),
        }
    }
    if raw.theme.is_empty() || raw.theme.contains(['/', '\\']) || raw.theme.starts_with('.') {
        diags.push(
            Diagnostic::error(format!(
                "`theme` must be a folder name under `themes/`, found `{}`",
                raw.theme
            ))
            .at(Span::file(CONFIG_FILE)),
        );
    }
    match default_lang {
        Some(default_lang) if !diags.has_errors() => Ok(Config {
            root: root.to_path_buf(),
            base_url,
            base_url_span: span_of(raw.base_url.span()),
            default_lang,
            languages,
            theme_dir: root.join("themes").join(&raw.theme),
            content_dir: root.join("content"),
            output_dir: root.join(&raw.build.output_dir),
            links: raw.build.links,
            drafts: raw.build.drafts,
            unsafe_html: raw.markdown.unsafe_html,
            smart_punctuation: raw.markdown.smart_punctuation,
            checksums: raw.integrity.checksums,
            mirror_hosts,
        }),
        _ => Err(diags),
    }
}

/// Control characters that may not appear in any text of the site: they cannot be shown and
/// must never reach HTML raw. Tab and line breaks (LF, and the CR of a Windows CRLF) are text.
pub(crate) fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses keys and strings of a TOML text that hold a control character (TOML escapes such as
/// `\u0000` produce them), each at its position. `text` must already parse.
pub(crate) fn check_toml_strings(text: &str, file: &Path) -> Diagnostics {
    type Found = Vec<(usize, char)>;
    fn check(text: &str, span: std::ops::Range<usize>, found: &mut Found) {
        if let Some(c) = text.chars().find(|&c| is_forbidden_control(c)) {
            found.push((span.start, c));
        }
    }
    fn walk(value: &toml::de::DeValue<'_>, span: std::ops::Range<usize>, found: &mut Found) {
        match value {
            toml::de::DeValue::String(s) => check(s, span, found),
            toml::de::DeValue::Array(items) => {
                for item in items {
                    walk(item.get_ref(), item.span(), found);
                }
            }
            toml::de::DeValue::Table(table) => walk_table(table, found),
            _ => {}
        }
    }
    fn walk_table(table: &toml::de::DeTable<'_>, found: &mut Found) {
        for (key, value) in table {
            check(key.get_ref(), key.span(), found);
            walk(value.get_ref(), value.span(), found);
        }
    }
    let mut diags = Diagnostics::new();
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return diags;
    };
    let mut found = Vec::new();
    walk_table(table.get_ref(), &mut found);
    for (offset, c) in found {
        let (line, col) = line_col(text, offset);
        diags.push(
            Diagnostic::error(format!(
                "this text holds the control character U+{:04X}",
                u32::from(c)
            ))
            .at(Span::new(file, line, col))
            .with_help("remove the escape (such as `\\u0000`); only tabs and line breaks may appear in text"),
        );
    }
    diags
}

/// Finds the site root: the nearest folder upward from `start` that holds `site.toml`.
pub(crate) fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"title = "Sitio"
base_url = "https://example.org/sub"
default_language = "es"
[languages.es]
name = "Español"
[languages.en]
name = "English"
title = "Site"
"#;

    #[test]
    fn parses_languages_with_default_first() {
        let config = parse_config(GOOD, Path::new("/r")).unwrap();
        let codes: Vec<_> = config
            .languages
            .iter()
            .map(|l| l.lang.to_string())
            .collect();
        assert_eq!(codes, ["es", "en"]);
        assert_eq!(config.languages[1].title, "Site");
        assert_eq!(config.base_url, "https://example.org/sub/");
        assert_eq!(config.output_dir, Path::new("/r/public"));
        assert_eq!(config.official_hosts(), ["example.org"]);
        let text =
            format!("{GOOD}[mirror]\nofficial_hosts = [\"WWW.example.org\", \"example.org\"]\n");
        let config = parse_config(&text, Path::new("/r")).unwrap();
        assert_eq!(config.official_hosts(), ["example.org", "www.example.org"]);
    }

    fn first_error(text: &str) -> (String, usize, usize) {
        let diags = parse_config(text, Path::new("/r")).unwrap_err();
        let d = diags.sorted()[0].clone();
        let span = d.span.unwrap();
        (d.message, span.line, span.col)
    }

    #[test]
    fn bad_configs_name_the_key_and_its_line() {
        let cases = [
            (format!("{GOOD}titel = 1\n"), "unknown key `titel`", 9),
            (
                GOOD.replace("default_language = \"es\"\n", ""),
                "missing required key `default_language`",
                1,
            ),
            (
                GOOD.replace("\"es\"\n[", "\"fr\"\n["),
                "`default_language` is `fr`",
                3,
            ),
            (
                format!("{GOOD}[build]\nlinks = \"ugly\"\n"),
                "unknown variant `ugly`",
                10,
            ),
            (
                format!("{GOOD}[markdown]\nunsafe = true\n"),
                "unknown key `unsafe`",
                10,
            ),
            (
                format!(
                    "{GOOD}[mirror]\nofficial_hosts = [\"x.org\",\n  \"https://www.x.org/\"]\n"
                ),
                "write `www.x.org`",
                11,
            ),
            (
                format!("{GOOD}[mirror]\nhosts = []\n"),
                "unknown key `hosts`",
                10,
            ),
        ];
        let control = GOOD.replace("title = \"Site\"", "title = \"Si\\u0000te\"");
        let deep = format!("{GOOD}x = {}{}\n", "[".repeat(1000), "]".repeat(1000));
        let cases = cases.into_iter().chain([
            (control, "this text holds the control character U+0000", 8),
            (deep, "nested too deeply", 9),
        ]);
        for (text, expected, line) in cases {
            let (message, got_line, _) = first_error(&text);
            assert!(
                message.contains(expected),
                "{message} should contain {expected}"
            );
            assert_eq!(got_line, line, "{message}");
        }
    }
}
