//! `integridad report` (issue 16): 500 synthetic exports made with a fixed seed across the five
//! sector checklists, sizes, states and quarters, plus 20 broken files and 5 duplicates; the
//! report's figures are checked against a computation made here from `checklist.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::harness::SiteTest;

const SECTORS: [&str; 5] = ["construction", "health", "finance", "sports", "professions"];
const SIZES: [Option<&str>; 4] = [Some("micro"), Some("small"), Some("medium"), None];
/// MX-YUC is rare on purpose, so some of its groups fall below the minimum of 5.
const STATES: [Option<&str>; 5] = [
    Some("MX-JAL"),
    Some("MX-NLE"),
    Some("MX-CMX"),
    Some("MX-YUC"),
    None,
];
const DATES: [&str; 3] = ["2026-02-14", "2026-05-20", "2026-08-03"];
const ANSWERS: [&str; 4] = ["yes", "partly", "no", "not-applicable"];

/// xorshift64*: a tiny PRNG so the synthetic exports are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Item {
    id: String,
    weight: f64,
    element: Option<String>,
}

struct Checklist {
    hash: String,
    items: Vec<Item>,
}

fn load_checklist(site: &SiteTest, id: &str) -> Checklist {
    let data: Value =
        serde_json::from_str(&site.out(&format!("checklists/{id}/checklist.json"))).unwrap();
    let items = data["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| Item {
            id: i["id"].as_str().unwrap().to_string(),
            weight: i["weight"].as_f64().unwrap(),
            element: i["element"].as_str().map(str::to_string),
        })
        .collect();
    Checklist {
        hash: data["items_hash"].as_str().unwrap().to_string(),
        items,
    }
}

/// Score per SPEC over the items `keep` selects: Σ(weight·value)/Σ(weight), percent.
fn score(
    c: &Checklist,
    answers: &BTreeMap<String, &str>,
    keep: &dyn Fn(&Item) -> bool,
) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for item in c.items.iter().filter(|i| keep(i)) {
        let value = match answers.get(&item.id).copied() {
            Some("yes") => 1.0,
            Some("partly") => 0.5,
            Some("no") => 0.0,
            _ => continue,
        };
        num += item.weight * value;
        den += item.weight;
    }
    (den > 0.0).then(|| 100.0 * num / den)
}

struct Made {
    checklist: &'static str,
    size: Option<&'static str>,
    state: Option<&'static str>,
    answers: BTreeMap<String, &'static str>,
    score: Option<f64>,
}

fn make_exports(site: &SiteTest, dir: &Path) -> (BTreeMap<&'static str, Checklist>, Vec<Made>) {
    let checklists: BTreeMap<&str, Checklist> = SECTORS
        .iter()
        .map(|id| (*id, load_checklist(site, id)))
        .collect();
    let mut rng = Rng(0x1605_2026_cafe_f00d);
    let mut made = Vec::new();
    std::fs::create_dir_all(dir).unwrap();
    for n in 0..500 {
        let id = SECTORS[rng.below(5)];
        let c = &checklists[id];
        // Each company has its own level, so scores spread across the bands.
        let level = rng.below(4);
        let mut answers: BTreeMap<String, &str> = BTreeMap::new();
        for item in &c.items {
            if rng.below(10) > 0 {
                answers.insert(item.id.clone(), ANSWERS[(rng.below(4) + level) % 4]);
            }
        }
        let size = SIZES[rng.below(4)];
        let state = if rng.below(20) == 0 {
            Some("MX-YUC")
        } else {
            STATES[[0, 1, 2, 4][rng.below(4)]]
        };
        let date = DATES[rng.below(3)];
        let total = score(c, &answers, &|_| true);
        let mut export = json!({
            "format": "integridad-checklist",
            "version": 2,
            "checklist": id,
            "items_hash": c.hash,
            "export_id": format!("{:016x}{:016x}", rng.next(), rng.next()),
            "date": date,
            "language": if rng.below(2) == 0 { "es" } else { "en" },
            "score": total.map(|s| (s * 100.0).round() / 100.0),
            "band": total.map(|s| if s >= 80.0 { "solid" } else if s >= 50.0 { "developing" } else { "initial" }),
            "sections": {},
            "elements": {},
            "answers": answers,
        });
        if let Some(size) = size {
            export["size"] = json!(size);
        }
        if let Some(state) = state {
            export["state"] = json!(state);
        }
        let text = serde_json::to_string_pretty(&export).unwrap();
        std::fs::write(dir.join(format!("export-{n:03}.json")), &text).unwrap();
        if n % 100 == 7 {
            // The same export sent twice counts once.
            std::fs::write(dir.join(format!("export-{n:03}-again.json")), &text).unwrap();
        }
        made.push(Made {
            checklist: id,
            size,
            state,
            answers,
            score: total,
        });
    }
    (checklists, made)
}

