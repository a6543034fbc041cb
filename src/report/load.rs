//! Reads the exported answer files of `integridad report` and turns each into an `Assessment`
//! checked against the site's checklists, or a `Rejected` file with its reason. Never fails on
//! a file's content: only an unreadable input folder is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::{Map, Value};

use crate::checklist::profile::{self, SizeBand, State, EXPORT_FORMAT, EXPORT_VERSION};
use crate::checklist::score::{score, Answer, BANDS};
use crate::checklist::Checklist;

/// Files larger than this are rejected unread: a real export of the largest checklist is a few KB.
pub(crate) const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// How far a stated score may be from the score of the stated answers (it is rounded to 0.01).
const SCORE_TOLERANCE: f64 = 0.011;

/// One usable export: which checklist it answers, when, the optional profile, and one answer
/// (or none) per item of the checklist in file order.
#[derive(Debug, Clone)]
pub(crate) struct Assessment {
    /// The file, as given on the command line plus its path inside the folder.
    pub file: String,
    /// Index into the site's checklists.
    pub checklist: usize,
    pub export_id: String,
    /// Year and quarter (1–4) of the export's date.
    pub quarter: (u32, u32),
    pub size: Option<SizeBand>,
    pub state: Option<&'static State>,
    /// Parallel to `Checklist::items()`.
    pub answers: Vec<Option<Answer>>,
    /// Recomputed from the answers (percent), `None` when no item was answered yes, partly or no.
    pub score: Option<f64>,
}

/// A file that was skipped, and why, in words for the person who collected the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub file: String,
    pub reason: String,
}

/// What came out of the input folders, in file-name order.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub files_read: usize,
    pub assessments: Vec<Assessment>,
    pub rejected: Vec<Rejected>,
}

/// Every regular, non-hidden file under the input folders (recursively, symbolic links not
/// followed), sorted. A folder that cannot be read is an I/O error.
pub(crate) fn find_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            anyhow::bail!("`{}` is not a folder of exported files", input.display());
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            let entry =
                entry.with_context(|| format!("cannot read the folder `{}`", input.display()))?;
            let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
            if entry.file_type().is_file() && !hidden {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

/// Reads and checks every file; each problem becomes a `Rejected` entry.
pub(crate) fn load_exports(
    files: &[PathBuf],
    checklists: &[Checklist],
    languages: &[&str],
) -> Loaded {
    let hashes: Vec<String> = checklists.iter().map(Checklist::items_hash).collect();
    let known = Known {
        checklists,
        hashes: &hashes,
        languages,
    };
    let mut loaded = Loaded::default();
    for path in files {
        loaded.files_read += 1;
        let file = path.display().to_string();
        match read_file(path).and_then(|text| known.parse_export(&text, &file)) {
            Ok(assessment) => loaded.assessments.push(assessment),
            Err(reason) => loaded.rejected.push(Rejected { file, reason }),
        }
    }
    loaded
}

fn read_file(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "is {size} bytes, larger than the {MAX_FILE_BYTES} bytes an export can be"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text, so not an export".to_string())
}

/// What the site knows that an export must agree with.
struct Known<'a> {
    checklists: &'a [Checklist],
    hashes: &'a [String],
    languages: &'a [&'a str],
}

const KEYS: [&str; 14] = [
    "format",
    "version",
    "checklist",
    "items_hash",
    "export_id",
    "date",
    "language",
    "score",
    "band",
    "sections",
    "elements",
    "size",
    "state",
    "answers",
];

