//! Rebuilding after edits against a fresh build (issue 15). Edits are applied to a small
//! bilingual site on disk, one at a time, and after each one the site is rebuilt the way that is
//! being checked:
//! - by the dev server's incremental session: `Session::update`, told which files changed, must
//!   give exactly what a fresh `build_in_memory` gives (the same outcome, the same files with
//!   the same bytes and the same diagnostics);
//! - by `build` over its previous output, which takes the pages whose render key is unchanged
//!   from there without rendering them: the output and diagnostics must equal those of a build
//!   into an empty folder.
//!
//! The fixture has no theme of its own, so it builds with the built-in default theme
//! (navigation, handbook, search, feeds, sitemap).

mod edit;
mod model;

use integridad::diagnostics::Diagnostics;
use integridad::{Session, SiteFiles};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::harness::SiteTest;
use edit::{Edit, Pick};
use model::{Break, Site};

/// How a step tells the session what changed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Report {
    /// The paths the edit touched, as the watcher reports them.
    Exact,
    /// `None`: the session does not know and must re-read everything.
    Unknown,
}

/// The outcome of a step, as the fresh build saw it.
#[derive(Debug, PartialEq)]
enum Outcome {
    Built,
    Failed,
}

/// What rebuilds the site after each edit.
enum Follower {
    /// The dev server's session, compared with `build_in_memory`.
    Session(Box<Session>),
    /// `build` into `public/` over the previous output, compared with a build into an empty
    /// folder; counts the pages taken unchanged.
    Build { reused: usize },
}

/// A site on disk, the model it was written from, and what follows it.
struct Edited {
    site: SiteTest,
    model: Site,
    follower: Follower,
    /// What was done so far, for the failure message.
    log: Vec<String>,
}

impl Edited {
    /// Writes the initial site and compares the session's first build with a fresh one.
    fn start() -> Result<Edited, String> {
        Edited::start_with(|root| Follower::Session(Box::new(Session::new(root))))
    }

    /// Writes the initial site and compares the first `build` with a fresh one.
    fn start_built() -> Result<Edited, String> {
        Edited::start_with(|_| Follower::Build { reused: 0 })
    }

    fn start_with(follower: impl FnOnce(&std::path::Path) -> Follower) -> Result<Edited, String> {
        let site = SiteTest::fixture("session/basic");
        std::fs::remove_dir_all(site.path("themes")).unwrap();
        let model = Site::initial();
        for (path, text) in model.files() {
            site.write(&path, text);
        }
        let follower = follower(&site.root);
        let mut edited = Edited {
            site,
            model,
            follower,
            log: Vec::new(),
        };
        edited.log.push("first build: update(None)".to_string());
        let outcome = edited.check(None)?;
        if outcome != Outcome::Built {
            return Err("the initial site does not build".to_string());
        }
        Ok(edited)
    }

    /// Applies `edit` to the model and the disk, then compares the session with a fresh build.
    fn step(&mut self, edit: &Edit, report: Report) -> Result<Outcome, String> {
        let touched = self.model.apply(edit);
        self.write(&touched, &format!("{edit:?}"), report)
    }

    /// Undoes every error the edits left, then compares; the site must build again.
    fn heal(&mut self) -> Result<(), String> {
        let touched = self.model.heal();
        match self.write(&touched, "heal", Report::Exact)? {
            Outcome::Built => Ok(()),
            Outcome::Failed => Err(self.explain("the healed site does not build")),
        }
    }

    fn write(&mut self, touched: &[String], what: &str, report: Report) -> Result<Outcome, String> {
        let files = self.model.files();
        for path in touched {
            match files.get(path) {
                Some(text) => {
                    self.site.write(path, text);
                }
                None => std::fs::remove_file(self.site.path(path)).unwrap(),
            }
        }
        let changed = touched.to_vec();
        let given = match report {
            Report::Exact => format!("{changed:?}"),
            Report::Unknown => "None".to_string(),
        };
        self.log.push(format!("{what}: update({given})"));
        self.check((report == Report::Exact).then_some(&changed[..]))
    }

