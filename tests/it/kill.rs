//! Builds killed or interrupted at every step: the output path always holds a complete site (the
//! old one or the new one, every line of its SHA256SUMS matching), and the next build succeeds
//! and removes every leftover. Debug builds pause at named steps when `INTEGRIDAD_TEST_PAUSE`
//! says so, which lets these tests kill exactly there.

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::harness::SiteTest;

const MARKER: &str = ".integridad-output";

/// Starts `integridad build --root <root> [args]` with a clean environment plus `env`.
fn spawn_build(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_integridad"))
        .arg("build")
        .args(args)
        .arg("--root")
        .arg(root)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts a build that stops at `step` and returns once it has stopped there.
fn build_paused_at(root: &Path, step: &str, extra_env: &[(&str, &str)]) -> Child {
    let mut env = vec![("INTEGRIDAD_TEST_PAUSE", step)];
    env.extend_from_slice(extra_env);
    let wanted = format!("paused at {step}");
    build_until(root, &env, move |line| line == wanted)
}

/// Starts a build and returns once a line of its stderr satisfies `wanted`.
fn build_until(
    root: &Path,
    env: &[(&str, &str)],
    wanted: impl Fn(&str) -> bool + Send + 'static,
) -> Child {
    let mut child = spawn_build(root, &[], env);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Reads until the build ends: it must find its stderr open when it reports a signal.
        let mut seen = String::new();
        let mut found = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !found && wanted(&line) {
                found = true;
                let _ = tx.send(Ok(()));
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        if !found {
            let _ = tx.send(Err(seen));
        }
    });
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(Ok(())) => child,
        other => {
            let _ = child.kill();
            let status = child.wait().unwrap();
            panic!("the build never printed the awaited line ({status}): {other:?}");
        }
    }
}

fn sigkill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

