//! `perceo flows list|show` and `perceo routes`.

use crate::CmdResult;
use perceo_core::config::Severity;
use perceo_core::flows::{Flow, FlowTests};
use perceo_core::graph::SyncSummary;

use crate::args::{Cli, FlowFields, FlowsCommand};
use crate::commands::open;
use crate::output::Output;

fn to_json<T: serde::Serialize>(value: &T) -> std::io::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(std::io::Error::other)
}

pub(crate) fn run(cli: &Cli, cmd: &FlowsCommand, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let set = perceo.flows()?;
    for w in &set.warnings {
        out.warn(w);
    }
    match cmd {
        FlowsCommand::List => {
            if out.json {
                return Ok(out.json_value(&to_json(&set)?)?);
            }
            if set.flows.is_empty() {
                out.result("No flows yet: run `perceo init` to bootstrap them, or add .perceo/flows/*.json")?;
            }
            for f in &set.flows {
                let tests = if f.has_tests() { "tests" } else { "NO TESTS" };
                out.result(&format!(
                    "{:<20} {:<8} {:<8} {} — {}",
                    f.id,
                    f.priority.as_str(),
                    tests,
                    f.pages.join(", "),
                    f.name
                ))?;
            }
            Ok(())
        }
        FlowsCommand::Create(args) => {
            let f = &args.fields;
            let name = f
                .name
                .clone()
                .ok_or_else(|| perceo_core::Error::Argument("`flows create` needs --name".into()))?;
            let flow = Flow {
                id: args.id.clone(),
                name,
                description: f.description.clone(),
                priority: f.priority.map(Severity::from).unwrap_or_default(),
                personas: f.personas.clone(),
                pages: f.pages.clone(),
                files: f.files.clone(),
                steps: f
                    .pages
                    .iter()
                    .map(|p| perceo_core::flows::Step {
                        name: format!("Open {p}"),
                        page: Some(p.clone()),
                        event: None,
                        actions: Vec::new(),
                        expected: None,
                    })
                    .collect(),
                tests: (!f.specs.is_empty() || f.grep.is_some()).then(|| FlowTests {
                    specs: f.specs.clone(),
                    grep: f.grep.clone(),
                    ..FlowTests::default()
                }),
                related: Vec::new(),
                app: f.app.clone(),
            };
            let (path, summary) = perceo.create_flow(&flow)?;
            report_change(out, "Created", &path, &summary)
        }
        FlowsCommand::Edit(args) => {
            let changes = edits(&args.fields);
            if changes.is_empty() {
                return Err(perceo_core::Error::Argument(
                    "nothing to change: give at least one of --name, --description, --priority, --page, --persona, --file, --spec, --grep".into(),
                )
                .into());
            }
            let (path, summary) = perceo.edit_flow(&args.id, &changes)?;
            report_change(out, "Updated", &path, &summary)
        }
        FlowsCommand::Delete { id } => {
            let (path, summary) = perceo.delete_flow(id)?;
            report_change(out, "Deleted", &path, &summary)
        }
        FlowsCommand::LinkTests { dry_run } => link_tests(&perceo, *dry_run, out),
        FlowsCommand::Show { id } => {
            let flow = set.get(id).ok_or_else(|| {
                perceo_core::Error::Argument(format!("no flow with id `{id}` (see `perceo flows list`)"))
            })?;
            // What the graph learnt about the flow (risk, production and test metrics) when it
            // has it; the definition alone otherwise.
            let record = match perceo.flow_record(id) {
                Ok(Some(record)) => record,
                Ok(None) => perceo_core::graph::FlowRecord::new(flow.clone()),
                Err(e) => {
                    out.warn(&format!("showing the definition only: {e}"));
                    perceo_core::graph::FlowRecord::new(flow.clone())
                }
            };
            if out.json {
                return Ok(out.json_value(&to_json(&record)?)?);
            }
            for line in show_lines(&record) {
                out.result(&line)?;
            }
            Ok(())
        }
    }
}

fn link_tests(perceo: &perceo_core::Perceo, dry_run: bool, out: &Output) -> CmdResult {
    let report = perceo.discover_test_links()?;
    let written = if dry_run {
        None
    } else {
        Some(perceo.write_test_links(&report)?)
    };
    if out.json {
        let mut value = to_json(&report)?;
        value["written"] = to_json(&written.as_ref().map(|(files, _)| files))?;
        return Ok(out.json_value(&value)?);
    }
    for suite in &report.suites {
        out.result(&format!(
            "{} suite {} ({} spec(s))",
            format!("{:?}", suite.runner).to_lowercase(),
            suite.config,
            suite.specs.len()
        ))?;
    }
    if report.suites.is_empty() {
        out.result("No Playwright or Cypress config found (playwright.config.*, cypress.config.*).")?;
        return Ok(());
    }
    for t in &report.tests {
        let target = if t.flows.is_empty() {
            format!("(not linked: {})", t.unlinked.as_deref().unwrap_or_default())
        } else {
            format!("-> {}", t.flows.join(", "))
        };
        out.result(&format!("{}:{}  {}  {target}", t.test.file, t.test.line, t.test.title))?;
    }
    let linked = report.linked().count();
    out.result(&format!(
        "{} test(s), {linked} linked; {} flow(s) still without a linked test{}",
        report.tests.len(),
        report.uncovered.len(),
        match report.uncovered.len() {
            0 => String::new(),
            n if n <= 10 => format!(": {}", report.uncovered.join(", ")),
            n => format!(
                ": {}, and {} more (--json lists them all)",
                report.uncovered[..10].join(", "),
                n - 10
            ),
        }
    ))?;
    match written {
        Some((files, summary)) => {
            out.result(&format!("Updated {} flow file(s)", files.len()))?;
            out.result(&super::graph::summary_line(&summary))?;
        }
        None => out.result("Dry run: no flow file changed.")?,
    }
    Ok(())
}

