//! `perceo ci analyze`.

use std::io::IsTerminal;

use perceo_core::config::Severity;
use perceo_core::impact::ImpactReport;
use perceo_core::{AnalyzeOptions, ChangeSource};

use perceo_core::TestOptions;
use perceo_core::coordinator::{FlowStatus, ReportFormat, annotations, render};

use crate::args::{AnalyzeArgs, CiCommand, Cli, ReportArgs, ReportFormatArg, TestArgs};
use crate::commands::{open, print_warnings};
use crate::output::Output;
use crate::{CmdResult, Failure};

pub(crate) fn run(cli: &Cli, cmd: &CiCommand, out: &Output) -> CmdResult {
    match cmd {
        CiCommand::Analyze(args) => analyze(cli, args, out),
        CiCommand::Test(args) => test(cli, args, out),
        CiCommand::Report(args) => report(cli, args, out),
    }
}

fn test(cli: &Cli, args: &TestArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let options = TestOptions::new(
        args.flows_from.clone(),
        ChangeSource::new(args.base.clone(), args.head.clone())?,
        args.parallel,
        args.shard,
    )?;
    let report = perceo.run_tests(&options, &mut |r| {
        let status = match r.status {
            FlowStatus::Passed => "passed",
            FlowStatus::Failed => "FAILED",
            FlowStatus::Uncovered => "no tests",
        };
        out.info(&format!("  {status:<8} {} ({} ms)", r.flow_id, r.duration_ms));
    })?;
    print_warnings(&perceo, out);
    if out.json {
        out.json_value(&serde_json::to_value(&report).map_err(std::io::Error::other)?)?;
    } else {
        for r in report.flows.iter().filter(|r| r.status != FlowStatus::Passed) {
            out.result(&format!(
                "{} {}:",
                if r.status == FlowStatus::Failed {
                    "FAILED"
                } else {
                    "UNCOVERED"
                },
                r.flow_id
            ))?;
            for f in &r.failures {
                out.result(&format!("  {f}"))?;
            }
        }
        out.result(&format!(
            "{} passed, {} failed, {} without tests ({} ms)",
            report.passed, report.failed, report.uncovered, report.duration_ms
        ))?;
    }
    if report.uncovered > 0 {
        out.warn(&format!(
            "{} selected flow(s) have no tests: add tests.specs or tests.grep",
            report.uncovered
        ));
    }
    if report.failed > 0 {
        return Err(Failure::JobFailed);
    }
    Ok(())
}

fn report(cli: &Cli, args: &ReportArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let (analysis, run) = perceo.latest_results()?;
    let format = match args.format {
        ReportFormatArg::Json => ReportFormat::Json,
        ReportFormatArg::Junit => ReportFormat::Junit,
        ReportFormatArg::Markdown => ReportFormat::Markdown,
        ReportFormatArg::Html => ReportFormat::Html,
    };
    let text = render(format, analysis.as_ref(), run.as_ref());
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| perceo_core::Error::Argument(format!("--output {}: {e}", path.display())))?;
            out.info(&format!("Wrote {}", path.display()));
        }
        None => out.result(text.trim_end())?,
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
        && let Some(a) = &analysis
    {
        // Annotations name files from the repository root, wherever the project is in it.
        let prefix = perceo_core::git::project_prefix(&perceo.config().project_dir).unwrap_or_default();
        for line in annotations(a, &prefix) {
            out.result(&line)?;
        }
    }
    Ok(())
}

fn analyze(cli: &Cli, args: &AnalyzeArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let source = ChangeSource::new(args.base.clone(), args.head.clone())?;
    out.info("Analysing the change: reading git history, parsing and resolving modules...");
    let started = std::time::Instant::now();
    let report = perceo.analyze(&AnalyzeOptions {
        source,
        on_empty: args.on_empty,
    })?;
    let t = &report.timings;
    out.debug(&format!(
        "took {} ms: git {} ms, flows {} ms, files {} ms, parse {} ms ({} cached, {} parsed), resolve {} ms{}, cache write {} ms, assemble {} ms, routes {} ms, impact {} ms, store {} ms",
        started.elapsed().as_millis(),
        t.git_ms,
        t.flows_ms,
        t.graph.discover_ms,
        t.graph.parse_ms,
        t.graph.parses_cached,
        t.graph.parses_fresh,
        t.graph.resolve_ms,
        if t.graph.resolution_cached { " (cached)" } else { "" },
        t.graph.cache_write_ms,
        t.graph.assemble_ms,
        t.graph.routes_ms,
        t.impact_ms,
        t.store_ms
    ));
    for u in &report.unresolved {
        out.debug(&format!("unresolved: {} imports `{}`", u.file, u.specifier));
    }
    let predictions = if args.with_insights {
        Some(perceo.predict(&report)?)
    } else {
        None
    };
    if out.json {
        let mut value = serde_json::to_value(&report).map_err(std::io::Error::other)?;
        if let (Some(p), Some(obj)) = (&predictions, value.as_object_mut()) {
            obj.insert(
                "predictions".into(),
                serde_json::to_value(p).map_err(std::io::Error::other)?,
            );
        }
        out.json_value(&value)?;
    } else {
        print_human(&report, out)?;
        for p in predictions.iter().flatten() {
            out.result(&format!(
                "  prediction {}: {:.0}% chance to break — {}",
                p.flow_id,
                p.probability * 100.0,
                p.reason
            ))?;
        }
    }
    for w in &report.warnings {
        out.warn(w);
    }
    if let Some(threshold) = args.fail_on.map(Severity::from)
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
    let explained = |out: &Output| -> std::io::Result<()> {
        if !report.no_impact.is_empty() {
            out.result(&format!("{} change(s) explained as harmless:", report.no_impact.len()))?;
            for n in report.no_impact.iter().take(10) {
                out.result(&format!("  {} — {}", n.path, n.reason))?;
            }
        }
        Ok(())
    };
    if report.flows.is_empty() {
        out.result(&format!("No flow affected (of {}).", t.flows))?;
        return explained(out);
    }
    out.result("")?;
    out.result("  RISK   LEVEL     CONF  PRIORITY  FLOW")?;
    let mut app: Option<&str> = None;
    for f in &report.flows {
        // Flows come grouped by app in a project of several apps.
        if let Some(name) = f.app.as_deref()
            && app != Some(name)
        {
            app = Some(name);
            let n = report.flows.iter().filter(|g| g.app.as_deref() == Some(name)).count();
            out.result(&format!("  app {name}: {n} flow(s)"))?;
        }
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
    explained(out)
}