/// Twenty files that must each be skipped with their name and reason.
fn broken_files(
    dir: &Path,
    checklists: &BTreeMap<&str, Checklist>,
) -> Vec<(&'static str, &'static str)> {
    let c = &checklists["health"];
    let good = |edit: &dyn Fn(&mut Value)| {
        let mut v = json!({
            "format": "integridad-checklist", "version": 2, "checklist": "health",
            "items_hash": c.hash, "export_id": "00112233445566778899aabbccddeeff",
            "date": "2026-03-01", "language": "es", "score": 100.0, "band": "solid",
            "answers": { c.items[0].id.clone(): "yes" }
        });
        edit(&mut v);
        serde_json::to_string(&v).unwrap()
    };
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "b01-malformed.json",
            "is not valid JSON",
            b"{\"format\": ".to_vec(),
        ),
        ("b02-empty.json", "is not valid JSON", Vec::new()),
        (
            "b03-binary.json",
            "is not UTF-8",
            vec![0xff, 0xfe, 0x00, 0x81],
        ),
        (
            "b04-array.json",
            "not an answers export",
            b"[1, 2, 3]".to_vec(),
        ),
        (
            "b05-other-tool.json",
            "not an answers export",
            br#"{"format": "survey-tool", "answers": {}}"#.to_vec(),
        ),
        (
            "b06-version-1.json",
            "version 1 export",
            good(&|v| v["version"] = json!(1)).into_bytes(),
        ),
        (
            "b07-version-99.json",
            "unsupported `version`",
            good(&|v| v["version"] = json!(99)).into_bytes(),
        ),
        (
            "b08-unknown-checklist.json",
            "unknown checklist `mining`",
            good(&|v| v["checklist"] = json!("mining")).into_bytes(),
        ),
        (
            "b09-old-version.json",
            "but the site's questions are version",
            good(&|v| v["items_hash"] = json!("0000000000000000")).into_bytes(),
        ),
        (
            "b10-unknown-item.json",
            "answers the item `zz-99`",
            good(&|v| v["answers"]["zz-99"] = json!("yes")).into_bytes(),
        ),
        (
            "b11-bad-answer.json",
            "expected yes, partly, no or not-applicable",
            good(&|v| v["answers"] = json!({ c.items[0].id.clone(): "maybe" })).into_bytes(),
        ),
        (
            "b12-score-range.json",
            "outside 0–100",
            good(&|v| v["score"] = json!(140)).into_bytes(),
        ),
        (
            "b13-score-mismatch.json",
            "but its answers give 100.00",
            good(&|v| v["score"] = json!(12.5)).into_bytes(),
        ),
        (
            "b14-size.json",
            "has the size \"large\"",
            good(&|v| v["size"] = json!("large")).into_bytes(),
        ),
        (
            "b15-state.json",
            "has the state \"Jalisco\"",
            good(&|v| v["state"] = json!("Jalisco")).into_bytes(),
        ),
        (
            "b16-date.json",
            "has the date `2026-02-30`",
            good(&|v| v["date"] = json!("2026-02-30")).into_bytes(),
        ),
        (
            "b17-company-name.json",
            "unknown key `company`",
            good(&|v| v["company"] = json!("Constructora Ejemplo SA")).into_bytes(),
        ),
        (
            "b18-export-id.json",
            "has the export id `42`",
            good(&|v| v["export_id"] = json!("42")).into_bytes(),
        ),
        (
            "b19-language.json",
            "has the language `fr`",
            good(&|v| v["language"] = json!("fr")).into_bytes(),
        ),
        ("b20-oversized.json", "larger than the 1048576 bytes", {
            let mut v = good(&|_| {}).into_bytes();
            v.extend(std::iter::repeat_n(b' ', 1_100_000));
            v
        }),
    ];
    cases
        .into_iter()
        .map(|(name, reason, bytes)| {
            std::fs::write(dir.join(name), bytes).unwrap();
            (name, reason)
        })
        .collect()
}

