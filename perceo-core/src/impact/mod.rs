//! Impact analysis: change set + dependency graph + routes + flows → [`ImpactReport`].
//!
//! For each changed file Perceo searches the reverse imports for the most confident path to
//! each flow's pages (a max-product search: every runtime import hop keeps 85% of the
//! confidence, a type-only hop 40%, a layout wrapping a page 90%), then discounts by fan-in:
//! a file that reaches many pages says less about each (`1 / (1 + 0.35·ln pages)`).
//! Global inputs affect every flow (of their app, in a project of several apps). See
//! `classify` for how each change is sorted first (docs, manifests, lockfiles, test-side
//! changes, global inputs), [`manifest`] for the dependency table and [`risk`] for the risk
//! formula. The change set is repository-wide: files outside the project are searched like
//! the project's own, and whatever reaches nothing is listed with the reason
//! ([`ImpactReport::unmatched_reasons`]) or explained as harmless ([`ImpactReport::no_impact`]).

mod classify;
pub mod llm;
pub mod lockfile;
pub mod manifest;
pub mod paths;
mod report;
pub mod risk;
mod search;
pub mod why;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use manifest::DependencyRules;
pub use paths::{global_input_reason, is_docs_path};
pub use report::{AffectedFlow, FileNote, ImpactReport, OnEmpty, Reason, ReasonKind, Timings, Totals};

use crate::code::DependencyGraph;
use crate::flows::FlowSet;
use crate::git::ChangeSet;
use crate::routes::{Route, RouteKind};
use classify::{Findings, Seed, classify_change, direct_reason, unmatched_reason};

/// Confidence given to flows reached only through a global input.
pub const GLOBAL_CONFIDENCE: f64 = 0.6;
/// Confidence given to flows whose tests use a changed helper, fixture or page object.
pub const TEST_HELPER_CONFIDENCE: f64 = 0.9;

/// Everything the analysis needs.
pub struct ImpactInput<'a> {
    /// What changed (repository-wide, project-relative notation).
    pub changes: &'a ChangeSet,
    /// The app's dependency graph (of the head).
    pub graph: &'a DependencyGraph,
    /// The app's routes.
    pub routes: &'a [Route],
    /// What route discovery could not understand (see `AppModel::route_warnings`); each one
    /// becomes a warning of the report.
    pub route_warnings: &'a [String],
    /// The route config files routes were read from (see `AppModel::route_configs`): a
    /// change to one is global to its app.
    pub route_configs: &'a [String],
    /// The flows.
    pub flows: &'a FlowSet,
    /// What to do when code changed but no flow was selected.
    pub on_empty: OnEmpty,
    /// Old and new content of each changed lockfile and `package.json`, for dependency
    /// precision.
    pub manifests: &'a [ManifestChange],
    /// The monorepo's root in project-relative notation (`""`: the project itself,
    /// `../..`: two folders up); `None` outside a monorepo.
    pub workspace_root: Option<&'a str>,
    /// Directories of the workspace packages (project-relative notation), for telling a
    /// package's manifest from the root's and files outside every package.
    pub workspace_packages: &'a [String],
    /// What each npm package is to the app (framework, library, lint tooling...).
    pub dependencies: &'a DependencyRules,
    /// The apps of a multi-app project (empty: the project is one app). Global inputs of an
    /// app (its package.json, framework config, middleware) affect that app's flows only.
    pub apps: &'a [crate::config::AppSettings],
    /// The project's folder relative to the monorepo's root (`apps/web`; `""` at the root),
    /// to find the project's own entry among a root lockfile's workspaces.
    pub project_in_workspace: Option<&'a str>,
}

/// A changed manifest's (lockfile or `package.json`) content before and after the change
/// (`None`: absent on that side).
#[derive(Debug, Clone)]
pub struct ManifestChange {
    /// Project-relative path.
    pub path: String,
    /// Content at the merge base.
    pub old: Option<String>,
    /// Content at the head.
    pub new: Option<String>,
}

/// Whether a changed path's content is read for dependency precision (lockfiles and
/// `package.json` files).
pub fn is_manifest(path: &str) -> bool {
    lockfile::is_lockfile(path) || path.rsplit('/').next() == Some("package.json")
}

/// A file that stands for a page: (file id, confidence factor, the page file it wraps, the
/// app of the route).
type Entry<'a> = (usize, f64, Option<&'a str>, Option<&'a str>);

