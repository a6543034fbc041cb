//! The edited site as the session tests see it: every markdown file as front matter fields and
//! body blocks, the checklist and the asset, rendered to text on demand. Links are kept as
//! targets and written relative to wherever their page lives at the time.

use std::collections::{BTreeMap, BTreeSet};

/// How a front matter block is broken (until `FixFrontMatter` or the final heal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Break {
    UnknownKey,
    BadYaml,
    NoTitle,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Para(String),
    /// A link to a content file (path under `content/`), with an optional `#fragment`.
    Link {
        target: String,
        fragment: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub title: String,
    pub weight: Option<u8>,
    pub slug: Option<String>,
    pub draft: bool,
    pub date: Option<&'static str>,
    pub sectors: bool,
    pub broken: Option<Break>,
    pub body: Vec<Block>,
}

pub const CHECKLIST: &str = "checklists/obra.yaml";
pub const ASSET: &str = "guia/practicas/formato.csv";
/// `site.toml`, as a path under `content/` like the others.
pub const SITE_TOML: &str = "../site.toml";
/// The whole site: markdown files by path under `content/`, and the two other edited files.
#[derive(Debug, Clone)]
pub struct Site {
    pub docs: BTreeMap<String, Doc>,
    pub checklist_question: String,
    /// Whether the question has its English text (else a missing-translation warning).
    pub checklist_question_en: bool,
    pub checklist_related: Vec<String>,
    pub asset: String,
    /// The English site title in `site.toml`.
    pub title_en: String,
    /// Headings removed by `RemoveHeading`, newest last, for `RestoreHeading`.
    pub removed: Vec<(String, usize, Block)>,
    /// A counter that keeps added files and headings unique.
    pub next: usize,
}

pub fn page(title: &str, body: Vec<Block>) -> Doc {
    Doc {
        title: title.to_string(),
        weight: None,
        slug: None,
        draft: false,
        date: None,
        sectors: false,
        broken: None,
        body,
    }
}

pub fn heading(text: &str) -> Block {
    Block::Heading(text.to_string())
}

pub fn para(text: &str) -> Block {
    Block::Para(text.to_string())
}

pub fn link(target: &str, fragment: Option<&str>) -> Block {
    Block::Link {
        target: target.to_string(),
        fragment: fragment.map(str::to_string),
    }
}

