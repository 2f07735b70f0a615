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
            tests.extend(visits::tests_in(spec, &text).into_iter().map(|t| (t, index)));
        }
    }
    link::link(suites, tests, routes, flows, apps)
}

/// The nearest folder at or above `config` (project-relative), up to the folder above the
/// project that holds it, whose package.json names a web framework.
fn app_dir_of(project_dir: &std::path::Path, config: &str) -> Option<String> {
    let mut folder = config.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    loop {
        let dir = crate::code::discover::absolute(project_dir, &folder);
        if dir.join("package.json").is_file()
            && crate::project::detect_framework(&dir).framework != crate::config::Framework::Unknown
        {
            return Some(folder);
        }
        // Only `../` segments left: the workspace above the project, as far as it goes.
        let above_project = folder.split('/').all(|part| part == "..");
        if folder.is_empty() || (above_project && !dir.join("package.json").is_file()) {
            return None;
        }
        folder = match folder.rsplit_once('/') {
            Some((parent, _)) => parent.to_string(),
            None if folder == ".." => "../..".to_string(),
            None => String::new(),
        };
        if folder.split('/').filter(|p| *p == "..").count() > 8 {
            return None;
        }
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
