//! The embedded flow graph: one SQLite file (bundled SQLite through rusqlite) in WAL mode
//! with a busy timeout, so `watch`, `dashboard` and `ci` can share it; schema migrations are
//! tracked in `PRAGMA user_version`. Every call is one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    AnalysisFlow, AnalysisRecord, FlowGraph, FlowRecord, GraphStatus, Insight, Prediction, ProductionMetrics,
    SCHEMA_VERSION, SYNTHETIC_WINDOW, SyncSummary, TestRun, TestStatus, synthetic_from,
};
use crate::config::Severity;
use crate::error::{Error, Result};

use super::{decode, encode};

/// Names this backend in errors.
const BACKEND: &str = "sqlite";
use crate::flows::{Flow, Persona};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How many change ids a flow remembers in `affectedByChanges`.
const AFFECTED_HISTORY: usize = 20;

const MIGRATIONS: &[&str] = &[
    // v1
    r#"
    CREATE TABLE personas (id TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL);
    CREATE TABLE flows (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, priority TEXT NOT NULL, definition TEXT NOT NULL,
        risk_score REAL, coverage_score REAL, production TEXT, synthetic TEXT, updated_at TEXT NOT NULL
    );
    CREATE TABLE steps (
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
        name TEXT NOT NULL, page TEXT, event TEXT, PRIMARY KEY (flow_id, idx)
    );
    CREATE TABLE flow_personas (
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE, persona_id TEXT NOT NULL,
        PRIMARY KEY (flow_id, persona_id)
    );
    CREATE TABLE flow_related (
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE, related_id TEXT NOT NULL,
        PRIMARY KEY (flow_id, related_id)
    );
    CREATE TABLE analyses (change_id TEXT PRIMARY KEY, base_sha TEXT NOT NULL, head_sha TEXT NOT NULL,
        created_at TEXT NOT NULL, report TEXT NOT NULL);
    CREATE INDEX analyses_created ON analyses(created_at);
    CREATE TABLE analysis_flows (
        change_id TEXT NOT NULL REFERENCES analyses(change_id) ON DELETE CASCADE, flow_id TEXT NOT NULL,
        confidence REAL NOT NULL, risk_score REAL NOT NULL, PRIMARY KEY (change_id, flow_id)
    );
    CREATE INDEX analysis_flows_flow ON analysis_flows(flow_id);
    CREATE TABLE test_runs (id TEXT PRIMARY KEY, flow_id TEXT NOT NULL, status TEXT NOT NULL,
        duration_ms INTEGER NOT NULL, started_at TEXT NOT NULL, message TEXT, change_id TEXT);
    CREATE INDEX test_runs_flow ON test_runs(flow_id, started_at);
    CREATE TABLE insights (id TEXT PRIMARY KEY, severity INTEGER NOT NULL, flow_id TEXT,
        created_at TEXT NOT NULL, body TEXT NOT NULL);
    CREATE INDEX insights_created ON insights(created_at);
    CREATE TABLE predictions (id TEXT PRIMARY KEY, flow_id TEXT NOT NULL, created_at TEXT NOT NULL,
        body TEXT NOT NULL);
    CREATE INDEX predictions_flow ON predictions(flow_id, created_at);
    CREATE TABLE cursors (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    "#,
];

/// The embedded SQLite flow graph.
#[derive(Debug, Clone)]
pub struct SqliteGraph {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl SqliteGraph {
    /// Opens (creating and migrating when needed) the store at `path`.
    pub async fn open(path: &Path) -> Result<SqliteGraph> {
        let path = path.to_path_buf();
        let opened = tokio::task::spawn_blocking({
            let path = path.clone();
            move || open_blocking(&path)
        })
        .await
        .map_err(|e| Error::Graph {
            backend: "sqlite",
            message: e.to_string(),
        })??;
        Ok(SqliteGraph {
            path,
            conn: Arc::new(Mutex::new(opened)),
        })
    }

    /// Runs `f` in one immediate (write-locking) transaction on a blocking thread.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.transaction(TransactionBehavior::Immediate, true, f).await
    }

    /// Runs `f` in one deferred (read) transaction on a blocking thread.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.transaction(TransactionBehavior::Deferred, false, f).await
    }

    async fn transaction<T, F>(&self, behavior: TransactionBehavior, commit: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        let location = self.path.display().to_string();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| Error::Graph {
                backend: BACKEND,
                message: "the connection lock is poisoned".into(),
            })?;
            let tx = conn
                .transaction_with_behavior(behavior)
                .map_err(|e| sql_error(&location, e))?;
            let out = f(&tx)?;
            if commit {
                tx.commit().map_err(|e| sql_error(&location, e))?;
            }
            Ok(out)
        })
        .await
        .map_err(|e| Error::Graph {
            backend: BACKEND,
            message: e.to_string(),
        })?
    }
}

