//! `integridad new chapter|checklist NAME`: writes one scaffold file that passes `check` (SPEC
//! "Content", "Sector checklists") in the right folder. It creates the file exclusively and
//! never overwrites or touches any other file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::Config;
use crate::content::page::{is_valid_slug, slug_from_name, slugify};

mod translation;

/// What `new` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scaffold {
    /// `content/<section>/NN-<slug>.md`, named after its title (`section` is `toolkit` by default).
    Chapter { section: String },
    /// `<from stem>.<lang>.md` beside `from` (an absolute path to a default-language page):
    /// the translation, with the source's weight and date and a slug from its title.
    Translation { lang: String, from: PathBuf },
    /// `content/checklists/<id>.yaml`.
    Checklist,
}

/// Creates the scaffold and returns its path. Errors: a broken `site.toml`, an unusable name, an
/// existing file or chapter slug (nothing is overwritten), or I/O.
pub(crate) fn new_file(root: &Path, scaffold: &Scaffold, name: &str) -> anyhow::Result<PathBuf> {
    let config = match crate::config::load_config(root)? {
        Ok(config) => config,
        Err(_) => anyhow::bail!("site.toml has errors; run `integridad check` to see them"),
    };
    let (path, text) = match scaffold {
        Scaffold::Chapter { section } => {
            let dir = section_dir(&config, section)?;
            chapter(&config, &dir, name, &today())?
        }
        Scaffold::Translation { lang, from } => {
            translation::translation(&config, lang, from, name)?
        }
        Scaffold::Checklist => checklist(&config, name)?,
    };
    let dir = path.parent().context("scaffold paths have a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            anyhow::bail!("`{}` already exists; it was left as it is", shown.display())
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot create `{}`", path.display()))
        }
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

fn spanish(config: &Config) -> bool {
    config.default_lang.as_str() == "es"
}

/// The folder of `--section` under `content/`: `/`-separated folder names, none hidden or `..`.
fn section_dir(config: &Config, section: &str) -> anyhow::Result<String> {
    let section = section.trim().trim_matches('/');
    let valid = !section.is_empty()
        && section.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && !segment.contains('\\')
                && !slug_from_name(segment).is_empty()
        });
    if !valid || section == "checklists" {
        anyhow::bail!(
            "`--section {section}` is not a folder for chapters under `content/`; use a folder name such as `toolkit`"
        );
    }
    // Each folder on the way must be a plain folder: a link could lead out of the site.
    let mut at = config.content_dir.clone();
    for segment in section.split('/') {
        at.push(segment);
        if std::fs::symlink_metadata(&at).is_ok_and(|meta| meta.file_type().is_symlink()) {
            anyhow::bail!(
                "`content/{section}` leads through the symbolic link `{}`; new files are written only into plain folders of `content/`",
                at.strip_prefix(&config.root).unwrap_or(&at).display()
            );
        }
    }
    if !config.content_dir.join(section).is_dir() {
        anyhow::bail!(
            "`content/{section}` does not exist; create the folder (with an `_index.md`) first, or choose another --section"
        );
    }
    Ok(section.to_string())
}

