//! Sample data for `integridad report`: writes N made-up answer exports (version 2) for the
//! sector checklists of a built site, with a fixed seed, so a chamber can try the report and
//! reviewers can take screenshots without real companies' files.
//!
//!     cargo run --release -- build --output target/sample-site
//!     cargo run --release --example exports -- 300 target/sample-site target/sample-exports

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

const SIZES: [Option<&str>; 4] = [Some("micro"), Some("small"), Some("medium"), None];
const STATES: [Option<&str>; 5] = [
    Some("MX-JAL"),
    Some("MX-NLE"),
    Some("MX-CMX"),
    Some("MX-PUE"),
    None,
];
const DATES: [&str; 4] = ["2026-02-14", "2026-05-20", "2026-08-03", "2026-11-09"];
const ANSWERS: [&str; 4] = ["yes", "partly", "no", "not-applicable"];

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300);
    let site = PathBuf::from(args.next().unwrap_or_else(|| "target/sample-site".into()));
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/sample-exports".into()),
    );
    std::fs::create_dir_all(&out)?;
    let mut checklists = Vec::new();
    for entry in std::fs::read_dir(site.join("checklists"))? {
        let path = entry?.path().join("checklist.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let data: Value = serde_json::from_str(&text).map_err(std::io::Error::other)?;
            if data["kind"] == "sector" {
                checklists.push(data);
            }
        }
    }
    checklists.sort_by_key(|c| c["id"].as_str().unwrap_or_default().to_string());
    if checklists.is_empty() {
        return Err(std::io::Error::other(format!(
            "no checklists/*/checklist.json in `{}`; build the site first",
            site.display()
        )));
    }
    let mut seed: u64 = 0x1605_2026_cafe_f00d;
    let mut next = move |n: usize| {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    };
    for n in 0..count {
        let c = &checklists[next(checklists.len())];
        let level = next(4);
        let mut answers = BTreeMap::new();
        let (mut num, mut den) = (0.0, 0.0);
        for item in c["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["items"].as_array().into_iter().flatten())
        {
            let answer = ANSWERS[(next(4) + level) % 4];
            let weight = item["weight"].as_f64().unwrap_or(1.0);
            if let Some(value) = match answer {
                "yes" => Some(1.0),
                "partly" => Some(0.5),
                "no" => Some(0.0),
                _ => None,
            } {
                num += weight * value;
                den += weight;
            }
            answers.insert(item["id"].as_str().unwrap_or_default().to_string(), answer);
        }
        let score = (den > 0.0).then(|| (10000.0 * num / den).round() / 100.0);
        let mut export = json!({
            "format": "integridad-checklist",
            "version": 2,
            "checklist": c["id"],
            "items_hash": c["items_hash"],
            "export_id": format!("{:08x}{:024x}", n, next(1 << 30)),
            "date": DATES[next(DATES.len())],
            "language": if next(3) == 0 { "en" } else { "es" },
            "score": score,
            "answers": answers,
        });
        if let Some(size) = SIZES[next(SIZES.len())] {
            export["size"] = json!(size);
        }
        if let Some(state) = STATES[next(STATES.len())] {
            export["state"] = json!(state);
        }
        let text = serde_json::to_string_pretty(&export).map_err(std::io::Error::other)?;
        std::fs::write(out.join(format!("export-{n:04}.json")), text)?;
    }
    println!("wrote {count} sample exports to {}", out.display());
    Ok(())
}