pub(crate) fn routes(cli: &Cli, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let model = perceo.model()?;
    for warning in &model.route_warnings {
        out.warn(warning);
    }
    let routes = model.routes;
    if out.json {
        return Ok(out.json_value(&to_json(&routes)?)?);
    }
    for r in &routes {
        let app = r.app.as_deref().map(|a| format!("[{a}] ")).unwrap_or_default();
        out.result(&format!(
            "{:<28} {:<8} {}",
            format!("{app}{}", r.pattern),
            format!("{:?}", r.kind).to_lowercase(),
            r.file
        ))?;
        if out.verbose > 0 {
            for a in &r.attached {
                out.result(&format!("{:<37} + {a}", ""))?;
            }
        }
    }
    if routes.is_empty() {
        out.result("No routes found (framework without file-based routing, or none detected).")?;
    }
    Ok(())
}

/// The dotted keys and values `flows edit` changes.
fn edits(f: &FlowFields) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let mut set = |key: &str, value: serde_json::Value| out.push((key.to_string(), value));
    if let Some(v) = &f.name {
        set("name", v.clone().into());
    }
    if let Some(v) = &f.description {
        set("description", v.clone().into());
    }
    if let Some(p) = f.priority {
        set("priority", Severity::from(p).as_str().into());
    }
    for (key, list) in [
        ("pages", &f.pages),
        ("personas", &f.personas),
        ("files", &f.files),
        ("tests.specs", &f.specs),
    ] {
        if !list.is_empty() {
            set(key, list.clone().into());
        }
    }
    if let Some(v) = &f.grep {
        set("tests.grep", v.clone().into());
    }
    if let Some(v) = &f.app {
        set("app", v.clone().into());
    }
    out
}

fn report_change(out: &Output, verb: &str, path: &std::path::Path, summary: &SyncSummary) -> CmdResult {
    if out.json {
        return Ok(out.json_value(&serde_json::json!({"file": path, "graph": summary}))?);
    }
    out.result(&format!("{verb} {}", path.display()))?;
    out.result(&super::graph::summary_line(summary))?;
    Ok(())
}

/// A flow as `perceo flows show` prints it: its definition, tests, and what the graph knows.
fn show_lines(record: &perceo_core::graph::FlowRecord) -> Vec<String> {
    let f = &record.flow;
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let list = |items: &[String]| {
        if items.is_empty() {
            "–".to_string()
        } else {
            items.join(", ")
        }
    };
    let mut lines = vec![format!("{} — {} ({})", f.id, f.name, f.priority.as_str())];
    if let Some(description) = f.description.as_deref().filter(|d| !d.is_empty()) {
        lines.push(format!("  {description}"));
    }
    lines.push(format!("  pages: {}", list(&f.pages)));
    if let Some(app) = &f.app {
        lines.push(format!("  app: {app}"));
    }
    lines.push(format!("  personas: {}", list(&f.personas)));
    for (i, step) in f.steps.iter().enumerate() {
        let at: Vec<&str> = [step.page.as_deref(), step.event.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        lines.push(format!(
            "  {}. {} {}",
            i + 1,
            step.name,
            if at.is_empty() {
                String::new()
            } else {
                format!("({})", at.join(", "))
            }
        ));
    }
    let tests = f.tests.clone().unwrap_or_default();
    if !f.has_tests() {
        lines.push("  tests: none (perceo flows link-tests, or flows edit --spec)".into());
    }
    if !tests.specs.is_empty() {
        lines.push(format!("  specs: {}", tests.specs.join(", ")));
    }
    if let Some(grep) = &tests.grep {
        lines.push(format!("  grep: {grep}"));
    }
    for t in &tests.linked {
        lines.push(format!("  linked: {}:{} {}", t.spec, t.line, t.title));
    }
    let mut known = Vec::new();
    if let Some(risk) = record.risk_score {
        known.push(format!("risk {risk:.2}"));
    }
    if let Some(coverage) = record.coverage_score {
        known.push(format!("coverage {}", pct(coverage)));
    }
    if let Some(s) = &record.synthetic_metrics {
        known.push(format!("tests pass {} of {} run(s)", pct(s.success_rate), s.run_count));
    }
    if let Some(p) = &record.production_metrics {
        known.push(format!(
            "production success {}, {:.0} users a day",
            pct(p.success_rate),
            p.daily_users
        ));
    }
    if !known.is_empty() {
        lines.push(format!("  {}", known.join(" · ")));
    }
    lines
}
