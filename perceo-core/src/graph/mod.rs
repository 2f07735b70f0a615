//! The flow graph: flows, steps, personas and what the engines learn about them.
//!
//! [`FlowGraph`] is the one interface; [`open_graph`] picks the backend from
//! `flowGraph.endpoint`: none, `sqlite:PATH` or a file path → the embedded SQLite store
//! (default `.perceo/graph.db`); `bolt://`, `bolt+s://`, `neo4j://`, `neo4j+s://` → Neo4j.
//! Writes are idempotent (MERGE semantics) and atomic per call.

mod model;
#[cfg(feature = "neo4j")]
pub mod neo4j;
pub mod sqlite;

use std::path::PathBuf;

use async_trait::async_trait;

pub use model::*;

use crate::config::{Config, Severity, is_neo4j_uri, redact_url};
use crate::error::Result;
use crate::flows::{Flow, Persona};

/// The schema version this Perceo writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The flow graph interface every backend implements.
#[async_trait]
pub trait FlowGraph: Send + Sync + std::fmt::Debug {
    /// Backend, location, counts and schema version.
    async fn status(&self) -> Result<GraphStatus>;

    /// Upserts flows and personas with their steps and relationships (HAS_STEP, NEXT,
    /// FOR_PERSONA, RELATED_TO) and deletes stored flows that are not in `flows`; what the
    /// engines learnt about kept flows stays. One transaction.
    async fn sync_flows(&self, flows: &[Flow], personas: &[Persona]) -> Result<SyncSummary>;

    /// Upserts flows (and their relationships) without deleting others. One transaction.
    async fn upsert_flows(&self, flows: &[Flow]) -> Result<SyncSummary>;

    /// One flow with everything learnt about it.
    async fn get_flow(&self, id: &str) -> Result<Option<FlowRecord>>;

    /// Every flow, sorted by id (one query, not one per flow).
    async fn list_flows(&self) -> Result<Vec<FlowRecord>>;

    /// Personas, sorted by id.
    async fn list_personas(&self) -> Result<Vec<Persona>>;

    /// Deletes a flow and what hangs off it; `false` when it did not exist.
    async fn delete_flow(&self, id: &str) -> Result<bool>;

    /// Stores an analysis and sets `riskScore` / `affectedByChanges` on its flows.
    async fn record_analysis(&self, analysis: &AnalysisRecord) -> Result<()>;

    /// The newest stored analysis.
    async fn latest_analysis(&self) -> Result<Option<AnalysisRecord>>;

    /// Stores test runs (same id → stored once) and recomputes `syntheticMetrics` of their flows.
    async fn record_test_runs(&self, runs: &[TestRun]) -> Result<()>;

    /// The latest `limit` runs of a flow, newest first.
    async fn test_history(&self, flow_id: &str, limit: usize) -> Result<Vec<TestRun>>;

    /// Writes each flow's test coverage score (0..1) by flow id (flows not in the graph are
    /// skipped).
    async fn write_coverage_scores(&self, scores: &[(String, f64)]) -> Result<()>;

    /// Writes production metrics per flow id (flows not in the graph are skipped).
    async fn write_production_metrics(&self, metrics: &[(String, ProductionMetrics)]) -> Result<()>;

    /// Stores insights (same id → replaced).
    async fn add_insights(&self, insights: &[Insight]) -> Result<()>;

    /// Insights at or above `min_severity`, newest first.
    async fn insights(&self, min_severity: Severity, limit: usize) -> Result<Vec<Insight>>;

    /// Stores predictions (same id → replaced).
    async fn add_predictions(&self, predictions: &[Prediction]) -> Result<()>;

    /// Predictions, newest first, optionally of one flow.
    async fn predictions(&self, flow_id: Option<&str>, limit: usize) -> Result<Vec<Prediction>>;

    /// A sync cursor (e.g. analytics' last synced time per provider).
    async fn cursor(&self, key: &str) -> Result<Option<String>>;

    /// Sets a sync cursor.
    async fn set_cursor(&self, key: &str, value: &str) -> Result<()>;
}