    /// The follower's rebuild against a fresh build of the same tree.
    fn check(&mut self, changed: Option<&[String]>) -> Result<Outcome, String> {
        let (incremental, fresh) = match &mut self.follower {
            Follower::Session(session) => {
                let incremental = session.update(changed);
                let incremental =
                    incremental.map_err(|e| self.explain(&format!("update failed: {e:#}")))?;
                let fresh = integridad::build_in_memory(&self.site.root)
                    .map_err(|e| self.explain(&format!("the fresh build failed: {e:#}")))?;
                (incremental, fresh)
            }
            Follower::Build { reused } => {
                let built = build_into(&self.site, "public");
                let (incremental, taken) = match built {
                    Ok(built) => built,
                    Err(e) => return Err(self.explain(&format!("the build failed: {e:#}"))),
                };
                *reused += taken;
                for clean in ["clean", ".clean.integridad-cache"] {
                    let _ = std::fs::remove_dir_all(self.site.path(clean));
                }
                let fresh = build_into(&self.site, "clean")
                    .map_err(|e| self.explain(&format!("the fresh build failed: {e:#}")))?
                    .0;
                (incremental, fresh)
            }
        };
        compare(&incremental, &fresh).map_err(|difference| self.explain(&difference))?;
        Ok(match fresh.0 {
            Some(_) => Outcome::Built,
            None => Outcome::Failed,
        })
    }

    fn explain(&self, problem: &str) -> String {
        format!("{problem}\nsteps:\n  {}", self.log.join("\n  "))
    }
}

type Built = (Option<SiteFiles>, Diagnostics);

/// `build --drafts` of the site into `output` (under the root): the output's files when it
/// built, its diagnostics, and how many pages it took unchanged from its previous output.
/// Drafts are included as in the dev server, so that the edits have the same outcomes.
fn build_into(site: &SiteTest, output: &str) -> anyhow::Result<(Built, usize)> {
    let report = integridad::build(&integridad::BuildOptions {
        root: Some(site.root.clone()),
        output: Some(site.path(output)),
        include_drafts: true,
        ..integridad::BuildOptions::default()
    })?;
    let files = (!report.failed()).then(|| site.tree(output).into_iter().collect());
    let reused = report.stats.map_or(0, |s| s.reused);
    Ok(((files, report.diagnostics), reused))
}

/// The first difference between the rebuild's result and the fresh build's, in a few lines.
fn compare(incremental: &Built, fresh: &Built) -> Result<(), String> {
    let (ours, theirs) = (all_diagnostics(&incremental.1), all_diagnostics(&fresh.1));
    match (&incremental.0, &fresh.0) {
        (Some(ours), Some(theirs)) => compare_files(ours, theirs)?,
        (None, None) => {}
        (ours_files, _) => {
            let said = |built: bool| if built { "built" } else { "failed" };
            return Err(format!(
                "the rebuild {} but the fresh build {}\nrebuild diagnostics:\n{}\nfresh diagnostics:\n{}",
                said(ours_files.is_some()),
                said(ours_files.is_none()),
                cut(&ours),
                cut(&theirs),
            ));
        }
    }
    if ours != theirs {
        return Err(format!(
            "the diagnostics differ\n{}",
            first_difference(&ours, &theirs)
        ));
    }
    Ok(())
}

/// Every diagnostic rendered in full, in the stable order (no flood cut-off).
fn all_diagnostics(diagnostics: &Diagnostics) -> String {
    diagnostics
        .sorted()
        .iter()
        .map(|d| diagnostics.render_one(d))
        .collect()
}

fn compare_files(ours: &SiteFiles, theirs: &SiteFiles) -> Result<(), String> {
    let only = |a: &SiteFiles, b: &SiteFiles| -> Vec<String> {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .take(5)
            .cloned()
            .collect()
    };
    let (extra, missing) = (only(ours, theirs), only(theirs, ours));
    if !extra.is_empty() || !missing.is_empty() {
        return Err(format!(
            "the file lists differ: only in the rebuild {extra:?}, only in the fresh build {missing:?}"
        ));
    }
    for (path, bytes) in ours {
        let fresh = &theirs[path];
        if bytes != fresh {
            let at = bytes
                .iter()
                .zip(fresh)
                .position(|(a, b)| a != b)
                .unwrap_or(bytes.len().min(fresh.len()));
            let around = |b: &[u8]| {
                let from = at.saturating_sub(120);
                let to = (at + 120).min(b.len());
                String::from_utf8_lossy(&b[from..to]).into_owned()
            };
            return Err(format!(
                "`{path}` differs at byte {at} (rebuild {} bytes, fresh {} bytes)\nrebuild: …{}…\nfresh:   …{}…",
                bytes.len(),
                fresh.len(),
                around(bytes),
                around(fresh),
            ));
        }
    }
    Ok(())
}

/// The first differing line of two texts with a line of context.
fn first_difference(ours: &str, theirs: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), theirs.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |lines: &[&str]| lines[at.saturating_sub(1)..(at + 3).min(lines.len())].join("\n");
    format!(
        "from line {}:\nrebuild:\n{}\nfresh:\n{}",
        at + 1,
        show(&a),
        show(&b)
    )
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(1500) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn pick() -> impl Strategy<Value = Pick> {
    any::<u8>().prop_map(|n| Pick::Nth(n.into()))
}

