//! The edited site as the session tests see it: every markdown file as front matter fields and
//! body blocks, the checklist and the asset, rendered to text on demand. An edit changes the
//! model and returns the files it touched; links are kept as targets and written relative to
//! wherever their page lives now.

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

/// Which of the files (or folders, or headings) that exist when an edit is applied it works on,
/// so that any sequence of edits applies to any state.
#[derive(Debug, Clone)]
pub enum Pick {
    /// The n-th, modulo how many there are.
    Nth(usize),
    /// This one (scripted steps); it must exist.
    Named(&'static str),
}

/// One edit, as an editor would make it.
#[derive(Debug, Clone)]
pub enum Edit {
    AddParagraph {
        doc: Pick,
        variant: u8,
    },
    AddHeading {
        doc: Pick,
        variant: u8,
    },
    RemoveHeading {
        doc: Pick,
        which: Pick,
    },
    RestoreHeading,
    Title {
        doc: Pick,
        variant: u8,
    },
    Weight {
        doc: Pick,
        weight: Option<u8>,
    },
    Slug {
        doc: Pick,
        slug: Option<u8>,
    },
    Draft {
        doc: Pick,
    },
    Rename {
        page: Pick,
        to: Option<Pick>,
        fix_links: bool,
    },
    Delete {
        page: Pick,
        fix_links: bool,
    },
    Add {
        section: Pick,
        link_to: Option<Pick>,
        prefix: u8,
    },
    Translation {
        doc: Pick,
    },
    SectionTitle {
        index: Pick,
        variant: u8,
    },
    ChecklistItem {
        variant: u8,
    },
    BreakFrontMatter {
        doc: Pick,
        how: Break,
    },
    FixFrontMatter,
    AddMissingLink {
        doc: Pick,
    },
    RemoveBrokenLinks,
    Asset {
        variant: u8,
    },
}

pub const CHECKLIST: &str = "checklists/obra.yaml";
pub const ASSET: &str = "guia/practicas/formato.csv";
/// Folders a page may be added to or moved to.
const FOLDERS: &[&str] = &["", "guia", "guia/practicas"];
const SLUGS: &[&str] = &["uno", "dos", "riesgos"];
const TITLES: &[&str] = &[
    "Riesgos",
    "Código de conducta",
    "Pagos \"seguros\"",
    "Ética & cumplimiento <b>",
    "¿Qué hacer?",
];
const PARAGRAPHS: &[&str] = &[
    "Texto nuevo del apartado.",
    "Un párrafo con **énfasis**, `código` y \"comillas\" -- y más.",
    "- primero\n- segundo\n- tercero",
    "| a | b |\n|---|---|\n| 1 | 2 |",
];

/// The whole site: markdown files by path under `content/`, and the two other edited files.
#[derive(Debug, Clone)]
pub struct Site {
    pub docs: BTreeMap<String, Doc>,
    pub checklist_question: String,
    pub checklist_related: Vec<String>,
    pub asset: String,
    /// Headings removed by `RemoveHeading`, newest last, for `RestoreHeading`.
    removed: Vec<(String, usize, Block)>,
    /// A counter that keeps added files and headings unique.
    next: usize,
}

fn page(title: &str, body: Vec<Block>) -> Doc {
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

fn heading(text: &str) -> Block {
    Block::Heading(text.to_string())
}

fn para(text: &str) -> Block {
    Block::Para(text.to_string())
}

fn link(target: &str, fragment: Option<&str>) -> Block {
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
            checklist_related: vec!["guia/01-riesgos.md".to_string()],
            asset: "a,b\n1,2\n".to_string(),
            removed: Vec::new(),
            next: 1,
        }
    }

