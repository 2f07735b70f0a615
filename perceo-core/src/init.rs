//! `perceo init`: detects the framework and writes a `.perceo/` that runs on embedded defaults.

use std::path::{Path, PathBuf};

use crate::api::observer::{BootstrapRequest, BootstrapResponse};
use crate::config::{AppSettings, CONFIG_FILE, Env, Framework, PERCEO_DIR, ProjectSettings};
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
    /// The apps found when `init` ran at a monorepo's root (written to `project.apps`);
    /// empty for a project of one app.
    pub apps: Vec<AppSettings>,
    /// Tests found in the project's own Playwright and Cypress suites (see
    /// [`crate::Perceo::discover_test_links`]).
    pub tests_found: usize,
    /// Flows that got at least one of those tests linked (`tests.linked`).
    pub flows_with_tests: usize,
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

fn config_text(name: &str, framework: Framework, apps: &[AppSettings]) -> String {
    let name = serde_json::to_string(name).unwrap_or_else(|_| "\"project\"".into());
    let apps = if apps.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = apps
            .iter()
            .map(|a| {
                format!(
                    "      {{ \"name\": {}, \"path\": {}, \"framework\": \"{}\" }}",
                    serde_json::to_string(&a.name).unwrap_or_default(),
                    serde_json::to_string(&a.path).unwrap_or_default(),
                    a.framework.unwrap_or(Framework::Unknown).as_str()
                )
            })
            .collect();
        format!(
            ",\n    // The apps of this monorepo: analysed together, each with its routes and flows.\n    \"apps\": [\n{}\n    ]",
            list.join(",\n")
        )
    };
    format!(
        r#"{{
  "$schema": "./{SCHEMA_FILE}",
  "version": "1.0",
  "project": {{
    "name": {name},
    "framework": "{framework}"{apps}
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

/// Whether Perceo finds page routes for a framework.
fn has_routes(framework: Framework) -> bool {
    matches!(
        framework,
        Framework::Nextjs | Framework::Remix | Framework::ReactRouter | Framework::Nuxt | Framework::Sveltekit
    )
}

/// The apps of the monorepo whose root is `dir`: its workspace packages (below `dir`) with a
/// framework Perceo finds routes for, each named after its folder (unique, lower-case).
pub fn find_apps(dir: &Path) -> Vec<AppSettings> {
    let mut apps: Vec<AppSettings> = Vec::new();
    let mut packages = crate::code::workspaces::find_workspace_packages(dir);
    packages.sort_by(|a, b| a.dir.cmp(&b.dir));
    for p in packages.iter().filter(|p| p.dir != dir && p.dir.starts_with(dir)) {
        let framework = detect_framework(&p.dir).framework;
        let Some(path) = crate::code::discover::relative_path(dir, &p.dir) else {
            continue;
        };
        if !has_routes(framework) {
            continue;
        }
        // The folder's name, or its whole path where two apps share a folder name.
        let mut name = crate::flows::flow_id_for(path.rsplit('/').next().unwrap_or(&path));
        if apps.iter().any(|a| a.name == name) {
            name = crate::flows::flow_id_for(&path);
        }
        apps.push(AppSettings {
            name,
            path,
            framework: Some(framework),
        });
    }
    apps
}

/// What to say when no page routes were found.
fn no_routes_hint() -> String {
    "no page routes found, so no flows were bootstrapped; add .perceo/flows/*.json by hand".into()
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
    if config_path.is_dir() {
        return Err(Error::NotAFile { path: config_path });
    }
    if config_path.exists() {
        return Err(Error::AlreadyInitialized { path: config_path });
    }
    let mut detection = detect_framework(dir);
    if let Some(fw) = options.framework {
        detection.framework = fw;
        detection.evidence = vec!["given with --framework".into()];
    }
    let mut warnings = Vec::new();
    // At a monorepo's root (no routes of its own), the project is every app in it.
    let apps = if options.framework.is_none() && !has_routes(detection.framework) {
        find_apps(dir)
    } else {
        Vec::new()
    };
    if !apps.is_empty() {
        detection.evidence.push(format!(
            "monorepo root with {} app(s): {}",
            apps.len(),
            apps.iter()
                .map(|a| format!(
                    "{} ({}, {})",
                    a.name,
                    a.path,
                    a.framework.unwrap_or(Framework::Unknown).as_str()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if detection.framework == Framework::Unknown {
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
    write_atomic(
        &pending,
        config_text(&project_name, detection.framework, &apps).as_bytes(),
    )?;
    let request = BootstrapRequest {
        project_dir: dir.display().to_string(),
        project_name: project_name.clone(),
        framework: detection.framework.as_str().to_string(),
    };
    let flows = if apps.is_empty() {
        bootstrap(dir, &perceo_dir, &detection, &pending, &request, remote, &mut warnings)
    } else {
        bootstrap_apps(dir, &perceo_dir, &apps, &mut warnings)
    };
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
        apps,
        tests_found: 0,
        flows_with_tests: 0,
        warnings,
    })
}

/// Bootstraps the flows of every app of a monorepo root, in-process: one flow per page
/// route of each app, with the app's name in `app` and at the start of the id
/// (`web_checkout`), so ids of different apps never collide.
fn bootstrap_apps(
    dir: &Path,
    perceo_dir: &Path,
    apps: &[AppSettings],
    warnings: &mut Vec<String>,
) -> Result<(usize, usize, Option<String>)> {
    let existing = crate::flows::load_flows(dir)?;
    if !existing.flows.is_empty() {
        return Ok((0, 0, None));
    }
    let options = crate::code::GraphOptions::for_project(perceo_dir, Vec::new());
    let project = ProjectSettings {
        apps: apps.to_vec(),
        ..ProjectSettings::default()
    };
    let model = crate::analysis::AppModel::build_project(dir, &project, &options)?;
    warnings.extend(model.route_warnings.iter().map(|w| format!("routes: {w}")));
    let mut all_flows = Vec::new();
    let mut personas = Vec::new();
    for app in apps {
        let (routes, edges) = model.app_routes(Some(&app.name));
        let (flows, p) = crate::flows::bootstrap_flows(&routes, &edges);
        if flows.is_empty() {
            warnings.push(format!(
                "app {} ({}): no page routes found, no flows bootstrapped",
                app.name, app.path
            ));
        }
        personas = p;
        let prefixed = |id: &str| format!("{}_{id}", app.name);
        all_flows.extend(flows.into_iter().map(|mut f| {
            f.id = prefixed(&f.id);
            f.related = f.related.iter().map(|r| prefixed(r)).collect();
            f.name = format!("{} ({})", f.name, app.name);
            f.app = Some(app.name.clone());
            f
        }));
    }
    if all_flows.is_empty() {
        warnings.push(no_routes_hint());
        return Ok((0, 0, None));
    }
    let (f, p) = crate::flows::write_flow_files(dir, &all_flows, &personas)?;
    Ok((f, p, None))
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
    let options = crate::code::GraphOptions::for_project(perceo_dir, Vec::new());
    let model = crate::analysis::AppModel::build(dir, Some(detection.framework), &options)?;
    warnings.extend(model.route_warnings.iter().map(|w| format!("routes: {w}")));
    let (flows, personas) = crate::flows::bootstrap_flows(&model.routes, &model.navigation_edges());
    if flows.is_empty() {
        warnings.push(no_routes_hint());
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
