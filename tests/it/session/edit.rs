//! The edits of the session tests, as an editor makes them, and how each changes the model:
//! which files it touches, and how `heal` undoes every error they can leave.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{
    doc_ids, heading, heading_id, is_index, join, link, original_of, page, para, root_relative,
    translation_of, url_key, Block, Break, Doc, Site, ASSET, CHECKLIST, SITE_TOML,
};

/// Which of the files (or folders, or headings) that exist when an edit is applied it works on,
/// so that any sequence of edits applies to any state.
#[derive(Debug, Clone)]
pub enum Pick {
    /// The n-th, modulo how many there are.
    Nth(usize),
    /// This one (scripted steps); it must exist.
    Named(&'static str),
}

/// One edit. `variant`s choose among fixed texts; `fix_links` says whether the editor also
/// updates the links to a renamed or deleted page (touching those files) or leaves them broken.
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
    /// Puts back the heading removed last, where it was.
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
    /// Turns `draft` on or off.
    Draft {
        doc: Pick,
    },
    /// A page (with its translation) to a new name, in its folder or another.
    Rename {
        page: Pick,
        to: Option<Pick>,
        fix_links: bool,
    },
    /// A page with its translation.
    Delete {
        page: Pick,
        fix_links: bool,
    },
    /// A new page, maybe linking to a heading of another.
    Add {
        folder: Pick,
        link_to: Option<Pick>,
        prefix: u8,
    },
    /// Adds `x.en.md` (a copy of `x.md`) when missing, removes it when present.
    Translation {
        doc: Pick,
    },
    SectionTitle {
        index: Pick,
        variant: u8,
    },
    /// The text of a checklist item; odd variants leave out its English text (a warning).
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
    /// Removes every link to a missing page or fragment.
    RemoveBrokenLinks,
    Asset {
        variant: u8,
    },
    /// The English site title in `site.toml`: every English page shows it.
    SiteTitle {
        variant: u8,
    },
}

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
    // Raw HTML is escaped with a warning.
    "Un <span>fragmento</span> de HTML.",
    "Con nota[^n].\n\n[^n]: La nota.",
];

fn choose<'a>(texts: &[&'a str], variant: u8) -> &'a str {
    texts[usize::from(variant) % texts.len()]
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

fn pick_folder(folder: &Pick) -> String {
    pick(FOLDERS.iter().map(|f| f.to_string()).collect(), folder)
}

impl Site {
    /// Applies `edit` and returns the files it touched (relative to the site root), sorted.
    pub fn apply(&mut self, edit: &Edit) -> Vec<String> {
        let mut touched = BTreeSet::new();
        self.apply_into(edit, &mut touched);
        touched.iter().map(|p| root_relative(p)).collect()
    }

    /// Undoes every error the edits can cause: broken front matter, links to missing pages or
    /// fragments, and slugs two pages of a folder share. Afterwards the site builds.
    pub fn heal(&mut self) -> Vec<String> {
        let mut touched = BTreeSet::new();
        self.apply_into(&Edit::FixFrontMatter, &mut touched);
        self.remove_broken_links(&mut touched);
        self.clear_shared_slugs(&mut touched);
        touched.iter().map(|p| root_relative(p)).collect()
    }