impl Site {
    /// The starting site: two languages, a section with a sub-section, a checklist named by a
    /// page's `sectors`, fragment links, a translated page, a draft and an asset.
    pub fn initial() -> Site {
        let mut docs = BTreeMap::new();
        let mut add = |path: &str, doc: Doc| docs.insert(path.to_string(), doc);
        add("_index.md", page("Inicio", vec![para("Bienvenida.")]));
        add("_index.en.md", page("Home", vec![para("Welcome.")]));
        let mut about = page(
            "Acerca",
            vec![
                heading("Leyes"),
                para("Versiones consultadas."),
                link(CHECKLIST, Some("lic-01")),
            ],
        );
        about.date = Some("2026-01-10");
        add("acerca.md", about);
        let mut about_en = page("About", vec![heading("Laws"), para("Versions checked.")]);
        about_en.slug = Some("about".to_string());
        add("acerca.en.md", about_en);
        add("guia/_index.md", page("Guía", vec![para("Los capítulos.")]));
        let mut guide_en = page("Guide", vec![]);
        guide_en.slug = Some("guide".to_string());
        add("guia/_index.en.md", guide_en);
        let mut risks = page(
            "Riesgos de corrupción",
            vec![
                heading("Qué es un riesgo"),
                para("Un riesgo se mide."),
                link("guia/02-codigo.md", Some("detalle")),
                link("acerca.md", Some("leyes")),
                link("guia/01-riesgos.md", Some("que-es-un-riesgo")),
            ],
        );
        risks.date = Some("2026-03-01");
        add("guia/01-riesgos.md", risks);
        let mut risks_en = page(
            "Corruption risks",
            vec![
                heading("What a risk is"),
                para("A risk is measured."),
                link("guia/02-codigo.md", Some("detalle")),
            ],
        );
        risks_en.slug = Some("risks".to_string());
        add("guia/01-riesgos.en.md", risks_en);
        let mut code = page(
            "Código de conducta",
            vec![
                heading("Qué es un riesgo"),
                para("Mismo título que en el capítulo 1."),
                heading("Detalle"),
                para("Texto del detalle."),
                link("guia/practicas/01-compras.md", Some("proveedores")),
            ],
        );
        code.weight = Some(2);
        code.sectors = true;
        add("guia/02-codigo.md", code);
        let mut reports = page(
            "Denuncias",
            vec![heading("Canales"), para("Cómo denunciar.")],
        );
        reports.draft = true;
        add("guia/03-denuncias.md", reports);
        add(
            "guia/04-controles.md",
            page("Controles", vec![heading("Auditoría"), para("Revisiones.")]),
        );
        add(
            "guia/practicas/_index.md",
            page("Prácticas", vec![para("Casos.")]),
        );
        add(
            "guia/practicas/01-compras.md",
            page(
                "Compras",
                vec![
                    heading("Proveedores"),
                    para("Elegir bien."),
                    link("guia/01-riesgos.md", Some("que-es-un-riesgo")),
                ],
            ),
        );
        add(
            "guia/practicas/02-pagos.md",
            page(
                "Pagos",
                vec![
                    heading("Dos firmas"),
                    link("guia/practicas/01-compras.md", None),
                    link(CHECKLIST, Some("pagos")),
                ],
            ),
        );
        add("checklists/_index.md", page("Listas", vec![]));
        Site {
            docs,
            checklist_question: "¿Se documenta cada licitación?".to_string(),
            checklist_question_en: true,
            checklist_related: vec!["guia/01-riesgos.md".to_string()],
            asset: "a,b\n1,2\n".to_string(),
            title_en: "Test site".to_string(),
            removed: Vec::new(),
            next: 1,
        }
    }

    /// Every file the model writes (`site.toml` and all of `content/`) with its text, by path
    /// relative to the site root.
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> = self
            .docs
            .iter()
            .map(|(path, doc)| (path.clone(), render_doc(path, doc)))
            .collect();
        files.insert(CHECKLIST.to_string(), self.render_checklist());
        files.insert(ASSET.to_string(), self.asset.clone());
        files.insert(SITE_TOML.to_string(), self.render_site_toml());
        files
            .into_iter()
            .map(|(path, text)| (root_relative(&path), text))
            .collect()
    }

    /// The fixture's `site.toml`, with the English title of the model.
    fn render_site_toml(&self) -> String {
        format!(
            "title = \"Sitio de prueba\"\n\
             base_url = \"https://integridad.example.gob.mx/\"\n\
             default_language = \"es\"\n\
             \n\
             [languages.es]\n\
             name = \"Español\"\n\
             \n\
             [languages.en]\n\
             name = \"English\"\n\
             title = {}\n",
            quoted(&self.title_en)
        )
    }

    fn render_checklist(&self) -> String {
        let question = match self.checklist_question_en {
            true => format!(
                "{{ es: {}, en: \"Is every tender documented?\" }}",
                quoted(&self.checklist_question)
            ),
            false => quoted(&self.checklist_question),
        };
        let related: Vec<String> = self
            .checklist_related
            .iter()
            .map(|target| relative(CHECKLIST, target))
            .collect();
        format!(
            "title: {{ es: Obra, en: Building }}\n\
             weight: 1\n\
             related: [{}]\n\
             sections:\n\
             \x20 - id: licitaciones\n\
             \x20   title: {{ es: Licitaciones, en: Tenders }}\n\
             \x20   items:\n\
             \x20     - id: lic-01\n\
             \x20       question: {}\n\
             \x20       risk: high\n\
             \x20       element: controls-audit\n\
             \x20 - id: pagos\n\
             \x20   title: {{ es: Pagos, en: Payments }}\n\
             \x20   items:\n\
             \x20     - id: pag-01\n\
             \x20       question: \"¿Se autorizan los pagos por dos personas?\"\n\
             \x20       risk: medium\n",
            related.join(", "),
            question,
        )
    }
}

