//! Benchmark corpus generator: adds N bilingual chapters to a copy of the bundled site, so
//! build and serve times can be measured on large sites.
//!
//!     cargo run --release --example corpus -- 10000 target/bench-site
//!
//! With `hostile` instead of a number it writes the adversarial cases instead, one site each
//! (the bundled site plus one page): `headings` (20,000 identical headings in one page) and
//! `nesting` (200 KB of front matter nested 100,000 levels deep, refused before parsing).
//!
//!     cargo run --release --example corpus -- hostile target/bench-hostile

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("hostile") {
        let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-hostile".into()));
        return hostile(&out);
    }
    let pages: usize = first.and_then(|n| n.parse().ok()).unwrap_or(1000);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-site".into()));
    copy_bundled(&out)?;
    // Ten libraries of ten topics each, like a large real site: navigation stays shallow.
    let sections = (pages / 100).max(1);
    for g in 0..10.min(sections) {
        let dir = out.join(format!("content/biblioteca-{g}"));
        write(
            &dir.join("_index.md"),
            &format!(
                "---\ntitle: Biblioteca {g}\nweight: {}\n---\nTemas.\n",
                10 + g
            ),
        )?;
        write(
            &dir.join("_index.en.md"),
            &format!("---\ntitle: Library {g}\n---\nTopics.\n"),
        )?;
    }
    for s in 0..sections {
        let dir = out.join(section_dir(s));
        write(
            &dir.join("_index.md"),
            &format!("---\ntitle: Tema {s}\nweight: {s}\n---\nCapítulos {s}.\n"),
        )?;
        write(
            &dir.join("_index.en.md"),
            &format!("---\ntitle: Topic {s}\n---\nChapters {s}.\n"),
        )?;
    }
    for p in 0..pages {
        let dir = out.join(section_dir(p % sections));
        write(
            &dir.join(format!("{p:05}-capitulo-{p}.md")),
            &chapter(p, "es", pages),
        )?;
        write(
            &dir.join(format!("{p:05}-capitulo-{p}.en.md")),
            &chapter(p, "en", pages),
        )?;
    }
    println!(
        "wrote {} pages ({pages} chapters × 2 languages) to {}",
        pages * 2,
        out.display()
    );
    Ok(())
}

/// A fresh copy of the bundled site (content, theme, site.toml) at `out`.
fn copy_bundled(out: &Path) -> std::io::Result<()> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("themes"), &out.join("themes"))?;
    copy_dir(&repo.join("content"), &out.join("content"))?;
    std::fs::copy(repo.join("site.toml"), out.join("site.toml"))?;
    Ok(())
}

/// The adversarial inputs that once made a build quadratic, one site each under `out`.
fn hostile(out: &Path) -> std::io::Result<()> {
    let headings = out.join("headings");
    copy_bundled(&headings)?;
    let body = "## x\n\n".repeat(20_000);
    write(
        &headings.join("content/toolkit/99-repetido.md"),
        &format!("---\ntitle: Repetido\n---\n{body}"),
    )?;
    let nesting = out.join("nesting");
    copy_bundled(&nesting)?;
    let depth = 100_000;
    let deep = "[".repeat(depth) + &"]".repeat(depth);
    write(
        &nesting.join("content/toolkit/99-anidado.md"),
        &format!("---\ntitle: Anidado\nx: {deep}\n---\n"),
    )?;
    println!(
        "wrote {} (20,000 identical headings) and {} ({} KB of front matter)",
        headings.display(),
        nesting.display(),
        deep.len() / 1000
    );
    Ok(())
}

/// A chapter of about 700 words with headings, a table, an alert, a list and links.
fn chapter(p: usize, lang: &str, pages: usize) -> String {
    let mut text = String::new();
    let slug = if lang == "en" {
        format!("slug: chapter-{p}\n")
    } else {
        String::new()
    };
    let _ = write!(text, "---\ntitle: \"Capítulo {p} ({lang})\"\ndescription: \"Resumen del capítulo {p}.\"\nweight: {p}\ndate: 2026-01-01\n{slug}sectors: [construction]\n---\n");
    let next = (p + 1) % pages;
    let folder = section_dir(next % (pages / 100).max(1));
    let folder = folder.trim_start_matches("content/");
    for h in 0..6 {
        let _ = write!(text, "\n## Apartado {h} del capítulo\n\n");
        for _ in 0..4 {
            text.push_str("La integridad empresarial reduce riesgos, mejora la reputación y abre la puerta a nuevos clientes y a las compras públicas. ");
        }
        let _ = write!(text, "Véase el [capítulo siguiente](../../{folder}/{next:05}-capitulo-{next}.md#apartado-1-del-capitulo) y la [lista](../../checklists/construction.yaml).\n\n");
        if h == 2 {
            text.push_str("| Elemento | Qué es |\n|---|---|\n| Código | Reglas de conducta |\n| Controles | Revisión de pagos |\n\n");
            text.push_str("> [!NOTE]\n> Una nota breve para el lector.\n\n- uno\n- dos\n- tres\n");
        }
    }
    text
}

fn section_dir(s: usize) -> String {
    format!("content/biblioteca-{}/tema-{s:03}", s % 10)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let target = to.join(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
