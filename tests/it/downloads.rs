//! Downloads generated from pages (issue 12): Word documents and spreadsheets declared in front
//! matter, planned like every output, listed in SHA256SUMS, identical from one build to the next,
//! and readable by independent libraries (python-docx, openpyxl).

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use crate::harness::SiteTest;

const DOCX: &str = "public/plantillas/registro/registro.docx";
const XLSX: &str = "public/plantillas/registro/registro-de-regalos.xlsx";
const CSV: &str = "public/plantillas/registro/registro-de-regalos.csv";

fn zip_times(bytes: &[u8]) -> Vec<(String, zip::DateTime)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut sink = Vec::new();
            file.read_to_end(&mut sink).unwrap();
            (
                file.name().to_string(),
                file.last_modified().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn downloads_are_written_checksummed_and_identical_twice() {
    let site = SiteTest::fixture("downloads/basic");
    site.build().ok();
    let sums = site.out("SHA256SUMS");
    for path in [
        DOCX,
        XLSX,
        CSV,
        "public/en/plantillas/gifts-register/register.xlsx",
    ] {
        assert!(site.exists(path), "{path} missing");
        let rel = path.trim_start_matches("public/");
        assert!(
            sums.contains(&format!("  {rel}\n")),
            "{rel} not in SHA256SUMS"
        );
    }
    for path in [DOCX, XLSX] {
        let bytes = std::fs::read(site.path(path)).unwrap();
        for (name, time) in zip_times(&bytes) {
            assert_eq!(
                (time.year(), time.month(), time.day()),
                (1980, 1, 1),
                "{path}: {name} carries a build time"
            );
        }
    }
    let csv = site.out("plantillas/registro/registro-de-regalos.csv");
    assert!(csv.starts_with("\u{feff}Folio,Fecha,¿Dado o recibido?,¿Servidor público?"));
    assert!(csv.contains("\r\n2026-001,2026-03-15,Recibido,No,"));
    site.run(&["build", "--output", "otra"]).ok();
    let first: Vec<_> = site.tree("public").into_iter().collect();
    let second: Vec<_> = site.tree("otra").into_iter().collect();
    assert!(first == second, "two builds differ");
}

#[test]
fn unknown_download_format_is_an_error_at_its_line() {
    let site = SiteTest::fixture("downloads/basic");
    site.write(
        "content/plantillas/02-otro.md",
        "---\ntitle: Otro\ndownloads:\n  - format: docx\n  - format: pdf\n---\nTexto.\n",
    );
    site.check()
        .fails(1)
        .stderr_has("error: unknown download format `pdf`; expected `docx` or `xlsx`")
        .stderr_has(" --> content/plantillas/02-otro.md:5:13");
}

#[test]
fn bad_tables_and_columns_are_all_reported_at_their_lines() {
    let site = SiteTest::fixture("downloads/basic");
    site.write(
        "content/plantillas/02-sin-tabla.md",
        "---\ntitle: Sin tabla\ndownloads:\n  - format: xlsx\n    table: nada\n---\n## Algo\n\n| a |\n|---|\n| 1 |\n",
    );
    site.write(
        "content/plantillas/03-columna.md",
        "---\ntitle: Columna\ndownloads:\n  - format: xlsx\n    table: algo\n    choices:\n      Estado: [Sí, No]\n---\n## Algo\n\n| a |\n|---|\n| 1 |\n",
    );
    site.write(
        "content/plantillas/04-valor.md",
        "---\ntitle: Valor\ndownloads:\n  - format: xlsx\n    table: algo\n    choices:\n      a: [Sí, No]\n---\n## Algo\n\n| a |\n|---|\n| Quizá |\n",
    );
    let run = site.check();
    run.fails(1)
        .stderr_has("error: no heading with the id `nada` in this page")
        .stderr_has(" --> content/plantillas/02-sin-tabla.md:5:12")
        .stderr_has("headings of this page with a table under them: `algo`")
        .stderr_has("error: the table has no column `Estado`")
        .stderr_has(" --> content/plantillas/03-columna.md:7:7")
        .stderr_has("error: the example value `Quizá` of column `a` is not one of its choices")
        .stderr_has(" --> content/plantillas/04-valor.md:7:7");
    assert_eq!(run.errors(), 3, "{}", run.stderr);
}

#[test]
fn a_download_cannot_take_the_path_of_another_file() {
    let site = SiteTest::fixture("downloads/basic");
    site.write("content/plantillas/registro/registro.docx", "otro archivo");
    site.check()
        .fails(1)
        .stderr_has("error: this download would be written to `plantillas/registro/registro.docx`, which is already the file `content/plantillas/registro/registro.docx`")
        .stderr_has(" --> content/plantillas/01-registro.md:5:13");
}

/// A python3 with python-docx, openpyxl and PyYAML (`.ci/run` installs Debian's): the first on
/// `PATH`, else the system's (a version manager's `python3` may lack Debian's modules).
fn python() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import docx, openpyxl, yaml"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn roundtrip(python: &str, content: &Path, output: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/downloads_roundtrip.py");
    let result = Command::new(python)
        .arg(script)
        .arg(content)
        .arg(output)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(
        result.status.success(),
        "round trip failed:\n{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    stdout
}

