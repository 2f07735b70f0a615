//! `perceo watch`.

use perceo_core::watch::WatchBatch;

use crate::CmdResult;
use crate::args::{Cli, WatchArgs};
use crate::commands::open;
use crate::output::Output;

fn clock() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.get(11..19).unwrap_or(&now).to_string()
}

fn print_batch(out: &Output, args: &WatchArgs, auto_test: bool, batch: &WatchBatch) -> std::io::Result<()> {
    let r = &batch.report;
    if out.json {
        let line = serde_json::json!({
            "changed": batch.changed,
            "processingMs": batch.processing.as_secs_f64() * 1000.0,
            "report": r,
        });
        return out.result(&line.to_string());
    }
    out.result(&format!(
        "{}  {} file(s) changed → {} flow(s) affected ({:.1} ms)",
        clock(),
        batch.changed.len(),
        r.flows.len(),
        batch.processing.as_secs_f64() * 1000.0
    ))?;
    if args.dev {
        out.result(&format!("          files: {}", batch.changed.join(", ")))?;
        out.result(&format!(
            "          graph: {} parsed, {} resolved{}",
            batch.reparsed,
            batch.reresolved,
            if batch.rebuilt { ", rebuilt" } else { "" }
        ))?;
    }
    for f in &r.flows {
        out.result(&format!(
            "  {:.2}  {:<8}  {} — {}",
            f.risk_score,
            f.risk_level.as_str(),
            f.id,
            f.name
        ))?;
        let reasons = if args.analyze { f.reasons.len() } else { 1 };
        for reason in f.reasons.iter().take(reasons) {
            let chain = if reason.chain.len() > 1 {
                reason.chain.join(" → ")
            } else {
                reason.changed_file.clone()
            };
            out.result(&format!("          {}: {chain}", reason.detail))?;
        }
    }
    if auto_test && !r.flows.is_empty() {
        // The coordinator is its own issue: this is where affected flows will be handed over.
        out.info("auto-test: running tests needs the coordinator, which this build does not have yet");
    }
    Ok(())
}

pub(crate) fn run(cli: &Cli, args: &WatchArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let auto_test = args.auto_test || perceo.config().settings.observer.watch.auto_test;
    let mut write_error = None;
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    perceo.watch(
        &mut |w| {
            let g = &w.model().graph;
            out.info(&format!(
                "Watching {} ({} modules, {} imports). Ctrl-C stops.",
                w.project_dir().display(),
                g.module_count(),
                g.edge_count()
            ));
        },
        &mut |batch| {
            if write_error.is_none()
                && let Err(e) = print_batch(out, args, auto_test, batch)
            {
                write_error = Some(e);
            }
        },
        stop,
    )?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    out.info("Stopped watching.");
    Ok(())
}
