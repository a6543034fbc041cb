//! Loads a theme folder: Tera templates (syntax errors become positioned diagnostics), UI
//! strings from `i18n/<lang>.toml` (reached through the `t` function) and static files, which are
//! renamed with a content hash so that mirrors can cache them forever (reached through `asset`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::output::hashed_name;
use tera::{Kwargs, State, Tera};

use crate::config::Config;
use crate::diagnostics::{line_col, Diagnostic, Diagnostics, Span};

/// A theme file copied to the output under a hashed name.
#[derive(Debug, Clone)]
pub(crate) struct StaticFile {
    /// Output path, e.g. `static/style.1a2b3c4d.css`.
    pub output: String,
    /// The file in the theme, relative to the site root (for diagnostics).
    pub source: PathBuf,
    pub bytes: Vec<u8>,
}

/// A loaded theme, ready to render. Not part of the model: it holds the template engine.
pub(crate) struct Theme {
    pub tera: Tera,
    pub static_files: Vec<StaticFile>,
    strings: Arc<Strings>,
    default_lang: String,
    /// A key of every file of the theme (`render::keys`).
    fingerprint: u64,
    /// The templates whose output may show the search index's name (`may_show_search_index`).
    search_index_users: BTreeSet<String>,
}

impl Theme {
    /// A key of every file of the theme, so that a changed theme renders every page again.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Whether a page rendered with `template` may contain the search index's name. The name
    /// changes with the text of any page, so a page whose template cannot show it keeps its
    /// render key when another page's text changes (see `search_index_users`).
    pub fn may_show_search_index(&self, template: &str) -> bool {
        self.search_index_users.contains(template)
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// A UI string in `lang`, falling back to the default language; `None` if the theme lacks it.
    pub fn ui(&self, lang: &str, key: &str) -> Option<String> {
        [lang, self.default_lang.as_str()]
            .iter()
            .find_map(|l| self.strings.get(*l).and_then(|m| m.get(key)))
            .cloned()
    }
}

type Strings = BTreeMap<String, BTreeMap<String, String>>;

/// The default theme, built into the binary: a site without a `themes/default/` folder of its
/// own still builds with it, so a new site needs only `site.toml` and `content/`.
static BUILT_IN: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Every file of a theme (path relative to the theme folder → bytes) and the folder that
/// diagnostics name (relative to the site root).
struct ThemeFiles {
    files: BTreeMap<String, Vec<u8>>,
    shown_as: PathBuf,
}

impl ThemeFiles {
    /// The files of `dir` whose path starts with `prefix/`, keyed by the rest of the path.
    fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.files.iter().filter_map(move |(path, bytes)| {
            let rest = path.strip_prefix(prefix)?.strip_prefix('/')?;
            Some((rest, bytes.as_slice()))
        })
    }
}

/// Reads the theme from `config.theme_dir`, or the built-in default theme when the site has no
/// such folder and asks for `default`. Files are found like content files (`walk_files`), so a
/// symbolic link out of the site root is an error and is never read.
fn read_theme_files(config: &Config, diags: &mut Diagnostics) -> anyhow::Result<ThemeFiles> {
    let dir = &config.theme_dir;
    let mut files = BTreeMap::new();
    if !dir.is_dir() {
        if dir.file_name().is_some_and(|n| n == "default") {
            collect_built_in(&BUILT_IN, &mut files);
            return Ok(ThemeFiles {
                files,
                shown_as: PathBuf::from("<built-in theme>"),
            });
        }
        anyhow::bail!(
            "cannot read theme `{}`: the folder does not exist",
            dir.display()
        );
    }
    for found in crate::content::walk::walk_files(
        &config.root,
        dir,
        crate::content::walk::Hidden::Skip,
        diags,
    ) {
        let bytes = std::fs::read(&found.abs)
            .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", found.abs.display()))?;
        files.insert(found.rel, bytes);
    }
    Ok(ThemeFiles {
        files,
        shown_as: dir.strip_prefix(&config.root).unwrap_or(dir).to_path_buf(),
    })
}

fn collect_built_in(dir: &include_dir::Dir<'static>, files: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        files.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        );
    }
    for sub in dir.dirs() {
        collect_built_in(sub, files);
    }
}

