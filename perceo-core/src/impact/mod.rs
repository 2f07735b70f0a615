//! Impact analysis: change set + dependency graph + routes + flows → [`ImpactReport`].
//!
//! For each changed file Perceo searches the reverse imports for the most confident path to
//! each flow's pages (a max-product search: every runtime import hop keeps 85% of the
//! confidence, a type-only hop 40%, a layout wrapping a page 90%), then discounts by fan-in:
//! a file that reaches many pages says less about each (`1 / (1 + 0.35·ln pages)`).
//! Global inputs affect every flow. See [`risk`] for the risk formula.

pub mod llm;
pub mod lockfile;
mod report;
pub mod risk;
mod search;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use report::{AffectedFlow, ImpactReport, OnEmpty, Reason, ReasonKind, Timings, Totals};

use crate::code::DependencyGraph;
use crate::flows::FlowSet;
use crate::git::{ChangeSet, ChangeStatus};
use crate::routes::{Route, RouteKind};

/// Confidence given to flows reached only through a global input.
pub const GLOBAL_CONFIDENCE: f64 = 0.6;

/// Everything the analysis needs.
pub struct ImpactInput<'a> {
    /// What changed.
    pub changes: &'a ChangeSet,
    /// The app's dependency graph (of the head).
    pub graph: &'a DependencyGraph,
    /// The app's routes.
    pub routes: &'a [Route],
    /// The flows.
    pub flows: &'a FlowSet,
    /// What to do when code changed but no flow was selected.
    pub on_empty: OnEmpty,
    /// Old and new content of each changed lockfile, for lockfile precision.
    pub lockfiles: &'a [LockfileChange],
}

/// A changed lockfile's content before and after the change (`None`: absent on that side).
#[derive(Debug, Clone)]
pub struct LockfileChange {
    /// Project-relative path.
    pub path: String,
    /// Content at the merge base.
    pub old: Option<String>,
    /// Content at the head.
    pub new: Option<String>,
}

/// A graph file a change stands for, and what to say about how.
struct Seed {
    changed: String,
    file: usize,
    /// For seeds that stand in for the changed file (a lockfile's importers, a deleted
    /// file's importers): what happened, and the kind of reason it gives.
    via: Option<(String, ReasonKind)>,
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

/// Why a changed path is global, if it is: package.json, lockfiles, tsconfig, framework
/// configs, middleware, env files.
pub fn global_input_reason(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let at_root = !path.contains('/');
    let root_or_src = at_root || path.starts_with("src/") && path.matches('/').count() == 1;
    if at_root && name == "package.json" {
        Some("package.json (dependencies, scripts) affects the whole app")
    } else if matches!(
        name,
        "package-lock.json" | "yarn.lock" | "pnpm-lock.yaml" | "bun.lockb" | "bun.lock" | "npm-shrinkwrap.json"
    ) {
        Some("lockfile: resolved dependency versions changed")
    } else if at_root && name.starts_with("tsconfig") && name.ends_with(".json") {
        Some("tsconfig: compiler options and path aliases affect every module")
    } else if at_root
        && [
            "next.config.",
            "vite.config.",
            "remix.config.",
            "svelte.config.",
            "nuxt.config.",
            "react-router.config.",
            "babel.config.",
            "postcss.config.",
            "tailwind.config.",
        ]
        .iter()
        .any(|p| name.starts_with(p))
    {
        Some("framework/build config affects every page")
    } else if root_or_src && name.starts_with("middleware.") {
        Some("middleware runs before every request")
    } else if at_root && (name == ".env" || name.starts_with(".env.")) {
        Some("environment file affects the whole app")
    } else if at_root && name == "pnpm-workspace.yaml" {
        Some("workspace layout changed")
    } else {
        None
    }
}

/// Whether a path is documentation only (never affects a flow).
pub fn is_docs_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    lower.starts_with("docs/")
        || name.ends_with(".md")
        || name.ends_with(".txt")
        || name.ends_with(".rst")
        || name.starts_with("license")
        || name.starts_with("changelog")
        || name == ".gitignore"
        || lower.starts_with(".github/")
}

/// A file that stands for a page: (file id, confidence factor, the page file it wraps).
type Entry<'a> = (usize, f64, Option<&'a str>);

