//! Runs a parsed command: calls the pipeline, prints diagnostics and summaries to stderr.
//! Exit codes are chosen in `main.rs` from what `run` returns.

use crate::cli::{Command, NewKind, ReportArgs, VerifyArgs};
use crate::serve::{ServeOptions, WatchMode};
use crate::Verbosity;
use crate::{SignatureCheck, Trust};

/// Runs one command and prints its diagnostics. `Ok(false)` means content or verification
/// errors (exit code 1); `Err` means usage or I/O errors (exit code 2).
pub fn run(command: Command) -> anyhow::Result<bool> {
    let verbosity;
    let report = match command {
        Command::Build(args) => {
            crate::exit_on_signals()?;
            verbosity = verbosity_of(&args.verbosity);
            let options = crate::BuildOptions {
                root: args.root.root,
                output: args.output,
                base_url: args.base_url,
                include_drafts: args.drafts,
                offline: args.offline,
                sign: args.sign,
                bundle: args.bundle,
                progress: progress_of(verbosity),
            };
            (crate::build(&options)?, "build")
        }
        Command::Check(args) => {
            verbosity = verbosity_of(&args.verbosity);
            let options = crate::BuildOptions {
                root: args.root.root,
                include_drafts: args.drafts,
                progress: progress_of(verbosity),
                ..crate::BuildOptions::default()
            };
            (crate::check(&options)?, "check")
        }
        Command::Verify(args) => return verify(&args),
        Command::Report(args) => return report(args),
        Command::Keygen(args) => {
            let password = if args.no_password {
                crate::Password::None
            } else {
                crate::Password::Required
            };
            let pair = crate::keygen(&args.out, password)?;
            println!(
                "secret key: {} (keep it private: never publish or commit it; only this file can sign)",
                pair.secret.display()
            );
            println!(
                "public key: {} (publish this one; mirrors and readers verify with it)",
                pair.public.display()
            );
            println!("public key line: {}", pair.public_line);
            if let Some(repository) = &pair.unignored_in_repository {
                eprintln!(
                    "warning: the secret key is inside the git repository `{}`, whose .gitignore \
                     does not list `*.key`; move the key outside the repository or add `*.key`",
                    repository.display()
                );
            }
            return Ok(true);
        }
        Command::Serve(args) => {
            let bind = crate::serve::parse_bind(&args.bind)?;
            let watch = if args.poll {
                WatchMode::Poll
            } else {
                WatchMode::Events
            };
            let options = ServeOptions {
                root: args.root.root,
                bind,
                port: args.port,
                watch,
                open: if args.open {
                    crate::serve::Open::Browser
                } else {
                    crate::serve::Open::No
                },
            };
            crate::serve(&options)?;
            return Ok(true);
        }
        Command::New(args) => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let scaffold = match (args.kind, args.lang, args.from) {
                (NewKind::Chapter, Some(lang), Some(from)) => crate::Scaffold::Translation {
                    lang,
                    from: cwd.join(from),
                },
                (NewKind::Chapter, ..) => crate::Scaffold::Chapter {
                    section: args.section,
                },
                (NewKind::Checklist, None, None) => crate::Scaffold::Checklist,
                (NewKind::Checklist, ..) => {
                    anyhow::bail!("--lang and --from are for chapters; a checklist holds every language in one file")
                }
            };
            let path = crate::new_file(args.root.root.as_deref(), &scaffold, &args.name)?;
            println!(
                "created {}",
                path.strip_prefix(&cwd).unwrap_or(&path).display()
            );
            return Ok(true);
        }
        Command::Init(args) => {
            let files = crate::init(&args.dir)?;
            for file in &files {
                println!("created {}", args.dir.join(file).display());
            }
            eprintln!(
                "new site in `{}`: run `integridad serve` there to preview it, and set `base_url` in site.toml before publishing",
                args.dir.display()
            );
            return Ok(true);
        }
    };
    let (report, command) = report;
    let diagnostics = match verbosity {
        Verbosity::Quiet => report.diagnostics.errors_only(),
        _ => report.diagnostics.clone(),
    };
    eprint!("{}", diagnostics.render());
    if !report.failed() {
        for line in report.notes(verbosity) {
            eprintln!("{line}");
        }
    }
    if verbosity != Verbosity::Quiet || report.failed() {
        eprintln!("{}", report.summary(command));
    }
    Ok(!report.failed())
}

/// `--quiet` shows no progress line.
fn progress_of(verbosity: Verbosity) -> crate::Progress {
    match verbosity {
        Verbosity::Quiet => crate::Progress::Hidden,
        _ => crate::Progress::OnTerminal,
    }
}

fn verbosity_of(args: &crate::cli::Verbosity) -> Verbosity {
    match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<bool> {
    use std::io::IsTerminal as _;
    let trust = match (&args.pubkey, &args.pubkey_string, args.unsigned) {
        (Some(file), _, _) => Trust::KeyFile(file.clone()),
        (_, Some(line), _) => Trust::KeyString(line.clone()),
        (_, _, true) => Trust::Unsigned,
        _ => Trust::Unspecified,
    };
    let target = args.target.to_string_lossy();
    let result = if target.starts_with("http://") || target.starts_with("https://") {
        let options = crate::RemoteOptions {
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
            concurrency: args.jobs,
            progress: std::io::stderr().is_terminal(),
            total_timeout: std::time::Duration::from_secs(args.total_timeout.max(1)),
        };
        crate::verify_url(&target, &trust, &options)?
    } else if target.contains("://") {
        anyhow::bail!("`{target}` is neither a folder nor an http(s) address");
    } else {
        crate::verify_dir(
            &args.target,
            &trust,
            args.max_file_size.saturating_mul(1024 * 1024),
        )?
    };
    match &result.signature {
        SignatureCheck::Failed(why) => eprintln!("error: {}", crate::diagnostics::inert(why)),
        SignatureCheck::NotSigned => eprintln!(
            "warning: this copy has no SHA256SUMS.minisig, so only its checksums were checked"
        ),
        SignatureCheck::Good(_) | SignatureCheck::Skipped => {}
    }
    for problem in &result.problems {
        eprintln!("error: {problem}");
    }
    eprintln!("{}", result.summary());
    Ok(result.ok())
}

fn report(args: ReportArgs) -> anyhow::Result<bool> {
    let options = crate::ReportOptions {
        root: args.root.root,
        inputs: args.inputs,
        output: args.output.clone(),
        min_group: args.min_group as usize,
    };
    let outcome = crate::report(&options)?;
    eprint!("{}", outcome.diagnostics.render());
    if outcome.diagnostics.has_errors() {
        eprintln!("report failed: the site has errors");
        return Ok(false);
    }
    for warning in &outcome.warnings {
        // Keys, ids and file names of the exports, as they were sent.
        eprintln!("warning: {}", crate::diagnostics::inert(warning));
    }
    let files = outcome.files;
    let counts = format!(
        "{} files read, {} used, {} duplicated, {} rejected",
        files.read, files.used, files.duplicated, files.rejected
    );
    if !outcome.written {
        eprintln!("error: no usable export found ({counts}); nothing was written");
        return Ok(false);
    }
    eprintln!(
        "report written to {}: {} pages, {} CSV files; {counts}",
        args.output.display(),
        outcome.pages,
        outcome.csv_files
    );
    Ok(true)
}
