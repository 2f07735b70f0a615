//! `perceo flows list|show` and `perceo routes`.

use crate::CmdResult;
use crate::args::{Cli, FlowsCommand};
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
        FlowsCommand::Show { id } => {
            let flow = set.get(id).ok_or_else(|| {
                perceo_core::Error::Argument(format!("no flow with id `{id}` (see `perceo flows list`)"))
            })?;
            Ok(out.json_value(&to_json(flow)?)?)
        }
    }
}

pub(crate) fn routes(cli: &Cli, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let routes = perceo.routes()?;
    if out.json {
        return Ok(out.json_value(&to_json(&routes)?)?);
    }
    for r in &routes {
        out.result(&format!(
            "{:<28} {:<8} {}",
            r.pattern,
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
