//! The data of each event Perceo publishes, one type per event type: what subscribers read
//! (the README's event table), serialised in one place (`analytics.data.synced` carries the
//! facade's `SyncReport`, whose impl is beside it). [`Payload`] ties a type to its
//! [`EventType`] and source engine, and [`Payload::to_event`] makes the event.

use serde::Serialize;

use super::{Event, EventMetadata, EventType};
use crate::analytics::metrics::CorrelationReport;
use crate::git::{ChangeSet, FileChange};
use crate::graph::{Insight, Prediction, ProductionMetrics};
use crate::impact::ImpactReport;

/// The data of one event type.
pub trait Payload: Serialize {
    /// Its event type.
    const TYPE: EventType;
    /// The engine that publishes it (`observer`, `coordinator`, `analytics`, `analyzer`).
    const SOURCE: &'static str;

    /// The event carrying this payload.
    fn to_event(&self, metadata: EventMetadata) -> Event {
        // Every payload is plain data (strings, numbers, maps with string keys): encoding
        // cannot fail, and an empty object would still be a valid event.
        let data = serde_json::to_value(self).unwrap_or_default();
        Event::new(Self::TYPE, Self::SOURCE, data, metadata)
    }
}

/// `observer.change.detected`: the changed files, and the refs when the change is between
/// two commits (watch mode reports working-tree batches, without refs).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeDetected<'a> {
    /// Base commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_sha: Option<&'a str>,
    /// Head commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<&'a str>,
    /// The changed files.
    pub changes: &'a [FileChange],
}

impl<'a> ChangeDetected<'a> {
    /// The change between two commits.
    pub fn of(changes: &'a ChangeSet) -> Self {
        ChangeDetected {
            base_sha: Some(&changes.base_sha),
            head_sha: Some(&changes.head_sha),
            changes: &changes.changes,
        }
    }

    /// A batch of working-tree changes (watch mode).
    pub fn batch(changes: &'a [FileChange]) -> Self {
        ChangeDetected {
            base_sha: None,
            head_sha: None,
            changes,
        }
    }
}

impl Payload for ChangeDetected<'_> {
    const TYPE: EventType = EventType::ObserverChangeDetected;
    const SOURCE: &'static str = "observer";
}

/// `observer.flows.affected`: the selected flows of an analysis, in short.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowsAffected<'a> {
    /// The analysis.
    pub change_id: &'a str,
    /// Each selected flow.
    pub flows: Vec<AffectedFlow<'a>>,
}

/// One flow of [`FlowsAffected`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedFlow<'a> {
    /// Flow id.
    pub id: &'a str,
    /// Flow name.
    pub name: &'a str,
    /// How sure the selection is (0..1).
    pub confidence: f64,
    /// Risk (0..1).
    pub risk_score: f64,
}

impl<'a> FlowsAffected<'a> {
    /// The flows `report` selected.
    pub fn of(report: &'a ImpactReport) -> Self {
        FlowsAffected {
            change_id: &report.change_id,
            flows: report
                .flows
                .iter()
                .map(|f| AffectedFlow {
                    id: &f.id,
                    name: &f.name,
                    confidence: f.confidence,
                    risk_score: f.risk_score,
                })
                .collect(),
        }
    }
}

impl Payload for FlowsAffected<'_> {
    const TYPE: EventType = EventType::ObserverFlowsAffected;
    const SOURCE: &'static str = "observer";
}

/// `observer.analysis.complete`: the whole ImpactReport.
impl Payload for ImpactReport {
    const TYPE: EventType = EventType::ObserverAnalysisComplete;
    const SOURCE: &'static str = "observer";
}

/// `coordinator.tests.started`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestsStarted<'a> {
    /// The run.
    pub run_id: &'a str,
    /// The analysis that selected the flows, if any.
    pub change_id: Option<&'a str>,
    /// The flows about to run.
    pub flows: Vec<&'a str>,
    /// `[i, n]` when this is shard i of n.
    pub shard: Option<[usize; 2]>,
}

impl Payload for TestsStarted<'_> {
    const TYPE: EventType = EventType::CoordinatorTestsStarted;
    const SOURCE: &'static str = "coordinator";
}

/// `coordinator.test.failed`: one failed flow.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestFailed<'a> {
    /// The run.
    pub run_id: &'a str,
    /// The flow.
    pub flow_id: &'a str,
    /// What failed.
    pub failures: &'a [String],
}

impl Payload for TestFailed<'_> {
    const TYPE: EventType = EventType::CoordinatorTestFailed;
    const SOURCE: &'static str = "coordinator";
}

