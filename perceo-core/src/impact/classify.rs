//! Sorting each change of a change set into what it means: a harmless change, a global
//! input (of the project, of one app, of the workspace), a test-side change, a moved
//! dependency, or graph files to search from. [`super::analyze`] then searches from the seeds.

use std::collections::{BTreeMap, BTreeSet};

use super::report::FileNote;
use super::{ImpactInput, Reason, ReasonKind, global_input_reason, lockfile, manifest, paths, search};
use crate::git::ChangeStatus;
use crate::routes::Route;
use manifest::Effect;

/// A graph file a change stands for, and what to say about how.
#[derive(Debug, Clone)]
pub(super) struct Seed {
    pub(super) changed: String,
    pub(super) file: usize,
    /// For seeds that stand in for the changed file (a dependency's importers, a deleted
    /// file's importers): what happened, and the kind of reason it gives.
    pub(super) via: Option<(String, ReasonKind)>,
}

impl Seed {
    fn new(changed: &str, file: usize) -> Seed {
        Seed {
            changed: changed.to_string(),
            file,
            via: None,
        }
    }
}

/// What the walk over the change set has found so far.
#[derive(Default)]
pub(super) struct Findings {
    pub(super) per_flow: BTreeMap<String, Vec<Reason>>,
    pub(super) seeds: Vec<Seed>,
    /// Changes that affect every flow: (changed file, chain, why).
    pub(super) global: Vec<(String, Vec<String>, String, Option<String>)>,
    /// Changes that affect every flow with tests: (changed file, why).
    pub(super) all_tests: Vec<(String, String, Option<String>)>,
    /// The app the change being classified belongs to (`None`: the whole project).
    pub(super) scope: Option<String>,
    /// Changes explained as harmless.
    pub(super) no_impact: Vec<FileNote>,
    /// Changes that count as code (their absence of effect needs explaining).
    pub(super) code_changes: Vec<String>,
}

impl Findings {
    pub(super) fn no_impact(&mut self, path: &str, reason: impl Into<String>) {
        self.no_impact.push(FileNote {
            path: path.to_string(),
            reason: reason.into(),
        });
    }

    fn global(&mut self, path: &str, why: impl Into<String>) {
        self.code_changes.push(path.to_string());
        self.global
            .push((path.to_string(), vec![path.to_string()], why.into(), self.scope.clone()));
    }

    fn all_tests(&mut self, path: &str, why: impl Into<String>) {
        self.code_changes.push(path.to_string());
        self.all_tests.push((path.to_string(), why.into(), self.scope.clone()));
    }
}

/// Where a `package.json` sits (or which workspace a lockfile entry belongs to).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ManifestScope {
    /// The project's, an app's or the workspace's root: what it declares applies to every
    /// module.
    Root,
    /// A workspace package (or another folder, project-relative): it applies to the files
    /// below it.
    Package(String),
}

impl ManifestScope {
    /// The scope of a workspace folder given relative to the project (`""`: the project).
    fn of_dir(input: &ImpactInput<'_>, dir: &str) -> ManifestScope {
        let is_app = input.apps.iter().any(|a| a.path.trim_matches('/') == dir);
        if dir.is_empty() || is_app || input.workspace_root == Some(dir) {
            ManifestScope::Root
        } else {
            ManifestScope::Package(dir.to_string())
        }
    }

    /// The scope of a lockfile importer (a workspace folder relative to the lockfile).
    fn of_importer(input: &ImpactInput<'_>, lockfile: &str, importer: &str) -> ManifestScope {
        let lock_dir = lockfile.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let at_workspace_root = input.workspace_root.is_some_and(|r| r == lock_dir);
        if at_workspace_root && input.project_in_workspace == Some(importer) {
            return ManifestScope::Root; // the project's own dependencies
        }
        let dir = match (lock_dir, importer) {
            (d, "") => d.to_string(),
            ("", i) => i.to_string(),
            (d, i) => format!("{d}/{i}"),
        };
        ManifestScope::of_dir(input, &dir)
    }
}

