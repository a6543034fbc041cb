//! `integridad init [DIR]` and the `new chapter` options: a new site works from the first
//! command, and chapters and their translations land where the site expects them.

use std::path::Path;
use std::process::Command;

use crate::harness::Run;

fn integridad(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_integridad"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(cwd)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("init-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn init_creates_a_site_that_checks_clean_and_builds_with_the_built_in_theme() {
    let tmp = temp();
    let run = integridad(tmp.path(), &["init", "sitio"]);
    run.ok();
    assert!(
        run.stdout.contains("created sitio/site.toml\n"),
        "{}",
        run.stdout
    );
    let site = tmp.path().join("sitio");
    assert!(!site.join("themes").exists());

    let gitignore = read(&site.join(".gitignore"));
    let ignored: Vec<&str> = gitignore.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        ignored.contains(&"public/") && ignored.contains(&"*.key"),
        "{gitignore}"
    );

    // Every key of site.toml comes with a comment line right above it.
    let config = read(&site.join("site.toml"));
    let lines: Vec<&str> = config.lines().collect();
    for key in [
        "title",
        "description",
        "base_url",
        "default_language",
        "theme",
        "output_dir",
        "links",
        "drafts",
        "unsafe_html",
        "smart_punctuation",
        "checksums",
    ] {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("site.toml lacks `{key}`:\n{config}"));
        assert!(
            lines[at - 1].starts_with('#'),
            "`{key}` has no comment:\n{config}"
        );
    }

    let check = integridad(&site, &["check"]);
    check.ok();
    assert!(
        check.stderr.starts_with("checked ") && check.stderr.ends_with("(no warnings)\n"),
        "{}",
        check.stderr
    );
    integridad(&site, &["build"]).ok();
    for file in [
        "index.html",
        "en/index.html",
        "toolkit/primeros-pasos/index.html",
        "en/guide/getting-started/index.html",
        "checklists/ejemplo/index.html",
        "checklists/ejemplo/checklist.json",
    ] {
        assert!(site.join("public").join(file).is_file(), "{file}");
    }
}

#[test]
fn init_in_the_current_folder_and_refusing_a_folder_that_holds_anything() {
    let tmp = temp();
    integridad(tmp.path(), &["init"]).ok();
    assert!(tmp.path().join("site.toml").is_file());

    let other = temp();
    std::fs::write(other.path().join("notas.txt"), "mías").unwrap();
    integridad(other.path(), &["init", "."])
        .fails(2)
        .stderr_has("is not empty; `init` creates a site only in a new or empty folder");
    let left: Vec<_> = std::fs::read_dir(other.path()).unwrap().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(read(&other.path().join("notas.txt")), "mías");
}

#[test]
fn new_chapter_goes_to_the_section_asked_for() {
    let tmp = temp();
    integridad(tmp.path(), &["init"]).ok();
    let site = tmp.path();
    std::fs::create_dir_all(site.join("content/casos")).unwrap();
    std::fs::write(
        site.join("content/casos/_index.md"),
        "---\ntitle: Casos\n---\n",
    )
    .unwrap();
    let run = integridad(site, &["new", "chapter", "Un caso", "--section", "casos"]);
    run.ok();
    assert_eq!(run.stdout, "created content/casos/01-un-caso.md\n");
    let run = integridad(site, &["new", "chapter", "Título", "--section", "toolkit"]);
    assert_eq!(run.ok().stdout, "created content/toolkit/02-titulo.md\n");
    integridad(site, &["new", "chapter", "X", "--section", "no-hay"])
        .fails(2)
        .stderr_has("`content/no-hay` does not exist");
    integridad(site, &["new", "chapter", "X", "--section", "../fuera"])
        .fails(2)
        .stderr_has("is not a folder for chapters under `content/`");
    integridad(site, &["build"]).ok();
    assert!(site.join("public/casos/un-caso/index.html").is_file());
}

#[test]
fn new_translation_sits_beside_its_source_with_the_same_weight() {
    let tmp = temp();
    integridad(tmp.path(), &["init"]).ok();
    let site = tmp.path();
    integridad(site, &["new", "chapter", "Regalos y hospitalidad"]).ok();
    let source = read(&site.join("content/toolkit/02-regalos-y-hospitalidad.md"));
    assert!(source.contains("\nweight: 2\n"), "{source}");

    let toolkit = site.join("content/toolkit");
    let run = integridad(
        &toolkit,
        &[
            "new",
            "chapter",
            "Gifts and hospitality",
            "--lang",
            "en",
            "--from",
            "02-regalos-y-hospitalidad.md",
        ],
    );
    run.ok();
    assert_eq!(run.stdout, "created 02-regalos-y-hospitalidad.en.md\n");
    let text = read(&toolkit.join("02-regalos-y-hospitalidad.en.md"));
    assert!(
        text.starts_with("---\ntitle: \"Gifts and hospitality\"\ndescription: \"\"\nweight: 2\nslug: gifts-and-hospitality "),
        "{text}"
    );
    integridad(site, &["check"]).ok();
    integridad(site, &["build"]).ok();
    assert!(site
        .join("public/en/guide/gifts-and-hospitality/index.html")
        .is_file());

    // Nothing is overwritten, and only a default-language page of this site can be the source.
    integridad(
        &toolkit,
        &[
            "new",
            "chapter",
            "Other",
            "--lang",
            "en",
            "--from",
            "02-regalos-y-hospitalidad.md",
        ],
    )
    .fails(2)
    .stderr_has("already exists");
    assert_eq!(read(&toolkit.join("02-regalos-y-hospitalidad.en.md")), text);
    integridad(
        &toolkit,
        &[
            "new",
            "chapter",
            "Autre",
            "--lang",
            "fr",
            "--from",
            "02-regalos-y-hospitalidad.md",
        ],
    )
    .fails(2)
    .stderr_has("`--lang fr` is not a translation language of this site; expected one of `en`");
    integridad(
        &toolkit,
        &[
            "new",
            "chapter",
            "X",
            "--lang",
            "en",
            "--from",
            "01-primeros-pasos.en.md",
        ],
    )
    .fails(2)
    .stderr_has("is itself a translation");
    integridad(site, &["new", "chapter", "X", "--lang", "en"]).fails(2);

    // A draft's translation is a draft too.
    let draft = read(&toolkit.join("02-regalos-y-hospitalidad.md")).replacen(
        "---\n",
        "---\ndraft: true\n",
        1,
    );
    std::fs::write(toolkit.join("03-borrador.md"), draft).unwrap();
    integridad(
        &toolkit,
        &[
            "new",
            "chapter",
            "Draft",
            "--lang",
            "en",
            "--from",
            "03-borrador.md",
        ],
    )
    .ok();
    let text = read(&toolkit.join("03-borrador.en.md"));
    assert!(text.contains("\ndraft: true\n"), "{text}");
}
