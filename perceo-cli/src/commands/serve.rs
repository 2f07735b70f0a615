//! `perceo serve`.

use std::io::Write;
use std::sync::Arc;

use perceo_core::serve::{ServeOptions, api_keys, openapi_json};

use crate::CmdResult;
use crate::args::{Cli, ServeArgs};
use crate::commands::open_with;
use crate::output::Output;

/// Completes on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(crate) fn run(cli: &Cli, args: &ServeArgs, out: &Output) -> CmdResult {
    if args.print_openapi {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(openapi_json().as_bytes())?;
        return Ok(());
    }
    // The server is the API: it never delegates to another one, whatever the config says.
    let perceo = open_with(cli, out, true)?;
    let options = ServeOptions {
        addr: std::net::SocketAddr::new(args.host, args.port),
        keys: api_keys(perceo.config())?,
        insecure_no_auth: args.insecure_no_auth,
        allow_remote: args.allow_remote,
        max_body_bytes: usize::try_from(perceo.config().settings.serve.max_body_bytes).unwrap_or(usize::MAX),
        request_timeout: std::time::Duration::from_secs(perceo.config().settings.serve.request_timeout_secs),
    };
    perceo_core::serve::check_options(&options)?;
    if options.keys.is_empty() {
        out.warn("serving without API keys (--insecure-no-auth): any local process can call the engines");
    } else if options.keys.iter().any(|k| k.len() < 16) {
        out.warn("an API key is shorter than 16 characters: use long random keys");
    }
    let settings = &perceo.config().settings;
    if settings.flow_graph.endpoint.is_none() {
        out.warn("the flow graph is the embedded file in this checkout: fine for one server, but replicas must share a Neo4j graph (flowGraph.endpoint)");
    }
    if settings.event_bus.kind == perceo_core::config::EventBusKind::InMemory {
        out.warn("the event bus is in-memory: events stay in this process; use Redis (eventBus.type) to share them");
    }
    if !args.host.is_loopback() {
        out.warn(&format!(
            "listening on {}: reachable from other machines; put TLS in front of the server",
            args.host
        ));
    }
    let project = perceo.config().project_dir.display().to_string();
    perceo_core::serve::run(
        Arc::new(perceo),
        options,
        &mut |bound| {
            // The URL goes to stdout (scripts and tests read it); the rest to stderr.
            let _ = writeln!(std::io::stdout(), "http://{bound}");
            let _ = std::io::stdout().flush();
            let line = serde_json::json!({
                "ts": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
                "level": "info",
                "msg": "listening",
                "url": format!("http://{bound}"),
                "project": project,
                "version": env!("CARGO_PKG_VERSION"),
            });
            let _ = writeln!(std::io::stderr(), "{line}");
        },
        Arc::new(|request: &perceo_core::serve::RequestLog| {
            if let Ok(line) = serde_json::to_string(request) {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }),
        shutdown_signal(),
    )?;
    let line = serde_json::json!({
        "ts": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        "level": "info",
        "msg": "stopped",
    });
    let _ = writeln!(std::io::stderr(), "{line}");
    Ok(())
}