impl Known<'_> {
    fn parse_export(&self, text: &str, file: &str) -> Result<Assessment, String> {
        let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("is not valid JSON ({e})"))?;
        let Value::Object(map) = value else {
            return Err("is JSON but not an answers export of this toolkit".to_string());
        };
        if map.get("format").and_then(Value::as_str) != Some(EXPORT_FORMAT) {
            return Err(format!(
                "is not an answers export of this toolkit (no `\"format\": \"{EXPORT_FORMAT}\"`)"
            ));
        }
        match map.get("version").and_then(Value::as_u64) {
            Some(2) => {}
            Some(1) => {
                return Err(
                    "is a version 1 export, which has no date, checklist version or \
                            export id; export it again from the checklist page"
                        .to_string(),
                )
            }
            _ => {
                return Err(format!(
                    "has an unsupported `version`; this report reads version {EXPORT_VERSION}"
                ))
            }
        }
        if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("has the unknown key `{key}`"));
        }
        let id = string(&map, "checklist")?;
        let Some(c) = self.checklists.iter().position(|c| c.id.as_str() == id) else {
            let known: Vec<&str> = self.checklists.iter().map(|c| c.id.as_str()).collect();
            return Err(format!(
                "answers the unknown checklist `{id}`; this site has `{}`",
                known.join("`, `")
            ));
        };
        let hash = string(&map, "items_hash")?;
        if hash != self.hashes[c] {
            return Err(format!(
                "answers version `{hash}` of checklist `{id}`, but the site's questions are \
                 version `{}`; export it again from the current page",
                self.hashes[c]
            ));
        }
        let export_id = string(&map, "export_id")?;
        if !(16..=64).contains(&export_id.len())
            || !export_id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(format!(
                "has the export id `{export_id}`; expected 16 to 64 hexadecimal digits"
            ));
        }
        let quarter = parse_quarter(string(&map, "date")?)?;
        let language = string(&map, "language")?;
        if !self.languages.contains(&language) {
            return Err(format!(
                "has the language `{language}`; expected one of `{}`",
                self.languages.join("`, `")
            ));
        }
        let size = optional(&map, "size", SizeBand::parse, "micro, small or medium")?;
        let state = optional(
            &map,
            "state",
            profile::resolve_state,
            "an ISO 3166-2:MX code such as MX-JAL",
        )?;
        let answers = self.answers(&map, c)?;
        check_scores(&map, &answers)?;
        let score = score(&answers);
        Ok(Assessment {
            file: file.to_string(),
            checklist: c,
            export_id: export_id.to_ascii_lowercase(),
            quarter,
            size,
            state,
            answers: answers.into_iter().map(|(_, a)| a).collect(),
            score,
        })
    }

    fn answers(
        &self,
        map: &Map<String, Value>,
        c: usize,
    ) -> Result<Vec<(crate::checklist::Risk, Option<Answer>)>, String> {
        let checklist = &self.checklists[c];
        let Some(Value::Object(raw)) = map.get("answers") else {
            return Err("has no `answers` object".to_string());
        };
        let mut given: BTreeMap<&str, Answer> = BTreeMap::new();
        for (item, value) in raw {
            if !checklist.items().any(|i| i.id.as_str() == item) {
                return Err(format!(
                    "answers the item `{item}`, which checklist `{}` does not have",
                    checklist.id
                ));
            }
            let answer = value
                .as_str()
                .and_then(|v| Answer::ALL.into_iter().find(|a| a.as_str() == v))
                .ok_or_else(|| {
                    format!(
                        "answers item `{item}` with {value}; expected yes, partly, no or not-applicable"
                    )
                })?;
            given.insert(item, answer);
        }
        Ok(checklist
            .items()
            .map(|i| (i.risk, given.get(i.id.as_str()).copied()))
            .collect())
    }
}

/// The stated score must agree with the answers, and every stated percentage must be 0–100.
fn check_scores(
    map: &Map<String, Value>,
    answers: &[(crate::checklist::Risk, Option<Answer>)],
) -> Result<(), String> {
    let expected = score(answers);
    let stated = map.get("score").unwrap_or(&Value::Null);
    match (stated, expected) {
        (Value::Null, None) => {}
        (Value::Number(n), Some(expected)) => {
            let n = n.as_f64().unwrap_or(f64::NAN);
            if !(0.0..=100.0).contains(&n) {
                return Err(format!("has the score {n}, outside 0–100"));
            }
            if (n - expected).abs() > SCORE_TOLERANCE {
                return Err(format!(
                    "states the score {n}, but its answers give {expected:.2}"
                ));
            }
        }
        (other, expected) => {
            return Err(format!(
                "states the score {other}, but its answers give {}",
                expected.map_or("no score".to_string(), |e| format!("{e:.2}"))
            ))
        }
    }
    match map.get("band").unwrap_or(&Value::Null) {
        Value::Null => {}
        Value::String(band) if BANDS.iter().any(|b| b.id == band) => {}
        other => {
            return Err(format!(
                "has the band {other}; expected initial, developing or solid"
            ))
        }
    }
    for key in ["sections", "elements"] {
        let Some(value) = map.get(key) else { continue };
        let Value::Object(scores) = value else {
            return Err(format!("has `{key}` that is not an object of percentages"));
        };
        for (name, value) in scores {
            let ok = match value {
                Value::Null => true,
                Value::Number(n) => n.as_f64().is_some_and(|n| (0.0..=100.0).contains(&n)),
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "has the {key} score {value} for `{name}`; expected a percentage 0–100 or null"
                ));
            }
        }
    }
    Ok(())
}

fn string<'a>(map: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    map.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("has no `{key}` text"))
}

/// An optional closed-list field: absent or null is `None`; anything else must be on the list.
fn optional<T>(
    map: &Map<String, Value>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(parse)
            .map(Some)
            .ok_or_else(|| format!("has the {key} {value}; expected {expected}")),
    }
}

/// `YYYY-MM-DD` → (year, quarter); years 2000–2999 only, days checked against the month.
pub(crate) fn parse_quarter(date: &str) -> Result<(u32, u32), String> {
    let bad = || format!("has the date `{date}`; expected a real date as YYYY-MM-DD");
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let (year, month, day) = (number(y)?, number(m)?, number(d)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(2000..=2999).contains(&year) || day == 0 || day > days {
        return Err(bad());
    }
    Ok((year, (month - 1) / 3 + 1))
}

#[cfg(test)]
mod tests {
    use super::parse_quarter;

    #[test]
    fn dates_give_quarters_and_bad_dates_are_refused() {
        assert_eq!(parse_quarter("2026-01-31"), Ok((2026, 1)));
        assert_eq!(parse_quarter("2026-06-30"), Ok((2026, 2)));
        assert_eq!(parse_quarter("2024-02-29"), Ok((2024, 1)));
        assert_eq!(parse_quarter("2026-12-01"), Ok((2026, 4)));
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-04-31",
            "26-01-01",
            "2026-1-1",
            "x",
            "1999-01-01",
        ] {
            assert!(parse_quarter(bad).is_err(), "{bad}");
        }
    }
}
