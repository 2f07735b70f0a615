//! Finding the suites: every `playwright.config.*` and `cypress.config.*` among the
//! project's files (workspace packages outside the project included), read statically for
//! where the specs are and what the base URL is.
//!
//! Playwright: `testDir` (default: the config's folder), `testMatch` and `testIgnore` as
//! globs (default `**/*.@(spec|test).?(c|m)[jt]s?(x)`; a RegExp reads as the default),
//! `projects[].testDir`, `use.baseURL` (also per project). Cypress: `e2e.specPattern`
//! (default `cypress/e2e/**/*.cy.{js,jsx,ts,tsx}`), `e2e.excludeSpecPattern`, `e2e.baseUrl` or
//! `baseUrl`.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;

use super::{Runner, Suite};
use crate::code::config_file::{ConfigValue, normalize_relative, read_config};
use crate::code::discover::absolute;

/// Playwright's default `testMatch`.
const PLAYWRIGHT_MATCH: &str = "**/*.{spec,test}.{js,ts,mjs,cjs,mts,cts,jsx,tsx}";
/// Cypress's default `e2e.specPattern`.
const CYPRESS_PATTERN: &str = "cypress/e2e/**/*.cy.{js,jsx,ts,tsx}";

/// The runner a file name is the config of.
fn runner_of(file: &str) -> Option<Runner> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let (stem, ext) = name.rsplit_once('.')?;
    if !matches!(ext, "ts" | "js" | "mjs" | "cjs" | "mts" | "cts") {
        return None;
    }
    // `playwright.config.ts`, also named variants run with `--config`
    // (`playwright.preview.config.ts`, `playwright-ct.config.ts`).
    if !stem.ends_with(".config") {
        return None;
    }
    if stem.starts_with("playwright") {
        Some(Runner::Playwright)
    } else if stem.starts_with("cypress") {
        Some(Runner::Cypress)
    } else {
        None
    }
}

fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        normalize_relative(rel)
    } else {
        normalize_relative(&format!("{dir}/{rel}"))
    }
}

/// Strings of a value that is a string or an array of strings.
fn strings(value: Option<&ConfigValue>) -> Vec<String> {
    match value {
        Some(ConfigValue::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(v) => v.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// What a `testMatch` / `testIgnore` says: globs and regular expressions (a JavaScript RegExp
/// that Rust's `regex` cannot read is left out).
#[derive(Default)]
struct Patterns {
    globs: Vec<String>,
    regexes: Vec<Regex>,
}

impl Patterns {
    /// Reads a string, RegExp or array of them; globs without a `/` match the file name in any
    /// folder, as Playwright reads them.
    fn read(value: Option<&ConfigValue>) -> Patterns {
        let items: Vec<&ConfigValue> = match value {
            Some(ConfigValue::Array(items)) => items.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        let mut out = Patterns::default();
        for item in items {
            match item {
                ConfigValue::Regex(pattern) => out.regexes.extend(Regex::new(pattern).ok()),
                other => out.globs.extend(other.as_str().map(|p| {
                    if p.contains('/') {
                        p.to_string()
                    } else {
                        format!("**/{p}")
                    }
                })),
            }
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.globs.is_empty() && self.regexes.is_empty()
    }
}

/// The path part of a base URL (`http://localhost:3000/app/` → `/app`).
fn base_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    path.trim_end_matches('/').to_string()
}

fn glob_set(patterns: &[String]) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).ok()?);
    }
    builder.build().ok()
}

/// Files among `files` under the folder `root` whose path below it matches `patterns` and
/// not `ignore` (regular expressions are matched against the path from the config's folder
/// on, as Playwright matches them against the whole path).
fn matching(files: &[String], root: &str, patterns: &Patterns, ignore: &Patterns) -> Vec<String> {
    let (Some(set), Some(ignored)) = (glob_set(&patterns.globs), glob_set(&ignore.globs)) else {
        return Vec::new();
    };
    files
        .iter()
        .filter(|f| !f.split('/').any(|part| part == "node_modules"))
        .filter_map(|f| {
            let below = if root.is_empty() {
                f.as_str()
            } else {
                f.strip_prefix(root)?.strip_prefix('/')?
            };
            let hit = set.is_match(below) || patterns.regexes.iter().any(|r| r.is_match(f));
            let skip = ignored.is_match(below) || ignore.regexes.iter().any(|r| r.is_match(f));
            (hit && !skip).then(|| f.clone())
        })
        .collect()
}

fn playwright(config_file: &str, config: &ConfigValue, files: &[String]) -> Suite {
    let dir = folder_of(config_file);
    let mut test_dirs: Vec<String> = Vec::new();
    let top = config.get("testDir").and_then(ConfigValue::as_str).unwrap_or(".");
    test_dirs.push(join(dir, top));
    let mut base = config.at("use.baseURL").and_then(ConfigValue::as_str).map(base_path);
    if let Some(ConfigValue::Array(projects)) = config.get("projects") {
        for project in projects {
            if let Some(test_dir) = project.get("testDir").and_then(ConfigValue::as_str) {
                test_dirs.push(join(dir, test_dir));
            }
            if base.is_none() {
                base = project.at("use.baseURL").and_then(ConfigValue::as_str).map(base_path);
            }
        }
    }
    let mut patterns = Patterns::read(config.get("testMatch"));
    if patterns.is_empty() {
        patterns.globs.push(PLAYWRIGHT_MATCH.to_string());
    }
    let ignore = Patterns::read(config.get("testIgnore"));
    let mut specs: Vec<String> = test_dirs
        .iter()
        .flat_map(|test_dir| matching(files, test_dir, &patterns, &ignore))
        .collect();
    specs.sort();
    specs.dedup();
    Suite {
        runner: Runner::Playwright,
        config: config_file.to_string(),
        base_path: base.unwrap_or_default(),
        specs,
        app_dir: None,
    }
}