/// Runs the analysis.
pub fn analyze(input: &ImpactInput<'_>) -> ImpactReport {
    let graph = input.graph;
    let mut warnings = Vec::new();

    // Entry files of each page pattern: the route file, and files attached to it (layouts...).
    let mut pattern_entries: HashMap<&str, Vec<Entry<'_>>> = HashMap::new();
    let mut page_files: BTreeSet<usize> = BTreeSet::new();
    for route in input.routes {
        let Some(id) = graph.id(&route.file) else { continue };
        if route.kind == RouteKind::Page {
            page_files.insert(id);
        }
        let entries = pattern_entries.entry(route.pattern.as_str()).or_default();
        entries.push((id, 1.0, None));
        for attached in &route.attached {
            if let Some(a) = graph.id(attached) {
                entries.push((a, search::LAYOUT_FACTOR, Some(route.file.as_str())));
            }
        }
    }

    // Seeds: the graph files each change stands for.
    let mut seeds: Vec<Seed> = Vec::new();
    let mut global: Vec<(String, String)> = Vec::new();
    let mut unmatched: Vec<String> = Vec::new();
    let mut code_changed = false;
    let mut code_changes: Vec<String> = Vec::new();
    let mut flow_direct: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
    let mut changed_lines: HashMap<String, usize> = HashMap::new();

    for change in &input.changes.changes {
        let path = change.path.as_str();
        changed_lines.insert(path.to_string(), change.additions + change.deletions);
        for flow in &input.flows.flows {
            if let Some(reason) = direct_reason(flow, path) {
                flow_direct.entry(flow.id.clone()).or_default().push(reason);
            }
        }
        if is_docs_path(path) {
            continue;
        }
        if path.starts_with(".perceo/") {
            continue;
        }
        if lockfile::is_lockfile(path) {
            let moved = input
                .lockfiles
                .iter()
                .find(|l| l.path == path)
                .and_then(|l| lockfile::changed_direct_dependencies(path, l.old.as_deref()?, l.new.as_deref()?));
            if let Some(moved) = moved {
                // Only resolved versions matter: a lockfile change that moved none is no code change.
                if !moved.is_empty() {
                    code_changed = true;
                    code_changes.push(path.to_string());
                }
                for (package, what) in moved {
                    let importers: Vec<usize> = (0..graph.files().len())
                        .filter(|&i| graph.externals_of(i).contains(&package))
                        .collect();
                    if importers.is_empty() {
                        global.push((
                            path.to_string(),
                            format!("lockfile: {what}; `{package}` is not imported by app code (build tooling), so it may affect every page"),
                        ));
                    }
                    seeds.extend(importers.into_iter().map(|file| Seed {
                        changed: path.to_string(),
                        file,
                        via: Some((format!("lockfile: {what}"), ReasonKind::Dependency)),
                    }));
                }
                continue;
            }
        }
        code_changed = true;
        code_changes.push(path.to_string());
        if let Some(why) = global_input_reason(path) {
            global.push((path.to_string(), why.to_string()));
            continue;
        }
        if let Some(dir) = nested_manifest_dir(path) {
            let prefix = format!("{dir}/");
            let under: Vec<usize> = (0..graph.files().len())
                .filter(|&i| graph.path(i).starts_with(&prefix))
                .collect();
            seeds.extend(under.into_iter().map(|i| Seed::new(path, i)));
            continue;
        }
        match (change.status, graph.id(path)) {
            (ChangeStatus::Deleted, _) => {
                let importers = search::importers_of_deleted(graph, path);
                seeds.extend(importers.into_iter().map(|file| Seed {
                    changed: path.to_string(),
                    file,
                    via: Some((format!("{path} was deleted"), ReasonKind::ImportChain)),
                }));
                // A deleted route file takes its page with it.
                for route in input.routes.iter().filter(|r| r.file == path) {
                    for flow in input.flows.flows.iter().filter(|f| f.pages.contains(&route.pattern)) {
                        flow_direct.entry(flow.id.clone()).or_default().push(Reason {
                            kind: ReasonKind::RouteRemoved,
                            changed_file: path.to_string(),
                            chain: vec![path.to_string()],
                            confidence: 1.0,
                            detail: format!("the page file of {} was deleted", route.pattern),
                        });
                    }
                }
            }
            (_, Some(id)) => seeds.push(Seed::new(path, id)),
            (_, None) => {}
        }
    }

    // Search from each seed.
    let mut per_flow: BTreeMap<String, Vec<Reason>> = flow_direct;
    let mut seen_seed: BTreeSet<(&str, usize)> = BTreeSet::new();
    for Seed {
        changed,
        file: seed,
        via: stand_in,
    } in &seeds
    {
        if !seen_seed.insert((changed.as_str(), *seed)) {
            continue;
        }
        let reach = search::reverse_reach(graph, *seed);
        let pages_reached = reach.keys().filter(|id| page_files.contains(id)).count().max(1);
        let fan_in = search::fan_in_factor(pages_reached);
        for flow in &input.flows.flows {
            let mut best: Option<Reason> = None;
            for pattern in &flow.pages {
                for &(entry, factor, via) in pattern_entries.get(pattern.as_str()).into_iter().flatten() {
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
                per_flow.entry(flow.id.clone()).or_default().push(reason);
            }
        }
    }

    // Global inputs affect every flow.
    for (path, why) in &global {
        for flow in &input.flows.flows {
            per_flow.entry(flow.id.clone()).or_default().push(Reason {
                kind: ReasonKind::Global,
                changed_file: path.clone(),
                chain: vec![path.clone()],
                confidence: GLOBAL_CONFIDENCE,
                detail: why.clone(),
            });
        }
    }

    // Changed code that reaches no flow (reported before any fail-safe selection).
    let explained: BTreeSet<&str> = per_flow.values().flatten().map(|r| r.changed_file.as_str()).collect();
    unmatched.extend(code_changes.iter().filter(|c| !explained.contains(c.as_str())).cloned());
    unmatched.sort();
    unmatched.dedup();

    let mut on_empty_applied = None;
    if per_flow.is_empty() && code_changed && !input.flows.flows.is_empty() {
        warnings.push(format!(
            "code changed ({} file(s)) but no flow is affected: the changed files reach no flow's pages. {}",
            input.changes.changes.len(),
            input.on_empty.explain()
        ));
        on_empty_applied = Some(input.on_empty);
        for flow in input.on_empty.select(&input.flows.flows) {
            per_flow.entry(flow.id.clone()).or_default().push(Reason {
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

    let flows = report::affected_flows(input.flows, per_flow, &changed_lines);
    report::build(input, flows, unmatched, warnings, on_empty_applied)
}

/// A reason that needs no graph: the flow's own spec, `files` glob or definition changed.
fn direct_reason(flow: &crate::flows::Flow, path: &str) -> Option<Reason> {
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
        return Some(make(ReasonKind::TestSpec, 1.0, "the flow's test spec changed".into()));
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

/// For a package.json / tsconfig inside a subdirectory: that directory.
fn nested_manifest_dir(path: &str) -> Option<&str> {
    let (dir, name) = path.rsplit_once('/')?;
    (name == "package.json" || (name.starts_with("tsconfig") && name.ends_with(".json"))).then_some(dir)
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
