//! The end-to-end suites a project already has (Playwright, Cypress): where they are
//! ([`config`]), what each test visits ([`visits`]), and which flows that links each test to
//! ([`link`]). Everything is read statically; no test runs.

pub mod config;
pub mod link;
pub mod visits;

use serde::Serialize;

/// The test runner of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runner {
    /// Playwright Test (`playwright.config.*`).
    Playwright,
    /// Cypress (`cypress.config.*`).
    Cypress,
}

/// One suite: a runner config and the spec files it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suite {
    /// Playwright or Cypress.
    pub runner: Runner,
    /// The config file (project-relative).
    pub config: String,
    /// The path part of `baseURL` / `baseUrl` (`/app` for `http://localhost:3000/app`), empty
    /// when none or when it is only a host.
    pub base_path: String,
    /// The spec files it runs (project-relative), sorted.
    pub specs: Vec<String>,
    /// The app folder it belongs to (project-relative, `""` for the project itself): the
    /// nearest folder at or above its config whose package is a web app. `None` for a
    /// package of tests only, whose tests may reach any app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_dir: Option<String>,
}

/// Finds the suites among `files` (the project's files, workspace packages included), reads
/// every test of their specs, and links each to the `flows` whose pages it visits through
/// `routes`. A spec run by two suites counts once (for the first config, by path).
pub fn discover(
    project_dir: &std::path::Path,
    files: &[String],
    routes: &[crate::routes::Route],
    flows: &[crate::flows::Flow],
    apps: &[crate::config::AppSettings],
) -> link::LinkReport {
    let mut suites = config::find_suites(project_dir, files);
    for suite in &mut suites {
        suite.app_dir = app_dir_of(project_dir, &suite.config);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut tests = Vec::new();
    let mut modules = HelperModules::default();
    for (index, suite) in suites.iter().enumerate() {
        for spec in &suite.specs {
            if !seen.insert(spec.clone()) {
                continue;
            }
            let path = crate::code::discover::absolute(project_dir, spec);
            // An unreadable spec has no tests to link (it is listed with its suite).
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let first = visits::read_module(spec, &text, &visits::Helpers::new());
            let imported = modules.imported(&path, &first.imports);
            let module = if imported.is_empty() {
                first
            } else {
                visits::read_module(spec, &text, &imported)
            };
            tests.extend(module.tests.into_iter().map(|t| (t, index)));
        }
    }
    link::link(suites, tests, routes, flows, apps)
}

/// Helper modules of the suites (fixtures, page objects), read once each.
#[derive(Default)]
struct HelperModules {
    by_path: std::collections::HashMap<std::path::PathBuf, visits::Helpers>,
}

impl HelperModules {
    /// The visits of the helpers `imports` (of the module at `importer`) name, by local name.
    fn imported(&mut self, importer: &std::path::Path, imports: &[(String, String, String)]) -> visits::Helpers {
        let mut out = visits::Helpers::new();
        let Some(folder) = importer.parent() else { return out };
        for (local, source, name) in imports {
            let Some(path) = module_file(&folder.join(source)) else {
                continue;
            };
            let helpers = self.by_path.entry(path.clone()).or_insert_with(|| {
                std::fs::read_to_string(&path)
                    .map(|text| visits::read_module(&path.to_string_lossy(), &text, &visits::Helpers::new()).helpers)
                    .unwrap_or_default()
            });
            if let Some(found) = helpers.get(name).filter(|v| !v.is_empty()) {
                out.insert(local.clone(), found.clone());
            }
        }
        out
    }
}

/// The file a relative import names: as written, with a script extension, or its index.
fn module_file(base: &std::path::Path) -> Option<std::path::PathBuf> {
    const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mts", "mjs"];
    if base.is_file() {
        return Some(base.to_path_buf());
    }
    let name = base.file_name()?.to_string_lossy().into_owned();
    EXTENSIONS
        .iter()
        .map(|ext| base.with_file_name(format!("{name}.{ext}")))
        .chain(EXTENSIONS.iter().map(|ext| base.join(format!("index.{ext}"))))
        .find(|p| p.is_file())
}

/// The nearest folder at or above `config` (project-relative) whose package.json names a web
/// framework, looking no higher than the project itself (`""`) or, for a config outside it,
/// than the folder below the common ancestor (a monorepo's root is nobody's app).
fn app_dir_of(project_dir: &std::path::Path, config: &str) -> Option<String> {
    let mut folder = config.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    loop {
        if !folder.is_empty() && folder.split('/').all(|part| part == "..") {
            return None;
        }
        let dir = crate::code::discover::absolute(project_dir, &folder);
        if dir.join("package.json").is_file()
            && crate::project::detect_framework(&dir).framework != crate::config::Framework::Unknown
        {
            return Some(folder);
        }
        if folder.is_empty() {
            return None;
        }
        folder = folder
            .rsplit_once('/')
            .map_or(String::new(), |(parent, _)| parent.to_string());
    }
}

impl link::LinkReport {
    /// The tests linked to each flow, as flow files record them, by flow id (every flow of
    /// `flows` has an entry, empty when no test covers it).
    pub fn by_flow(&self, flows: &[crate::flows::Flow]) -> Vec<(String, Vec<crate::flows::LinkedTest>)> {
        flows
            .iter()
            .map(|flow| {
                let linked = self
                    .tests
                    .iter()
                    .filter(|t| t.flows.contains(&flow.id))
                    .map(|t| crate::flows::LinkedTest {
                        spec: t.test.file.clone(),
                        line: t.test.line,
                        title: t.test.title.clone(),
                        config: self
                            .suites
                            .iter()
                            .find(|s| s.specs.contains(&t.test.file))
                            .map(|s| s.config.clone())
                            .unwrap_or_default(),
                    })
                    .collect();
                (flow.id.clone(), linked)
            })
            .collect()
    }
}
