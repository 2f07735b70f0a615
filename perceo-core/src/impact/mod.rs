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
pub mod instrumentation;
pub mod llm;
pub mod lockfile;
pub mod manifest;
pub mod messages;
pub mod paths;
mod report;
pub mod risk;
mod search;
mod stages;
pub mod symbols;
pub mod why;

use std::collections::HashMap;

pub use manifest::DependencyRules;
pub use paths::{global_input_reason, is_docs_path};
pub use report::{AffectedFlow, FileNote, ImpactReport, OnEmpty, Reason, ReasonKind, Timings, Totals};

use crate::code::DependencyGraph;
use crate::flows::FlowSet;
use crate::git::ChangeSet;
use crate::routes::Route;

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
    /// Symbol precision: the changed modules' old text and a reader of current files.
    /// `None`: file precision (every importer of a changed file is reached).
    pub symbols: Option<&'a symbols::SymbolSources<'a>>,
    /// The analytics events each changed file fired before the change and fires no more
    /// (see [`instrumentation`]). `None`: not looked at.
    pub removed_events: Option<&'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>>,
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

/// Runs the analysis, stage by stage (see `stages`): what each page, app-wide entry and
/// spec file is in the graph; the changes sorted and matched directly; the graph searched
/// from each changed file; the global rules; what stays unexplained (and the fail-safe);
/// then scoring into the report.
pub fn analyze(input: &ImpactInput<'_>) -> ImpactReport {
    let mut warnings = input.changes.warnings.clone();
    let targets = stages::targets(input, &mut warnings);
    let (mut found, changed_lines) = stages::direct_matches(input);
    let mut late_harmless = stages::graph_reach(input, &targets, &mut found);
    stages::global_rules(input, &mut found, &mut late_harmless);
    let (unmatched, on_empty_applied) = stages::unexplained(input, &mut found, &late_harmless, &mut warnings);
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
