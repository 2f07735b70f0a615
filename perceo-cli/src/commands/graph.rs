//! `perceo graph sync|status`.

use perceo_core::graph::SyncSummary;

use crate::CmdResult;
use crate::args::{Cli, GraphCommand};
use crate::commands::{open, user_path};
use crate::output::Output;

/// One line saying what a sync did.
pub(crate) fn summary_line(s: &SyncSummary) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.join(", "))
        }
    };
    format!(
        "Flow graph: {} created{}, {} updated{}, {} deleted{}, {} unchanged",
        s.created.len(),
        list(&s.created),
        s.updated.len(),
        list(&s.updated),
        s.deleted.len(),
        list(&s.deleted),
        s.unchanged
    )
}

pub(crate) fn run(cli: &Cli, cmd: &GraphCommand, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    match cmd {
        GraphCommand::Sync => {
            out.info(&format!("Syncing flows into {}", perceo.graph_location()?.display()));
            let summary = perceo.sync_graph()?;
            if out.json {
                return Ok(out.json_value(&serde_json::to_value(&summary).map_err(std::io::Error::other)?)?);
            }
            out.result(&summary_line(&summary))?;
        }
        GraphCommand::Deps(args) => {
            out.info("Building the module graph...");
            let from = args.from.as_deref().map(user_path);
            let to = args.to.as_deref().map(user_path);
            let graph = perceo.module_graph(from.as_deref(), to.as_deref())?;
            if out.json {
                return Ok(out.json_value(&serde_json::to_value(&graph).map_err(std::io::Error::other)?)?);
            }
            if args.dot {
                return Ok(out.result(perceo_core::code::deps::to_dot(&graph).trim_end())?);
            }
            for e in &graph.edges {
                out.result(&format!("{} -> {} ({})", e.from, e.to, e.kind.as_str()))?;
            }
            out.info(&format!(
                "{} file(s), {} edge(s), {} unresolved import(s)",
                graph.nodes.len(),
                graph.edges.len(),
                graph.unresolved.len()
            ));
        }
        GraphCommand::Status => {
            let status = perceo.graph_status()?;
            if out.json {
                return Ok(out.json_value(&serde_json::to_value(&status).map_err(std::io::Error::other)?)?);
            }
            out.result(&format!("backend:        {}", status.backend))?;
            out.result(&format!("location:       {}", status.location))?;
            out.result(&format!("schema version: {}", status.schema_version))?;
            out.result(&format!(
                "holds:          {} flow(s), {} persona(s), {} analysis(es), {} test run(s), {} insight(s)",
                status.flows, status.personas, status.analyses, status.test_runs, status.insights
            ))?;
        }
    }
    Ok(())
}