/// Sorts one change into the findings: a harmless change, a global input, a test-side
/// change, a dependency change, or graph seeds to search from.
pub(super) fn classify_change(input: &ImpactInput<'_>, change: &crate::git::FileChange, found: &mut Findings) {
    let graph = input.graph;
    let path = change.path.as_str();
    // In a multi-app project, an app's own global inputs are global to that app only.
    let (app, in_app) = crate::config::AppSettings::app_of(input.apps, path);
    found.scope = app.map(|a| a.name.clone());
    if path.starts_with(".perceo/") {
        found.no_impact(
            path,
            "Perceo's own configuration (flow definitions select their flow directly)",
        );
        return;
    }
    if paths::is_docs_path(path) {
        found.no_impact(path, "documentation");
        return;
    }
    if lockfile::is_lockfile(path) {
        classify_lockfile(input, path, found);
        return;
    }
    if path.rsplit('/').next() == Some("package.json") {
        classify_package_json(input, path, found);
        return;
    }
    if let Some(runner) = paths::test_config(path) {
        found.all_tests(
            path,
            format!("the {runner} config changed: every flow's tests run differently"),
        );
        return;
    }
    let workspace_root = if app.is_some() { None } else { input.workspace_root };
    if let Some(why) = global_input_reason(in_app, workspace_root) {
        found.global(path, why);
        return;
    }
    if input.route_configs.iter().any(|config| config == path) {
        found.global(
            path,
            "the route config changed: it decides every page's URL and layouts",
        );
        return;
    }
    if let Some(dir) = nested_tsconfig_dir(path) {
        found.code_changes.push(path.to_string());
        let prefix = format!("{dir}/");
        let under: Vec<usize> = (0..graph.files().len())
            .filter(|&i| graph.path(i).starts_with(&prefix))
            .collect();
        found.seeds.extend(under.into_iter().map(|i| Seed {
            changed: path.to_string(),
            file: i,
            via: Some((
                format!("{path} configures how {dir} compiles and resolves"),
                ReasonKind::ImportChain,
            )),
        }));
        return;
    }
    if paths::is_story_path(path) {
        found.no_impact(path, "a Storybook story or config, not served to users");
        return;
    }
    match (change.status, graph.id(path)) {
        (ChangeStatus::Deleted, _) => {
            let importers = search::importers_of_deleted(graph, path);
            let route_files: Vec<&Route> = input.routes.iter().filter(|r| r.file == path).collect();
            if importers.is_empty() && route_files.is_empty() {
                found.no_impact(path, "deleted, and no module imported it");
                return;
            }
            found.code_changes.push(path.to_string());
            found.seeds.extend(importers.into_iter().map(|file| Seed {
                changed: path.to_string(),
                file,
                via: Some((format!("{path} was deleted"), ReasonKind::ImportChain)),
            }));
            // A deleted route file takes its page with it.
            for route in route_files {
                for flow in input.flows.flows.iter().filter(|f| f.pages.contains(&route.pattern)) {
                    found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                        kind: ReasonKind::RouteRemoved,
                        changed_file: path.to_string(),
                        chain: vec![path.to_string()],
                        confidence: 1.0,
                        detail: format!("the page file of {} was deleted", route.pattern),
                    });
                }
            }
        }
        (_, Some(id)) => {
            found.code_changes.push(path.to_string());
            found.seeds.push(Seed::new(path, id));
        }
        (_, None) => found.code_changes.push(path.to_string()),
    }
}