    fn apply_into(&mut self, edit: &Edit, touched: &mut BTreeSet<String>) {
        let n = self.bump();
        match edit {
            Edit::AddParagraph { doc, variant } => {
                let text = choose(PARAGRAPHS, *variant);
                self.change(self.docs(), doc, touched, |d| d.body.push(para(text)));
            }
            Edit::AddHeading { doc, variant } => {
                let text = match variant % 3 {
                    0 => format!("Apartado {n}"),
                    1 => format!("¿Sección {n}?"),
                    // A repeated heading: its id gets a numeric suffix.
                    _ => "Detalle".to_string(),
                };
                self.change(self.docs(), doc, touched, |d| d.body.push(heading(&text)));
            }
            Edit::RemoveHeading { doc, which } => self.remove_heading(doc, which, touched),
            Edit::RestoreHeading => self.restore_heading(touched),
            Edit::Title { doc, variant } => {
                let title = format!("{} {n}", choose(TITLES, *variant));
                self.change(self.docs(), doc, touched, |d| d.title = title);
            }
            Edit::Weight { doc, weight } => {
                self.change(self.docs(), doc, touched, |d| {
                    d.weight = weight.map(|w| w % 6)
                });
            }
            Edit::Slug { doc, slug } => {
                let slug = slug.map(|s| choose(SLUGS, s).to_string());
                self.change(self.pages_and_translations(), doc, touched, |d| {
                    d.slug = slug
                });
            }
            Edit::Draft { doc } => {
                self.change(self.pages_and_translations(), doc, touched, |d| {
                    d.draft = !d.draft
                });
            }
            Edit::Rename {
                page,
                to,
                fix_links,
            } => self.rename(page, to.as_ref(), *fix_links, touched),
            Edit::Delete { page, fix_links } => self.delete(page, *fix_links, touched),
            Edit::Add {
                folder,
                link_to,
                prefix,
            } => {
                let path = join(
                    &pick_folder(folder),
                    &format!("0{}-nuevo-{n}.md", prefix % 9 + 1),
                );
                let mut body = vec![heading(&format!("Nuevo {n}")), para("Texto nuevo.")];
                body.extend(link_to.as_ref().map(|to| self.link_to_first_heading(to)));
                self.docs
                    .insert(path.clone(), page(&format!("Nuevo {n}"), body));
                touched.insert(path);
            }
            Edit::Translation { doc } => self.toggle_translation(doc, touched),
            Edit::SectionTitle { index, variant } => {
                let indexes = self.docs().into_iter().filter(|p| is_index(p)).collect();
                let title = format!("{} {n}", choose(TITLES, *variant));
                self.change(indexes, index, touched, |d| d.title = title);
            }
            Edit::ChecklistItem { variant } => {
                self.checklist_question = format!("¿{} {n}?", choose(TITLES, *variant));
                self.checklist_question_en = variant % 2 == 0;
                touched.insert(CHECKLIST.to_string());
            }
            Edit::BreakFrontMatter { doc, how } => {
                self.change(self.docs(), doc, touched, |d| d.broken = Some(*how));
            }
            Edit::FixFrontMatter => {
                for (path, doc) in &mut self.docs {
                    if doc.broken.take().is_some() {
                        touched.insert(path.clone());
                    }
                }
            }
            Edit::AddMissingLink { doc } => {
                let missing = link("guia/no-existe.md", None);
                self.change(self.docs(), doc, touched, |d| d.body.push(missing));
            }
            Edit::RemoveBrokenLinks => self.remove_broken_links(touched),
            Edit::Asset { variant } => {
                self.asset = format!("a,b\n{variant},{n}\n");
                touched.insert(ASSET.to_string());
            }
            Edit::SiteTitle { variant } => {
                self.title_en = format!("{} {n}", choose(TITLES, *variant));
                touched.insert(SITE_TOML.to_string());
            }
        }
    }

    /// Changes the markdown file picked among `paths`.
    fn change(
        &mut self,
        paths: Vec<String>,
        which: &Pick,
        touched: &mut BTreeSet<String>,
        edit: impl FnOnce(&mut Doc),
    ) {
        let path = pick(paths, which);
        edit(
            self.docs
                .get_mut(&path)
                .expect("a path picked from the model"),
        );
        touched.insert(path);
    }

