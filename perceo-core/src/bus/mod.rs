//! The event bus: the envelope, the event catalogue and the in-memory backend.
//! Engines publish what they did; the dashboard and other machines listen.

pub mod payloads;
#[cfg(feature = "redis")]
pub mod redis;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PerceoEvent)]
pub struct Event {
    /// Unique id.
    pub id: String,
    /// The event type (`observer.analysis.completed`, ...; the README lists them).
    #[serde(rename = "type")]
    #[schema(value_type = String)]
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
            // Time-ordered (v7), so `--since ID` can find its place in any log.
            id: uuid::Uuid::now_v7().to_string(),
            kind,
            timestamp: crate::fsutil::now_rfc3339(),
            source: source.to_string(),
            data,
            metadata,
        }
    }
}

/// Which events a subscriber wants: all of them, or those whose type equals or starts
/// with one of the prefixes (`observer.`, `coordinator.test.failed`).
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Type prefixes; empty means every event.
    pub prefixes: Vec<String>,
}

impl EventFilter {
    /// A filter for one prefix (empty string: everything).
    pub fn prefix(prefix: &str) -> Self {
        EventFilter {
            prefixes: if prefix.is_empty() {
                Vec::new()
            } else {
                vec![prefix.to_string()]
            },
        }
    }

    /// Whether `event` passes.
    pub fn matches(&self, event: &Event) -> bool {
        self.prefixes.is_empty()
            || self
                .prefixes
                .iter()
                .any(|p| event.kind.as_str().starts_with(p.as_str()))
    }
}

/// Where a replay starts (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Everything still stored.
    Start,
    /// After the event with this id.
    Id(String),
    /// Published at or after this time.
    Time(SystemTime),
}

/// What a subscription yields.
// Nearly every delivery is an event: boxing it would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// An event.
    Event(Event),
    /// The subscriber fell behind and this many events were dropped for it.
    Missed(u64),
}

/// A stream of deliveries; dropping it ends the subscription.
pub struct Subscription {
    inner: SubscriptionInner,
}

enum SubscriptionInner {
    /// In-memory: stored events first, then the live broadcast.
    Memory {
        backlog: VecDeque<Event>,
        live: broadcast::Receiver<Event>,
        filter: EventFilter,
    },
    /// Fed by a background task (Redis).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Channel {
        rx: tokio::sync::mpsc::Receiver<Result<Delivery>>,
        task: tokio::task::JoinHandle<()>,
    },
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let SubscriptionInner::Channel { task, .. } = &self.inner {
            task.abort();
        }
    }
}

impl Subscription {
    /// The next delivery; `None` when the bus is gone.
    pub async fn next(&mut self) -> Option<Result<Delivery>> {
        match &mut self.inner {
            SubscriptionInner::Memory { backlog, live, filter } => {
                if let Some(e) = backlog.pop_front() {
                    return Some(Ok(Delivery::Event(e)));
                }
                loop {
                    match live.recv().await {
                        Ok(e) if filter.matches(&e) => return Some(Ok(Delivery::Event(e))),
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(n)) => return Some(Ok(Delivery::Missed(n))),
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            }
            SubscriptionInner::Channel { rx, .. } => rx.recv().await,
        }
    }

    /// The next delivery if one is ready now.
    pub fn try_next(&mut self) -> Option<Result<Delivery>> {
        match &mut self.inner {
            SubscriptionInner::Memory { backlog, live, filter } => {
                if let Some(e) = backlog.pop_front() {
                    return Some(Ok(Delivery::Event(e)));
                }
                loop {
                    match live.try_recv() {
                        Ok(e) if filter.matches(&e) => return Some(Ok(Delivery::Event(e))),
                        Ok(_) => continue,
                        Err(broadcast::error::TryRecvError::Lagged(n)) => return Some(Ok(Delivery::Missed(n))),
                        Err(_) => return None,
                    }
                }
            }
            SubscriptionInner::Channel { rx, .. } => rx.try_recv().ok(),
        }
    }
}

/// Publishes events, replays stored ones and hands out subscriptions.
#[async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Publishes one event (live delivery plus the replay log).
    async fn publish(&self, event: &Event) -> Result<()>;

    /// Publishes events in order; backends batch them where they can (one round trip).
    async fn publish_many(&self, events: &[Event]) -> Result<()> {
        for e in events {
            self.publish(e).await?;
        }
        Ok(())
    }

    /// Events matching `filter`: first the stored ones after `since` (when given), then live
    /// ones, without gaps or duplicates.
    async fn subscribe(&self, filter: EventFilter, since: Option<Since>) -> Result<Subscription>;

    /// Stored events after `since` that match `filter`, oldest first, at most `limit`.
    async fn replay(&self, since: Since, filter: &EventFilter, limit: usize) -> Result<Vec<Event>>;

    /// `in-memory` or `redis`.
    fn kind(&self) -> &'static str;
}

impl Since {
    /// Parses what a user gives for "since": a duration ago (`10m`, `2h`), an RFC 3339 time,
    /// or an event id.
    pub fn parse(text: &str) -> Result<Since> {
        if let Ok(d) = humantime::parse_duration(text) {
            return Ok(Since::Time(SystemTime::now() - d));
        }
        if let Ok(t) = humantime::parse_rfc3339_weak(text) {
            return Ok(Since::Time(t));
        }
        if id_millis(text).is_some() {
            return Ok(Since::Id(text.to_string()));
        }
        Err(crate::error::Error::Argument(format!(
            "since `{text}` is neither an event id, a duration (10m, 2h) nor an RFC 3339 time"
        )))
    }
}