fn sql_error(location: &str, e: rusqlite::Error) -> Error {
    let message = e.to_string();
    if message.contains("not a database") || message.contains("malformed") {
        Error::GraphSchema {
            location: location.to_string(),
            message: format!(
                "the file is not a readable Perceo graph ({message}); move it away and run `perceo graph sync` to rebuild it"
            ),
        }
    } else {
        Error::Graph {
            backend: "sqlite",
            message,
        }
    }
}

fn q(e: rusqlite::Error) -> Error {
    Error::Graph {
        backend: "sqlite",
        message: e.to_string(),
    }
}

fn open_blocking(path: &Path) -> Result<Connection> {
    let location = path.display().to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut conn = Connection::open(path).map_err(|e| sql_error(&location, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| sql_error(&location, e))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| sql_error(&location, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| sql_error(&location, e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| sql_error(&location, e))?;
    migrate(&mut conn, &location)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, location: &str) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sql_error(location, e))?;
    let version: u32 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| sql_error(location, e))?;
    if version > SCHEMA_VERSION {
        return Err(Error::GraphSchema {
            location: location.to_string(),
            message: format!(
                "it was written by a newer Perceo (schema v{version}; this one knows up to v{SCHEMA_VERSION}); upgrade Perceo to use it"
            ),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(|e| sql_error(location, e))?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)
            .map_err(|e| sql_error(location, e))?;
    }
    tx.commit().map_err(|e| sql_error(location, e))
}

fn count(tx: &Transaction<'_>, table: &str) -> Result<u64> {
    tx.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(q)
}

