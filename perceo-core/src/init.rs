//! `perceo init`: detects the framework and writes a `.perceo/` that runs on embedded defaults.

use std::path::{Path, PathBuf};

use crate::api::observer::{BootstrapRequest, BootstrapResponse};
use crate::config::{CONFIG_FILE, Env, Framework, PERCEO_DIR};
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
    /// Environment for reading the configuration once written (`PERCEO_CONFIG_PATH`,
    /// `PERCEO_ENV`, `${VAR}`), which decides whether the managed Observer API bootstraps the
    /// flows. Default: empty; the CLI passes the process environment.
    pub env: Env,
    /// Bootstrap flows in-process even where `observer.apiBaseUrl` is configured. Default: false.
    pub local: bool,
}

/// Asks a managed Observer API to bootstrap flows during `init`: given the path of the
/// config file about to be written and the request, answers `None` when no API is
/// configured (then flows are bootstrapped locally), and the URL shown for the API with its
/// answer otherwise.
pub(crate) type RemoteBootstrap<'a> =
    &'a dyn Fn(&Path, &BootstrapRequest) -> Result<Option<(String, BootstrapResponse)>>;

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
    /// The Observer API that proposed the flows, when one did (else they came from the
    /// routes, in-process).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrapped_by: Option<String>,
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

const GITIGNORE: &str = "# Perceo: local overrides, caches, synced analytics events, the embedded graph and secrets stay out of git.\nconfig.local.json\ncache/\n*.db\n*.db-wal\n*.db-shm\nsecrets/\nanalytics/\n";

/// Writes `.perceo/config.json`, its schema and `.perceo/.gitignore` in `dir`, bootstrapping
/// flows from the routes in-process. Never overwrites an existing config.
pub fn init_project(dir: &Path, options: &InitOptions) -> Result<InitReport> {
    init_project_with(dir, options, &|_, _| Ok(None))
}

/// File the config is written to before it is complete (renamed to `config.json` last).
const PENDING_CONFIG: &str = ".config.json.pending";

/// Like [`init_project`], letting `remote` bootstrap the flows first.
pub(crate) fn init_project_with(dir: &Path, options: &InitOptions, remote: RemoteBootstrap<'_>) -> Result<InitReport> {
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
    // The config is written under a temporary name first, so that the remote bootstrap can
    // read it (with the overlay and PERCEO_CONFIG_PATH), and renamed last: its presence
    // marks a finished init.
    let pending = perceo_dir.join(PENDING_CONFIG);
    write_atomic(&pending, config_text(&project_name, detection.framework).as_bytes())?;
    let request = BootstrapRequest {
        project_dir: dir.display().to_string(),
        project_name: project_name.clone(),
        framework: detection.framework.as_str().to_string(),
    };
    let flows = bootstrap(dir, &perceo_dir, &detection, &pending, &request, remote, &mut warnings);
    let finished = flows.and_then(|counts| {
        std::fs::rename(&pending, &config_path).map_err(|e| Error::io(&config_path, e))?;
        Ok(counts)
    });
    let (flows_initialized, personas_initialized, bootstrapped_by) = match finished {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&pending);
            return Err(e);
        }
    };
    if flows_initialized > 0 {
        files_written.push(format!("{PERCEO_DIR}/flows/ ({flows_initialized} files)"));
    }
    files_written.push(format!("{PERCEO_DIR}/{CONFIG_FILE}"));

    Ok(InitReport {
        project_dir: dir.to_path_buf(),
        project_name,
        detection,
        files_written,
        flows_initialized,
        personas_initialized,
        bootstrapped_by,
        warnings,
    })
}

/// Bootstraps flows when the project has none yet: through `remote` when it answers, else
/// one flow per page route. Returns the flows and personas written and the API used.
fn bootstrap(
    dir: &Path,
    perceo_dir: &Path,
    detection: &FrameworkDetection,
    pending: &Path,
    request: &BootstrapRequest,
    remote: RemoteBootstrap<'_>,
    warnings: &mut Vec<String>,
) -> Result<(usize, usize, Option<String>)> {
    let existing = crate::flows::load_flows(dir)?;
    if !existing.flows.is_empty() {
        return Ok((0, 0, None));
    }
    if let Some((api, response)) = remote(pending, request)? {
        for id in response
            .flows
            .iter()
            .map(|f| &f.id)
            .chain(response.personas.iter().map(|p| &p.id))
        {
            if !crate::flows::is_valid_flow_id(id) {
                return Err(Error::Argument(format!(
                    "the observer API at {api} proposed a flow or persona with the unusable id `{id}` (ids are lower-case letters, digits, - and _); nothing was written"
                )));
            }
        }
        let (flows, personas) = crate::flows::write_flow_files(dir, &response.flows, &response.personas)?;
        warnings.extend(response.warnings.iter().map(|w| format!("observer API: {w}")));
        if response.flows.is_empty() {
            warnings.push(format!(
                "the observer API at {api} proposed no flows; add .perceo/flows/*.json by hand"
            ));
        }
        return Ok((flows, personas, Some(api)));
    }
    let options = crate::code::GraphOptions {
        ignore: Vec::new(),
        cache_dir: Some(perceo_dir.join("cache")),
    };
    let model = crate::analysis::AppModel::build(dir, Some(detection.framework), &options)?;
    let (flows, personas) = crate::flows::bootstrap_flows(&model.routes, &model.navigation_edges());
    if flows.is_empty() {
        warnings.push(no_routes_hint(dir));
        return Ok((0, 0, None));
    }
    let (f, p) = crate::flows::write_flow_files(dir, &flows, &personas)?;
    Ok((f, p, None))
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
