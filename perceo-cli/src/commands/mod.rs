//! One module per command; each maps its arguments to the core and formats the result.

mod analytics;
mod analyzer;
mod ci;
mod config;
mod dashboard;
mod doctor;
mod events;
mod flows;
mod graph;
mod init;
mod serve;
mod watch;
mod why;

use clap::CommandFactory;

use crate::CmdResult;
use crate::args::{Cli, Command};
use crate::output::Output;

/// Opens the project named by the global flags, with the process environment.
pub(crate) fn open(cli: &Cli, out: &Output) -> Result<perceo_core::Perceo, perceo_core::Error> {
    open_with(cli, out, cli.global.local)
}

/// Like [`open`], choosing whether every engine runs in-process (`local`).
pub(crate) fn open_with(cli: &Cli, out: &Output, local: bool) -> Result<perceo_core::Perceo, perceo_core::Error> {
    let env = perceo_core::Env::from_process();
    let perceo = perceo_core::Perceo::open(
        &cli.global.project_dir,
        perceo_core::OpenOptions {
            env,
            local,
            config_path: None,
        },
    )?;
    out.debug(&format!("project: {}", perceo.config().project_dir.display()));
    for w in &perceo.config().warnings {
        out.warn(w);
    }
    Ok(perceo)
}

/// Prints the warnings the core recorded during the last calls (it never prints itself).
pub(crate) fn print_warnings(perceo: &perceo_core::Perceo, out: &Output) {
    for w in perceo.take_warnings() {
        out.warn(&w);
    }
}

/// A file the user named, relative to the current directory, as the absolute path the core
/// takes.
pub(crate) fn user_path(path: &std::path::Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    absolute.to_string_lossy().into_owned()
}

/// Runs the parsed command.
pub(crate) fn dispatch(cli: &Cli, out: &Output) -> CmdResult {
    match &cli.command {
        Command::Init(args) => init::run(cli, args, out),
        Command::Config(cmd) => config::run(cli, cmd, out),
        Command::Ci(cmd) => ci::run(cli, cmd, out),
        Command::Analyze(cmd) => analyzer::run(cli, cmd, out),
        Command::Flows(cmd) => flows::run(cli, cmd, out),
        Command::Routes => flows::routes(cli, out),
        Command::Why(args) => why::run(cli, args, out),
        Command::Graph(cmd) => graph::run(cli, cmd, out),
        Command::Analytics(cmd) => analytics::run(cli, cmd, out),
        Command::Events(cmd) => events::run(cli, cmd, out),
        Command::Watch(args) => watch::run(cli, args, out),
        Command::Dashboard(args) => dashboard::run(cli, args, out),
        Command::Serve(args) => serve::run(cli, args, out),
        Command::Doctor(args) => doctor::run(cli, args, out),
        Command::Completions(args) => {
            let mut cmd = Cli::command();
            clap_complete::generate(args.shell, &mut cmd, "perceo", &mut std::io::stdout());
            Ok(())
        }
    }
}
