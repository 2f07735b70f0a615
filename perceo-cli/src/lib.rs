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
    ExitCode::from(run_code(args))
}

/// Like [`run`], returning the exit code as a number (for the Node package's `bin`).
pub fn run_code<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let out = Output {
        json: cli.global.json,
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
    };
    match commands::dispatch(&cli, &out) {
        Ok(()) => 0,
        Err(Failure::Core(e)) => {
            out.error(&e);
            e.kind().exit_code()
        }
        Err(Failure::Io(e)) if is_broken_pipe(&e) => 0,
        Err(Failure::Io(e)) => {
            eprintln!("error[io]: cannot write output: {e}");
            1
        }
        Err(Failure::JobFailed) => 1,
    }
}
