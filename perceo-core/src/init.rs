//! `perceo init`: detects the framework and writes a `.perceo/` that runs on embedded defaults.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Framework, PERCEO_DIR};
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::project::{FrameworkDetection, detect_framework};

/// File name of the JSON Schema written next to the config.
pub const SCHEMA_FILE: &str = "config.schema.json";

/// Options of [`init`](crate::Perceo::init).
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Project name. Default: `name` in package.json, else the directory name.
    pub name: Option<String>,
    /// Framework. Default: detected.
    pub framework: Option<Framework>,
}

/// What `init` did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitReport {
    /// The project directory.
    pub project_dir: PathBuf,
    /// The project name written to the config.
    pub project_name: String,
    /// The framework detection (or the framework given).
    pub detection: FrameworkDetection,
    /// Files written, relative to the project directory.
    pub files_written: Vec<String>,
    /// Flows created by bootstrap.
    pub flows_initialized: usize,
    /// Personas created by bootstrap.
    pub personas_initialized: usize,
    /// Non-fatal notes (e.g. framework not recognised).
    pub warnings: Vec<String>,
}

fn package_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("name")?
        .as_str()
        .map(|s| s.trim_start_matches('@').replace('/', "-"))
}

fn config_text(name: &str, framework: Framework) -> String {
    let name = serde_json::to_string(name).unwrap_or_else(|_| "\"project\"".into());
    format!(
        r#"{{
  "$schema": "./{SCHEMA_FILE}",
  "version": "1.0",
  "project": {{
    "name": {name},
    "framework": "{framework}"
  }},
  // Everything runs locally on embedded defaults: the flow graph is stored in .perceo/,
  // the event bus is in-memory and every engine runs in-process. To share them with a team,
  // set flowGraph.endpoint (Neo4j), eventBus (Redis) or an engine's apiBaseUrl.
  // Keep secrets out of this file: use "${{ENV_VAR}}" or "file:path" instead.
  "observer": {{
    "ci": {{ "strategy": "affected-flows", "parallelism": 4 }}
  }}
}}
"#,
        framework = framework.as_str()
    )
}

/// What to say when no page routes were found: in a monorepo root, name the apps to run
/// `init` in instead.
fn no_routes_hint(dir: &Path) -> String {
    let apps: Vec<String> = crate::code::resolve::find_workspace_packages(dir)
        .iter()
        .filter(|p| {
            p.dir != dir
                && matches!(
                    detect_framework(&p.dir).framework,
                    Framework::Nextjs
                        | Framework::Remix
                        | Framework::ReactRouter
                        | Framework::Nuxt
                        | Framework::Sveltekit
                )
        })
        .filter_map(|p| crate::code::discover::relative_path(dir, &p.dir))
        .collect();
    if apps.is_empty() {
        "no page routes found, so no flows were bootstrapped; add .perceo/flows/*.json by hand".into()
    } else {
        format!(
            "no page routes found here, so no flows were bootstrapped: this looks like a monorepo root. Perceo works per app: run `perceo init --dir {}` (apps found: {})",
            apps[0],
            apps.join(", ")
        )
    }
}

const GITIGNORE: &str = "# Perceo: local overrides, caches, the embedded graph and secrets stay out of git.\nconfig.local.json\ncache/\n*.db\n*.db-wal\n*.db-shm\nsecrets/\n";

/// Writes `.perceo/config.json`, its schema and `.perceo/.gitignore` in `dir`.
/// Never overwrites an existing config.
pub fn init_project(dir: &Path, options: &InitOptions) -> Result<InitReport> {
    let dir = &std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    let perceo_dir = dir.join(PERCEO_DIR);
    let config_path = perceo_dir.join(CONFIG_FILE);
    if config_path.exists() {
        return Err(Error::AlreadyInitialized { path: config_path });
    }
    let mut detection = detect_framework(dir);
    if let Some(fw) = options.framework {
        detection.framework = fw;
        detection.evidence = vec!["given with --framework".into()];
    }
    let mut warnings = Vec::new();
    if detection.framework == Framework::Unknown {
        warnings.push(
            "no web framework recognised (looked for Next.js, Remix, React Router, Nuxt, SvelteKit, Angular, Vue, React); set project.framework if routes are not found".into(),
        );
    }
    let project_name = options
        .name
        .clone()
        .or_else(|| package_name(dir))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".into());

    let schema = serde_json::to_string_pretty(&crate::config::json_schema()).unwrap_or_default() + "\n";
    let mut files_written = Vec::new();
    let gitignore = perceo_dir.join(".gitignore");
    if !gitignore.exists() {
        write_atomic(&gitignore, GITIGNORE.as_bytes())?;
        files_written.push(format!("{PERCEO_DIR}/.gitignore"));
    }
    write_atomic(&perceo_dir.join(SCHEMA_FILE), schema.as_bytes())?;
    files_written.push(format!("{PERCEO_DIR}/{SCHEMA_FILE}"));
    // Flows: bootstrap one per page route when the project has none yet.
    // (With observer.apiBaseUrl set, the managed Observer API's bootstrap will be called
    // here instead; that client is its own issue.)
    let existing = crate::flows::load_flows(dir)?;
    let (mut flows_initialized, mut personas_initialized) = (0, 0);
    if existing.flows.is_empty() {
        let options = crate::code::GraphOptions {
            ignore: Vec::new(),
            cache_dir: Some(perceo_dir.join("cache")),
        };
        let model = crate::analysis::AppModel::build(dir, Some(detection.framework), &options)?;
        let (flows, personas) = crate::flows::bootstrap_flows(&model.routes, &model.navigation_edges());
        if !flows.is_empty() {
            (flows_initialized, personas_initialized) = crate::flows::write_flow_files(dir, &flows, &personas)?;
        }
        if flows.is_empty() {
            warnings.push(no_routes_hint(dir));
        } else {
            files_written.push(format!("{PERCEO_DIR}/flows/ ({flows_initialized} files)"));
        }
    }
    // The config goes last: its presence marks a finished init.
    write_atomic(&config_path, config_text(&project_name, detection.framework).as_bytes())?;
    files_written.push(format!("{PERCEO_DIR}/{CONFIG_FILE}"));

    Ok(InitReport {
        project_dir: dir.to_path_buf(),
        project_name,
        detection,
        files_written,
        flows_initialized,
        personas_initialized,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LoadOptions};

    #[test]
    fn written_config_loads_without_warnings_and_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"name":"@acme/shop","dependencies":{"next":"15"}}"#,
        )
        .unwrap();
        let report = init_project(dir.path(), &InitOptions::default()).unwrap();
        assert_eq!(report.project_name, "acme-shop");
        let config = Config::load(dir.path(), &LoadOptions::default()).unwrap();
        assert!(config.warnings.is_empty(), "{:?}", config.warnings);
        assert_eq!(config.settings.project.framework, Some(Framework::Nextjs));
        let err = init_project(dir.path(), &InitOptions::default()).unwrap_err();
        assert_eq!(err.code(), "init.exists");
    }
}