/// A lockfile change: the direct dependencies it moved, each sorted by what the package is.
fn classify_lockfile(input: &ImpactInput<'_>, path: &str, found: &mut Findings) {
    let inert = |name: &str| input.dependencies.classify(name) == manifest::PackageClass::Inert;
    let moved = input
        .manifests
        .iter()
        .find(|l| l.path == path)
        .and_then(|l| lockfile::changed_direct_dependencies(path, l.old.as_deref()?, l.new.as_deref()?, &inert));
    let Some(moved) = moved else {
        found.global(
            path,
            "lockfile: resolved dependency versions changed (this lockfile could not be compared, so every flow)",
        );
        return;
    };
    if moved.is_empty() {
        found.no_impact(
            path,
            "lockfile changed, but no dependency moved except type packages and tooling",
        );
        return;
    }
    for (package, moved) in moved {
        // Each workspace that declares it: the root's and the project's apply everywhere, a
        // package's to that package's files.
        let scopes: BTreeSet<ManifestScope> = moved
            .importers
            .iter()
            .map(|i| ManifestScope::of_importer(input, path, i))
            .collect();
        let scopes: Vec<ManifestScope> = if scopes.contains(&ManifestScope::Root) {
            vec![ManifestScope::Root]
        } else {
            scopes.into_iter().collect()
        };
        for scope in scopes {
            dependency_effect(
                input,
                path,
                &package,
                &format!("lockfile: {}", moved.what),
                &scope,
                found,
            );
        }
    }
}

/// A `package.json` change, key by key.
fn classify_package_json(input: &ImpactInput<'_>, path: &str, found: &mut Findings) {
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let scope = ManifestScope::of_dir(input, dir);
    let effects = input
        .manifests
        .iter()
        .find(|m| m.path == path)
        .and_then(|m| manifest::diff_package_json(m.old.as_deref(), m.new.as_deref(), input.dependencies));
    let Some(effects) = effects else {
        let why = "package.json could not be compared key by key (invalid JSON on one side)";
        match &scope {
            ManifestScope::Root => found.global(path, format!("{why}; it affects the whole app")),
            ManifestScope::Package(dir) => package_wide(input, path, dir, why, ReasonKind::ImportChain, found),
        }
        return;
    };
    if effects.is_empty() {
        found.no_impact(path, "package.json changed only in formatting");
        return;
    }
    for effect in effects {
        match effect {
            Effect::NoImpact(why) => found.no_impact(path, why),
            Effect::Global(why) => match &scope {
                ManifestScope::Root => found.global(path, why),
                ManifestScope::Package(dir) => package_wide(input, path, dir, &why, ReasonKind::ImportChain, found),
            },
            Effect::Tests(why) => found.all_tests(path, why),
            Effect::Dependency { package, what } => dependency_effect(input, path, &package, &what, &scope, found),
        }
    }
}

/// Every file below a workspace package's folder, for a change to how it builds or resolves.
fn package_wide(input: &ImpactInput<'_>, path: &str, dir: &str, why: &str, kind: ReasonKind, found: &mut Findings) {
    found.code_changes.push(path.to_string());
    let prefix = format!("{dir}/");
    let graph = input.graph;
    found.seeds.extend(
        (0..graph.files().len())
            .filter(|&i| graph.path(i).starts_with(&prefix))
            .map(|file| Seed {
                changed: path.to_string(),
                file,
                via: Some((format!("{why} ({dir})"), kind)),
            }),
    );
}