/// `coordinator.tests.completed`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestsCompleted<'a> {
    /// The run.
    pub run_id: &'a str,
    /// Flows that passed.
    pub passed: usize,
    /// Flows that failed.
    pub failed: usize,
    /// Flows without tests.
    pub uncovered: usize,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
}

impl Payload for TestsCompleted<'_> {
    const TYPE: EventType = EventType::CoordinatorTestsCompleted;
    const SOURCE: &'static str = "coordinator";
}

/// `analytics.metrics.updated`: one flow's new production metrics.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsUpdated<'a> {
    /// The flow.
    pub flow_id: &'a str,
    /// Its metrics.
    pub production_metrics: &'a ProductionMetrics,
}

impl Payload for MetricsUpdated<'_> {
    const TYPE: EventType = EventType::AnalyticsMetricsUpdated;
    const SOURCE: &'static str = "analytics";
}

/// `analytics.correlation.complete`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CorrelationComplete {
    /// Sessions looked at.
    pub sessions: u64,
    /// Sessions that entered no flow.
    pub sessions_unmatched: u64,
    /// Flows whose metrics were written.
    pub flows_updated: usize,
    /// The similarity threshold used.
    pub min_similarity: f64,
}

impl CorrelationComplete {
    /// The summary of `report`, `flows_updated` flows written.
    pub fn of(report: &CorrelationReport, flows_updated: usize) -> Self {
        CorrelationComplete {
            sessions: report.sessions,
            sessions_unmatched: report.sessions_unmatched,
            flows_updated,
            min_similarity: report.min_similarity,
        }
    }
}

impl Payload for CorrelationComplete {
    const TYPE: EventType = EventType::AnalyticsCorrelationComplete;
    const SOURCE: &'static str = "analytics";
}

/// `graph.flow.created`: a flow new to the graph (a new flow file, synced).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowCreated<'a> {
    /// The flow.
    pub flow_id: &'a str,
}

impl Payload for FlowCreated<'_> {
    const TYPE: EventType = EventType::GraphFlowCreated;
    const SOURCE: &'static str = "graph";
}

/// `graph.flow.updated`: a flow whose definition changed in the graph.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowUpdated<'a> {
    /// The flow.
    pub flow_id: &'a str,
}

impl Payload for FlowUpdated<'_> {
    const TYPE: EventType = EventType::GraphFlowUpdated;
    const SOURCE: &'static str = "graph";
}

/// `graph.flow.deleted`: a flow removed from the graph (its file is gone).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowDeleted<'a> {
    /// The flow.
    pub flow_id: &'a str,
}

impl Payload for FlowDeleted<'_> {
    const TYPE: EventType = EventType::GraphFlowDeleted;
    const SOURCE: &'static str = "graph";
}

/// `analyzer.flow.discovered`: a frequent real journey no flow covers, with a suggested flow.
impl Payload for crate::analytics::gaps::Gap {
    const TYPE: EventType = EventType::AnalyzerFlowDiscovered;
    const SOURCE: &'static str = "analytics";
}

/// `analyzer.insight.generated`: the insight.
impl Payload for Insight {
    const TYPE: EventType = EventType::AnalyzerInsightGenerated;
    const SOURCE: &'static str = "analyzer";
}

/// `analyzer.prediction.made`: the prediction.
impl Payload for Prediction {
    const TYPE: EventType = EventType::AnalyzerPredictionMade;
    const SOURCE: &'static str = "analyzer";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_keep_the_documented_field_names() {
        let failures = vec!["boom".to_string()];
        let failed = TestFailed {
            run_id: "r1",
            flow_id: "checkout",
            failures: &failures,
        }
        .to_event(EventMetadata::default());
        assert_eq!(failed.kind, EventType::CoordinatorTestFailed);
        assert_eq!(failed.source, "coordinator");
        assert_eq!(
            failed.data,
            serde_json::json!({"runId": "r1", "flowId": "checkout", "failures": ["boom"]})
        );
        let started = TestsStarted {
            run_id: "r1",
            change_id: None,
            flows: vec!["a"],
            shard: None,
        }
        .to_event(EventMetadata::default());
        assert_eq!(
            started.data,
            serde_json::json!({"runId": "r1", "changeId": null, "flows": ["a"], "shard": null})
        );
        let batch = ChangeDetected::batch(&[]).to_event(EventMetadata::default());
        assert_eq!(batch.data, serde_json::json!({"changes": []}));
    }
}