/// Whether a flow belongs to `scope` (an app's name; `None`: every app).
fn in_scope(flow: &crate::flows::Flow, scope: Option<&str>) -> bool {
    scope.is_none() || flow.app.as_deref() == scope
}

/// Runs the analysis.
pub fn analyze(input: &ImpactInput<'_>) -> ImpactReport {
    let graph = input.graph;
    let mut warnings = input.changes.warnings.clone();

    // Entry files of each page pattern: the route file, and files attached to it (layouts...).
    let mut pattern_entries: HashMap<&str, Vec<Entry<'_>>> = HashMap::new();
    // Each page with the files that stand for it (its file and what wraps it), to count the
    // pages a change reaches.
    let mut pages: Vec<Vec<usize>> = Vec::new();
    for route in input.routes {
        let Some(id) = graph.id(&route.file) else { continue };
        if route.kind == RouteKind::Page {
            pages.push(
                std::iter::once(id)
                    .chain(route.attached.iter().filter_map(|a| graph.id(a)))
                    .collect(),
            );
        }
        let entries = pattern_entries.entry(route.pattern.as_str()).or_default();
        let app = route.app.as_deref();
        entries.push((id, 1.0, None, app));
        for attached in &route.attached {
            if let Some(a) = graph.id(attached) {
                entries.push((a, search::LAYOUT_FACTOR, Some(route.file.as_str()), app));
            }
        }
    }
    // Flow pages no route has: nothing in the code reaches them, so say so once.
    if !input.routes.is_empty() {
        let known: std::collections::HashSet<&str> = input.routes.iter().map(|r| r.pattern.as_str()).collect();
        let lost: Vec<String> = input
            .flows
            .flows
            .iter()
            .flat_map(|f| {
                f.pages
                    .iter()
                    .filter(|p| !known.contains(p.as_str()))
                    .map(move |p| format!("{} ({p})", f.id))
            })
            .collect();
        if !lost.is_empty() {
            warnings.push(format!(
                "{} flow page pattern(s) match no route, so no code change reaches them: {}{} — `perceo routes` lists the patterns",
                lost.len(),
                lost.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if lost.len() > 5 { ", ..." } else { "" }
            ));
        }
    }
    // App-wide entries (middleware, instrumentation...): what reaches them is global.
    let app_wide: Vec<(usize, &str)> = (0..graph.files().len())
        .filter_map(|i| {
            let (app, in_app) = crate::config::AppSettings::app_of(input.apps, graph.path(i));
            if app.is_none() && !input.apps.is_empty() {
                return None; // outside every app of a multi-app project
            }
            let path = graph.path(i);
            let app_root = path.strip_suffix(in_app).unwrap_or("");
            let is_nuxt = || {
                ["ts", "js", "mjs", "mts"]
                    .iter()
                    .any(|ext| graph.id(&format!("{app_root}nuxt.config.{ext}")).is_some())
            };
            let nuxt_plugin = || paths::nuxt_plugin(in_app).filter(|_| is_nuxt());
            Some((i, paths::app_wide_entry(in_app).or_else(nuxt_plugin)?))
        })
        .collect();
    // Spec files of the flows: what reaches them changes those flows' tests.
    let mut spec_flows: HashMap<usize, Vec<&str>> = HashMap::new();
    for flow in &input.flows.flows {
        for spec in flow.tests.iter().flat_map(|t| &t.specs) {
            if let Some(id) = graph.id(spec) {
                spec_flows.entry(id).or_default().push(flow.id.as_str());
            }
        }
    }

    let mut found = Findings::default();
    let mut changed_lines: HashMap<String, usize> = HashMap::new();
    for change in &input.changes.changes {
        let path = change.path.as_str();
        changed_lines.insert(path.to_string(), change.additions + change.deletions);
        for flow in &input.flows.flows {
            if let Some(reason) = direct_reason(flow, path) {
                found.per_flow.entry(flow.id.clone()).or_default().push(reason);
            }
        }
        classify_change(input, change, &mut found);
    }

    // Search from each seed.
    let mut seen_seed: BTreeSet<(&str, usize)> = BTreeSet::new();
    // Code changes found harmless only once the search has run: (path, why).
    let mut late_harmless: BTreeMap<String, String> = BTreeMap::new();
    for Seed {
        changed,
        file: seed,
        via: stand_in,
    } in &found.seeds
    {
        if !seen_seed.insert((changed.as_str(), *seed)) {
            continue;
        }
        let reach = search::reverse_reach(graph, *seed);
        let pages_reached = pages
            .iter()
            .filter(|files| files.iter().any(|f| reach.contains_key(f)))
            .count()
            .max(1);
        let fan_in = search::fan_in_factor(pages_reached);
        let mut any = false;
        for flow in &input.flows.flows {
            let mut best: Option<Reason> = None;
            for pattern in &flow.pages {
                for &(entry, factor, via, app) in pattern_entries.get(pattern.as_str()).into_iter().flatten() {
                    if flow.app.is_some() && app.is_some() && flow.app.as_deref() != app {
                        continue;
                    }
                    let Some(hit) = reach.get(&entry) else { continue };
                    let confidence = hit.confidence * factor * fan_in;
                    if best.as_ref().is_none_or(|b| confidence > b.confidence) {
                        let mut chain = search::chain(graph, &reach, entry);
                        if let Some(page) = via {
                            chain.push(page.to_string());
                        }
                        let kind = match (stand_in, via) {
                            (Some((_, kind)), _) => *kind,
                            (None, Some(_)) => ReasonKind::Layout,
                            (None, None) => ReasonKind::ImportChain,
                        };
                        let hops = chain.len() - 1;
                        let detail = match (stand_in, hops, via) {
                            (Some((what, _)), _, _) => {
                                chain.insert(0, changed.clone());
                                format!(
                                    "{what}; {} imports it and reaches the page of {pattern} in {hops} hop(s)",
                                    graph.path(*seed)
                                )
                            }
                            (None, 0, None) => format!("the page file of {pattern} changed"),
                            (None, _, Some(_)) => format!("wraps the pages of {pattern} ({hops} hop(s))"),
                            (None, _, None) => format!("reaches the page of {pattern} in {hops} import hop(s)"),
                        };
                        let auto = search::auto_import_hops(graph, &chain);
                        let detail = if auto.is_empty() {
                            detail
                        } else {
                            format!("{detail}; auto-import: {}", auto.join(", "))
                        };
                        let detail = if pages_reached > 1 {
                            format!("{detail}; the changed file reaches {pages_reached} pages")
                        } else {
                            detail
                        };
                        best = Some(Reason {
                            kind,
                            changed_file: changed.clone(),
                            chain,
                            confidence: round3(confidence),
                            detail,
                        });
                    }
                }
            }
            if let Some(reason) = best {
                any = true;
                found.per_flow.entry(flow.id.clone()).or_default().push(reason);
            }
        }
        // Through an app-wide entry, the change is global (with the chain that says so).
        if let Some(&(entry, why)) = app_wide.iter().find(|(id, _)| reach.contains_key(id)) {
            any = true;
            let mut chain = search::chain(graph, &reach, entry);
            if stand_in.is_some() {
                chain.insert(0, changed.clone());
            }
            let what = stand_in.as_ref().map(|(w, _)| format!("{w}; ")).unwrap_or_default();
            let scope = crate::config::AppSettings::app_of(input.apps, graph.path(entry))
                .0
                .map(|a| a.name.clone());
            found.global.push((
                changed.clone(),
                chain,
                format!("{what}reaches {}: {why}", graph.path(entry)),
                scope,
            ));
        }
        // Through a flow's spec file, the change alters that flow's tests.
        for (&spec, flows) in &spec_flows {
            if spec == *seed && stand_in.is_none() {
                continue; // the spec itself changed: a direct reason already says so
            }
            let Some(hit) = reach.get(&spec) else { continue };
            any = true;
            let mut chain = search::chain(graph, &reach, spec);
            if stand_in.is_some() {
                chain.insert(0, changed.clone());
            }
            for flow in flows {
                found.per_flow.entry((*flow).to_string()).or_default().push(Reason {
                    kind: ReasonKind::Test,
                    changed_file: changed.clone(),
                    chain: chain.clone(),
                    confidence: round3(TEST_HELPER_CONFIDENCE * hit.confidence.max(0.5)),
                    detail: format!("the flow's test spec {} uses it", graph.path(spec)),
                });
            }
        }
        if !any
            && stand_in.is_none()
            && reach.len() > 1
            && reach
                .keys()
                .all(|&id| id == *seed || paths::is_test_path(graph.path(id)) || paths::is_story_path(graph.path(id)))
        {
            late_harmless.insert(
                changed.clone(),
                "used only by test files that no flow links to (add them to a flow's tests.specs)".into(),
            );
        }
    }

    // Global inputs affect every flow; test-side global inputs every flow with tests.
    for (path, chain, why, scope) in &found.global {
        for flow in input.flows.flows.iter().filter(|f| in_scope(f, scope.as_deref())) {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::Global,
                changed_file: path.clone(),
                chain: chain.clone(),
                confidence: GLOBAL_CONFIDENCE,
                detail: why.clone(),
            });
        }
    }
    for (path, why, scope) in &found.all_tests {
        let with_tests: Vec<_> = input
            .flows
            .flows
            .iter()
            .filter(|f| f.has_tests() && in_scope(f, scope.as_deref()))
            .collect();
        if with_tests.is_empty() {
            late_harmless.insert(path.clone(), format!("{why}, but no flow has tests"));
        }
        for flow in with_tests {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::Test,
                changed_file: path.clone(),
                chain: vec![path.clone()],
                confidence: GLOBAL_CONFIDENCE,
                detail: why.clone(),
            });
        }
    }

    // Changed code that reaches no flow: explained as harmless, or listed with the reason.
    let explained: BTreeSet<String> = found
        .per_flow
        .values()
        .flatten()
        .map(|r| r.changed_file.clone())
        .collect();
    let mut unmatched: Vec<FileNote> = Vec::new();
    let mut code_changes = std::mem::take(&mut found.code_changes);
    code_changes.sort();
    code_changes.dedup();
    for path in code_changes.iter().filter(|c| !explained.contains(c.as_str())) {
        if let Some(why) = late_harmless.get(path) {
            found.no_impact(path, why.clone());
            continue;
        }
        if paths::is_test_path(path) {
            found.no_impact(
                path,
                "test code that no flow's tests use (link its spec with a flow's tests.specs)",
            );
            continue;
        }
        unmatched.push(FileNote {
            path: path.clone(),
            reason: unmatched_reason(input, path),
        });
    }
    // A file with an effect is reported by that effect, not as harmless.
    found
        .no_impact
        .retain(|n| !explained.contains(&n.path) && !unmatched.iter().any(|u| u.path == n.path));
    found.no_impact.sort_by(|a, b| a.path.cmp(&b.path));
    found.no_impact.dedup_by(|a, b| a.path == b.path);

    let mut on_empty_applied = None;
    if !unmatched.is_empty() {
        let shown: Vec<String> = unmatched
            .iter()
            .take(5)
            .map(|u| format!("{} ({})", u.path, u.reason))
            .collect();
        warnings.push(format!(
            "{} changed file(s) reach no flow: {}{} — see unmatchedChanges",
            unmatched.len(),
            shown.join("; "),
            if unmatched.len() > 5 { "; ..." } else { "" }
        ));
    }
    if found.per_flow.is_empty() && !unmatched.is_empty() && !input.flows.flows.is_empty() {
        warnings.push(format!(
            "code changed ({} file(s)) but no flow is affected and Perceo cannot explain why. {}",
            unmatched.len(),
            input.on_empty.explain()
        ));
        on_empty_applied = Some(input.on_empty);
        for flow in input.on_empty.select(&input.flows.flows) {
            found.per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::FailSafe,
                changed_file: String::new(),
                chain: Vec::new(),
                confidence: GLOBAL_CONFIDENCE,
                detail: format!("selected by --on-empty {}", input.on_empty.as_str()),
            });
        }
    }
    if input.flows.flows.is_empty() {
        warnings.push(
            "no flows are defined: run `perceo init` to bootstrap them from your routes, or add .perceo/flows/*.json"
                .into(),
        );
    }

    let flows = report::affected_flows(input.flows, found.per_flow, &changed_lines);
    report::build(input, flows, unmatched, found.no_impact, warnings, on_empty_applied)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The page patterns whose page (or layout) files reach `file` through imports (including
/// `file` itself).
pub fn search_pages_reaching<'p>(
    graph: &DependencyGraph,
    file: usize,
    page_of_file: &HashMap<usize, Vec<&'p str>>,
) -> Vec<&'p str> {
    let reach = search::reverse_reach(graph, file);
    let mut pages: Vec<&str> = reach
        .keys()
        .filter_map(|id| page_of_file.get(id))
        .flatten()
        .copied()
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}
