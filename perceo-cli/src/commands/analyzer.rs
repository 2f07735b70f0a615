//! `perceo analyze insights|coverage|suggest|predict`.

use perceo_core::config::Severity;
use perceo_core::impact::OnEmpty;
use perceo_core::{AnalyzeOptions, ChangeSource};

use crate::CmdResult;
use crate::args::{AnalyzeCommand, Cli};
use crate::commands::{open, print_warnings};
use crate::output::Output;

fn json<T: serde::Serialize>(out: &Output, value: &T) -> CmdResult {
    Ok(out.json_value(&serde_json::to_value(value).map_err(std::io::Error::other)?)?)
}

pub(crate) fn run(cli: &Cli, cmd: &AnalyzeCommand, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    match cmd {
        AnalyzeCommand::Insights { flow, severity } => {
            let insights: Vec<_> = perceo
                .insights()?
                .into_iter()
                .filter(|i| flow.as_ref().is_none_or(|f| i.flow_id.as_ref() == Some(f)))
                .filter(|i| severity.is_none_or(|s| i.severity >= Severity::from(s)))
                .collect();
            print_warnings(&perceo, out);
            if out.json {
                return json(out, &insights);
            }
            if insights.is_empty() {
                out.result("No insights at this severity. Run `perceo ci test` and `perceo analytics sync` to give the analyzer more to go on.")?;
            }
            for i in &insights {
                out.result(&format!("{:<8} {:<14} {}", i.severity.as_str(), i.kind, i.title))?;
                out.result(&format!("         {}", i.message))?;
            }
        }
        AnalyzeCommand::Coverage => {
            let report = perceo.coverage()?;
            if out.json {
                return json(out, &report);
            }
            out.result(&format!(
                "{} of {} flow(s) have tests; priority-weighted coverage {:.0}%",
                report.with_tests,
                report.flows,
                report.score * 100.0
            ))?;
            for u in &report.uncovered {
                out.result(&format!(
                    "  no tests: {} ({}) — {}",
                    u.id,
                    u.priority.as_str(),
                    u.reason
                ))?;
            }
            for u in &report.unmeasured {
                out.result(&format!(
                    "  not measured: {} step `{}` — nothing on its pages fires the event `{}`",
                    u.flow, u.step, u.event
                ))?;
            }
        }
        AnalyzeCommand::Suggest => {
            let suggestions = perceo.suggestions()?;
            if out.json {
                return json(out, &suggestions);
            }
            if suggestions.is_empty() {
                out.result("Nothing to suggest: every flow has passing tests.")?;
            }
            for s in &suggestions {
                out.result(&format!("{:<8} {}", s.priority.as_str(), s.title))?;
                out.result(&format!("         {}", s.detail))?;
            }
        }
        AnalyzeCommand::Predict { base, head } => {
            let source = ChangeSource::new(base.clone(), head.clone())?;
            let report = perceo.analyze(&AnalyzeOptions {
                source,
                on_empty: OnEmpty::None,
            })?;
            let predictions = perceo.predict(&report)?;
            if out.json {
                return json(out, &predictions);
            }
            if predictions.is_empty() {
                out.result(
                    "No prediction above analyzer.predictions.confidenceThreshold (too little test history yet).",
                )?;
            }
            for p in &predictions {
                out.result(&format!("{:>4.0}%  {}", p.probability * 100.0, p.flow_id))?;
                out.result(&format!("       {}", p.reason))?;
            }
        }
    }
    Ok(())
}
