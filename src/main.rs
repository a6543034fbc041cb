//! Thin entry point: parse arguments, call the library, print diagnostics, choose the exit code
//! (0 success, 1 content or verification errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;

/// Rendering allocates many small strings from several threads; mimalloc halves the time glibc's
/// allocator spends on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use integridad::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match integridad::command::run(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!(
                "error: {}",
                integridad::diagnostics::inert(&format!("{error:#}"))
            );
            ExitCode::from(2)
        }
    }
}