fn edit() -> impl Strategy<Value = Edit> {
    let how = prop_oneof![
        Just(Break::UnknownKey),
        Just(Break::BadYaml),
        Just(Break::NoTitle)
    ];
    prop_oneof![
        3 => (pick(), any::<u8>()).prop_map(|(doc, variant)| Edit::AddParagraph { doc, variant }),
        2 => (pick(), any::<u8>()).prop_map(|(doc, variant)| Edit::AddHeading { doc, variant }),
        2 => (pick(), pick()).prop_map(|(doc, which)| Edit::RemoveHeading { doc, which }),
        1 => Just(Edit::RestoreHeading),
        3 => (pick(), any::<u8>()).prop_map(|(doc, variant)| Edit::Title { doc, variant }),
        2 => (pick(), any::<Option<u8>>()).prop_map(|(doc, weight)| Edit::Weight { doc, weight }),
        1 => (pick(), any::<Option<u8>>()).prop_map(|(doc, slug)| Edit::Slug { doc, slug }),
        1 => pick().prop_map(|doc| Edit::Draft { doc }),
        2 => (pick(), proptest::option::of(pick()), any::<bool>())
            .prop_map(|(page, to, fix_links)| Edit::Rename { page, to, fix_links }),
        1 => (pick(), any::<bool>()).prop_map(|(page, fix_links)| Edit::Delete { page, fix_links }),
        2 => (pick(), proptest::option::of(pick()), any::<u8>())
            .prop_map(|(folder, link_to, prefix)| Edit::Add { folder, link_to, prefix }),
        2 => pick().prop_map(|doc| Edit::Translation { doc }),
        1 => (pick(), any::<u8>()).prop_map(|(index, variant)| Edit::SectionTitle { index, variant }),
        1 => any::<u8>().prop_map(|variant| Edit::ChecklistItem { variant }),
        1 => (pick(), how).prop_map(|(doc, how)| Edit::BreakFrontMatter { doc, how }),
        1 => Just(Edit::FixFrontMatter),
        1 => pick().prop_map(|doc| Edit::AddMissingLink { doc }),
        1 => Just(Edit::RemoveBrokenLinks),
        1 => any::<u8>().prop_map(|variant| Edit::Asset { variant }),
        1 => any::<u8>().prop_map(|variant| Edit::SiteTitle { variant }),
    ]
}

/// Mostly the exact paths; now and then `None`, as when the watcher lost events.
fn report() -> impl Strategy<Value = Report> {
    prop_oneof![11 => Just(Report::Exact), 1 => Just(Report::Unknown)]
}

/// Runs one generated case and counts the outcomes of its steps.
fn run_case(mut edited: Edited, steps: &[(Edit, Report)], tally: &mut Tally) -> Result<(), String> {
    for (edit, report) in steps {
        match edited.step(edit, *report)? {
            Outcome::Built => tally.built += 1,
            Outcome::Failed => tally.failed += 1,
        }
    }
    edited.heal()?;
    if let Follower::Build { reused } = edited.follower {
        tally.reused += reused;
    }
    Ok(())
}

/// How many generated steps ended in a built site and how many in errors, and how many pages
/// builds took unchanged from their previous output.
#[derive(Default)]
struct Tally {
    built: usize,
    failed: usize,
    reused: usize,
}

/// The number of generated cases: `PROPTEST_CASES` when set (a longer run), else 48 (about
/// 30 s in a debug build).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

