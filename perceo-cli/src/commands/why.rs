//! `perceo why FILE...`.

use crate::CmdResult;
use crate::args::{Cli, WhyArgs};
use crate::commands::{open, user_path};
use crate::output::Output;

pub(crate) fn run(cli: &Cli, args: &WhyArgs, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    let files: Vec<String> = args.files.iter().map(|f| user_path(f)).collect();
    out.info("Building the dependency graph...");
    let report = perceo.why(&files)?;
    if out.json {
        return Ok(out.json_value(&serde_json::to_value(&report).map_err(std::io::Error::other)?)?);
    }
    for (i, f) in report.files.iter().enumerate() {
        if i > 0 {
            out.result("")?;
        }
        let shown = f.repo_path.as_deref().unwrap_or(&f.file);
        if let Some(why) = &f.why {
            out.result(&format!("{shown}: no flow — {why}"))?;
        } else {
            out.result(&format!(
                "{shown}: {} flow(s), {} page(s)",
                f.flows.len(),
                f.pages.len()
            ))?;
        }
        for flow in &f.flows {
            let Some(r) = flow.reasons.first() else { continue };
            out.result(&format!("  flow {} ({:.2}): {}", flow.id, flow.confidence, r.detail))?;
            if r.chain.len() > 1 {
                out.result(&format!("    {}", r.chain.join(" → ")))?;
            }
        }
        if !f.pages.is_empty() && f.flows.is_empty() {
            for p in &f.pages {
                out.result(&format!("  page {} ({})", p.pattern, p.chain.join(" → ")))?;
            }
        }
    }
    Ok(())
}