fn send_signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: plain system call on the pid of a child this test owns and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file of `dir` (relative paths), following no symlinks.
fn files_of(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Asserts that `dir` holds a complete site: every line of its SHA256SUMS matches, and it holds
/// no file beyond those listed, SHA256SUMS and the marker. Returns the home page.
#[track_caller]
pub(crate) fn assert_complete(dir: &Path) -> String {
    let listed = assert_sums_match(dir);
    let present = files_of(dir);
    let extra: Vec<_> = present.difference(&listed).collect();
    assert!(extra.is_empty(), "files not in SHA256SUMS: {extra:?}");
    std::fs::read_to_string(dir.join("index.html")).unwrap()
}

/// Asserts that every line of `dir/SHA256SUMS` matches and the marker is there; returns the
/// files that belong to the site (those listed, SHA256SUMS and the marker).
#[track_caller]
fn assert_sums_match(dir: &Path) -> BTreeSet<String> {
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap_or_else(|e| panic!("no SHA256SUMS in {}: {e}", dir.display()));
    let mut listed = BTreeSet::from(["SHA256SUMS".to_string(), MARKER.to_string()]);
    for line in sums.lines() {
        let (hex, path) = line.split_once("  ").expect("coreutils line");
        let bytes = std::fs::read(dir.join(path))
            .unwrap_or_else(|e| panic!("{path} listed but unreadable in {}: {e}", dir.display()));
        assert_eq!(
            sha256_hex(&bytes),
            hex,
            "{path} changed in {}",
            dir.display()
        );
        listed.insert(path.to_string());
    }
    assert!(
        dir.join(MARKER).is_file(),
        "marker missing in {}",
        dir.display()
    );
    listed
}

/// Asserts that the folder holding the output has nothing but the site's own files and it.
#[track_caller]
fn assert_no_leftovers(root: &Path) {
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let mut expected: BTreeSet<String> = ["content", "public", "site.toml", "themes"]
        .map(String::from)
        .into();
    // The lock every build of the output holds: a plain empty file, kept (removing a lock file
    // that another build may be waiting on would let two builds run at once).
    let lock = root.join(".public.integridad-lock");
    assert!(lock.is_file(), "the build lock is beside the output");
    assert_eq!(std::fs::metadata(&lock).unwrap().len(), 0);
    expected.insert(".public.integridad-lock".into());
    // The page record a build keeps for the next one, when a build got that far, and the
    // spare: a previous output, marked, for the next build to recycle.
    let spare = root.join(".public.integridad-spare");
    if spare.exists() {
        expected.insert(".public.integridad-spare".into());
        assert!(spare.join(MARKER).is_file(), "the spare has the marker");
    }
    let record = root.join(".public.integridad-cache");
    if record.exists() {
        expected.insert(".public.integridad-cache".into());
        assert_eq!(
            names(&record),
            ["pages".to_string()].into(),
            "beside the record"
        );
    }
    assert_eq!(names(root), expected, "leftovers beside the output");
}

/// Gives the home page a new text, so the old and the new site can be told apart.
fn set_version(root: &Path, version: usize) {
    std::fs::write(
        root.join("content/_index.md"),
        format!("---\ntitle: Inicio\n---\nversión-{version}\n"),
    )
    .unwrap();
}

fn version_of(home: &str) -> usize {
    let start = home.find("versión-").expect("version on the home page") + "versión-".len();
    home[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Kills a build at `step`, then checks the output and that the next build repairs everything.
/// With `recycling`, an earlier build has left a spare, which the killed build recycles.
fn kill_at_step(step: &str, extra_env: &[(&str, &str)], recycling: bool) {
    let site = SiteTest::fixture("build/basic");
    if recycling {
        set_version(&site.root, 0);
        site.build().ok();
        assert!(!site.exists(".public.integridad-spare"));
    }
    set_version(&site.root, 1);
    site.build().ok();
    assert_eq!(site.exists(".public.integridad-spare"), recycling);
    set_version(&site.root, 2);
    sigkill(build_paused_at(&site.root, step, extra_env));
    let output = if step == "swap-between" {
        // The two-rename fallback, killed between its renames, leaves the old site moved aside
        // and no output; the next build moves it back.
        assert!(!site.exists("public"));
        let aside: Vec<PathBuf> = std::fs::read_dir(&site.root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("/.public.integridad-old-"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        aside[0].clone()
    } else {
        site.path("public")
    };
    let version = version_of(&assert_complete(&output));
    assert!(version == 1 || version == 2, "{step}: version {version}");
    site.build().ok();
    assert_eq!(
        version_of(&assert_complete(&site.path("public"))),
        2,
        "{step}"
    );
    assert_no_leftovers(&site.root);
}

#[test]
fn a_build_killed_at_any_step_leaves_a_complete_site_and_the_next_build_cleans_up() {
    // "cleanup" stops half-way through deleting the old output, "cleanup-unmarked" after its
    // marker went (the old output is deleted when it cannot become the spare); "swept" is after
    // a recycled spare lost what the new site does not have; "swap-between" exists only in the
    // two-rename fallback.
    let no_spare = ("INTEGRIDAD_TEST_NO_SPARE", "1");
    for step in ["staging", "write", "swap", "swapped"] {
        kill_at_step(step, &[], false);
    }
    for step in ["staging", "write", "swap", "swept", "swapped"] {
        kill_at_step(step, &[], true);
    }
    for step in ["cleanup", "cleanup-unmarked"] {
        kill_at_step(step, &[no_spare], false);
    }
    for step in ["swap", "swap-between", "swapped"] {
        kill_at_step(step, &[("INTEGRIDAD_TEST_NO_EXCHANGE", "1")], true);
    }
    kill_at_step(
        "cleanup",
        &[("INTEGRIDAD_TEST_NO_EXCHANGE", "1"), no_spare],
        false,
    );
}

#[test]
fn a_kill_during_the_very_first_build_leaves_nothing_behind() {
    for step in ["write", "swap"] {
        let site = SiteTest::fixture("build/basic");
        sigkill(build_paused_at(&site.root, step, &[]));
        assert!(!site.exists("public"));
        site.build().ok();
        assert_complete(&site.path("public"));
        assert_no_leftovers(&site.root);
    }
}

#[test]
fn sigint_and_sigterm_remove_the_staging_folder_and_exit_130_and_143() {
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let site = SiteTest::fixture("build/basic");
        site.build().ok();
        let before = site.tree("public");
        let child = build_paused_at(&site.root, "write", &[]);
        send_signal(&child, signal);
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(code), "signal {signal}");
        assert_eq!(site.tree("public"), before);
        assert_no_leftovers(&site.root);
    }
}

/// A tmpfs mounted on a folder for the length of a test; unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts `source` (e.g. `["-t", "tmpfs", "tmpfs"]` or `["--bind", "/some/dir"]`) on `dir`;
    /// `None`, with the reason printed, where this process may not mount.
    fn new(source: &[&str], dir: &Path) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(source)
            .arg(dir)
            .stderr(Stdio::piped())
            .output();
        match status {
            Ok(out) if out.status.success() => Some(Mount(dir.to_path_buf())),
            Ok(out) => {
                eprintln!(
                    "skipped: cannot mount {source:?} here: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Names inside the output that a replacement uses; only the marker may remain.
#[track_caller]
fn assert_no_leftovers_inside(dir: &Path) {
    let ours: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".integridad-") && n != MARKER)
        .collect();
    assert!(ours.is_empty(), "leftovers inside the output: {ours:?}");
}

#[test]
fn an_output_that_is_a_tmpfs_mount_point_is_replaced_entry_by_entry() {
    let site = SiteTest::fixture("build/basic");
    if let Some(_mount) = Mount::new(&["-t", "tmpfs", "tmpfs"], &site.path("public")) {
        replace_mounted_output(&site);
    }
}

#[test]
fn an_output_that_is_a_bind_mount_on_the_same_disk_is_replaced_entry_by_entry() {
    // Same device as its parent, so only the kernel's mount-root flag tells it apart.
    let site = SiteTest::fixture("build/basic");
    let volume = site.root.parent().unwrap().join("volume");
    std::fs::create_dir_all(&volume).unwrap();
    let source = volume.display().to_string();
    if let Some(_mount) = Mount::new(&["--bind", &source], &site.path("public")) {
        replace_mounted_output(&site);
    }
}

fn replace_mounted_output(site: &SiteTest) {
    set_version(&site.root, 1);
    site.build()
        .ok()
        .stderr_has("is a mount point: its entries are replaced one by one");
    assert_eq!(version_of(&assert_complete(&site.path("public"))), 1);
    set_version(&site.root, 2);
    site.build().ok();
    assert_eq!(version_of(&assert_complete(&site.path("public"))), 2);
    assert_no_leftovers(&site.root);
    assert_no_leftovers_inside(&site.path("public"));
    // A kill in the middle of the replacement: the next build finishes it.
    let mut version = 2;
    for step in ["write", "swap", "in-place-old", "in-place-new", "cleanup"] {
        version += 1;
        set_version(&site.root, version);
        sigkill(build_paused_at(&site.root, step, &[]));
        if step == "write" || step == "swap" {
            // The staging folder sits inside the output: the old site is still whole.
            assert_sums_match(&site.path("public"));
            assert_eq!(version_of(&site.read("public/index.html")), version - 1);
        }
        version += 1;
        set_version(&site.root, version);
        site.build().ok();
        assert_eq!(
            version_of(&assert_complete(&site.path("public"))),
            version,
            "{step}"
        );
        assert_no_leftovers(&site.root);
        assert_no_leftovers_inside(&site.path("public"));
    }
}

/// A generated site of `sections × pages` pages on the fixture theme, in a temporary folder on
/// tmpfs where there is one: the test is about kills, not disk speed, and unlinking 2,000 files
/// on a journaled disk takes seconds.
fn generated_site(sections: usize, pages: usize) -> (tempfile::TempDir, PathBuf) {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
    };
    let dir = tempfile::Builder::new()
        .prefix("kill-")
        .tempdir_in(base)
        .unwrap();
    let root = dir.path().join("site");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in walkdir::WalkDir::new(fixtures.join("theme-min")) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(fixtures.join("theme-min"))
            .unwrap();
        let target = root.join("themes/default").join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::write(
        root.join("site.toml"),
        "title = \"Sitio generado\"\nbase_url = \"https://example.org/\"\n\
         default_language = \"es\"\n[languages.es]\nname = \"Español\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    set_version(&root, 0);
    for s in 0..sections {
        let section = root.join(format!("content/s{s:03}"));
        std::fs::create_dir_all(&section).unwrap();
        std::fs::write(
            section.join("_index.md"),
            format!("---\ntitle: Sección {s}\n---\n"),
        )
        .unwrap();
        for p in 0..pages {
            std::fs::write(
                section.join(format!("p{p:03}.md")),
                format!(
                    "---\ntitle: Página {s}-{p}\ndescription: Generada\n---\n\
                     ## Primer apartado\n\nTexto con [un enlace](../s000/p000.md#primer-apartado).\n\n\
                     ## Segundo apartado\n\n- uno\n- dos\n"
                ),
            )
            .unwrap();
        }
    }
    (dir, root)
}

fn build_ok(root: &Path) {
    let output = spawn_build(root, &[], &[]).wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "takes one to three minutes; .ci/run runs it by name"]
fn sigkill_at_30_points_of_a_2000_page_build_never_loses_the_site() {
    let (_dir, root) = generated_site(50, 40);
    build_ok(&root);
    // The second build is the one to time: it also deletes the previous output. Each build
    // after a kill is timed again, so the delays follow the machine's load.
    set_version(&root, 0);
    let started = Instant::now();
    build_ok(&root);
    let mut full = started.elapsed();
    let first = full;
    assert_eq!(version_of(&assert_complete(&root.join("public"))), 0);
    let (mut old, mut new) = (0, 0);
    for kill in 1..=30u32 {
        let version = kill as usize;
        set_version(&root, version);
        let child = spawn_build(&root, &[], &[]);
        std::thread::sleep(full * (2 * kill - 1) / 60);
        sigkill(child);
        match version_of(&assert_complete(&root.join("public"))) {
            v if v == version => new += 1,
            v if v + 1 == version => old += 1,
            v => panic!("kill {kill}: the output holds version {v}"),
        }
        let started = Instant::now();
        build_ok(&root);
        full = started.elapsed();
        assert_eq!(version_of(&assert_complete(&root.join("public"))), version);
        assert_no_leftovers(&root);
    }
    eprintln!(
        "a build took {:.1} s at first; 30 kills left the old site {old} times, the new one {new} times",
        first.as_secs_f64()
    );
}

#[test]
fn a_second_build_waits_for_a_live_one_and_never_takes_its_staging_folder_for_a_leftover() {
    let site = SiteTest::fixture("build/basic");
    set_version(&site.root, 1);
    let live = build_paused_at(&site.root, "write", &[]);
    let staging: Vec<PathBuf> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("/.public.integridad-new-"))
        .collect();
    assert_eq!(staging.len(), 1, "{staging:?}");
    set_version(&site.root, 2);
    let mut waiting = build_until(&site.root, &[], |line| {
        line.starts_with("note: another build of `")
            && line.ends_with("is running; waiting for it to finish")
    });
    assert!(
        staging[0].join(MARKER).is_file(),
        "the live build's folder was removed"
    );
    assert!(!site.exists("public"), "the waiting build published");
    sigkill(live);
    assert!(waiting.wait().unwrap().success());
    assert_eq!(version_of(&assert_complete(&site.path("public"))), 2);
    assert_no_leftovers(&site.root);
}
