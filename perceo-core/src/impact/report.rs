//! The ImpactReport (the seed's shape plus Perceo's additions) and its assembly.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::ImpactInput;
use super::risk::{self, History, RiskFactors};
use crate::config::Severity;
use crate::flows::{Flow, FlowSet};
use crate::git::FileChange;

/// What to do when code changed but no flow was selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnEmpty {
    /// Select every flow (default: the safe choice for CI).
    #[default]
    All,
    /// Select nothing.
    None,
    /// Select critical and high priority flows.
    Smoke,
}

impl std::str::FromStr for OnEmpty {
    type Err = crate::Error;

    /// `all`, `none` or `smoke` (what every binding accepts).
    fn from_str(text: &str) -> crate::Result<OnEmpty> {
        match text {
            "all" => Ok(OnEmpty::All),
            "none" => Ok(OnEmpty::None),
            "smoke" => Ok(OnEmpty::Smoke),
            other => Err(crate::Error::Argument(format!(
                "onEmpty must be all, none or smoke, not `{other}`"
            ))),
        }
    }
}

impl OnEmpty {
    /// The names [`FromStr`](std::str::FromStr) accepts, for help texts and choices.
    pub const NAMES: [&'static str; 3] = ["all", "none", "smoke"];

    /// What it selects, in a few words (for help texts).
    pub fn help(self) -> &'static str {
        match self {
            OnEmpty::All => "select every flow (the fail-safe)",
            OnEmpty::None => "select nothing",
            OnEmpty::Smoke => "select critical and high priority flows",
        }
    }

    /// Name as given on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            OnEmpty::All => "all",
            OnEmpty::None => "none",
            OnEmpty::Smoke => "smoke",
        }
    }

    pub(crate) fn explain(self) -> &'static str {
        match self {
            OnEmpty::All => "Selecting every flow as a fail-safe (--on-empty all).",
            OnEmpty::None => "Selecting nothing (--on-empty none): nothing will be tested.",
            OnEmpty::Smoke => "Selecting critical and high priority flows as a smoke test (--on-empty smoke).",
        }
    }

    pub(crate) fn select(self, flows: &[Flow]) -> Vec<&Flow> {
        match self {
            OnEmpty::All => flows.iter().collect(),
            OnEmpty::None => Vec::new(),
            OnEmpty::Smoke => flows.iter().filter(|f| f.priority >= Severity::High).collect(),
        }
    }
}

/// Why a flow is affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// The changed file reaches a page of the flow through imports (or is the page).
    ImportChain,
    /// The changed file reaches a layout/template that wraps a page of the flow.
    Layout,
    /// A global input changed (package.json, lockfile, tsconfig, framework config, ...).
    Global,
    /// A dependency moved (in a `package.json` or a lockfile) that a file on the way to the
    /// flow's page imports.
    Dependency,
    /// The flow's tests changed: one of its specs, a helper, fixture or page object a spec
    /// imports, the test runner's config or version.
    Test,
    /// A file matching the flow's `files` globs changed.
    FlowFiles,
    /// The flow's definition file changed.
    FlowDefinition,
    /// The page file of one of the flow's routes was deleted.
    RouteRemoved,
    /// Selected by `--on-empty` because nothing else was.
    FailSafe,
    /// An LLM classified the change (`observer.analysis.useLLM`); its answer adjusted the
    /// confidence.
    Llm,
    /// A message catalog changed keys that a file on the way to the flow's page names
    /// (message precision).
    Message,
    /// The change reaches an API route handler whose endpoint code on the way to the flow's
    /// page calls.
    Api,
}

/// One reason a flow is affected.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The kind of reason.
    pub kind: ReasonKind,
    /// The changed file (empty for fail-safe selection).
    pub changed_file: String,
    /// Shortest import chain from the changed file to the flow's page (changed file first).
    pub chain: Vec<String>,
    /// Confidence this reason gives (0..1).
    pub confidence: f64,
    /// Plain-words explanation.
    pub detail: String,
}

