//! `perceo init`.

use perceo_core::config::Framework;
use perceo_core::init::InitOptions;

use crate::CmdResult;
use crate::args::{Cli, FrameworkArg, InitArgs};
use crate::output::Output;

fn framework(arg: FrameworkArg) -> Framework {
    match arg {
        FrameworkArg::Nextjs => Framework::Nextjs,
        FrameworkArg::Remix => Framework::Remix,
        FrameworkArg::ReactRouter => Framework::ReactRouter,
        FrameworkArg::Nuxt => Framework::Nuxt,
        FrameworkArg::Vue => Framework::Vue,
        FrameworkArg::Sveltekit => Framework::Sveltekit,
        FrameworkArg::Angular => Framework::Angular,
        FrameworkArg::React => Framework::React,
    }
}

pub(crate) fn run(cli: &Cli, args: &InitArgs, out: &Output) -> CmdResult {
    let dir = args.dir.clone().unwrap_or_else(|| cli.global.project_dir.clone());
    let options = InitOptions {
        name: args.name.clone(),
        framework: args.framework.map(framework),
        env: perceo_core::Env::from_process(),
        local: cli.global.local,
    };
    out.info(&format!("Setting up Perceo in {}", dir.display()));
    let report = perceo_core::Perceo::init(&dir, &options)?;
    for w in &report.warnings {
        out.warn(w);
    }
    if out.json {
        return Ok(out.json_value(&serde_json::to_value(&report).map_err(std::io::Error::other)?)?);
    }
    let fw = report.detection.framework.as_str();
    let router = report
        .detection
        .router
        .as_deref()
        .map(|r| format!(", {r} router"))
        .unwrap_or_default();
    out.result(&format!(
        "Initialized Perceo for {} ({fw}{router})",
        report.project_name
    ))?;
    if !report.detection.evidence.is_empty() {
        out.result(&format!("  detected from: {}", report.detection.evidence.join(", ")))?;
    }
    out.result(&format!("  wrote: {}", report.files_written.join(", ")))?;
    let by = report
        .bootstrapped_by
        .as_deref()
        .map(|api| format!(" (proposed by the observer API at {api})"))
        .unwrap_or_default();
    out.result(&format!(
        "Initialized {} flow(s) and {} persona(s){by}",
        report.flows_initialized, report.personas_initialized
    ))?;
    if report.tests_found > 0 {
        out.result(&format!(
            "Linked your existing tests: {} test(s) found, {} flow(s) now have tests (see `perceo flows link-tests`)",
            report.tests_found, report.flows_with_tests
        ))?;
    }
    if !out.quiet {
        out.result("Next steps:")?;
        out.result("  perceo config show                        check the configuration")?;
        out.result("  perceo ci analyze --base main --head HEAD  see which flows a change affects")?;
    }
    Ok(())
}
