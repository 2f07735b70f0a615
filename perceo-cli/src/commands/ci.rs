//! `perceo ci analyze`.

use std::io::IsTerminal;

use perceo_core::config::Severity;
use perceo_core::impact::{ImpactReport, OnEmpty};
use perceo_core::{AnalyzeOptions, ChangeSource};

use crate::args::{AnalyzeArgs, CiCommand, Cli, LevelArg, OnEmptyArg};
use crate::commands::open;
use crate::output::Output;
use crate::{CmdResult, Failure};

fn level(arg: LevelArg) -> Severity {
    match arg {
        LevelArg::Low => Severity::Low,
        LevelArg::Medium => Severity::Medium,
        LevelArg::High => Severity::High,
        LevelArg::Critical => Severity::Critical,
    }
}

fn on_empty(arg: OnEmptyArg) -> OnEmpty {
    match arg {
        OnEmptyArg::All => OnEmpty::All,
        OnEmptyArg::None => OnEmpty::None,
        OnEmptyArg::Smoke => OnEmpty::Smoke,
    }
}

pub(crate) fn run(cli: &Cli, cmd: &CiCommand, out: &Output) -> CmdResult {
    match cmd {
        CiCommand::Analyze(args) => analyze(cli, args, out),
    }
}

fn analyze(cli: &Cli, args: &AnalyzeArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let source = match (&args.base, args.working_tree) {
        (Some(base), false) => ChangeSource::Refs {
            base: base.clone(),
            head: args.head.clone(),
        },
        _ => ChangeSource::WorkingTree,
    };
    out.info("Analysing the change: reading git history, parsing and resolving modules...");
    let started = std::time::Instant::now();
    let report = perceo.analyze(&AnalyzeOptions {
        source,
        on_empty: on_empty(args.on_empty),
    })?;
    let t = &report.timings;
    out.debug(&format!(
        "took {} ms: git {} ms, flows {} ms, files {} ms, parse {} ms ({} cached, {} parsed), resolve {} ms{}, routes {} ms, impact {} ms, store {} ms",
        started.elapsed().as_millis(),
        t.git_ms,
        t.flows_ms,
        t.graph.discover_ms,
        t.graph.parse_ms,
        t.graph.parses_cached,
        t.graph.parses_fresh,
        t.graph.resolve_ms,
        if t.graph.resolution_cached { " (cached)" } else { "" },
        t.graph.routes_ms,
        t.impact_ms,
        t.store_ms
    ));
    for u in &report.unresolved {
        out.debug(&format!("unresolved: {} imports `{}`", u.file, u.specifier));
    }
    if out.json {
        out.json_value(&serde_json::to_value(&report).map_err(std::io::Error::other)?)?;
    } else {
        print_human(&report, out)?;
    }
    for w in &report.warnings {
        out.warn(w);
    }
    if let Some(threshold) = args.fail_on.map(level)
        && report.any_at_least(threshold)
    {
        out.info(&format!(
            "failing: an affected flow's risk is {} or above (--fail-on)",
            threshold.as_str()
        ));
        return Err(Failure::JobFailed);
    }
    Ok(())
}

fn paint(text: &str, level: Severity, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match level {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(8)]
}

fn print_human(report: &ImpactReport, out: &Output) -> std::io::Result<()> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let t = &report.totals;
    out.result(&format!(
        "Impact of {}...{}: {} file(s) changed; {} module(s), {} import(s) analysed",
        short(&report.merge_base),
        short(&report.head_sha),
        t.changed_files,
        t.modules,
        t.edges
    ))?;
    if report.flows.is_empty() {
        out.result(&format!("No flow affected (of {}).", t.flows))?;
        return Ok(());
    }
    out.result("")?;
    out.result("  RISK   LEVEL     CONF  PRIORITY  FLOW")?;
    for f in &report.flows {
        let lvl = format!("{:<8}", f.risk_level.as_str());
        out.result(&format!(
            "  {:.2}   {}  {:.2}  {:<8}  {} — {}{}",
            f.risk_score,
            paint(&lvl, f.risk_level, color),
            f.confidence,
            f.priority.as_str(),
            f.id,
            f.name,
            if f.has_tests { "" } else { "  (no tests)" }
        ))?;
        if let Some(r) = f.reasons.first() {
            let chain = if r.chain.len() > 1 {
                r.chain.join(" → ")
            } else {
                r.changed_file.clone()
            };
            out.result(&format!("         {}: {}", r.detail, chain))?;
        }
        if f.reasons.len() > 1 {
            out.result(&format!(
                "         (+{} more reason(s); --json lists them all)",
                f.reasons.len() - 1
            ))?;
        }
    }
    out.result("")?;
    out.result(&format!("{} of {} flow(s) affected.", t.affected_flows, t.flows))?;
    Ok(())
}
