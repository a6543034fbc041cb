//! Thin entry point: parse arguments, call the library, print diagnostics, choose the exit code
//! (0 success, 1 content or verification errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;
use integridad::cli::{Cli, Command};

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
            };
            (integridad::build(&options)?, "built")
        }
        Command::Check(args) => (integridad::check(args.root.as_deref())?, "checked"),
        other => anyhow::bail!("`{other:?}` is not available in this version"),
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