/// A changed file and a plain-words reason about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileNote {
    /// The changed file (project-relative; `../` for files outside the project).
    pub path: String,
    /// Why it affects no flow.
    pub reason: String,
}

/// An affected flow: the seed's `{name, confidence, riskScore, priority}` plus Perceo's fields.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AffectedFlow {
    /// Flow id.
    pub id: String,
    /// Flow name.
    pub name: String,
    /// The flow's app, in a project of several apps (flows are grouped by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Highest confidence among the reasons (0..1).
    pub confidence: f64,
    /// Risk score (0..1), see [`risk`].
    pub risk_score: f64,
    /// Level of the risk score.
    pub risk_level: Severity,
    /// The flow's priority.
    pub priority: Severity,
    /// Every factor of the risk score.
    pub risk_factors: RiskFactors,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
    /// Changed files that affect the flow.
    pub matched_files: Vec<String>,
    /// Whether the flow has tests to run.
    pub has_tests: bool,
}

/// Where an analysis spent its time, and what the graph cache saved.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// Milliseconds computing the change set (in process, the dependency graph is built
    /// meanwhile on another thread, so this overlaps `graph`).
    pub git_ms: u64,
    /// Milliseconds loading flow files.
    pub flows_ms: u64,
    /// How the dependency graph was built.
    pub graph: crate::code::BuildStats,
    /// Milliseconds searching for affected flows.
    pub impact_ms: u64,
    /// Milliseconds storing the analysis in the flow graph.
    pub store_ms: u64,
    /// Milliseconds in all.
    pub total_ms: u64,
}

/// Counts for the summary.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Flows defined.
    pub flows: usize,
    /// Flows affected.
    pub affected_flows: usize,
    /// Files changed.
    pub changed_files: usize,
    /// Source modules in the graph.
    pub modules: usize,
    /// Resolved import edges.
    pub edges: usize,
    /// Imports that did not resolve.
    pub unresolved_imports: usize,
    /// Files that did not parse cleanly.
    pub parse_errors: usize,
}

/// The result of an impact analysis (published as `observer.analysis.complete`).
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// Unique id of this analysis.
    pub change_id: String,
    /// The base commit.
    pub base_sha: String,
    /// The head commit.
    pub head_sha: String,
    /// The merge base the diff starts from.
    pub merge_base: String,
    /// Affected flows, highest risk first.
    pub flows: Vec<AffectedFlow>,
    /// Changed files.
    pub changes: Vec<FileChange>,
    /// Changed files that reach no flow and that Perceo cannot explain as harmless (paths).
    pub unmatched_changes: Vec<String>,
    /// The same files, each with the reason it reaches no flow.
    #[serde(default)]
    pub unmatched_reasons: Vec<FileNote>,
    /// Changed files explained as harmless (documentation, lint-only dependencies, scripts
    /// that neither build nor serve, tests no flow links...), each with the reason. They do
    /// not trigger `--on-empty`.
    #[serde(default)]
    pub no_impact: Vec<FileNote>,
    /// Set when `--on-empty` selected the flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_empty_applied: Option<OnEmpty>,
    /// Counts.
    pub totals: Totals,
    /// Flow steps whose analytics event the change removed from everything the flow's
    /// pages load (each is also a warning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instrumentation: Vec<super::instrumentation::InstrumentationLoss>,
    /// Things the user should know (no flows selected, unparsed files, ...).
    pub warnings: Vec<String>,
    /// When the analysis ran (RFC 3339).
    pub created_at: String,
    /// Where the time went.
    pub timings: Timings,
    /// Imports that did not resolve (for `-v`; not serialised, `totals` has the count).
    #[serde(skip)]
    pub unresolved: Vec<crate::code::graph::Unresolved>,
}

impl ImpactReport {
    /// Whether any affected flow's risk level is at least `level` (for `--fail-on`).
    pub fn any_at_least(&self, level: Severity) -> bool {
        self.flows.iter().any(|f| f.risk_level >= level)
    }
}