/// Loads the theme. Template and i18n problems are diagnostics; `None` when there were any.
pub(crate) fn load_theme(
    config: &Config,
    diags: &mut Diagnostics,
) -> anyhow::Result<Option<Theme>> {
    let before = diags.error_count();
    let theme = read_theme_files(config, diags)?;
    // Templates and strings as loaded, for the carets of their errors.
    for (rel, bytes) in &theme.files {
        if rel.ends_with(".html") || rel.ends_with(".toml") {
            if let Ok(text) = std::str::from_utf8(bytes) {
                diags.add_source(theme.shown_as.join(rel), text);
            }
        }
    }
    let templates = read_templates(&theme, diags);
    let strings = read_strings(config, &theme, diags);
    let static_files = read_static(&theme);
    // The theme's static files are published too: no secret key among them either.
    for file in static_files.values() {
        let shown = crate::diagnostics::display_path(&file.source);
        crate::content::secrets::check_bytes(&shown, &file.bytes, diags);
    }
    if diags.error_count() > before {
        return Ok(None);
    }
    let assets: BTreeMap<String, String> = static_files
        .iter()
        .map(|(rel, file)| (rel.clone(), file.output.clone()))
        .collect();
    let strings = Arc::new(strings);
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_html);
    register_functions(
        &mut tera,
        strings.clone(),
        Arc::new(assets),
        config.default_lang.to_string(),
    );
    if let Err(error) =
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    {
        diags.push(Diagnostic::error(format!(
            "theme templates could not be loaded: {}",
            first_line(&error.to_string())
        )));
        return Ok(None);
    }
    Ok(Some(Theme {
        tera,
        static_files: static_files.into_values().collect(),
        strings,
        default_lang: config.default_lang.to_string(),
        fingerprint: fingerprint(&theme),
        search_index_users: search_index_users(&templates),
    }))
}

fn fingerprint(theme: &ThemeFiles) -> u64 {
    use std::hash::{DefaultHasher, Hash as _, Hasher as _};
    let mut h = DefaultHasher::new();
    theme.files.hash(&mut h);
    h.finish()
}

/// The templates whose output may contain the search index's name: those that name it, or that
/// could reach it without naming it (the whole context through `__tera_context`, or `site` used
/// other than as `site.<field>`, e.g. iterated or encoded whole), and every template that
/// extends, includes or imports one of those (any quoted template name counts as a use; Tera
/// takes template names only as literals). Comments and text outside Tera's tags are ignored.
fn search_index_users(templates: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut users: BTreeSet<String> = templates
        .iter()
        .filter(|(_, text)| tags(text).any(tag_may_show_search_index))
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let more: Vec<String> = templates
            .iter()
            .filter(|(name, _)| !users.contains(*name))
            .filter(|(_, text)| {
                tags(text).any(|tag| users.iter().any(|used| names_template(tag, used)))
            })
            .map(|(name, _)| name.clone())
            .collect();
        if more.is_empty() {
            return users;
        }
        users.extend(more);
    }
}

/// The inside of every `{{ … }}` and `{% … %}` tag of a template (comments `{# … #}` and text
/// left out); a tag's end is looked for outside quoted strings. An unterminated tag runs to the
/// end of the text.
fn tags(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let start = rest.find('{')?;
        let after = &rest[start + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => {
                rest = after.find("#}").map_or("", |end| &after[end + 2..]);
                continue;
            }
            _ => {
                rest = after;
                continue;
            }
        };
        let body = &after[1..];
        let end = tag_end(body, close);
        rest = body.get(end + close.len()..).unwrap_or("");
        return Some(&body[..end.min(body.len())]);
    })
}

/// Where `close` first appears in `body` outside a quoted string (`body.len()` if nowhere).
fn tag_end(body: &str, close: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if body[i..].starts_with(close) => return i,
            None => {}
        }
    }
    body.len()
}