fn cypress(config_file: &str, config: &ConfigValue, files: &[String]) -> Suite {
    let dir = folder_of(config_file);
    let mut patterns = Patterns {
        globs: strings(config.at("e2e.specPattern")),
        regexes: Vec::new(),
    };
    if patterns.is_empty() {
        patterns.globs.push(CYPRESS_PATTERN.to_string());
    }
    let base = config
        .at("e2e.baseUrl")
        .or_else(|| config.get("baseUrl"))
        .and_then(ConfigValue::as_str)
        .map(base_path);
    let ignore = Patterns {
        globs: strings(config.at("e2e.excludeSpecPattern")),
        regexes: Vec::new(),
    };
    let mut specs = matching(files, dir, &patterns, &ignore);
    specs.sort();
    Suite {
        runner: Runner::Cypress,
        config: config_file.to_string(),
        base_path: base.unwrap_or_default(),
        specs,
        app_dir: None,
    }
}

/// The suites among `files` (project-relative, `/` separators, `../` for workspace packages
/// outside the project) of the project at `project_dir`, in config path order. A config that
/// cannot be read gives a suite with the runner's defaults.
pub fn find_suites(project_dir: &Path, files: &[String]) -> Vec<Suite> {
    let mut suites: Vec<Suite> = files
        .iter()
        .filter(|f| !f.split('/').any(|part| part == "node_modules"))
        .filter_map(|file| {
            let runner = runner_of(file)?;
            let config = read_config(&absolute(project_dir, file)).unwrap_or(ConfigValue::Unknown);
            Some(match runner {
                Runner::Playwright => playwright(file, &config, files),
                Runner::Cypress => cypress(file, &config, files),
            })
        })
        .collect();
    suites.sort_by(|a, b| a.config.cmp(&b.config));
    suites
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn playwright_and_cypress_configs_give_their_specs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        let project = root.join("apps/web");
        std::fs::create_dir_all(&project).unwrap();
        write(
            "packages/app-tests/playwright.config.ts",
            "import { defineConfig } from '@playwright/test';\n\
             export default defineConfig({ testDir: './e2e', testIgnore: ['old.spec.ts', '**/preview-*.ts'],\n\
               use: { baseURL: 'http://localhost:3000/app/' } });",
        );
        write(
            "apps/web/cypress.config.ts",
            "export default { e2e: { specPattern: 'tests/**/*.cy.ts', baseUrl: 'http://localhost:4000' } }",
        );
        let list = files(&[
            "../../packages/app-tests/playwright.config.ts",
            "../../packages/app-tests/e2e/documents.spec.ts",
            "../../packages/app-tests/e2e/old.spec.ts",
            "../../packages/app-tests/e2e/deep/preview-x.spec.ts",
            "../../packages/app-tests/e2e/fixtures/helpers.ts",
            "../../packages/app-tests/src/unit.test.ts",
            "cypress.config.ts",
            "tests/cart.cy.ts",
            "tests/support/commands.ts",
            "src/app/page.tsx",
        ]);
        let suites = find_suites(&project, &list);
        assert_eq!(suites.len(), 2, "{suites:?}");
        let playwright = suites.iter().find(|s| s.runner == Runner::Playwright).unwrap();
        assert_eq!(playwright.specs, ["../../packages/app-tests/e2e/documents.spec.ts"]);
        assert_eq!(playwright.base_path, "/app");
        let cypress = suites.iter().find(|s| s.runner == Runner::Cypress).unwrap();
        assert_eq!(cypress.specs, ["tests/cart.cy.ts"]);
        assert_eq!(cypress.base_path, "");
    }

    #[test]
    fn regex_test_match_and_named_configs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("playwright.preview.config.ts"),
            r"export default { testDir: './tests', testMatch: /(^|\/)preview-.*\.spec\.ts$/ }",
        )
        .unwrap();
        let list = files(&[
            "playwright.preview.config.ts",
            "tests/preview-a.spec.ts",
            "tests/b.spec.ts",
        ]);
        let suites = find_suites(dir.path(), &list);
        assert_eq!(suites[0].specs, ["tests/preview-a.spec.ts"]);
    }

    #[test]
    fn defaults_apply_when_the_config_says_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("playwright.config.js"), "module.exports = config();").unwrap();
        let list = files(&[
            "playwright.config.js",
            "tests/a.spec.ts",
            "src/a.ts",
            "node_modules/x/b.spec.ts",
        ]);
        let suites = find_suites(dir.path(), &list);
        assert_eq!(suites[0].specs, ["tests/a.spec.ts"]);
        assert_eq!(base_path("https://example.com"), "");
    }
}
