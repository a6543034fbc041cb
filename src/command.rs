//! Runs a parsed command: calls the pipeline, prints diagnostics and summaries to stderr.
//! Exit codes are chosen in `main.rs` from what `run` returns.

use crate::cli::{Command, NewKind, VerifyArgs};
use crate::serve::{ServeOptions, WatchMode};
use crate::Verbosity;

/// Runs one command and prints its diagnostics. `Ok(false)` means content or verification
/// errors (exit code 1); `Err` means usage or I/O errors (exit code 2).
pub fn run(command: Command) -> anyhow::Result<bool> {
    let verbosity;
    let report = match command {
        Command::Build(args) => {
            verbosity = verbosity_of(&args.verbosity);
            let options = crate::BuildOptions {
                root: args.root.root,
                output: args.output,
                base_url: args.base_url,
                include_drafts: args.drafts,
                offline: args.offline,
                sign: args.sign,
            };
            (crate::build(&options)?, "build")
        }
        Command::Check(args) => {
            verbosity = verbosity_of(&args.verbosity);
            let options = crate::BuildOptions {
                root: args.root.root,
                include_drafts: args.drafts,
                ..crate::BuildOptions::default()
            };
            (crate::check(&options)?, "check")
        }
        Command::Verify(args) => return verify(&args),
        Command::Keygen(args) => {
            let (secret, public) = crate::keygen(&args.out)?;
            println!(
                "secret key: {}\npublic key: {}",
                secret.display(),
                public.display()
            );
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
    eprint!("{}", diagnostics.render(&report.root));
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

fn verbosity_of(args: &crate::cli::Verbosity) -> Verbosity {
    match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<bool> {
    let result = crate::verify_dir(&args.dir)?;
    for (label, paths) in [
        ("changed", &result.mismatched),
        ("missing", &result.missing),
        ("not listed", &result.unlisted),
    ] {
        for path in paths.iter() {
            eprintln!("error: {label}: {path}");
        }
    }
    for line in &result.malformed {
        eprintln!("error: SHA256SUMS line {line} is not `<sha256>  <path>`");
    }
    let mut ok = result.ok();
    if let Some(pubkey) = &args.pubkey {
        match crate::verify_signature(&args.dir, pubkey) {
            Ok(()) => eprintln!("signature: good ({})", pubkey.display()),
            Err(error) => {
                eprintln!("error: {error:#}");
                ok = false;
            }
        }
    }
    if ok {
        eprintln!(
            "verified {}",
            crate::plural(result.checked, "file", "files")
        );
        Ok(true)
    } else {
        eprintln!("verification failed");
        Ok(false)
    }
}
