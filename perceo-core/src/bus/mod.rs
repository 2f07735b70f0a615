//! The event bus: the envelope, the event catalogue and the in-memory backend.
//! Engines publish what they did; the dashboard and other machines listen.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::Result;

/// The event catalogue of DESIGN.md; unknown types from newer peers pass through as `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventType {
    /// `observer.change.detected`
    ObserverChangeDetected,
    /// `observer.flows.affected`
    ObserverFlowsAffected,
    /// `observer.analysis.complete`
    ObserverAnalysisComplete,
    /// `coordinator.tests.started`
    CoordinatorTestsStarted,
    /// `coordinator.tests.completed`
    CoordinatorTestsCompleted,
    /// `coordinator.test.failed`
    CoordinatorTestFailed,
    /// `analytics.data.synced`
    AnalyticsDataSynced,
    /// `analytics.metrics.updated`
    AnalyticsMetricsUpdated,
    /// `analytics.correlation.complete`
    AnalyticsCorrelationComplete,
    /// `analyzer.insight.generated`
    AnalyzerInsightGenerated,
    /// `analyzer.flow.discovered`
    AnalyzerFlowDiscovered,
    /// `analyzer.prediction.made`
    AnalyzerPredictionMade,
    /// `analyzer.anomaly.detected`
    AnalyzerAnomalyDetected,
    /// `graph.flow.created`
    GraphFlowCreated,
    /// `graph.flow.updated`
    GraphFlowUpdated,
    /// `graph.flow.deleted`
    GraphFlowDeleted,
    /// A type this version does not know.
    Other(String),
}

const NAMES: &[(&str, EventType)] = &[
    ("observer.change.detected", EventType::ObserverChangeDetected),
    ("observer.flows.affected", EventType::ObserverFlowsAffected),
    ("observer.analysis.complete", EventType::ObserverAnalysisComplete),
    ("coordinator.tests.started", EventType::CoordinatorTestsStarted),
    ("coordinator.tests.completed", EventType::CoordinatorTestsCompleted),
    ("coordinator.test.failed", EventType::CoordinatorTestFailed),
    ("analytics.data.synced", EventType::AnalyticsDataSynced),
    ("analytics.metrics.updated", EventType::AnalyticsMetricsUpdated),
    (
        "analytics.correlation.complete",
        EventType::AnalyticsCorrelationComplete,
    ),
    ("analyzer.insight.generated", EventType::AnalyzerInsightGenerated),
    ("analyzer.flow.discovered", EventType::AnalyzerFlowDiscovered),
    ("analyzer.prediction.made", EventType::AnalyzerPredictionMade),
    ("analyzer.anomaly.detected", EventType::AnalyzerAnomalyDetected),
    ("graph.flow.created", EventType::GraphFlowCreated),
    ("graph.flow.updated", EventType::GraphFlowUpdated),
    ("graph.flow.deleted", EventType::GraphFlowDeleted),
];

impl EventType {
    /// The wire name (`observer.flows.affected`).
    pub fn as_str(&self) -> &str {
        match self {
            EventType::Other(name) => name,
            known => NAMES.iter().find(|(_, t)| t == known).map_or("", |(n, _)| n),
        }
    }

    /// Parses a wire name; unknown names become [`EventType::Other`].
    pub fn parse(name: &str) -> EventType {
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| EventType::Other(name.to_string()), |(_, t)| t.clone())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(EventType::parse(&String::deserialize(d)?))
    }
}

/// Who and where an event is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMetadata {
    /// User that caused it, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Project name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// `local`, `ci`, `staging`, `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

/// The envelope every event travels in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// RFC 3339 time of publication.
    pub timestamp: String,
    /// The engine that published it (`observer`, ...).
    pub source: String,
    /// The payload.
    pub data: serde_json::Value,
    /// Who and where.
    pub metadata: EventMetadata,
}

impl Event {
    /// A new event with a fresh id and the current time.
    pub fn new(kind: EventType, source: &str, data: serde_json::Value, metadata: EventMetadata) -> Event {
        Event {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            timestamp: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            source: source.to_string(),
            data,
            metadata,
        }
    }
}

/// Publishes events and hands out subscriptions.
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Publishes one event.
    fn publish(&self, event: Event) -> Result<()>;
    /// A subscription receiving events published from now on.
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// In-process bus (the default): bounded; a lagging subscriber learns how many events it
/// missed from `RecvError::Lagged(n)`.
#[derive(Debug, Clone)]
pub struct MemoryBus {
    sender: broadcast::Sender<Event>,
}

impl MemoryBus {
    /// A bus keeping up to `capacity` undelivered events per subscriber.
    pub fn new(capacity: usize) -> Self {
        MemoryBus {
            sender: broadcast::channel(capacity.max(1)).0,
        }
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        MemoryBus::new(1024)
    }
}

impl EventBus for MemoryBus {
    fn publish(&self, event: Event) -> Result<()> {
        // No subscriber is not an error: in-memory events are for whoever listens now.
        let _ = self.sender.send(event);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_types_pass_through() {
        for (name, t) in NAMES {
            assert_eq!(t.as_str(), *name);
            assert_eq!(&EventType::parse(name), t);
        }
        let json = r#"{"id":"1","type":"observer.future.thing","timestamp":"t","source":"x","data":{},"metadata":{}}"#;
        let e: Event = serde_json::from_str(json).unwrap();
        assert_eq!(e.kind, EventType::Other("observer.future.thing".into()));
        assert!(serde_json::to_string(&e).unwrap().contains("observer.future.thing"));
    }

    #[test]
    fn lagging_subscribers_learn_how_many_they_missed() {
        let bus = MemoryBus::new(2);
        let mut rx = bus.subscribe();
        for i in 0..5 {
            bus.publish(Event::new(
                EventType::GraphFlowCreated,
                "t",
                serde_json::json!(i),
                EventMetadata::default(),
            ))
            .unwrap();
        }
        assert!(matches!(rx.try_recv(), Err(broadcast::error::TryRecvError::Lagged(3))));
    }
}
