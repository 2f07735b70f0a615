//! `perceo dashboard`.

use crate::CmdResult;
use crate::args::{Cli, DashboardArgs};
use crate::commands::open;
use crate::output::Output;

pub(crate) fn run(cli: &Cli, args: &DashboardArgs, out: &Output) -> CmdResult {
    if !args.host.is_loopback() {
        if !args.allow_remote {
            return Err(perceo_core::Error::Argument(format!(
                "--host {} is reachable from other machines and the dashboard has no authentication: add --allow-remote to do it anyway",
                args.host
            ))
            .into());
        }
        out.warn(&format!(
            "the dashboard on {} has no authentication: anyone who can reach it can read it",
            args.host
        ));
    }
    let perceo = open(cli, out)?;
    let addr = std::net::SocketAddr::new(args.host, args.port);
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let open_browser = args.open;
    perceo_core::dashboard::run(
        &perceo,
        addr,
        &mut |bound| {
            let url = format!("http://{bound}/");
            // The URL goes to stdout (scripts read it); the hint to stderr.
            use std::io::Write;
            let _ = writeln!(std::io::stdout(), "{url}");
            let _ = writeln!(std::io::stderr(), "Dashboard on {url} (Ctrl-C stops)");
            if open_browser {
                let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
            }
        },
        stop,
    )?;
    Ok(())
}
