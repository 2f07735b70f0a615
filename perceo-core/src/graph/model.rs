//! What the flow graph stores besides flow definitions: analyses, test runs, metrics,
//! insights, predictions and sync cursors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Severity;
use crate::flows::Flow;

/// Test-derived metrics of a flow, recomputed from its recorded runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntheticMetrics {
    /// Share of passed runs among the last [`SYNTHETIC_WINDOW`] runs (0..1).
    pub success_rate: f64,
    /// Mean duration of those runs, milliseconds.
    pub avg_duration: f64,
    /// Start time of the latest run (RFC 3339).
    pub last_run: String,
    /// Runs recorded in all.
    pub run_count: u64,
}

/// How many recent runs [`SyntheticMetrics`] averages over.
pub const SYNTHETIC_WINDOW: usize = 100;

/// Production metrics of a flow, from the analytics engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductionMetrics {
    /// Share of sessions that finish the flow (0..1).
    pub success_rate: f64,
    /// Users per day going through the flow.
    pub daily_users: f64,
    /// Mean time to finish, milliseconds.
    pub avg_duration: f64,
    /// The step most users leave at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_exit_step: Option<String>,
    /// Share of the flow's sessions per device class (0..1).
    #[serde(default)]
    pub device_breakdown: BTreeMap<String, f64>,
    /// Success rate per cohort (`new`, `returning`).
    #[serde(default)]
    pub cohort_performance: BTreeMap<String, f64>,
    /// When the metrics were computed (RFC 3339).
    pub last_updated: String,
    /// Sessions per day that enter the flow (the revenue formula's daily attempts).
    #[serde(default)]
    pub daily_attempts: f64,
    /// Sessions reaching each step, in step order (the production funnel).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funnel: Vec<FunnelStep>,
}

/// One step of a flow's production funnel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStep {
    /// The step's name.
    pub step: String,
    /// Sessions in the window that reached it.
    pub sessions: u64,
}

/// A flow as the graph holds it: its definition plus what the engines learnt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRecord {
    /// The definition (from `.perceo/flows/`).
    #[serde(flatten)]
    pub flow: Flow,
    /// Risk score from the latest analysis that affected the flow.
    pub risk_score: Option<f64>,
    /// Change ids of the latest analyses that affected the flow, newest first (at most 20).
    pub affected_by_changes: Vec<String>,
    /// Coverage score (0..1), when the analyzer computed one.
    pub coverage_score: Option<f64>,
    /// Production metrics, when analytics computed them.
    pub production_metrics: Option<ProductionMetrics>,
    /// Test metrics, when tests ran.
    pub synthetic_metrics: Option<SyntheticMetrics>,
}

impl FlowRecord {
    /// A record with nothing learnt yet.
    pub fn new(flow: Flow) -> Self {
        FlowRecord {
            flow,
            risk_score: None,
            affected_by_changes: Vec::new(),
            coverage_score: None,
            production_metrics: None,
            synthetic_metrics: None,
        }
    }
}

/// One affected flow of a stored analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisFlow {
    /// Flow id.
    pub flow_id: String,
    /// Confidence (0..1).
    pub confidence: f64,
    /// Risk score (0..1).
    pub risk_score: f64,
}

/// A change analysis as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRecord {
    /// The change id.
    pub change_id: String,
    /// Base commit.
    pub base_sha: String,
    /// Head commit.
    pub head_sha: String,
    /// When it ran (RFC 3339).
    pub created_at: String,
    /// Affected flows.
    pub flows: Vec<AnalysisFlow>,
    /// The whole report as JSON, for the dashboard.
    pub report: serde_json::Value,
}

/// Outcome of one test run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Skipped (not counted in the success rate).
    Skipped,
}

impl TestStatus {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Failed => "failed",
            TestStatus::Skipped => "skipped",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<TestStatus> {
        match s {
            "passed" => Some(TestStatus::Passed),
            "failed" => Some(TestStatus::Failed),
            "skipped" => Some(TestStatus::Skipped),
            _ => None,
        }
    }
}

/// One run of a flow's tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestRun {
    /// Unique id (recording the same id twice stores it once).
    pub id: String,
    /// The flow.
    pub flow_id: String,
    /// Outcome.
    pub status: TestStatus,
    /// Duration, milliseconds.
    pub duration_ms: u64,
    /// Start time (RFC 3339); runs are ordered by it.
    pub started_at: String,
    /// Failure message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The analysis that selected the run, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
}

/// Something the analyzer wants a team to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Insight {
    /// Unique id (idempotent writes).
    pub id: String,
    /// Kind, e.g. `discrepancy`, `coverage-gap`.
    pub kind: String,
    /// Severity.
    pub severity: Severity,
    /// The flow it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
    /// One line.
    pub title: String,
    /// Explanation.
    pub message: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Anything else.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// A prediction that a flow will fail for a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    /// Unique id (idempotent writes).
    pub id: String,
    /// The flow.
    pub flow_id: String,
    /// The change, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// Probability of failure (0..1).
    pub probability: f64,
    /// Confidence in the prediction (0..1).
    pub confidence: f64,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// What a flow sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// Flows new to the graph.
    pub created: Vec<String>,
    /// Flows whose definition changed.
    pub updated: Vec<String>,
    /// Flows removed because their file is gone.
    pub deleted: Vec<String>,
    /// Flows already up to date.
    pub unchanged: usize,
}

/// Where the graph is and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphStatus {
    /// `sqlite` or `neo4j`.
    pub backend: String,
    /// File path or URI (without credentials).
    pub location: String,
    /// Schema version.
    pub schema_version: u32,
    /// Flows stored.
    pub flows: u64,
    /// Personas stored.
    pub personas: u64,
    /// Analyses stored.
    pub analyses: u64,
    /// Test runs stored.
    pub test_runs: u64,
    /// Insights stored.
    pub insights: u64,
}