/// Inserts or updates one flow with its relationships; returns whether it was new, changed or the same.
fn upsert_flow(tx: &Transaction<'_>, flow: &Flow) -> Result<Option<bool>> {
    let definition = encode(BACKEND, flow)?;
    let existing: Option<String> = tx
        .query_row("SELECT definition FROM flows WHERE id = ?1", [&flow.id], |r| r.get(0))
        .optional()
        .map_err(q)?;
    if existing.as_deref() == Some(definition.as_str()) {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO flows (id, name, priority, definition, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, priority = excluded.priority,
           definition = excluded.definition, updated_at = excluded.updated_at",
        params![flow.id, flow.name, flow.priority.as_str(), definition, super::now()],
    )
    .map_err(q)?;
    tx.execute("DELETE FROM steps WHERE flow_id = ?1", [&flow.id])
        .map_err(q)?;
    tx.execute("DELETE FROM flow_personas WHERE flow_id = ?1", [&flow.id])
        .map_err(q)?;
    tx.execute("DELETE FROM flow_related WHERE flow_id = ?1", [&flow.id])
        .map_err(q)?;
    let mut step = tx
        .prepare_cached("INSERT INTO steps (flow_id, idx, name, page, event) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(q)?;
    for (i, s) in flow.steps.iter().enumerate() {
        step.execute(params![flow.id, i as i64, s.name, s.page, s.event])
            .map_err(q)?;
    }
    let mut persona = tx
        .prepare_cached("INSERT OR IGNORE INTO flow_personas (flow_id, persona_id) VALUES (?1, ?2)")
        .map_err(q)?;
    for p in &flow.personas {
        persona.execute(params![flow.id, p]).map_err(q)?;
    }
    let mut related = tx
        .prepare_cached("INSERT OR IGNORE INTO flow_related (flow_id, related_id) VALUES (?1, ?2)")
        .map_err(q)?;
    for r in &flow.related {
        related.execute(params![flow.id, r]).map_err(q)?;
    }
    Ok(Some(existing.is_none()))
}

fn recompute_synthetic(tx: &Transaction<'_>, flow_id: &str) -> Result<()> {
    let mut stmt = tx
        .prepare_cached("SELECT status, duration_ms, started_at FROM test_runs WHERE flow_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2")
        .map_err(q)?;
    let recent: Vec<(TestStatus, u64, String)> = stmt
        .query_map(params![flow_id, SYNTHETIC_WINDOW as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
        })
        .map_err(q)?
        .filter_map(|r| r.ok())
        .filter_map(|(s, d, t)| Some((TestStatus::parse(&s)?, d as u64, t)))
        .collect();
    let total: i64 = tx
        .query_row("SELECT COUNT(*) FROM test_runs WHERE flow_id = ?1", [flow_id], |r| {
            r.get(0)
        })
        .map_err(q)?;
    let metrics = synthetic_from(&recent, total as u64);
    let json = metrics.as_ref().map(|v| encode(BACKEND, v)).transpose()?;
    tx.execute("UPDATE flows SET synthetic = ?2 WHERE id = ?1", params![flow_id, json])
        .map_err(q)?;
    Ok(())
}

/// id, definition, risk score, coverage score, production JSON, synthetic JSON.
type FlowRow = (String, String, Option<f64>, Option<f64>, Option<String>, Option<String>);

/// Upserts every flow, counting what was created, updated or unchanged into `summary`.
fn upsert_all(tx: &Transaction<'_>, flows: &[Flow], summary: &mut SyncSummary) -> Result<()> {
    for f in flows {
        match upsert_flow(tx, f)? {
            Some(true) => summary.created.push(f.id.clone()),
            Some(false) => summary.updated.push(f.id.clone()),
            None => summary.unchanged += 1,
        }
    }
    Ok(())
}

const FLOW_COLUMNS: &str = "id, definition, risk_score, coverage_score, production, synthetic";

fn flow_rows(tx: &Transaction<'_>, where_clause: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<FlowRecord>> {
    let mut stmt = tx
        .prepare(&format!("SELECT {FLOW_COLUMNS} FROM flows {where_clause} ORDER BY id"))
        .map_err(q)?;
    let rows: Vec<FlowRow> = stmt
        .query_map(args, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .map_err(q)?
        .collect::<rusqlite::Result<_>>()
        .map_err(q)?;
    // affectedByChanges for all requested flows in one query.
    let mut affected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stmt = tx
        .prepare(
            "SELECT flow_id, change_id FROM (
               SELECT af.flow_id, af.change_id,
                      ROW_NUMBER() OVER (PARTITION BY af.flow_id ORDER BY a.created_at DESC, a.change_id DESC) AS n
               FROM analysis_flows af JOIN analyses a ON a.change_id = af.change_id)
             WHERE n <= ?1",
        )
        .map_err(q)?;
    let pairs = stmt
        .query_map([AFFECTED_HISTORY as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(q)?;
    for pair in pairs {
        let (flow, change) = pair.map_err(q)?;
        affected.entry(flow).or_default().push(change);
    }
    rows.into_iter()
        .map(|(id, definition, risk, coverage, production, synthetic)| {
            Ok(FlowRecord {
                flow: decode(BACKEND, &definition)?,
                risk_score: risk,
                coverage_score: coverage,
                production_metrics: production.as_deref().map(|t| decode(BACKEND, t)).transpose()?,
                synthetic_metrics: synthetic.as_deref().map(|t| decode(BACKEND, t)).transpose()?,
                affected_by_changes: affected.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

#[async_trait]
impl FlowGraph for SqliteGraph {
    async fn status(&self) -> Result<GraphStatus> {
        let location = self.path.display().to_string();
        self.read(move |tx| {
            Ok(GraphStatus {
                backend: "sqlite".into(),
                location,
                schema_version: tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(q)?,
                flows: count(tx, "flows")?,
                personas: count(tx, "personas")?,
                analyses: count(tx, "analyses")?,
                test_runs: count(tx, "test_runs")?,
                insights: count(tx, "insights")?,
            })
        })
        .await
    }

    async fn sync_flows(&self, flows: &[Flow], personas: &[Persona]) -> Result<SyncSummary> {
        let (flows, personas) = (flows.to_vec(), personas.to_vec());
        self.write(move |tx| {
            let mut summary = SyncSummary::default();
            for p in &personas {
                tx.execute(
                    "INSERT INTO personas (id, name, definition) VALUES (?1, ?2, ?3)
                     ON CONFLICT(id) DO UPDATE SET name = excluded.name, definition = excluded.definition",
                    params![p.id, p.name, encode(BACKEND, p)?],
                )
                .map_err(q)?;
            }
            let keep_personas: BTreeSet<&str> = personas.iter().map(|p| p.id.as_str()).collect();
            let stored_personas: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM personas").map_err(q)?;
                stmt.query_map([], |r| r.get(0))
                    .map_err(q)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(q)?
            };
            for id in stored_personas.iter().filter(|id| !keep_personas.contains(id.as_str())) {
                tx.execute("DELETE FROM personas WHERE id = ?1", [id]).map_err(q)?;
            }
            let keep: BTreeSet<&str> = flows.iter().map(|f| f.id.as_str()).collect();
            let stored: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM flows ORDER BY id").map_err(q)?;
                stmt.query_map([], |r| r.get(0))
                    .map_err(q)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(q)?
            };
            for id in stored.into_iter().filter(|id| !keep.contains(id.as_str())) {
                tx.execute("DELETE FROM flows WHERE id = ?1", [&id]).map_err(q)?;
                summary.deleted.push(id);
            }
            upsert_all(tx, &flows, &mut summary)?;
            Ok(summary)
        })
        .await
    }

    async fn upsert_flows(&self, flows: &[Flow]) -> Result<SyncSummary> {
        let flows = flows.to_vec();
        self.write(move |tx| {
            let mut summary = SyncSummary::default();
            upsert_all(tx, &flows, &mut summary)?;
            Ok(summary)
        })
        .await
    }

    async fn get_flow(&self, id: &str) -> Result<Option<FlowRecord>> {
        let id = id.to_string();
        self.read(move |tx| Ok(flow_rows(tx, "WHERE id = ?1", &[&id])?.into_iter().next()))
            .await
    }

    async fn list_flows(&self) -> Result<Vec<FlowRecord>> {
        self.read(|tx| flow_rows(tx, "", &[])).await
    }

    async fn list_personas(&self) -> Result<Vec<Persona>> {
        self.read(|tx| {
            let mut stmt = tx.prepare("SELECT definition FROM personas ORDER BY id").map_err(q)?;
            let texts: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .map_err(q)?
                .collect::<rusqlite::Result<_>>()
                .map_err(q)?;
            texts.iter().map(|t| decode(BACKEND, t)).collect()
        })
        .await
    }

    async fn delete_flow(&self, id: &str) -> Result<bool> {
        let id = id.to_string();
        self.write(move |tx| {
            tx.execute("DELETE FROM test_runs WHERE flow_id = ?1", [&id])
                .map_err(q)?;
            tx.execute("DELETE FROM predictions WHERE flow_id = ?1", [&id])
                .map_err(q)?;
            Ok(tx.execute("DELETE FROM flows WHERE id = ?1", [&id]).map_err(q)? > 0)
        })
        .await
    }

    async fn record_analysis(&self, analysis: &AnalysisRecord) -> Result<()> {
        let a = analysis.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO analyses (change_id, base_sha, head_sha, created_at, report) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(change_id) DO UPDATE SET base_sha = excluded.base_sha, head_sha = excluded.head_sha,
                   created_at = excluded.created_at, report = excluded.report",
                params![
                    a.change_id,
                    a.base_sha,
                    a.head_sha,
                    a.created_at,
                    encode(BACKEND, &a.report)?
                ],
            )
            .map_err(q)?;
            tx.execute("DELETE FROM analysis_flows WHERE change_id = ?1", [&a.change_id])
                .map_err(q)?;
            for f in &a.flows {
                tx.execute(
                    "INSERT INTO analysis_flows (change_id, flow_id, confidence, risk_score) VALUES (?1, ?2, ?3, ?4)",
                    params![a.change_id, f.flow_id, f.confidence, f.risk_score],
                )
                .map_err(q)?;
                tx.execute(
                    "UPDATE flows SET risk_score = ?2 WHERE id = ?1",
                    params![f.flow_id, f.risk_score],
                )
                .map_err(q)?;
            }
            Ok(())
        })
        .await
    }

    async fn latest_analysis(&self) -> Result<Option<AnalysisRecord>> {
        self.read(|tx| {
            let row: Option<(String, String, String, String, String)> = tx
                .query_row(
                    "SELECT change_id, base_sha, head_sha, created_at, report FROM analyses ORDER BY created_at DESC, change_id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()
                .map_err(q)?;
            let Some((change_id, base_sha, head_sha, created_at, report)) = row else { return Ok(None) };
            let mut stmt = tx
                .prepare("SELECT flow_id, confidence, risk_score FROM analysis_flows WHERE change_id = ?1 ORDER BY risk_score DESC, flow_id")
                .map_err(q)?;
            let flows = stmt
                .query_map([&change_id], |r| Ok(AnalysisFlow { flow_id: r.get(0)?, confidence: r.get(1)?, risk_score: r.get(2)? }))
                .map_err(q)?
                .collect::<rusqlite::Result<_>>()
                .map_err(q)?;
            Ok(Some(AnalysisRecord { change_id, base_sha, head_sha, created_at, flows, report: decode(BACKEND, &report)? }))
        })
        .await
    }

    async fn record_test_runs(&self, runs: &[TestRun]) -> Result<()> {
        let runs = runs.to_vec();
        self.write(move |tx| {
            let mut touched = BTreeSet::new();
            for r in &runs {
                tx.execute(
                    "INSERT INTO test_runs (id, flow_id, status, duration_ms, started_at, message, change_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(id) DO UPDATE SET flow_id = excluded.flow_id, status = excluded.status,
                       duration_ms = excluded.duration_ms, started_at = excluded.started_at,
                       message = excluded.message, change_id = excluded.change_id",
                    params![
                        r.id,
                        r.flow_id,
                        r.status.as_str(),
                        r.duration_ms as i64,
                        r.started_at,
                        r.message,
                        r.change_id
                    ],
                )
                .map_err(q)?;
                touched.insert(r.flow_id.clone());
            }
            for flow_id in &touched {
                recompute_synthetic(tx, flow_id)?;
            }
            Ok(())
        })
        .await
    }

    async fn test_history(&self, flow_id: &str, limit: usize) -> Result<Vec<TestRun>> {
        let flow_id = flow_id.to_string();
        self.read(move |tx| {
            let mut stmt = tx
                .prepare("SELECT id, flow_id, status, duration_ms, started_at, message, change_id FROM test_runs WHERE flow_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2")
                .map_err(q)?;
            let rows = stmt
                .query_map(params![flow_id, limit as i64], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?))
                })
                .map_err(q)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(q)?;
            Ok(rows
                .into_iter()
                .filter_map(|(id, flow_id, status, duration, started_at, message, change_id)| {
                    Some(TestRun { id, flow_id, status: TestStatus::parse(&status)?, duration_ms: duration as u64, started_at, message, change_id })
                })
                .collect())
        })
        .await
    }

    async fn write_coverage_scores(&self, scores: &[(String, f64)]) -> Result<()> {
        let scores = scores.to_vec();
        self.write(move |tx| {
            for (flow_id, score) in &scores {
                tx.execute(
                    "UPDATE flows SET coverage_score = ?2 WHERE id = ?1",
                    params![flow_id, score],
                )
                .map_err(q)?;
            }
            Ok(())
        })
        .await
    }

    async fn write_production_metrics(&self, metrics: &[(String, ProductionMetrics)]) -> Result<()> {
        let metrics = metrics.to_vec();
        self.write(move |tx| {
            for (flow_id, m) in &metrics {
                tx.execute(
                    "UPDATE flows SET production = ?2 WHERE id = ?1",
                    params![flow_id, encode(BACKEND, m)?],
                )
                .map_err(q)?;
            }
            Ok(())
        })
        .await
    }

    async fn add_insights(&self, insights: &[Insight]) -> Result<()> {
        let insights = insights.to_vec();
        self.write(move |tx| {
            for i in &insights {
                tx.execute(
                    "INSERT INTO insights (id, severity, flow_id, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, flow_id = excluded.flow_id,
                       created_at = excluded.created_at, body = excluded.body",
                    params![i.id, i.severity.rank(), i.flow_id, i.created_at, encode(BACKEND, i)?],
                )
                .map_err(q)?;
            }
            Ok(())
        })
        .await
    }

    async fn insights(&self, min_severity: Severity, limit: usize) -> Result<Vec<Insight>> {
        self.read(move |tx| {
            let mut stmt = tx
                .prepare("SELECT body FROM insights WHERE severity >= ?1 ORDER BY created_at DESC, id LIMIT ?2")
                .map_err(q)?;
            let bodies: Vec<String> = stmt
                .query_map(params![min_severity.rank(), limit as i64], |r| r.get(0))
                .map_err(q)?
                .collect::<rusqlite::Result<_>>()
                .map_err(q)?;
            bodies.iter().map(|b| decode(BACKEND, b)).collect()
        })
        .await
    }

    async fn add_predictions(&self, predictions: &[Prediction]) -> Result<()> {
        let predictions = predictions.to_vec();
        self.write(move |tx| {
            for p in &predictions {
                tx.execute(
                    "INSERT INTO predictions (id, flow_id, created_at, body) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(id) DO UPDATE SET flow_id = excluded.flow_id, created_at = excluded.created_at, body = excluded.body",
                    params![p.id, p.flow_id, p.created_at, encode(BACKEND, p)?],
                )
                .map_err(q)?;
            }
            Ok(())
        })
        .await
    }

    async fn predictions(&self, flow_id: Option<&str>, limit: usize) -> Result<Vec<Prediction>> {
        let flow_id = flow_id.map(String::from);
        self.read(move |tx| {
            let mut stmt = tx
                .prepare("SELECT body FROM predictions WHERE (?1 IS NULL OR flow_id = ?1) ORDER BY created_at DESC, id LIMIT ?2")
                .map_err(q)?;
            let bodies: Vec<String> = stmt
                .query_map(params![flow_id, limit as i64], |r| r.get(0))
                .map_err(q)?
                .collect::<rusqlite::Result<_>>()
                .map_err(q)?;
            bodies.iter().map(|b| decode(BACKEND, b)).collect()
        })
        .await
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |tx| {
            tx.query_row("SELECT value FROM cursors WHERE key = ?1", [&key], |r| r.get(0))
                .optional()
                .map_err(q)
        })
        .await
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO cursors (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(q)?;
            Ok(())
        })
        .await
    }
}
