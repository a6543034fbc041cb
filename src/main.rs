//! Thin entry point: parse arguments, call the library, print diagnostics, choose the exit code
//! (0 success, 1 content or verification errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;
use integridad::cli::{Cli, Command, NewKind};
use integridad::serve::{ServeOptions, WatchMode};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    let report = match command {
        Command::Build(args) => {
            let options = integridad::BuildOptions {
                root: args.root.root,
                output: args.output,
                base_url: args.base_url,
                include_drafts: args.drafts,
                offline: args.offline,
                sign: args.sign,
            };
            (integridad::build(&options)?, "built")
        }
        Command::Check(args) => (integridad::check(args.root.as_deref())?, "checked"),
        Command::Verify(args) => return verify(&args),
        Command::Keygen(args) => {
            let (secret, public) = integridad::keygen(&args.out)?;
            println!(
                "secret key: {}\npublic key: {}",
                secret.display(),
                public.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        Command::Serve(args) => {
            let bind = integridad::serve::parse_bind(&args.bind)?;
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
            integridad::serve(&options)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::New(args) => {
            let scaffold = match args.kind {
                NewKind::Chapter => integridad::Scaffold::Chapter,
                NewKind::Checklist => integridad::Scaffold::Checklist,
            };
            let path = integridad::new_file(args.root.root.as_deref(), scaffold, &args.name)?;
            let cwd = std::env::current_dir().unwrap_or_default();
            println!(
                "created {}",
                path.strip_prefix(&cwd).unwrap_or(&path).display()
            );
            return Ok(ExitCode::SUCCESS);
        }
    };
    let (report, verb) = report;
    eprint!("{}", report.diagnostics.render(&report.root));
    eprintln!("{}", report.summary(verb));
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn verify(args: &integridad::cli::VerifyArgs) -> anyhow::Result<ExitCode> {
    let result = integridad::verify_dir(&args.dir)?;
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
        match integridad::verify_signature(&args.dir, pubkey) {
            Ok(()) => eprintln!("signature: good ({})", pubkey.display()),
            Err(error) => {
                eprintln!("error: {error:#}");
                ok = false;
            }
        }
    }
    if ok {
        eprintln!("verified {} files", result.checked);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("verification failed");
        Ok(ExitCode::from(1))
    }
}
