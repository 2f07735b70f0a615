//! `perceo config show|get|set`.

use perceo_core::config::parse_value_argument;

use crate::CmdResult;
use crate::args::{Cli, ConfigCommand};
use crate::commands::open;
use crate::output::Output;

pub(crate) fn run(cli: &Cli, cmd: &ConfigCommand, out: &Output) -> CmdResult {
    if let ConfigCommand::Schema = cmd {
        return Ok(out.json_value(&perceo_core::config::json_schema())?);
    }
    let perceo = open(cli, out)?;
    let config = perceo.config();
    match cmd {
        ConfigCommand::Show => {
            let redacted = config.redacted();
            if out.json {
                let value = serde_json::json!({
                    "config": redacted,
                    "projectDir": config.project_dir,
                    "sources": {"files": config.sources, "env": config.env_sources()},
                    "warnings": config.warnings,
                });
                return Ok(out.json_value(&value)?);
            }
            out.json_value(&redacted)?;
            out.result("")?;
            out.result("Sources:")?;
            for s in &config.sources {
                out.result(&format!("  {} ({})", s.path.display(), s.role))?;
            }
            for e in config.env_sources() {
                let state = if e.set { "set" } else { "NOT SET" };
                out.result(&format!("  ${} ({state}) → {}", e.name, e.used_for))?;
            }
            Ok(())
        }
        ConfigCommand::Get { key } => {
            let value = config.get(key)?;
            match (&value, out.json) {
                (serde_json::Value::String(s), false) => out.result(s)?,
                _ => out.json_value(&value)?,
            }
            Ok(())
        }
        ConfigCommand::Set { key, value, strict } => {
            let parsed = parse_value_argument(value);
            let done = config.set(key, parsed.clone(), *strict)?;
            for warning in &done.warnings {
                out.warn(warning);
            }
            if out.json {
                return Ok(
                    out.json_value(&serde_json::json!({"key": key, "file": done.file, "warnings": done.warnings}))?
                );
            }
            let shown = perceo_core::config::redact_entry(key, &parsed);
            out.result(&format!("Set {key} = {shown} in {}", done.file.display()))?;
            Ok(())
        }
        ConfigCommand::Schema => Ok(()),
    }
}