/// Where a configured graph lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphLocation {
    /// The embedded store at this file.
    Sqlite(PathBuf),
    /// Neo4j at this URI.
    Neo4j {
        /// `bolt://host:port` and friends.
        uri: String,
        /// Database name.
        database: String,
        /// User.
        username: String,
        /// Password (never printed).
        password: String,
    },
}

impl GraphLocation {
    /// The location as it may be shown (no password).
    pub fn display(&self) -> String {
        match self {
            GraphLocation::Sqlite(p) => p.display().to_string(),
            GraphLocation::Neo4j { uri, database, .. } => format!("{} (database {database})", redact_url(uri)),
        }
    }
}

/// Default file of the embedded store inside `.perceo/`.
pub const DEFAULT_GRAPH_FILE: &str = "graph.db";

/// Works out the graph location from the configuration (resolving `${VAR}`s it needs).
pub fn graph_location(config: &Config) -> Result<GraphLocation> {
    let fg = &config.settings.flow_graph;
    let endpoint = config.resolve_opt("flowGraph.endpoint", fg.endpoint.as_ref())?;
    let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) else {
        return Ok(GraphLocation::Sqlite(config.perceo_dir().join(DEFAULT_GRAPH_FILE)));
    };
    if !is_neo4j_uri(&endpoint) {
        let path = endpoint
            .strip_prefix("sqlite:")
            .unwrap_or(&endpoint)
            .trim_start_matches("//");
        return Ok(GraphLocation::Sqlite(config.project_dir.join(path)));
    }
    Ok(GraphLocation::Neo4j {
        uri: endpoint,
        database: config
            .resolve_opt("flowGraph.database", fg.database.as_ref())?
            .unwrap_or_else(|| "neo4j".into()),
        username: config
            .resolve_opt("flowGraph.username", fg.username.as_ref())?
            .unwrap_or_else(|| "neo4j".into()),
        password: config
            .resolve_opt("flowGraph.password", fg.password.as_ref())?
            .unwrap_or_default(),
    })
}

/// Opens (and migrates) the configured graph.
pub async fn open_graph(location: &GraphLocation) -> Result<Box<dyn FlowGraph>> {
    match location {
        GraphLocation::Sqlite(path) => Ok(Box::new(sqlite::SqliteGraph::open(path).await?)),
        #[cfg(feature = "neo4j")]
        GraphLocation::Neo4j {
            uri,
            database,
            username,
            password,
        } => Ok(Box::new(
            neo4j::Neo4jGraph::open(uri, database, username, password).await?,
        )),
        #[cfg(not(feature = "neo4j"))]
        GraphLocation::Neo4j { .. } => Err(crate::error::Error::unsupported("a Neo4j flow graph", "neo4j")),
    }
}

/// The current time as stored (RFC 3339, milliseconds).
pub(crate) fn now() -> String {
    crate::fsutil::now_rfc3339()
}

/// JSON text of a value stored by `backend`.
pub(crate) fn encode<T: serde::Serialize>(backend: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| crate::error::Error::Graph {
        backend,
        message: e.to_string(),
    })
}

/// A value from JSON text stored by `backend`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(backend: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| crate::error::Error::Graph {
        backend,
        message: format!("stored data does not decode: {e}"),
    })
}

/// Synthetic metrics from a flow's latest runs (newest first) and its total run count.
pub(crate) fn synthetic_from(recent: &[(TestStatus, u64, String)], run_count: u64) -> Option<SyntheticMetrics> {
    let last_run = recent.first()?.2.clone();
    let counted: Vec<&(TestStatus, u64, String)> = recent.iter().filter(|r| r.0 != TestStatus::Skipped).collect();
    let passed = counted.iter().filter(|r| r.0 == TestStatus::Passed).count();
    let success_rate = if counted.is_empty() {
        0.0
    } else {
        passed as f64 / counted.len() as f64
    };
    let avg_duration = recent.iter().map(|r| r.1 as f64).sum::<f64>() / recent.len() as f64;
    Some(SyntheticMetrics {
        success_rate,
        avg_duration,
        last_run,
        run_count,
    })
}
