//! The command line (SPEC "Command line"): one `Command` enum with an args struct per command.
//! No logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "integridad",
    version,
    about = "Builds the Business Integrity Toolkit site from markdown chapters and YAML sector checklists"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default `public/`).
    Build(BuildArgs),
    /// Serve the site with live reload while you edit (never touches `public/`).
    Serve(ServeArgs),
    /// Run every validation of `build` and write nothing.
    Check(CheckArgs),
    /// Verify a copy of the site against its SHA256SUMS (and signature).
    Verify(VerifyArgs),
    /// Create a minisign-compatible key pair for signing builds.
    Keygen(KeygenArgs),
    /// Create a new chapter, chapter translation or checklist with valid front matter.
    New(NewArgs),
    /// Create a new site (site.toml, a home page, a chapter, a checklist) in DIR.
    Init(InitArgs),
    /// Build an anonymous report site from folders of exported self-assessments.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Folders holding the exported answer files (`*.json`), searched recursively.
    #[arg(value_name = "DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Folder to write the report site and its CSV files into.
    #[arg(long, value_name = "OUT")]
    pub output: PathBuf,
    /// Smallest group of assessments whose figures are shown; smaller ones say "not enough answers".
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_group: u32,
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// Site folder; defaults to the nearest folder upward holding `site.toml`.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// How much `build` and `check` print.
#[derive(Debug, Args)]
pub struct Verbosity {
    /// Also list what the notes count (e.g. each page without a translation).
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print errors only (and the summary line only when the run fails).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    #[command(flatten)]
    pub verbosity: Verbosity,
    /// Include draft pages, as `serve` and `build --drafts` do.
    #[arg(long, short = 'D')]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    #[command(flatten)]
    pub verbosity: Verbosity,
    /// Output folder (default: `[build] output_dir` of site.toml).
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Absolute URL the site is published at (overrides `base_url`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include draft pages.
    #[arg(long, short = 'D')]
    pub drafts: bool,
    /// Write links to `…/index.html` so the copy works opened from disk.
    #[arg(long)]
    pub offline: bool,
    /// Sign SHA256SUMS with this minisign secret key.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Also write `integridad-offline.zip`: the `--offline` site with its SHA256SUMS (and
    /// signature), offered for download on the home and about pages.
    #[arg(long)]
    pub bundle: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Address to listen on; use 0.0.0.0 for access from other devices.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (the next free one is used if it is busy).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Accepted for symmetry with `build`: `serve` always shows drafts, with a banner.
    #[arg(long, short = 'D')]
    pub drafts: bool,
    /// Poll the disk instead of using file-system events (network drives, WSL, containers).
    #[arg(long)]
    pub poll: bool,
    /// Open the site in the desktop's browser once it is served.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("trust").multiple(false))]
pub struct VerifyArgs {
    /// Folder holding the copy and its SHA256SUMS, or the http(s) address of a live mirror.
    #[arg(value_name = "DIR|URL")]
    pub target: PathBuf,
    /// The publisher's minisign public key file (`integridad.pub`), obtained from the origin.
    #[arg(long, value_name = "FILE", group = "trust")]
    pub pubkey: Option<PathBuf>,
    /// The publisher's public key as the `RW…` line shown on the origin's about page.
    #[arg(long, value_name = "RW…", group = "trust")]
    pub pubkey_string: Option<String>,
    /// Check the checksums only, without the signature (say so explicitly).
    #[arg(long, group = "trust")]
    pub unsigned: bool,
    /// Longest time one request to a mirror may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Largest file accepted from a mirror or read from a folder, in MiB; a larger one is a
    /// problem, not read further.
    #[arg(long, value_name = "MIB", default_value_t = 100)]
    pub max_file_size: u64,
    /// Longest time `verify URL` may take in all, in seconds; files not fetched by then are
    /// one problem.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub total_timeout: u64,
    /// Files fetched from a mirror at the same time.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub jobs: usize,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Secret key file to write; the public key goes beside it with `.pub`. Keep the secret
    /// key outside the site's repository.
    #[arg(long, value_name = "FILE", default_value = "integridad.key")]
    pub out: PathBuf,
    /// Write the secret key unencrypted (no password); otherwise an empty password is refused.
    #[arg(long)]
    pub no_password: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// What to create.
    pub kind: NewKind,
    /// Name of the chapter (its title) or checklist (its id).
    pub name: String,
    /// Folder under `content/` for a new chapter.
    #[arg(
        long,
        value_name = "FOLDER",
        default_value = "toolkit",
        conflicts_with = "from"
    )]
    pub section: String,
    /// Language of a translation to create with `--from` (e.g. `en`).
    #[arg(long, value_name = "LANG", requires = "from")]
    pub lang: Option<String>,
    /// Chapter to translate: the new file goes beside it, with the same weight.
    #[arg(long, value_name = "FILE", requires = "lang")]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the site in; it must be new or empty.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum NewKind {
    Chapter,
    Checklist,
}