    /// Every file of `content/` with its text, by path under `content/`.
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> = self
            .docs
            .iter()
            .map(|(path, doc)| (path.clone(), render_doc(path, doc)))
            .collect();
        files.insert(CHECKLIST.to_string(), self.render_checklist());
        files.insert(ASSET.to_string(), self.asset.clone());
        files
    }

    fn render_checklist(&self) -> String {
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
             \x20       question: {{ es: {}, en: \"Is every tender documented?\" }}\n\
             \x20       risk: high\n\
             \x20       element: controls-audit\n\
             \x20 - id: pagos\n\
             \x20   title: {{ es: Pagos, en: Payments }}\n\
             \x20   items:\n\
             \x20     - id: pag-01\n\
             \x20       question: \"¿Se autorizan los pagos por dos personas?\"\n\
             \x20       risk: medium\n",
            related.join(", "),
            quoted(&self.checklist_question),
        )
    }

    /// Applies `edit` and returns the files it touched (paths under `content/`), sorted.
    pub fn apply(&mut self, edit: &Edit) -> Vec<String> {
        let mut touched = BTreeSet::new();
        self.apply_into(edit, &mut touched);
        touched.into_iter().collect()
    }

    fn apply_into(&mut self, edit: &Edit, touched: &mut BTreeSet<String>) {
        match edit {
            Edit::AddParagraph { doc, variant } => {
                let path = pick(self.doc_paths(), doc);
                let text = PARAGRAPHS[usize::from(*variant) % PARAGRAPHS.len()];
                self.doc(&path).body.push(para(text));
                touched.insert(path);
            }
            Edit::AddHeading { doc, variant } => {
                let path = pick(self.doc_paths(), doc);
                let n = self.bump();
                let text = match variant % 3 {
                    0 => format!("Apartado {n}"),
                    1 => format!("¿Sección {n}?"),
                    // A repeated heading: its id gets a numeric suffix.
                    _ => "Detalle".to_string(),
                };
                self.doc(&path).body.push(Block::Heading(text));
                touched.insert(path);
            }
            Edit::RemoveHeading { doc, which } => {
                let path = pick(self.doc_paths(), doc);
                let body = &mut self.doc(&path).body;
                let headings: Vec<String> = body
                    .iter()
                    .filter_map(|b| match b {
                        Block::Heading(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                if !headings.is_empty() {
                    let text = pick(headings, which);
                    let at = body
                        .iter()
                        .position(|b| *b == Block::Heading(text.clone()))
                        .expect("a heading of this page");
                    let block = body.remove(at);
                    self.removed.push((path.clone(), at, block));
                    touched.insert(path);
                }
            }
            Edit::RestoreHeading => {
                if let Some((path, at, block)) = self.removed.pop() {
                    if let Some(doc) = self.docs.get_mut(&path) {
                        let at = at.min(doc.body.len());
                        doc.body.insert(at, block);
                        touched.insert(path);
                    }
                }
            }
            Edit::Title { doc, variant } => {
                let path = pick(self.doc_paths(), doc);
                let n = self.bump();
                let title = TITLES[usize::from(*variant) % TITLES.len()];
                self.doc(&path).title = format!("{title} {n}");
                touched.insert(path);
            }
            Edit::Weight { doc, weight } => {
                let path = pick(self.doc_paths(), doc);
                self.doc(&path).weight = weight.map(|w| w % 6);
                touched.insert(path);
            }
            Edit::Slug { doc, slug } => {
                let path = pick(self.page_paths(true), doc);
                let slug = slug.map(|s| SLUGS[usize::from(s) % SLUGS.len()].to_string());
                self.doc(&path).slug = slug;
                touched.insert(path);
            }
            Edit::Draft { doc } => {
                let path = pick(self.page_paths(true), doc);
                let doc = self.doc(&path);
                doc.draft = !doc.draft;
                touched.insert(path);
            }
            Edit::Rename {
                page,
                to,
                fix_links,
            } => self.rename(page, to.as_ref(), *fix_links, touched),
            Edit::Delete { page, fix_links } => {
                let paths = self.page_paths(false);
                if paths.is_empty() {
                    return;
                }
                let path = pick(paths, page);
                let translation = translation_of(&path);
                for gone in [&path, &translation] {
                    if self.docs.remove(gone).is_some() {
                        touched.insert(gone.clone());
                    }
                }
                if *fix_links {
                    self.retarget(&path, None, touched);
                }
            }
            Edit::Add {
                section,
                link_to,
                prefix,
            } => {
                let folder = pick(FOLDERS.iter().map(|f| f.to_string()).collect(), section);
                let n = self.bump();
                let path = join(&folder, &format!("0{}-nuevo-{n}.md", prefix % 9 + 1));
                let mut body = vec![heading(&format!("Nuevo {n}")), para("Texto nuevo.")];
                if let Some(to) = link_to {
                    let target = original_of(&pick(self.doc_paths(), to));
                    let fragment = self.docs.get(&target).and_then(|doc| {
                        doc.body.iter().find_map(|b| match b {
                            Block::Heading(text) => Some(heading_id(text)),
                            _ => None,
                        })
                    });
                    body.push(Block::Link { target, fragment });
                }
                self.docs
                    .insert(path.clone(), page(&format!("Nuevo {n}"), body));
                touched.insert(path);
            }
            Edit::Translation { doc } => {
                let originals: Vec<String> = self
                    .doc_paths()
                    .into_iter()
                    .filter(|p| !p.ends_with(".en.md"))
                    .collect();
                let path = pick(originals, doc);
                let translation = translation_of(&path);
                if self.docs.remove(&translation).is_none() {
                    // An untranslated copy keeps the headings, so fragment links still resolve.
                    let mut copy = self.docs[&path].clone();
                    copy.title = format!("{} (en)", copy.title);
                    copy.slug = None;
                    copy.broken = None;
                    self.docs.insert(translation.clone(), copy);
                }
                touched.insert(translation);
            }
            Edit::SectionTitle { index, variant } => {
                let indexes: Vec<String> = self
                    .doc_paths()
                    .into_iter()
                    .filter(|p| is_index(p))
                    .collect();
                let path = pick(indexes, index);
                let n = self.bump();
                let title = TITLES[usize::from(*variant) % TITLES.len()];
                self.doc(&path).title = format!("{title} {n}");
                touched.insert(path);
            }
            Edit::ChecklistItem { variant } => {
                let n = self.bump();
                let title = TITLES[usize::from(*variant) % TITLES.len()];
                self.checklist_question = format!("¿{title} {n}?");
                touched.insert(CHECKLIST.to_string());
            }
            Edit::BreakFrontMatter { doc, how } => {
                let path = pick(self.doc_paths(), doc);
                self.doc(&path).broken = Some(*how);
                touched.insert(path);
            }
            Edit::FixFrontMatter => {
                for (path, doc) in &mut self.docs {
                    if doc.broken.take().is_some() {
                        touched.insert(path.clone());
                    }
                }
            }
            Edit::AddMissingLink { doc } => {
                let path = pick(self.doc_paths(), doc);
                self.doc(&path).body.push(link("guia/no-existe.md", None));
                touched.insert(path);
            }
            Edit::RemoveBrokenLinks => self.remove_broken_links(touched),
            Edit::Asset { variant } => {
                self.asset = format!("a,b\n{variant},{}\n", self.bump());
                touched.insert(ASSET.to_string());
            }
        }
    }

    fn rename(
        &mut self,
        page: &Pick,
        to: Option<&Pick>,
        fix_links: bool,
        touched: &mut BTreeSet<String>,
    ) {
        let paths = self.page_paths(false);
        if paths.is_empty() {
            return;
        }
        let old = pick(paths, page);
        let folder = match to {
            Some(to) => pick(FOLDERS.iter().map(|f| f.to_string()).collect(), to),
            None => old.rsplit_once('/').map_or("", |(dir, _)| dir).to_string(),
        };
        let n = self.bump();
        let new = join(&folder, &format!("05-movido-{n}.md"));
        for (from, to) in [
            (old.clone(), new.clone()),
            (translation_of(&old), translation_of(&new)),
        ] {
            if let Some(doc) = self.docs.remove(&from) {
                self.docs.insert(to.clone(), doc);
                touched.insert(from);
                touched.insert(to);
            }
        }
        if fix_links {
            self.retarget(&old, Some(&new), touched);
        }
    }

    /// Points every link (and checklist reference) to `old` at `new`, or drops it.
    fn retarget(&mut self, old: &str, new: Option<&str>, touched: &mut BTreeSet<String>) {
        for (path, doc) in &mut self.docs {
            let before = doc.body.len();
            let mut changed = false;
            doc.body.retain_mut(|block| match block {
                Block::Link { target, .. } if target == old => match new {
                    Some(new) => {
                        *target = new.to_string();
                        changed = true;
                        true
                    }
                    None => false,
                },
                _ => true,
            });
            if changed || doc.body.len() != before {
                touched.insert(path.clone());
            }
        }
        let before = self.checklist_related.clone();
        self.checklist_related = before
            .iter()
            .filter_map(|t| match (t == old, new) {
                (true, Some(new)) => Some(new.to_string()),
                (true, None) => None,
                (false, _) => Some(t.clone()),
            })
            .collect();
        if self.checklist_related != before {
            touched.insert(CHECKLIST.to_string());
        }
    }

    /// Undoes every error the edits can cause: broken front matter, links to missing pages or
    /// fragments, and slugs two pages of a folder share. Afterwards the site builds.
    pub fn heal(&mut self) -> Vec<String> {
        let mut touched = BTreeSet::new();
        self.apply_into(&Edit::FixFrontMatter, &mut touched);
        self.remove_broken_links(&mut touched);
        self.clear_shared_slugs(&mut touched);
        touched.into_iter().collect()
    }

    fn remove_broken_links(&mut self, touched: &mut BTreeSet<String>) {
        let ids: BTreeMap<String, BTreeSet<String>> = self
            .docs
            .iter()
            .map(|(path, doc)| (path.clone(), doc_ids(doc)))
            .collect();
        let resolves = |from: &str, target: &str, fragment: &Option<String>| {
            if target == CHECKLIST {
                return true;
            }
            // A link resolves to the target in the linking page's language, else the default.
            let localized = if from.ends_with(".en.md") {
                translation_of(target)
            } else {
                target.to_string()
            };
            let found = ids.get(&localized).or_else(|| ids.get(target));
            match (found, fragment) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(ids), Some(fragment)) => ids.contains(fragment),
            }
        };
        for (path, doc) in &mut self.docs {
            let before = doc.body.len();
            doc.body.retain(|block| match block {
                Block::Link { target, fragment } => resolves(path, target, fragment),
                _ => true,
            });
            if doc.body.len() != before {
                touched.insert(path.clone());
            }
        }
        let before = self.checklist_related.len();
        let docs = &self.docs;
        self.checklist_related.retain(|t| docs.contains_key(t));
        if self.checklist_related.len() != before {
            touched.insert(CHECKLIST.to_string());
        }
    }

    fn clear_shared_slugs(&mut self, touched: &mut BTreeSet<String>) {
        let mut seen: BTreeMap<(String, bool, String), usize> = BTreeMap::new();
        for (path, doc) in &self.docs {
            if !is_index(path) {
                *seen.entry(url_key(path, doc)).or_default() += 1;
            }
        }
        for (path, doc) in &mut self.docs {
            if !is_index(path) && doc.slug.is_some() && seen[&url_key(path, doc)] > 1 {
                doc.slug = None;
                touched.insert(path.clone());
            }
        }
    }

    fn doc(&mut self, path: &str) -> &mut Doc {
        self.docs
            .get_mut(path)
            .expect("a path picked from the model")
    }

    fn bump(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    /// Every markdown file, sections and translations included.
    fn doc_paths(&self) -> Vec<String> {
        self.docs.keys().cloned().collect()
    }

    /// The pages (no section files); with `translations`, their translations too.
    fn page_paths(&self, translations: bool) -> Vec<String> {
        self.docs
            .keys()
            .filter(|p| !is_index(p) && (translations || !p.ends_with(".en.md")))
            .cloned()
            .collect()
    }
}

fn pick(mut names: Vec<String>, pick: &Pick) -> String {
    match pick {
        Pick::Nth(n) => names.swap_remove(n % names.len()),
        Pick::Named(name) => {
            assert!(
                names.iter().any(|p| p == name),
                "no `{name}` among {names:?}"
            );
            name.to_string()
        }
    }
}

fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "_index.md" || name == "_index.en.md"
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// `x.md` → `x.en.md`; a translation maps to itself.
fn translation_of(path: &str) -> String {
    if path.ends_with(".en.md") {
        path.to_string()
    } else {
        format!("{}.en.md", path.trim_end_matches(".md"))
    }
}

/// `x.en.md` → `x.md`: links name the default-language file.
fn original_of(path: &str) -> String {
    match path.strip_suffix(".en.md") {
        Some(stem) => format!("{stem}.md"),
        None => path.to_string(),
    }
}

/// Folder, language and slug: two pages with the same key would share a URL.
fn url_key(path: &str, doc: &Doc) -> (String, bool, String) {
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
fn doc_ids(doc: &Doc) -> BTreeSet<String> {
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