/// Random sequences of edits, each followed by what `start` sets up; returns the tally.
fn random_edits(cases: u32, start: fn() -> Result<Edited, String>) -> Tally {
    let config = Config {
        cases,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    };
    let steps = proptest::collection::vec((edit(), report()), 1..=6);
    let tally = std::cell::RefCell::new(Tally::default());
    let result = TestRunner::new(config).run(&steps, |steps| {
        let edited = start().map_err(TestCaseError::fail)?;
        run_case(edited, &steps, &mut tally.borrow_mut()).map_err(TestCaseError::fail)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
    // The edits must reach both kinds of state, or the comparison covers less than it claims.
    let tally = tally.into_inner();
    let Tally { built, failed, .. } = tally;
    eprintln!("steps: {built} built, {failed} failed");
    assert!(
        built >= failed && failed > 0,
        "the generated steps built {built} times and failed {failed} times"
    );
    tally
}

#[test]
fn incremental_updates_equal_a_fresh_build_after_random_edits() {
    random_edits(cases(), Edited::start);
}

#[test]
fn builds_over_the_previous_output_equal_a_clean_build_after_random_edits() {
    // Two builds to disk per step: a third of the session's cases in about the same time.
    let tally = random_edits(cases().div_ceil(3), Edited::start_built);
    // Pages must have been taken from the previous output, or the comparison shows nothing.
    assert!(tally.reused > 0, "no build took a page unchanged");
}

/// Every kind of edit at least once, in a fixed order, each with the outcome it must have.
#[rustfmt::skip]
fn script() -> Vec<(Edit, Report, Outcome)> {
    use Edit::*;
    use Outcome::{Built, Failed};
    use Pick::Named;
    use Report::{Exact, Unknown};
    vec![
        (AddParagraph { doc: Named("guia/02-codigo.md"), variant: 1 }, Exact, Built),
        // Raw HTML: a warning on a page that still builds.
        (AddParagraph { doc: Named("guia/04-controles.md"), variant: 4 }, Exact, Built),
        (AddHeading { doc: Named("guia/04-controles.md"), variant: 1 }, Exact, Built),
        // Chapter 1 links to `#detalle` in both languages.
        (RemoveHeading { doc: Named("guia/02-codigo.md"), which: Named("Detalle") }, Exact, Failed),
        (RestoreHeading, Exact, Built),
        (Title { doc: Named("guia/01-riesgos.md"), variant: 1 }, Exact, Built),
        (Weight { doc: Named("guia/04-controles.md"), weight: Some(0) }, Exact, Built),
        (Slug { doc: Named("guia/practicas/02-pagos.md"), slug: Some(0) }, Exact, Built),
        // Linked from `guia/02-codigo.md`, another folder: only the link there changes.
        (Slug { doc: Named("guia/practicas/01-compras.md"), slug: Some(1) }, Exact, Built),
        (Draft { doc: Named("guia/03-denuncias.md") }, Exact, Built),
        (Draft { doc: Named("guia/04-controles.md") }, Exact, Built),
        (Rename { page: Named("guia/01-riesgos.md"), to: None, fix_links: true }, Exact, Built),
        (Translation { doc: Named("guia/02-codigo.md") }, Exact, Built),
        (Translation { doc: Named("acerca.md") }, Exact, Built),
        (SectionTitle { index: Named("guia/practicas/_index.md"), variant: 0 }, Exact, Built),
        // Without its English text, then with it again: a warning comes and goes.
        (ChecklistItem { variant: 3 }, Exact, Built),
        (ChecklistItem { variant: 2 }, Exact, Built),
        (
            Add { folder: Named("guia/practicas"), link_to: Some(Named("guia/02-codigo.md")), prefix: 0 },
            Exact,
            Built,
        ),
        (Delete { page: Named("guia/practicas/01-compras.md"), fix_links: true }, Exact, Built),
        (BreakFrontMatter { doc: Named("guia/04-controles.md"), how: Break::UnknownKey }, Exact, Failed),
        (FixFrontMatter, Exact, Built),
        (AddMissingLink { doc: Named("acerca.md") }, Exact, Failed),
        (RemoveBrokenLinks, Exact, Built),
        (Asset { variant: 7 }, Exact, Built),
        (SiteTitle { variant: 3 }, Exact, Built),
        (AddParagraph { doc: Named("guia/_index.md"), variant: 2 }, Unknown, Built),
        // Moved without fixing the links to it: chapter 1 now links to a missing page.
        (Rename { page: Named("guia/02-codigo.md"), to: Some(Named("")), fix_links: false }, Exact, Failed),
        (RemoveBrokenLinks, Exact, Built),
        (Delete { page: Named("guia/practicas/02-pagos.md"), fix_links: false }, Exact, Built),
    ]
}

/// The script, step by step: a failure names its step without any shrinking.
fn run_script(mut edited: Edited) -> Edited {
    for (n, (edit, report, expected)) in script().iter().enumerate() {
        let outcome = edited.step(edit, *report).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&outcome, expected, "step {n}: {}", edited.explain(""));
    }
    edited
}

#[test]
fn scripted_edits_of_every_kind_equal_a_fresh_build() {
    run_script(Edited::start().unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn scripted_edits_built_over_the_previous_output_equal_a_clean_build() {
    let edited = run_script(Edited::start_built().unwrap_or_else(|e| panic!("{e}")));
    let Follower::Build { reused } = edited.follower else {
        unreachable!()
    };
    assert!(reused > 0, "no build took a page unchanged");
}