/// Whether a tag may put the search index's name in the output.
fn tag_may_show_search_index(tag: &str) -> bool {
    if tag.contains("search_index") || tag.contains("__tera_context") {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    tag.match_indices("site").any(|(i, _)| {
        let before = tag[..i].chars().next_back();
        let after = &tag[i + "site".len()..];
        if before.is_some_and(word) || after.chars().next().is_some_and(word) {
            return false; // part of another name
        }
        // `site.<field>` reads one field; anything else may reach all of them.
        let field = after.trim_start().strip_prefix('.');
        !field.is_some_and(|f| f.trim_start().chars().next().is_some_and(word))
    })
}

/// Whether a tag names the template `name` in quotes.
fn names_template(tag: &str, name: &str) -> bool {
    ['"', '\'', '`']
        .iter()
        .any(|q| tag.contains(&format!("{q}{name}{q}")))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Reads every template; each one is parsed alone first so that every syntax error is reported.
fn read_templates(theme: &ThemeFiles, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut templates = BTreeMap::new();
    for (name, bytes) in theme.under("templates") {
        let file = theme.shown_as.join("templates").join(name);
        let Ok(text) = String::from_utf8(bytes.to_vec()) else {
            diags.push(
                Diagnostic::error("the template is not valid UTF-8 text").at(Span::file(&file)),
            );
            continue;
        };
        let mut scratch = Tera::new();
        register_functions(&mut scratch, Arc::default(), Arc::default(), String::new());
        if let Err(error) = scratch.add_raw_template(name, &text) {
            if let tera::ErrorKind::SyntaxError(report) = error.kind() {
                let span = report.span();
                diags.push(
                    Diagnostic::error(syntax_message(report.message(), &text, &span.range))
                        .at(Span::new(&file, span.start_line, span.start_col + 1)),
                );
            }
        }
        templates.insert(name.to_string(), text);
    }
    templates
}

/// Tera's syntax message, with the offending tag named when Tera leaves it out.
fn syntax_message(message: &str, text: &str, range: &std::ops::Range<usize>) -> String {
    let found = text.get(range.clone()).unwrap_or_default().trim();
    if message == "Unknown tag" && !found.is_empty() {
        return format!(
            "template syntax error: unknown tag `{found}`; expected a Tera tag such as `if`, `for`, `block`, `set`, `include` or `macro`"
        );
    }
    format!("template syntax error: {message}")
}

/// Reads `i18n/<lang>.toml` for every language (flat `key = "text"` tables). A missing file for
/// a non-default language falls back to the default language's strings.
fn read_strings(config: &Config, theme: &ThemeFiles, diags: &mut Diagnostics) -> Strings {
    let mut strings = Strings::new();
    for language in &config.languages {
        let name = format!("i18n/{}.toml", language.lang);
        let Some(bytes) = theme.files.get(&name) else {
            continue;
        };
        let file = theme.shown_as.join(&name);
        let text = String::from_utf8_lossy(bytes);
        match toml::from_str::<BTreeMap<String, String>>(&text) {
            Ok(map) => {
                diags.extend(crate::config::check_toml_strings(&text, &file));
                strings.insert(language.lang.to_string(), map);
            }
            Err(error) => {
                let (line, col) = error.span().map_or((1, 1), |s| line_col(&text, s.start));
                diags.push(
                    Diagnostic::error(format!("invalid UI strings: {}", error.message()))
                        .at(Span::new(file, line, col)),
                );
            }
        }
    }
    strings
}

/// The theme's `static/` files, keyed by path relative to it; output names carry 8 hex digits
/// of SHA-256.
fn read_static(theme: &ThemeFiles) -> BTreeMap<String, StaticFile> {
    theme
        .under("static")
        .map(|(rel, bytes)| {
            let output = format!("static/{}", hashed_name(rel, bytes));
            (
                rel.to_string(),
                StaticFile {
                    output,
                    source: theme.shown_as.join("static").join(rel),
                    bytes: bytes.to_vec(),
                },
            )
        })
        .collect()
}

/// Tera's own escaping (`&`, `<`, `>`, `"`, `'`), byte for byte the same, but writing the text
/// between those characters in one call instead of one call per byte.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let escaped: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(escaped)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

fn register_functions(
    tera: &mut Tera,
    strings: Arc<Strings>,
    assets: Arc<BTreeMap<String, String>>,
    default_lang: String,
) {
    tera.register_function(
        "t",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let key: String = kwargs.must_get("key")?;
            // `lang=…` asks for another language's string (`og:locale:alternate`).
            let lang: String = match kwargs.get("lang")? {
                Some(lang) => lang,
                None => state.get("lang")?.unwrap_or_else(|| default_lang.clone()),
            };
            [lang.as_str(), default_lang.as_str()]
                .iter()
                .find_map(|l| strings.get(*l).and_then(|m| m.get(&key)))
                .cloned()
                .ok_or_else(|| {
                    tera::Error::message(format!(
                        "unknown UI string `{key}`; add it to the theme's i18n/{lang}.toml"
                    ))
                })
        },
    );
    tera.register_function("asset", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
        let path: String = kwargs.must_get("path")?;
        let root: String = state.get("root")?.unwrap_or_default();
        assets
            .get(path.trim_start_matches('/'))
            .map(|output| format!("{root}{output}"))
            .ok_or_else(|| tera::Error::message(format!("unknown theme asset `{path}`; expected a file under the theme's static/ folder")))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_tera() {
        let inputs = [
            "",
            "plain",
            "&",
            "a < b > c & \"d\" 'e' / ñ — ü",
            "<<>>&&''\"\"",
            "trailing &amp",
        ];
        for input in inputs {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(input, &mut ours).unwrap();
            tera::escape_html(input, &mut teras).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(teras).unwrap(),
                "{input}"
            );
        }
    }

    #[test]
    fn hashed_names_keep_the_extension() {
        let name = hashed_name("style.css", b"body{}");
        assert!(
            name.starts_with("style.")
                && name.ends_with(".css")
                && name.len() == "style..css".len() + 8,
            "{name}"
        );
        assert!(hashed_name("LICENSE", b"x").starts_with("LICENSE."));
        assert_ne!(hashed_name("a.js", b"1"), hashed_name("a.js", b"2"));
    }

    fn users(templates: &[(&str, &str)]) -> Vec<String> {
        let templates = templates
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        search_index_users(&templates).into_iter().collect()
    }

    #[test]
    fn templates_that_may_show_the_search_index_are_found_through_their_uses() {
        let found = users(&[
            ("base.html", "<title>{{ site.title }}</title>{% block main %}{% endblock %}"),
            ("page.html", "{% extends \"base.html\" %}{% block main %}{{ page.content | safe }}{% endblock %}"),
            ("search.html", "{% extends 'base.html' %}<script src=\"{{ site.search_index_url }}\"></script>"),
            ("head.html", "{{ site . search_index_url }}"),
            ("uses-head.html", "{% include \"head.html\" %}"),
            ("uses-uses.html", "{% extends \"uses-head.html\" %}"),
            ("dump.html", "{{ __tera_context }}"),
            ("whole.html", "{{ site | json_encode() }}"),
            ("loop.html", "{% for key, value in site %}{{ value }}{% endfor %}"),
            ("index.html", "{{ site[\"search_\" ~ \"x\"] }}"),
            ("quoted.html", "{{ \"}}\" ~ site | json_encode() }}"),
        ]);
        assert_eq!(
            found,
            [
                "dump.html",
                "head.html",
                "index.html",
                "loop.html",
                "quoted.html",
                "search.html",
                "uses-head.html",
                "uses-uses.html",
                "whole.html"
            ]
        );
    }

    #[test]
    fn text_comments_and_other_names_do_not_count_as_uses() {
        let found = users(&[
            ("a.html", "{# site: search_index_url, __tera_context #}<p>site search_index</p>"),
            ("b.html", "{{ website }}{{ my_site.x }}{{ site_name }}{% for s in site.nav %}{{ s.title }}{% endfor %}"),
            ("d.html", "{% include \"a.html\" %}"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_built_in_theme_shows_the_index_only_on_the_search_page() {
        let mut files = BTreeMap::new();
        collect_built_in(&BUILT_IN, &mut files);
        let templates: BTreeMap<String, String> = files
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("templates/")?;
                Some((name.to_string(), String::from_utf8(bytes.clone()).ok()?))
            })
            .collect();
        let found: Vec<String> = search_index_users(&templates).into_iter().collect();
        assert_eq!(found, ["search.html"]);
    }
}