pub(super) fn affected_flows(
    flows: &FlowSet,
    per_flow: BTreeMap<String, Vec<Reason>>,
    changed_lines: &HashMap<String, usize>,
) -> Vec<AffectedFlow> {
    let mut out: Vec<AffectedFlow> = per_flow
        .into_iter()
        .filter_map(|(id, mut reasons)| {
            let flow = flows.get(&id)?;
            reasons.sort_by(|a, b| {
                b.confidence
                    .total_cmp(&a.confidence)
                    .then(a.chain.len().cmp(&b.chain.len()))
                    .then(a.changed_file.cmp(&b.changed_file))
            });
            let mut matched_files: Vec<String> = reasons
                .iter()
                .filter(|r| !r.changed_file.is_empty())
                .map(|r| r.changed_file.clone())
                .collect();
            matched_files.sort();
            matched_files.dedup();
            let confidence = reasons.first().map_or(0.0, |r| r.confidence);
            let lines: usize = matched_files.iter().filter_map(|f| changed_lines.get(f)).sum();
            let (risk_score, risk_factors) = risk::score(confidence, flow.priority, lines, History::default());
            Some(AffectedFlow {
                id,
                name: flow.name.clone(),
                app: flow.app.clone(),
                confidence,
                risk_score,
                risk_level: risk::level(risk_score),
                priority: flow.priority,
                risk_factors,
                reasons,
                matched_files,
                has_tests: flow.has_tests(),
            })
        })
        .collect();
    // Grouped by app (one group in a project of one app), highest risk first.
    out.sort_by(|a, b| {
        a.app
            .cmp(&b.app)
            .then(b.risk_score.total_cmp(&a.risk_score))
            .then(a.id.cmp(&b.id))
    });
    out
}

pub(super) fn build(
    input: &ImpactInput<'_>,
    flows: Vec<AffectedFlow>,
    unmatched: Vec<FileNote>,
    no_impact: Vec<FileNote>,
    mut warnings: Vec<String>,
    on_empty_applied: Option<OnEmpty>,
) -> ImpactReport {
    let graph = input.graph;
    if !graph.parse_errors.is_empty() {
        warnings.push(format!(
            "{} file(s) did not parse cleanly; their imports were taken as far as they parsed (first: {} — {})",
            graph.parse_errors.len(),
            graph.parse_errors[0].0,
            graph.parse_errors[0].1
        ));
    }
    for (file, problem) in &graph.config_problems {
        warnings.push(format!(
            "{file}: {problem}; imports under it were resolved without it (relative imports and its own `paths` still apply)"
        ));
    }
    for problem in input.route_warnings {
        warnings.push(format!("routes: {problem}"));
    }
    for f in flows.iter().filter(|f| !f.has_tests) {
        warnings.push(format!("affected flow `{}` has no tests: it is uncovered", f.id));
    }
    let instrumentation = input
        .removed_events
        .map(|removed| super::instrumentation::losses(graph, input.routes, input.flows, removed))
        .unwrap_or_default();
    warnings.extend(instrumentation.iter().map(|l| l.describe()));
    ImpactReport {
        instrumentation,
        change_id: uuid::Uuid::new_v4().to_string(),
        base_sha: input.changes.base_sha.clone(),
        head_sha: input.changes.head_sha.clone(),
        merge_base: input.changes.merge_base.clone(),
        totals: Totals {
            flows: input.flows.flows.len(),
            affected_flows: flows.len(),
            changed_files: input.changes.changes.len(),
            modules: graph.module_count(),
            edges: graph.edge_count(),
            unresolved_imports: graph.unresolved.len(),
            parse_errors: graph.parse_errors.len(),
        },
        flows,
        changes: input.changes.changes.clone(),
        unmatched_changes: unmatched.iter().map(|u| u.path.clone()).collect(),
        unmatched_reasons: unmatched,
        no_impact,
        on_empty_applied,
        warnings,
        created_at: crate::fsutil::now_rfc3339(),
        unresolved: graph.unresolved.clone(),
        timings: Timings {
            graph: graph.stats.clone(),
            ..Timings::default()
        },
    }
}
