//! `perceo doctor [--env local|ci|staging|production]`.

use perceo_core::Perceo;
use perceo_core::doctor::{Stage, Status};

use crate::args::{Cli, DoctorArgs, StageArg};
use crate::output::Output;
use crate::{CmdResult, Failure};

pub(crate) fn run(cli: &Cli, args: &DoctorArgs, out: &Output) -> CmdResult {
    let stage = match args.stage {
        StageArg::Local => Stage::Local,
        StageArg::Ci => Stage::Ci,
        StageArg::Staging => Stage::Staging,
        StageArg::Production => Stage::Production,
    };
    out.info(&format!("Checking {} readiness…", format!("{stage:?}").to_lowercase()));
    let report = Perceo::doctor(
        &cli.global.project_dir,
        perceo_core::Env::from_process(),
        stage,
        args.timeout.unwrap_or(perceo_core::DEFAULT_CHECK_TIMEOUT),
    )?;
    if out.json {
        out.json_value(&serde_json::to_value(&report).map_err(std::io::Error::other)?)?;
    } else {
        for c in &report.checks {
            let mark = match c.status {
                Status::Pass => "✓",
                Status::Fail => "✗",
                Status::Skip => "–",
            };
            let optional = if c.status == Status::Fail && !c.required {
                " (optional)"
            } else {
                ""
            };
            out.result(&format!("{mark} {}{optional} — {}", c.title, c.detail))?;
            if let Some(fix) = &c.fix {
                out.result(&format!("    fix: {fix}"))?;
            }
        }
        let failed = report
            .checks
            .iter()
            .filter(|c| c.required && c.status == Status::Fail)
            .count();
        out.result(&if report.ok {
            "Ready.".to_string()
        } else {
            format!("{failed} required check(s) failed.")
        })?;
    }
    if report.ok { Ok(()) } else { Err(Failure::JobFailed) }
}
