//! The `perceo` command line: parsing, conversion and formatting over `perceo-core`.
//!
//! [`run`] is the whole program; `main` only calls it, so tests can too.

mod args;
mod commands;
mod output;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use output::{Output, is_broken_pipe};

/// Why a command stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A core error, printed once with its code.
    Core(perceo_core::Error),
    /// Writing the output failed.
    Io(std::io::Error),
    /// The job ran and its result is a failure (`--fail-on` matched); already reported.
    JobFailed,
}

impl From<perceo_core::Error> for Failure {
    fn from(e: perceo_core::Error) -> Self {
        Failure::Core(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

/// Result type of the command functions.
pub(crate) type CmdResult = Result<(), Failure>;

/// Runs the command line with `args` (program name first) and returns the exit code:
/// 0 ok, 1 job failed, 2 usage or config error, 3 service unreachable.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let out = Output {
        json: cli.global.json,
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
    };
    match commands::dispatch(&cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Core(e)) => {
            out.error(&e);
            ExitCode::from(e.kind().exit_code())
        }
        Err(Failure::Io(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error[io]: cannot write output: {e}");
            ExitCode::from(1)
        }
        Err(Failure::JobFailed) => ExitCode::from(1),
    }
}