fn csv(site: &SiteTest, rel: &str) -> Vec<BTreeMap<String, String>> {
    let text = site.read(rel);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn close(a: &str, b: f64) -> bool {
    a.parse::<f64>().is_ok_and(|a| (a - b).abs() < 0.006)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn report_figures_match_an_independent_computation() {
    let site = SiteTest::bundled();
    site.build().ok();
    let inbox = site.path("inbox");
    let (checklists, made) = make_exports(&site, &inbox);
    let broken = broken_files(&inbox, &checklists);
    assert_eq!(broken.len(), 20);
    let out = site.path("informe");
    let run = site.run(&[
        "report",
        inbox.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    run.ok();
    for (name, reason) in &broken {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no warning names {name}:\n{}", run.stderr));
        assert!(
            line.starts_with("warning: skipped") && line.contains(reason),
            "{name}: {line}"
        );
    }
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("warning: counted once"))
            .count(),
        5
    );
    run.stderr_has("525 files read, 500 used, 5 duplicated, 20 rejected");

    // Per checklist: count, mean score, bands, histogram, elements, weakest items.
    let rows = csv(&site, "informe/csv/checklists.csv");
    assert_eq!(rows.len(), 5);
    for id in SECTORS {
        let own: Vec<&Made> = made.iter().filter(|m| m.checklist == id).collect();
        let c = &checklists[id];
        let row = rows.iter().find(|r| r["checklist"] == id).unwrap();
        assert_eq!(row["assessments"], own.len().to_string(), "{id}");
        let scores: Vec<f64> = own.iter().filter_map(|m| m.score).collect();
        assert!(
            close(&row["mean_score"], mean(&scores)),
            "{id}: {} vs {}",
            row["mean_score"],
            mean(&scores)
        );
        let band = |lo: f64, hi: f64| {
            scores
                .iter()
                .filter(|&&s| s >= lo && s < hi)
                .count()
                .to_string()
        };
        assert_eq!(row["initial"], band(0.0, 50.0), "{id}");
        assert_eq!(row["developing"], band(50.0, 80.0), "{id}");
        assert_eq!(row["solid"], band(80.0, 101.0), "{id}");
        let histogram = csv(&site, &format!("informe/csv/{id}-distribution.csv"));
        for (b, h) in histogram.iter().enumerate() {
            let hi = if b == 9 { 101.0 } else { 10.0 * (b + 1) as f64 };
            assert_eq!(
                h["assessments"],
                band(10.0 * b as f64, hi),
                "{id} bucket {b}"
            );
        }
        let elements = csv(&site, &format!("informe/csv/{id}-elements.csv"));
        assert!(!elements.is_empty());
        for e in &elements {
            let per: Vec<f64> = own
                .iter()
                .filter_map(|m| {
                    score(c, &m.answers, &|i| {
                        i.element.as_deref() == Some(e["element"].as_str())
                    })
                })
                .collect();
            assert_eq!(
                e["assessments"],
                per.len().to_string(),
                "{id} {}",
                e["element"]
            );
            assert!(close(&e["mean_score"], mean(&per)), "{id} {}", e["element"]);
        }
        let mut weakness: Vec<(f64, usize)> = c
            .items
            .iter()
            .enumerate()
            .filter_map(|(n, item)| {
                let answers: Vec<&str> = own
                    .iter()
                    .filter_map(|m| m.answers.get(&item.id).copied())
                    .filter(|a| *a != "not-applicable")
                    .collect();
                let short = answers
                    .iter()
                    .map(|a| match *a {
                        "no" => 1.0,
                        "partly" => 0.5,
                        _ => 0.0,
                    })
                    .sum::<f64>();
                (short > 0.0).then(|| (item.weight * short / answers.len() as f64, n))
            })
            .collect();
        weakness.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let expected: Vec<&str> = weakness
            .iter()
            .take(10)
            .map(|(_, n)| c.items[*n].id.as_str())
            .collect();
        let listed: Vec<String> = csv(&site, &format!("informe/csv/{id}-weakest.csv"))
            .into_iter()
            .map(|r| r["item"].clone())
            .collect();
        assert_eq!(listed, expected, "{id} weakest items");
    }

    // Breakdowns by size: a group of at least 5 shows its count and mean, a smaller one nothing.
    let mut withheld_seen = false;
    for id in SECTORS {
        let own: Vec<&Made> = made.iter().filter(|m| m.checklist == id).collect();
        for key in ["size", "state"] {
            let of = |m: &Made| -> &'static str {
                let value = if key == "size" { m.size } else { m.state };
                value.unwrap_or("not-stated")
            };
            let rows = csv(&site, &format!("informe/csv/{id}-{key}.csv"));
            let element_rows = csv(&site, &format!("informe/csv/{id}-{key}-elements.csv"));
            let shown_keys: Vec<&String> = rows
                .iter()
                .filter(|r| r["withheld"] == "no")
                .map(|r| &r[key])
                .collect();
            assert!(
                element_rows.iter().all(|r| shown_keys.contains(&&r[key])),
                "{id} {key}: a withheld group has element means"
            );
            let mut groups: BTreeMap<&str, Vec<&Made>> = BTreeMap::new();
            for m in &own {
                groups.entry(of(m)).or_default().push(m);
            }
            assert_eq!(rows.len(), groups.len(), "{id} {key}");
            let hidden_total: usize = groups.values().map(Vec::len).filter(|&n| n < 5).sum();
            for row in &rows {
                let members = &groups[row[key].as_str()];
                if members.len() < 5 {
                    assert_eq!(
                        (row["withheld"].as_str(), row["assessments"].as_str()),
                        ("yes", ""),
                        "{id} {key} {}",
                        row[key]
                    );
                    withheld_seen = true;
                } else if row["withheld"] == "no" {
                    assert_eq!(row["assessments"], members.len().to_string());
                    let scores: Vec<f64> = members.iter().filter_map(|m| m.score).collect();
                    assert!(
                        close(&row["mean_score"], mean(&scores)),
                        "{id} {key} {}",
                        row[key]
                    );
                    // The group's mean per element, too.
                    let c = &checklists[id];
                    let lines: Vec<_> =
                        element_rows.iter().filter(|r| r[key] == row[key]).collect();
                    assert!(
                        !lines.is_empty(),
                        "{id} {key} {} has no element means",
                        row[key]
                    );
                    for line in lines {
                        let per: Vec<f64> = members
                            .iter()
                            .filter_map(|m| {
                                score(c, &m.answers, &|i| {
                                    i.element.as_deref() == Some(line["element"].as_str())
                                })
                            })
                            .collect();
                        assert_eq!(line["assessments"], per.len().to_string());
                        assert!(
                            close(&line["mean_score"], mean(&per)),
                            "{id} {key} {}",
                            row[key]
                        );
                    }
                } else {
                    // Hidden although large enough: only to protect a smaller hidden group.
                    assert!(
                        (1..5).contains(&hidden_total),
                        "{id} {key} {} hidden without reason",
                        row[key]
                    );
                }
            }
        }
    }
    assert!(
        withheld_seen,
        "the synthetic data should have groups below the minimum"
    );

    // Pages in both languages, charts as SVG without inline style, no per-company data.
    let index = site.read("informe/index.html");
    assert!(
        index.contains("<dd>525</dd>")
            && index.contains("<dd>500</dd>")
            && index.contains("<dd>20</dd>")
    );
    let page = site.read("informe/en/checklists/construction/index.html");
    assert!(
        page.contains("<svg class=\"chart\" role=\"img\""),
        "charts are inline SVG"
    );
    assert!(
        page.contains("https://"),
        "weakest items link to the chapters of the published site"
    );
    for (path, bytes) in site.tree("informe") {
        let text = String::from_utf8_lossy(&bytes);
        if path.ends_with(".html") {
            assert!(
                !text.contains("style=") && !text.contains("<script"),
                "{path} is not CSP-clean"
            );
        }
        assert!(
            !text.contains("export-0") && !text.contains("Constructora"),
            "{path} names a file or a company"
        );
    }
    // Every relative link and asset of every page names a file of the report (so it also works
    // opened from disk), and the pages come in both languages.
    let files: Vec<String> = site.tree("informe").into_iter().map(|(p, _)| p).collect();
    assert!(files.contains(&"en/checklists/health/index.html".to_string()));
    for (path, bytes) in site.tree("informe") {
        if !path.ends_with(".html") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        for link in text
            .split("href=\"")
            .skip(1)
            .chain(text.split("src=\"").skip(1))
        {
            let target = link.split('"').next().unwrap().split('#').next().unwrap();
            if target.is_empty() || target.starts_with("https://") {
                continue;
            }
            let resolved = Path::new(&path).parent().unwrap().join(target);
            let mut parts: Vec<String> = Vec::new();
            for part in resolved.components() {
                match part {
                    std::path::Component::ParentDir => assert!(
                        parts.pop().is_some(),
                        "{path}: `{target}` leaves the report"
                    ),
                    std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                    _ => {}
                }
            }
            assert!(
                files.contains(&parts.join("/")),
                "{path}: `{target}` names no file"
            );
        }
    }
    // The same inputs give the same bytes.
    let first = site.tree("informe");
    site.run(&[
        "report",
        inbox.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();
    assert!(
        first == site.tree("informe"),
        "a second run changed the report"
    );
}

#[test]
fn report_without_a_usable_file_exits_1_and_writes_nothing() {
    let site = SiteTest::bundled();
    site.write("inbox/a.json", "{]")
        .write("inbox/b.txt", "hello");
    let run = site.run(&[
        "report",
        site.path("inbox").to_str().unwrap(),
        "--output",
        site.path("out").to_str().unwrap(),
    ]);
    run.fails(1)
        .stderr_has("skipped `")
        .stderr_has("no usable export found (2 files read, 0 used, 0 duplicated, 2 rejected)");
    assert!(!site.exists("out"));
}

#[test]
fn report_refuses_a_folder_it_did_not_write() {
    let site = SiteTest::bundled();
    site.build().ok();
    let c = load_checklist(&site, "health");
    let export = json!({
        "format": "integridad-checklist", "version": 2, "checklist": "health", "items_hash": c.hash,
        "export_id": "00112233445566778899aabbccddeeff", "date": "2026-03-01", "language": "en",
        "score": null, "band": null, "answers": {}
    });
    site.write("inbox/a.json", export.to_string())
        .write("mine/notes.txt", "keep me");
    let run = site.run(&[
        "report",
        site.path("inbox").to_str().unwrap(),
        "--output",
        site.path("mine").to_str().unwrap(),
    ]);
    run.fails(2).stderr_has("was not written by integridad");
    assert_eq!(site.read("mine/notes.txt"), "keep me");
    // A single assessment is below the minimum: the report says so and shows no figures.
    site.run(&[
        "report",
        site.path("inbox").to_str().unwrap(),
        "--output",
        site.path("out").to_str().unwrap(),
    ])
    .ok();
    assert!(site.read("out/csv/checklists.csv").contains("health,,yes,"));
    assert!(site
        .read("out/en/index.html")
        .contains("Not enough answers"));
    assert!(!site.exists("out/checklists/health/index.html"));
}

#[test]
fn report_usage_errors_exit_2() {
    let site = SiteTest::bundled();
    site.write("inbox/a.json", "{}");
    let inbox = site.path("inbox");
    let inbox = inbox.to_str().unwrap();
    site.run(&["report", inbox]).fails(2).stderr_has("--output");
    site.run(&["report", inbox, "--output", "x", "--min-group", "0"])
        .fails(2)
        .stderr_has("--min-group");
    site.run(&["report", "missing-folder", "--output", "x"])
        .fails(2)
        .stderr_has("is not a folder of exported files");
    let content = site.path("content/informe");
    site.run(&["report", inbox, "--output", content.to_str().unwrap()])
        .fails(2)
        .stderr_has("refusing to use");
    site.run(&["report", inbox, "--output", &format!("{inbox}/out")])
        .fails(2)
        .stderr_has("overlaps the input folder");
}