/// Path and text of a new chapter titled `name`, numbered after the last one in `content/<section>/`.
fn chapter(
    config: &Config,
    section: &str,
    name: &str,
    date: &str,
) -> anyhow::Result<(PathBuf, String)> {
    let title = name.trim();
    if title.is_empty() || title.chars().any(char::is_control) {
        anyhow::bail!("a chapter needs a one-line title, e.g. `integridad new chapter \"Regalos y hospitalidad\"`");
    }
    let slug = slugify(title);
    if !title.chars().any(char::is_alphanumeric) || !is_valid_slug(&slug) {
        anyhow::bail!(
            "the title `{title}` gives no usable file name; use Latin letters or digits in it"
        );
    }
    let dir = config.content_dir.join(section);
    let mut last = 0u32;
    for existing in markdown_files(&dir)? {
        let stem = existing.strip_suffix(".md").unwrap_or(&existing);
        let (base, translation) = stem
            .split_once('.')
            .map_or((stem, false), |(b, _)| (b, true));
        if let Some(n) = base
            .split_once('-')
            .and_then(|(n, _)| n.parse::<u32>().ok())
        {
            last = last.max(n);
        }
        if !translation && slug_from_name(base) == slug {
            anyhow::bail!(
                "`content/{section}/{existing}` already uses the slug `{slug}`; choose another title"
            );
        }
    }
    let number = last + 1;
    let path = dir.join(format!("{number:02}-{slug}.md"));
    let body = if spanish(config) {
        "Escriba aquí el contenido del capítulo. Use `##` para los apartados."
    } else {
        "Write the chapter here. Use `##` for its sections."
    };
    let text = format!(
        "---\ntitle: {}\ndescription: \"\"\nweight: {number}\ndate: {date}\n---\n\n{body}\n",
        quoted(title)
    );
    Ok((path, text))
}