/// A path under `content/` (or `../site.toml`) as the watcher reports it: relative to the root.
pub fn root_relative(path: &str) -> String {
    match path.strip_prefix("../") {
        Some(outside) => outside.to_string(),
        None => format!("content/{path}"),
    }
}

pub fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "_index.md" || name == "_index.en.md"
}

pub fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// `x.md` → `x.en.md`; a translation maps to itself.
pub fn translation_of(path: &str) -> String {
    if path.ends_with(".en.md") {
        path.to_string()
    } else {
        format!("{}.en.md", path.trim_end_matches(".md"))
    }
}

/// `x.en.md` → `x.md`: links name the default-language file.
pub fn original_of(path: &str) -> String {
    match path.strip_suffix(".en.md") {
        Some(stem) => format!("{stem}.md"),
        None => path.to_string(),
    }
}

/// Folder, language and slug: two pages with the same key would share a URL.
pub fn url_key(path: &str, doc: &Doc) -> (String, bool, String) {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let english = name.ends_with(".en.md");
    let stem = name.trim_end_matches(".md").trim_end_matches(".en");
    let stem = stem.split_once('-').map_or(stem, |(number, rest)| {
        if number.chars().all(|c| c.is_ascii_digit()) {
            rest
        } else {
            stem
        }
    });
    let slug = doc.slug.clone().unwrap_or_else(|| stem.to_string());
    (folder.to_string(), english, slug)
}

/// The heading ids of a page: the SPEC's rule, with `-1`, `-2` … for repeats.
pub fn doc_ids(doc: &Doc) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for block in &doc.body {
        if let Block::Heading(text) = block {
            let base = heading_id(text);
            let mut id = base.clone();
            let mut n = 0;
            while ids.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            ids.insert(id);
        }
    }
    ids
}

/// Lowercase, accents removed, every run of other characters one hyphen, trimmed.
pub fn heading_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_string()
}

/// The path of `target` relative to the folder of `from` (both under `content/`).
fn relative(from: &str, target: &str) -> String {
    let mut from_dir: Vec<&str> = from.split('/').collect();
    from_dir.pop();
    let to: Vec<&str> = target.split('/').collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn render_doc(path: &str, doc: &Doc) -> String {
    let mut out = String::from("---\n");
    if doc.broken != Some(Break::NoTitle) {
        out.push_str(&format!("title: {}\n", quoted(&doc.title)));
    }
    match (doc.broken, doc.weight) {
        (Some(Break::BadYaml), _) => out.push_str("weight: [1\n"),
        (_, Some(weight)) => out.push_str(&format!("weight: {weight}\n")),
        (_, None) => {}
    }
    if doc.broken == Some(Break::UnknownKey) {
        out.push_str("autor: \"Ana\"\n");
    }
    if let Some(slug) = &doc.slug {
        out.push_str(&format!("slug: {slug}\n"));
    }
    if doc.draft {
        out.push_str("draft: true\n");
    }
    if let Some(date) = doc.date {
        out.push_str(&format!("date: {date}\n"));
    }
    if doc.sectors {
        out.push_str("sectors: [obra]\n");
    }
    out.push_str("---\n");
    for block in &doc.body {
        match block {
            Block::Heading(text) => out.push_str(&format!("\n## {text}\n")),
            Block::Para(text) => out.push_str(&format!("\n{text}\n")),
            Block::Link { target, fragment } => {
                let href = relative(path, target);
                let href = match fragment {
                    Some(fragment) => format!("{href}#{fragment}"),
                    None => href,
                };
                out.push_str(&format!("\nVea [el enlace]({href}).\n"));
            }
        }
    }
    out
}

#[test]
fn relative_links_climb_to_the_common_folder() {
    for (from, target, expected) in [
        ("guia/01-a.md", "guia/02-b.md", "02-b.md"),
        ("guia/practicas/01-a.md", "guia/02-b.md", "../02-b.md"),
        (
            "acerca.md",
            "guia/practicas/01-a.md",
            "guia/practicas/01-a.md",
        ),
        ("checklists/obra.yaml", "acerca.md", "../acerca.md"),
    ] {
        assert_eq!(relative(from, target), expected, "{from} → {target}");
    }
}