/// A moved dependency: global for frameworks and build tooling, the tests for test
/// runners, nothing for lint tooling, else the modules that import it.
fn dependency_effect(
    input: &ImpactInput<'_>,
    path: &str,
    package: &str,
    what: &str,
    scope: &ManifestScope,
    found: &mut Findings,
) {
    use manifest::PackageClass;
    match input.dependencies.classify(package) {
        PackageClass::Global => {
            // A framework or bundler of one workspace package changes how that package
            // builds; of the root or the app, every page.
            match scope {
                ManifestScope::Root => found.global(path, format!("{what}: `{package}` changes every page")),
                ManifestScope::Package(dir) => package_wide(
                    input,
                    path,
                    dir,
                    &format!("{what}: `{package}` changes how the package builds"),
                    ReasonKind::Dependency,
                    found,
                ),
            }
            return;
        }
        PackageClass::Test => {
            found.all_tests(path, format!("{what}: the test runner changed"));
            return;
        }
        PackageClass::Inert => {
            found.no_impact(path, format!("{what}: lint, format, type or release tooling"));
            return;
        }
        PackageClass::Library => found.code_changes.push(path.to_string()),
    }
    let graph = input.graph;
    let all: Vec<usize> = (0..graph.files().len())
        .filter(|&i| graph.externals_of(i).iter().any(|e| e == package))
        .collect();
    let importers = match scope {
        ManifestScope::Package(dir) => {
            let prefix = format!("{dir}/");
            let under: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| graph.path(i).starts_with(&prefix))
                .collect();
            if under.is_empty() { all } else { under }
        }
        ManifestScope::Root => all,
    };
    if importers.is_empty() {
        match scope {
            ManifestScope::Root => found.global(
                path,
                format!("{what}; `{package}` is not imported by app code (build tooling or an implicit dependency), so it may affect every page"),
            ),
            ManifestScope::Package(dir) => package_wide(
                input,
                path,
                dir,
                &format!("{what}; no module imports `{package}` (tooling or an implicit dependency of the package)"),
                ReasonKind::Dependency,
                found,
            ),
        }
        return;
    }
    for file in importers {
        let (app, in_app) = crate::config::AppSettings::app_of(input.apps, graph.path(file));
        let workspace_root = if app.is_some() { None } else { input.workspace_root };
        if let Some(why) = global_input_reason(in_app, workspace_root) {
            found.global.push((
                path.to_string(),
                vec![path.to_string(), graph.path(file).to_string()],
                format!("{what}; {} imports it: {why}", graph.path(file)),
                app.map(|a| a.name.clone()),
            ));
            continue;
        }
        found.seeds.push(Seed {
            changed: path.to_string(),
            file,
            via: Some((what.to_string(), ReasonKind::Dependency)),
        });
    }
}

/// Why a changed file that reaches no flow does not: in plain words.
pub(super) fn unmatched_reason(input: &ImpactInput<'_>, path: &str) -> String {
    let graph = input.graph;
    let in_package = input
        .workspace_packages
        .iter()
        .any(|dir| path.starts_with(&format!("{dir}/")));
    match graph.id(path) {
        None if path.starts_with("../") && !in_package => {
            "outside the app and outside every workspace package it can import".into()
        }
        None => "not a module of the dependency graph (not JS/TS/CSS/JSON, or ignored by .gitignore / observer.watch.ignore)".into(),
        Some(id) if graph.importers_of(id).is_empty() => {
            if route_like(input, path) {
                "a route file of no flow's pages (add its route to a flow)".into()
            } else {
                "no module imports it, and it is no page, layout or app-wide entry".into()
            }
        }
        Some(id) => format!(
            "imported ({} importer(s), e.g. {}), but no import chain reaches a flow's page, layout or app-wide entry",
            graph.importers_of(id).len(),
            graph.path(graph.importers_of(id)[0].file)
        ),
    }
}

fn route_like(input: &ImpactInput<'_>, path: &str) -> bool {
    input
        .routes
        .iter()
        .any(|r| r.file == path || r.attached.iter().any(|a| a == path))
}

/// A reason that needs no graph: the flow's own spec, `files` glob or definition changed.
pub(super) fn direct_reason(flow: &crate::flows::Flow, path: &str) -> Option<Reason> {
    let make = |kind, confidence, detail: String| Reason {
        kind,
        changed_file: path.to_string(),
        chain: vec![path.to_string()],
        confidence,
        detail,
    };
    if path == format!(".perceo/flows/{}.json", flow.id) {
        return Some(make(
            ReasonKind::FlowDefinition,
            1.0,
            "the flow's definition changed".into(),
        ));
    }
    if flow.tests.as_ref().is_some_and(|t| t.specs.iter().any(|s| s == path)) {
        return Some(make(ReasonKind::Test, 1.0, "the flow's test spec changed".into()));
    }
    for pattern in &flow.files {
        if let Ok(glob) = globset::Glob::new(pattern)
            && glob.compile_matcher().is_match(path)
        {
            return Some(make(
                ReasonKind::FlowFiles,
                0.95,
                format!("matches the flow's files glob `{pattern}`"),
            ));
        }
    }
    None
}

/// For a tsconfig inside a subdirectory: that directory.
fn nested_tsconfig_dir(path: &str) -> Option<&str> {
    let (dir, name) = path.rsplit_once('/')?;
    (name.starts_with("tsconfig") && name.ends_with(".json")).then_some(dir)
}