/// Milliseconds since the epoch encoded in a UUID v7 event id.
pub fn id_millis(id: &str) -> Option<u64> {
    let uuid = uuid::Uuid::parse_str(id).ok()?;
    let (secs, nanos) = uuid.get_timestamp()?.to_unix();
    Some(secs * 1000 + u64::from(nanos) / 1_000_000)
}

/// Milliseconds since the epoch of an RFC 3339 timestamp.
fn timestamp_millis(timestamp: &str) -> Option<u64> {
    let t = humantime::parse_rfc3339_weak(timestamp).ok()?;
    Some(t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as u64)
}

/// Keeps the events after `since` from an oldest-first list.
pub(crate) fn after_since(events: impl IntoIterator<Item = Event>, since: &Since) -> Vec<Event> {
    let events: Vec<Event> = events.into_iter().collect();
    match since {
        Since::Start => events,
        Since::Id(id) => match events.iter().position(|e| &e.id == id) {
            Some(i) => events.into_iter().skip(i + 1).collect(),
            // The id is no longer stored (or never was): fall back to its time.
            None => match id_millis(id) {
                Some(ms) => events
                    .into_iter()
                    .filter(|e| timestamp_millis(&e.timestamp).is_some_and(|t| t > ms))
                    .collect(),
                None => events,
            },
        },
        Since::Time(t) => {
            let ms = t
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            events
                .into_iter()
                .filter(|e| timestamp_millis(&e.timestamp).is_some_and(|x| x >= ms))
                .collect()
        }
    }
}

/// In-process bus (the default): bounded live delivery (a lagging subscriber is told how
/// many events it missed) and a bounded in-memory replay log.
#[derive(Debug)]
pub struct MemoryBus {
    sender: broadcast::Sender<Event>,
    log: Mutex<VecDeque<Event>>,
    log_capacity: usize,
}

impl MemoryBus {
    /// A bus keeping up to `capacity` undelivered events per subscriber and the last
    /// `capacity` events for replay.
    pub fn new(capacity: usize) -> Self {
        MemoryBus {
            sender: broadcast::channel(capacity.max(1)).0,
            log: Mutex::new(VecDeque::new()),
            log_capacity: capacity.max(1),
        }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, VecDeque<Event>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        MemoryBus::new(1024)
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, event: &Event) -> Result<()> {
        let mut log = self.log();
        if log.len() == self.log_capacity {
            log.pop_front();
        }
        log.push_back(event.clone());
        // No subscriber is not an error: in-memory events are for whoever listens now.
        let _ = self.sender.send(event.clone());
        Ok(())
    }

    async fn subscribe(&self, filter: EventFilter, since: Option<Since>) -> Result<Subscription> {
        // Under the log lock, so nothing published between the replay and the live part is lost.
        let log = self.log();
        let live = self.sender.subscribe();
        let backlog = match since {
            Some(since) => after_since(log.iter().filter(|e| filter.matches(e)).cloned(), &since).into(),
            None => VecDeque::new(),
        };
        Ok(Subscription {
            inner: SubscriptionInner::Memory { backlog, live, filter },
        })
    }

    async fn replay(&self, since: Since, filter: &EventFilter, limit: usize) -> Result<Vec<Event>> {
        let log = self.log();
        let mut events = after_since(log.iter().filter(|e| filter.matches(e)).cloned(), &since);
        events.truncate(limit);
        Ok(events)
    }

    fn kind(&self) -> &'static str {
        "in-memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventType, n: i64) -> Event {
        Event::new(kind, "t", serde_json::json!(n), EventMetadata::default())
    }

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

    #[tokio::test]
    async fn lagging_subscribers_learn_how_many_they_missed() {
        let bus = MemoryBus::new(2);
        let mut sub = bus.subscribe(EventFilter::default(), None).await.unwrap();
        for i in 0..5 {
            bus.publish(&event(EventType::GraphFlowCreated, i)).await.unwrap();
        }
        assert!(matches!(sub.try_next(), Some(Ok(Delivery::Missed(3)))));
    }

    #[tokio::test]
    async fn subscriptions_filter_by_prefix_and_replay_since_an_id() {
        let bus = MemoryBus::default();
        let first = event(EventType::ObserverChangeDetected, 1);
        bus.publish(&first).await.unwrap();
        bus.publish(&event(EventType::CoordinatorTestsStarted, 2))
            .await
            .unwrap();
        bus.publish(&event(EventType::ObserverFlowsAffected, 3)).await.unwrap();
        let mut sub = bus
            .subscribe(EventFilter::prefix("observer."), Some(Since::Id(first.id.clone())))
            .await
            .unwrap();
        bus.publish(&event(EventType::ObserverAnalysisComplete, 4))
            .await
            .unwrap();
        let mut got = Vec::new();
        while let Some(Ok(Delivery::Event(e))) = sub.try_next() {
            got.push(e.data.as_i64().unwrap());
        }
        assert_eq!(got, vec![3, 4]);
        let all = bus.replay(Since::Start, &EventFilter::default(), 10).await.unwrap();
        assert_eq!(all.len(), 4);
        assert!(id_millis(&first.id).is_some());
    }
}
