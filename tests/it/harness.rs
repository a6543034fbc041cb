//! Test harness: copies a fixture site into a fresh temp folder, lets a test change files, and
//! builds it through the library or the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SiteTest {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub struct Run {
    pub code: i32,
    #[allow(dead_code)]
    pub stdout: String,
    pub stderr: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`; without its own `themes/`, it gets the minimal test theme.
    pub fn fixture(name: &str) -> SiteTest {
        let dir = tempfile::Builder::new()
            .prefix("site-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let root = dir.path().join("site");
        copy_dir(&fixtures().join(name), &root);
        if !root.join("themes").exists() {
            copy_dir(&fixtures().join("theme-min"), &root.join("themes/default"));
        }
        SiteTest { _dir: dir, root }
    }

    /// The bundled site of the repository (content, theme and site.toml), copied.
    pub fn bundled() -> SiteTest {
        let dir = tempfile::Builder::new()
            .prefix("bundled-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let root = dir.path().join("site");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["content", "themes"] {
            copy_dir(&repo.join(part), &root.join(part));
        }
        std::fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
        SiteTest { _dir: dir, root }
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.root.join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Reads a file of the default output folder.
    pub fn out(&self, rel: &str) -> String {
        self.read(&format!("public/{rel}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root.join(rel).exists()
    }

    /// Runs the binary with `args` then `--root <site>` (when `with_root`), with a clean environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(args, true)
    }

    pub fn run_in(&self, args: &[&str], with_root: bool) -> Run {
        self.run_full(args, with_root, &[])
    }

    /// `run` with these environment variables set too.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_full(args, true, env)
    }

    fn run_full(&self, args: &[&str], with_root: bool, env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_integridad"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().copied())
            .current_dir(&self.root);
        if with_root {
            command.arg("--root").arg(&self.root);
        }
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr)
                .replace(&self.root.display().to_string(), "$ROOT"),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn check(&self) -> Run {
        self.run(&["check"])
    }

    /// Every file of a folder with its bytes, in path order.
    pub fn tree(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        let base = self.root.join(rel);
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
        files
    }
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn fails(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}; stderr:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn errors(&self) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count()
    }
}