/// File names of the markdown files in `dir` (none when it does not exist yet).
fn markdown_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read `{}`", dir.display()))
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md")
            && !name.starts_with('_')
            && !crate::content::is_ignored_name(&name)
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Path and text of a checklist skeleton named `name`: an id as it is (`mineria`), or any title,
/// from which the id is made (`Transporte Público` → `transporte-publico`, with the title kept as
/// written). Every key, one section, one example item, each text in every language of the site.
fn checklist(config: &Config, name: &str) -> anyhow::Result<(PathBuf, String)> {
    let name = name.trim();
    let name = [".yaml", ".yml"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name);
    let is_id = |id: &str| {
        !id.is_empty()
            && !id.starts_with('-')
            && !id.ends_with('-')
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let looks_like_path = name.contains(['/', '\\']) || name.starts_with(['.', '_']);
    let id = if is_id(name) {
        name.to_string()
    } else {
        slugify(name)
    };
    if looks_like_path || !name.chars().any(char::is_alphanumeric) || !is_id(&id) {
        anyhow::bail!(
            "cannot make a checklist id from `{name}`; give a title such as `\"Transporte público\"` or an id of lowercase letters, digits and `-`, such as `transporte-publico`"
        );
    }
    let id = id.as_str();
    let dir = config.content_dir.join("checklists");
    for other in ["yml", "yaml"] {
        if dir.join(format!("{id}.{other}")).exists() {
            anyhow::bail!("`content/checklists/{id}.{other}` already exists; it was left as it is");
        }
    }
    let weight = std::fs::read_dir(&dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".yaml"))
            .count()
    }) + 1;
    let title = if name == id {
        let words: String = id.split('-').collect::<Vec<_>>().join(" ");
        let mut chars = words.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    } else {
        name.to_string()
    };
    let langs: Vec<String> = config
        .languages
        .iter()
        .map(|l| l.lang.to_string())
        .collect();
    let localized = |indent: &str, es: &str, other: &str| -> String {
        langs
            .iter()
            .map(|lang| {
                format!(
                    "\n{indent}{lang}: {}",
                    quoted(if lang == "es" { es } else { other })
                )
            })
            .collect()
    };
    let text = format!(
        "title:{title}\ndescription:{description}\nkind: sector                    # sector | process\nweight: {weight}\nrelated: []\nsections:\n  - id: general\n    \
         title:{section}\n    items:\n      - id: {id}-01\n        question:{question}\n        guidance:{guidance}\n        \
         risk: medium                  # high | medium | low\n        \
         # element: code-of-conduct    # optional: procedures-manual, code-of-conduct, controls-audit,\n        \
         #                             # whistleblowing, training, hr-policies, transparency\n        \
         references: []\n",
        title = localized("  ", &title, &title),
        description = localized(
            "  ",
            "Para quién es esta autoevaluación y qué revisa.",
            "Who this self-assessment is for and what it covers."
        ),
        section = localized("      ", "Generales", "General"),
        question = localized(
            "          ",
            "¿La empresa tiene un código de conducta por escrito que todo el personal conoce?",
            "Does the company have a written code of conduct that all staff know?"
        ),
        guidance = localized(
            "          ",
            "Se cumple si la dirección aprobó el código, cada persona recibió una copia y se revisa cada año. Compruébelo pidiendo el documento y las constancias de entrega.",
            "It is met when management approved the code, every employee received a copy and it is reviewed every year. Check it by asking for the document and the signed receipts."
        ),
    );
    Ok((dir.join(format!("{id}.yaml")), text))
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
pub(crate) fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Today's date (UTC) as `YYYY-MM-DD`. A scaffold may use the clock; build output never does.
pub(crate) fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        let cases = [
            (0, (1970, 1, 1)),
            (59, (1970, 3, 1)),
            (11_016, (2000, 2, 29)),
            (20_785, (2026, 11, 28)),
            (-1, (1969, 12, 31)),
        ];
        for (days, expected) in cases {
            assert_eq!(civil_from_days(days), expected, "{days}");
        }
    }

    #[test]
    fn titles_are_quoted_yaml() {
        assert_eq!(quoted("Regalos: \"sí\" o no"), r#""Regalos: \"sí\" o no""#);
    }

    fn config(dir: &Path) -> Config {
        std::fs::write(
            dir.join("site.toml"),
            "title = \"T\"\nbase_url = \"https://e.org/\"\ndefault_language = \"es\"\n[languages.es]\nname = \"Español\"\n[languages.en]\nname = \"English\"\n",
        )
        .expect("site.toml");
        crate::config::load_config(dir)
            .expect("read")
            .expect("valid")
    }

    #[test]
    fn chapters_take_the_next_number_and_refuse_a_used_slug() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config(dir.path());
        let (path, text) =
            chapter(&config, "toolkit", "¿Qué es la integridad?", "2026-01-02").expect("first");
        assert!(
            path.ends_with("content/toolkit/01-que-es-la-integridad.md"),
            "{}",
            path.display()
        );
        assert!(text.starts_with("---\ntitle: \"¿Qué es la integridad?\"\ndescription: \"\"\nweight: 1\ndate: 2026-01-02\n---\n"), "{text}");
        let toolkit = dir.path().join("content/toolkit");
        std::fs::create_dir_all(&toolkit).expect("mkdir");
        for name in [
            "_index.md",
            "09-glosario.md",
            "09-glosario.en.md",
            "10-otro.md~",
        ] {
            std::fs::write(toolkit.join(name), "").expect("write");
        }
        let (path, _) = chapter(&config, "toolkit", "Regalos", "2026-01-02").expect("next");
        assert!(
            path.ends_with("content/toolkit/10-regalos.md"),
            "{}",
            path.display()
        );
        let error = chapter(&config, "toolkit", "Glosario", "2026-01-02")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("already uses the slug `glosario`"),
            "{error}"
        );
        for bad in ["", "  ", "¿?", "dos\nlíneas", "Ελληνικά"] {
            assert!(
                chapter(&config, "toolkit", bad, "2026-01-02").is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn checklist_ids_are_checked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config(dir.path());
        let (path, text) = checklist(&config, "mineria").expect("valid");
        assert!(path.ends_with("content/checklists/mineria.yaml"));
        assert!(
            text.starts_with("title:\n  es: \"Mineria\"\n  en: \"Mineria\"\n"),
            "{text}"
        );
        let (path, text) = checklist(&config, "Transporte Público").expect("a title");
        assert!(path.ends_with("content/checklists/transporte-publico.yaml"));
        assert!(
            text.starts_with("title:\n  es: \"Transporte Público\"\n"),
            "{text}"
        );
        assert!(text.contains("- id: transporte-publico-01\n"), "{text}");
        let (path, _) = checklist(&config, "mineria.yaml").expect("an id with its extension");
        assert!(path.ends_with("content/checklists/mineria.yaml"));
        for bad in ["", "¿?", "../x", "a/b", "-", "_index", ".oculta"] {
            assert!(checklist(&config, bad).is_err(), "{bad:?}");
        }
    }
}