#[test]
fn every_download_opens_in_python_docx_and_openpyxl() {
    if let Err(message) = crate::machine::ready(false) {
        panic!("{message}");
    }
    let python = python().expect("python3 with python-docx, openpyxl and PyYAML");
    let fixture = SiteTest::fixture("downloads/basic");
    fixture.build().ok();
    let report = roundtrip(python, &fixture.path("content"), &fixture.path("public"));
    assert!(
        report.contains("ok plantillas/registro/registro.docx: title, 3 headings, 3 blanks"),
        "{report}"
    );
    assert!(
        report.contains(
            "ok plantillas/registro/registro-de-regalos.xlsx and .csv: 6 columns, 2 drop-downs"
        ),
        "{report}"
    );
    // The bundled site: every template of the toolkit.
    let site = SiteTest::bundled();
    site.build().ok();
    let report = roundtrip(python, &site.path("content"), &site.path("public"));
    println!("{report}");
}

#[test]
fn template_pages_link_their_downloads_with_sizes() {
    let site = SiteTest::bundled();
    site.build().ok();
    let mut pages = 0;
    for (path, bytes) in site.tree("public") {
        if !path.ends_with("index.html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in html.split("class=\"download-list\"").skip(1) {
            pages += 1;
            let list = &link[..link.find("</ul>").unwrap()];
            for item in list.split("<a href=\"").skip(1) {
                let href = &item[..item.find('"').unwrap()];
                let dir = Path::new(&path).parent().unwrap();
                let file = site.path("public").join(dir).join(href);
                let size = std::fs::metadata(&file)
                    .unwrap_or_else(|_| panic!("{path}: link {href} has no file"))
                    .len();
                assert!(item.contains(" kB</span>"), "{path}: no size beside {href}");
                assert!(size > 0);
            }
        }
    }
    assert!(pages >= 14, "only {pages} pages offer downloads");
}

#[test]
fn downloads_are_in_the_offline_bundle() {
    let site = SiteTest::fixture("downloads/basic");
    site.run(&["build", "--bundle"]).ok();
    let zip = std::fs::read(site.path("public/integridad-offline.zip")).unwrap();
    let names: Vec<String> = zip_times(&zip).into_iter().map(|(n, _)| n).collect();
    for file in [
        "integridad-offline/plantillas/registro/registro.docx",
        "integridad-offline/plantillas/registro/registro-de-regalos.xlsx",
        "integridad-offline/plantillas/registro/registro-de-regalos.csv",
    ] {
        assert!(names.iter().any(|n| n == file), "{file} not in the bundle");
    }
    let sums = site.out("SHA256SUMS");
    assert!(sums.contains("  plantillas/registro/registro.docx\n"));
}

#[test]
fn a_section_page_links_its_downloads_too() {
    let site = SiteTest::bundled();
    site.write(
        "content/plantillas/_index.md",
        "---\ntitle: Plantillas\ndownloads:\n  - format: docx\n---\n## Índice\n\nTexto.\n",
    );
    site.build().ok();
    let html = site.out("plantillas/index.html");
    assert!(
        html.contains("<a href=\"plantillas.docx\" download>Descargar en Word (.docx)</a>"),
        "{html}"
    );
    assert!(site.exists("public/plantillas/plantillas.docx"));
}