    fn remove_heading(&mut self, doc: &Pick, which: &Pick, touched: &mut BTreeSet<String>) {
        let path = pick(self.docs(), doc);
        let body = &mut self.docs.get_mut(&path).expect("a picked path").body;
        let headings: Vec<String> = body
            .iter()
            .filter_map(|b| match b {
                Block::Heading(text) => Some(text.clone()),
                _ => None,
            })
            .collect();
        if headings.is_empty() {
            return;
        }
        let text = pick(headings, which);
        let at = body
            .iter()
            .position(|b| *b == Block::Heading(text.clone()))
            .expect("a heading of this page");
        let block = body.remove(at);
        self.removed.push((path.clone(), at, block));
        touched.insert(path);
    }

    fn restore_heading(&mut self, touched: &mut BTreeSet<String>) {
        if let Some((path, at, block)) = self.removed.pop() {
            if let Some(doc) = self.docs.get_mut(&path) {
                doc.body.insert(at.min(doc.body.len()), block);
                touched.insert(path);
            }
        }
    }

    /// A link to the default-language file of the picked page, at its first heading if any.
    fn link_to_first_heading(&self, to: &Pick) -> Block {
        let target = original_of(&pick(self.docs(), to));
        let fragment = self.docs.get(&target).and_then(|doc| {
            doc.body.iter().find_map(|b| match b {
                Block::Heading(text) => Some(heading_id(text)),
                _ => None,
            })
        });
        Block::Link { target, fragment }
    }

    fn toggle_translation(&mut self, doc: &Pick, touched: &mut BTreeSet<String>) {
        let originals = self
            .docs()
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

    fn rename(
        &mut self,
        page: &Pick,
        to: Option<&Pick>,
        fix_links: bool,
        touched: &mut BTreeSet<String>,
    ) {
        let pages = self.pages();
        if pages.is_empty() {
            return;
        }
        let old = pick(pages, page);
        let folder = match to {
            Some(to) => pick_folder(to),
            None => old.rsplit_once('/').map_or("", |(dir, _)| dir).to_string(),
        };
        let new = join(&folder, &format!("05-movido-{}.md", self.next));
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

    fn delete(&mut self, page: &Pick, fix_links: bool, touched: &mut BTreeSet<String>) {
        let pages = self.pages();
        if pages.is_empty() {
            return;
        }
        let path = pick(pages, page);
        for gone in [path.clone(), translation_of(&path)] {
            if self.docs.remove(&gone).is_some() {
                touched.insert(gone);
            }
        }
        if fix_links {
            self.retarget(&path, None, touched);
        }
    }

    /// Points every link (and checklist reference) to `old` at `new`, or drops it.
    fn retarget(&mut self, old: &str, new: Option<&str>, touched: &mut BTreeSet<String>) {
        let moved = |target: &String| match (target == old, new) {
            (true, Some(new)) => Some(new.to_string()),
            (true, None) => None,
            (false, _) => Some(target.clone()),
        };
        for (path, doc) in &mut self.docs {
            let body: Vec<Block> = doc
                .body
                .iter()
                .filter_map(|block| match block {
                    Block::Link { target, fragment } => moved(target).map(|target| Block::Link {
                        target,
                        fragment: fragment.clone(),
                    }),
                    other => Some(other.clone()),
                })
                .collect();
            if body != doc.body {
                doc.body = body;
                touched.insert(path.clone());
            }
        }
        let related: Vec<String> = self.checklist_related.iter().filter_map(moved).collect();
        if related != self.checklist_related {
            self.checklist_related = related;
            touched.insert(CHECKLIST.to_string());
        }
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
            match (ids.get(&localized).or_else(|| ids.get(target)), fragment) {
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

    fn bump(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    /// Every markdown file, sections and translations included.
    fn docs(&self) -> Vec<String> {
        self.docs.keys().cloned().collect()
    }

    /// The default-language pages (no section files, no translations).
    fn pages(&self) -> Vec<String> {
        self.docs
            .keys()
            .filter(|p| !is_index(p) && !p.ends_with(".en.md"))
            .cloned()
            .collect()
    }

    /// The pages and their translations (no section files).
    fn pages_and_translations(&self) -> Vec<String> {
        self.docs.keys().filter(|p| !is_index(p)).cloned().collect()
    }
}
