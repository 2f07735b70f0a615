//! The Neo4j flow graph (neo4rs): `bolt://`, `bolt+s://`, `neo4j://`, `neo4j+s://`.
//!
//! Every call runs in one explicit transaction, under a timeout (neo4rs alone would retry a
//! down server for a minute), with a bounded retry on transient errors. Constraints and
//! indexes are created on first use. Batches go through `UNWIND`.
//!
//! Model: `(:Flow {id, name, priority, definition, riskScore, coverageScore, production,
//! synthetic})-[:HAS_STEP]->(:Step {flowId, idx, ...})-[:NEXT]->(:Step)`,
//! `(:Flow)-[:FOR_PERSONA]->(:Persona)`, `(:Flow)-[:RELATED_TO]->(:Flow)`,
//! `(:Analysis)-[:AFFECTED {confidence, riskScore}]->(:Flow)`, `(:TestRun)-[:RUN_OF]->(:Flow)`,
//! `(:Insight)`, `(:Prediction)`, `(:PerceoCursor)`, `(:PerceoMeta {key: 'schema', version})`.
//! JSON-shaped values (definitions, metrics, bodies) are stored as JSON strings.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use neo4rs::{BoltType, ConfigBuilder, Graph, Query, Row, Txn, query};
use serde_json::{Value, json};

use super::{
    AnalysisFlow, AnalysisRecord, FlowGraph, FlowRecord, GraphStatus, Insight, Prediction, ProductionMetrics,
    SCHEMA_VERSION, SYNTHETIC_WINDOW, SyncSummary, TestRun, TestStatus, synthetic_from,
};
use crate::config::{Severity, redact_url};
use crate::error::{Error, Result};

use super::{decode, encode};

/// Names this backend in errors.
const BACKEND: &str = "neo4j";
use crate::flows::{Flow, Persona};

/// How long to wait for the server to accept a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// Attempts for a call that fails with a transient error.
const ATTEMPTS: u32 = 3;

/// The Neo4j flow graph.
pub struct Neo4jGraph {
    graph: Graph,
    uri: String,
    database: String,
}

impl std::fmt::Debug for Neo4jGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neo4jGraph")
            .field("uri", &redact_url(&self.uri))
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

fn bolt(value: Value) -> Result<BoltType> {
    BoltType::try_from(value).map_err(|e| Error::Graph {
        backend: "neo4j",
        message: format!("cannot encode a parameter: {e}"),
    })
}

fn get<'r, T: serde::Deserialize<'r>>(row: &'r Row, key: &str) -> Result<T> {
    row.get::<T>(key).map_err(|e| Error::Graph {
        backend: "neo4j",
        message: format!("unexpected value for `{key}`: {e}"),
    })
}

/// `host:port` of a Bolt URI (default port 7687).
fn host_port(uri: &str) -> Option<(String, u16)> {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.trim_matches(['[', ']']).to_string(), port.parse().ok()?)),
        None => Some((authority.to_string(), 7687)),
    }
}

/// Whether the server on `stream` answers Bolt's handshake (magic `60 60 B0 17` and four
/// proposed versions) with a version (`00 00 minor major`, or zeros for none in common).
/// Anything else — `HTTP/1.1 400` from a web server on the port — is not Bolt. A server that
/// says nothing in time or closes is left to the driver to report.
async fn speaks_bolt(mut stream: tokio::net::TcpStream) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut hello = vec![0x60, 0x60, 0xB0, 0x17];
    for version in [[0, 0, 4, 5], [0, 0, 4, 4], [0, 0, 0, 4], [0, 0, 0, 3]] {
        hello.extend_from_slice(&version);
    }
    if stream.write_all(&hello).await.is_err() {
        return true;
    }
    let mut answer = [0u8; 4];
    match tokio::time::timeout(CONNECT_TIMEOUT, stream.read_exact(&mut answer)).await {
        Ok(Ok(_)) => answer[0] == 0 && answer[1] == 0,
        _ => true,
    }
}

impl Neo4jGraph {
    /// Connects, checks credentials and database, and creates constraints and indexes.
    pub async fn open(uri: &str, database: &str, user: &str, password: &str) -> Result<Neo4jGraph> {
        let shown = redact_url(uri);
        let unreachable = |message: String| Error::GraphUnreachable {
            backend: "Neo4j",
            location: shown.clone(),
            message,
        };
        // A plain TCP connect first: neo4rs retries a refused connection for a minute.
        let (host, port) = host_port(uri).ok_or_else(|| unreachable("the URI has no host".into()))?;
        let stream =
            match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port))).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => return Err(unreachable(e.to_string().to_lowercase())),
                Err(_) => return Err(unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()))),
            };
        if !uri.contains("+s") && !speaks_bolt(stream).await {
            return Err(unreachable(
                "the server there does not speak Bolt (the Neo4j protocol); check the host and port of flowGraph.endpoint (Bolt is usually 7687, HTTP 7474)".into(),
            ));
        }
        let config = ConfigBuilder::default()
            .uri(uri)
            .user(user)
            .password(password)
            .db(database)
            .max_connections(8)
            .fetch_size(1000)
            .build()
            .map_err(|e| unreachable(format!("invalid connection settings: {e}")))?;
        let graph = Graph::connect(config).await.map_err(|e| unreachable(e.to_string()))?;
        let this = Neo4jGraph {
            graph,
            uri: uri.to_string(),
            database: database.to_string(),
        };
        this.check(user).await?;
        this.ensure_schema().await?;
        Ok(this)
    }

    /// Maps a driver error to Perceo's, naming the server but never the password.
    fn error(&self, e: neo4rs::Error, user: &str) -> Error {
        let location = redact_url(&self.uri);
        // Neo4rs 0.8 reports failures of BEGIN as an unexpected message carrying the code.
        let text = e.to_string();
        let missing_database = |location: String| {
            Error::GraphDatabaseMissing {
            location,
            database: self.database.clone(),
            hint: "Neo4j Community Edition has a single user database: set flowGraph.database to its name (by default `neo4j`), or create the server with initial.dbms.default_database set to this name".into(),
        }
        };
        if text.contains("Neo.ClientError.Database.DatabaseNotFound") {
            return missing_database(location);
        }
        if text.contains("Neo.ClientError.Security.Unauthorized") {
            return Error::GraphAuth {
                backend: "Neo4j",
                location,
                user: user.to_string(),
                message: "the user name or password is wrong".into(),
            };
        }
        match e {
            neo4rs::Error::Neo4j(n) if n.code() == "Neo.ClientError.Database.DatabaseNotFound" => {
                missing_database(location)
            }
            neo4rs::Error::Neo4j(n) if n.code().starts_with("Neo.ClientError.Security") => Error::GraphAuth {
                backend: "Neo4j",
                location,
                user: user.to_string(),
                message: n.message().to_string(),
            },
            neo4rs::Error::AuthenticationError(m) => Error::GraphAuth {
                backend: "Neo4j",
                location,
                user: user.to_string(),
                message: m,
            },
            neo4rs::Error::IOError { detail } => Error::GraphUnreachable {
                backend: "Neo4j",
                location,
                message: detail.to_string(),
            },
            neo4rs::Error::ConnectionError => Error::GraphUnreachable {
                backend: "Neo4j",
                location,
                message: "the connection failed".into(),
            },
            other => Error::Graph {
                backend: "neo4j",
                message: other.to_string(),
            },
        }
    }

    async fn check(&self, user: &str) -> Result<()> {
        let result = tokio::time::timeout(CONNECT_TIMEOUT * 2, async {
            let mut txn = self.graph.start_txn_on(self.database.as_str()).await?;
            txn.run(query("RETURN 1")).await?;
            txn.commit().await
        })
        .await;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.error(e, user)),
            Err(_) => Err(Error::GraphUnreachable {
                backend: "Neo4j",
                location: redact_url(&self.uri),
                message: format!(
                    "the server accepted a connection but did not answer within {} s",
                    (CONNECT_TIMEOUT * 2).as_secs()
                ),
            }),
        }
    }

    async fn ensure_schema(&self) -> Result<()> {
        let statements = [
            "CREATE CONSTRAINT perceo_flow_id IF NOT EXISTS FOR (n:Flow) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT perceo_persona_id IF NOT EXISTS FOR (n:Persona) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT perceo_analysis_id IF NOT EXISTS FOR (n:Analysis) REQUIRE n.changeId IS UNIQUE",
            "CREATE CONSTRAINT perceo_testrun_id IF NOT EXISTS FOR (n:TestRun) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT perceo_insight_id IF NOT EXISTS FOR (n:Insight) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT perceo_prediction_id IF NOT EXISTS FOR (n:Prediction) REQUIRE n.id IS UNIQUE",
            "CREATE CONSTRAINT perceo_cursor_key IF NOT EXISTS FOR (n:PerceoCursor) REQUIRE n.key IS UNIQUE",
            "CREATE INDEX perceo_step_flow IF NOT EXISTS FOR (n:Step) ON (n.flowId)",
            "CREATE INDEX perceo_testrun_flow_id IF NOT EXISTS FOR (n:TestRun) ON (n.flowId)",
            "CREATE INDEX perceo_prediction_flow IF NOT EXISTS FOR (n:Prediction) ON (n.flowId)",
            "CREATE INDEX perceo_insight_created IF NOT EXISTS FOR (n:Insight) ON (n.createdAt)",
            "CREATE INDEX perceo_analysis_created IF NOT EXISTS FOR (n:Analysis) ON (n.createdAt)",
        ];
        for s in statements {
            self.write(move |txn| Box::pin(async move { txn.run(query(s)).await.map_err(Into::into) }))
                .await?;
        }
        let rows = self
            .rows(
                query("MERGE (m:PerceoMeta {key: 'schema'}) ON CREATE SET m.version = $v RETURN m.version AS version")
                    .param("v", SCHEMA_VERSION as i64),
            )
            .await?;
        let version: i64 = rows.first().map(|r| get(r, "version")).transpose()?.unwrap_or(0);
        if version > SCHEMA_VERSION as i64 {
            return Err(Error::GraphSchema {
                location: redact_url(&self.uri),
                message: format!(
                    "it was written by a newer Perceo (schema v{version}; this one knows up to v{SCHEMA_VERSION}); upgrade Perceo to use it"
                ),
            });
        }
        Ok(())
    }

    /// Runs `work` in one transaction (committed at the end), under the call timeout, retried
    /// on transient errors.
    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'t> Fn(
                &'t mut Txn,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = std::result::Result<T, TxError>> + Send + 't>,
            > + Send
            + Sync,
        T: Send,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = tokio::time::timeout(CALL_TIMEOUT, async {
                let mut txn = self
                    .graph
                    .start_txn_on(self.database.as_str())
                    .await
                    .map_err(TxError::Driver)?;
                let value = work(&mut txn).await?;
                txn.commit().await.map_err(TxError::Driver)?;
                Ok::<T, TxError>(value)
            })
            .await;
            match outcome {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(TxError::Driver(neo4rs::Error::Neo4j(e))))
                    if attempt < ATTEMPTS && e.code().starts_with("Neo.TransientError") =>
                {
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                }
                Ok(Err(TxError::Driver(e))) => return Err(self.error(e, "")),
                Ok(Err(TxError::Perceo(e))) => return Err(e),
                Err(_) => {
                    return Err(Error::GraphUnreachable {
                        backend: "Neo4j",
                        location: redact_url(&self.uri),
                        message: format!("no answer within {} s", CALL_TIMEOUT.as_secs()),
                    });
                }
            }
        }
    }

    /// Runs one read query and collects its rows.
    async fn rows(&self, q: Query) -> Result<Vec<Row>> {
        self.write(move |txn| {
            let q = q.clone();
            Box::pin(async move { collect(txn, q).await })
        })
        .await
    }
}

mod rows;

use rows::*;

#[async_trait]
impl FlowGraph for Neo4jGraph {
    async fn status(&self) -> Result<GraphStatus> {
        let rows = self
            .rows(query(
                "CALL { MATCH (n:Flow) RETURN count(n) AS flows }
                 CALL { MATCH (n:Persona) RETURN count(n) AS personas }
                 CALL { MATCH (n:Analysis) RETURN count(n) AS analyses }
                 CALL { MATCH (n:TestRun) RETURN count(n) AS runs }
                 CALL { MATCH (n:Insight) RETURN count(n) AS insights }
                 CALL { OPTIONAL MATCH (m:PerceoMeta {key: 'schema'}) RETURN m.version AS version }
                 RETURN flows, personas, analyses, runs, insights, version",
            ))
            .await?;
        let row = rows.first().ok_or_else(|| Error::Graph {
            backend: "neo4j",
            message: "no status row".into(),
        })?;
        let n = |k: &str| get::<i64>(row, k).map(|v| v as u64);
        Ok(GraphStatus {
            backend: "neo4j".into(),
            location: format!("{} (database {})", redact_url(&self.uri), self.database),
            schema_version: get::<Option<i64>>(row, "version")?.unwrap_or(0) as u32,
            flows: n("flows")?,
            personas: n("personas")?,
            analyses: n("analyses")?,
            test_runs: n("runs")?,
            insights: n("insights")?,
        })
    }

    async fn sync_flows(&self, flows: &[Flow], personas: &[Persona]) -> Result<SyncSummary> {
        let persona_rows: Vec<Value> = personas
            .iter()
            .map(|p| Ok(json!({"id": p.id, "name": p.name, "definition": encode(BACKEND, p)?})))
            .collect::<Result<_>>()?;
        let persona_ids: Vec<&str> = personas.iter().map(|p| p.id.as_str()).collect();
        let (persona_rows, persona_ids) = (bolt(Value::Array(persona_rows))?, bolt(json!(persona_ids))?);
        let flows = std::sync::Arc::new(flows.to_vec());
        self.write(move |txn| {
            let (persona_rows, persona_ids, flows) = (persona_rows.clone(), persona_ids.clone(), flows.clone());
            Box::pin(async move {
                txn.run_queries([
                    query("UNWIND $personas AS p MERGE (n:Persona {id: p.id}) SET n.name = p.name, n.definition = p.definition")
                        .param("personas", persona_rows),
                    query("MATCH (n:Persona) WHERE NOT n.id IN $ids DETACH DELETE n").param("ids", persona_ids),
                ])
                .await?;
                let stored = stored_definitions(txn).await?;
                let keep: BTreeSet<&str> = flows.iter().map(|f| f.id.as_str()).collect();
                let deleted: Vec<String> = stored.iter().filter(|(id, _)| !keep.contains(id.as_str())).map(|(id, _)| id.clone()).collect();
                let ids = bolt(json!(deleted))?;
                txn.run_queries(DELETE_FLOWS.map(|s| query(s).param("ids", ids.clone()))).await?;
                let mut summary = upsert_changed(txn, &flows, &stored).await?;
                summary.deleted = deleted;
                // Persona links of unchanged flows may point at personas created just now.
                let links: Vec<Value> = flows.iter().flat_map(|f| f.personas.iter().map(move |p| json!({"flowId": f.id, "personaId": p}))).collect();
                txn.run(query("UNWIND $links AS l MATCH (f:Flow {id: l.flowId}), (p:Persona {id: l.personaId}) MERGE (f)-[:FOR_PERSONA]->(p)").param("links", bolt(Value::Array(links))?)).await?;
                Ok(summary)
            })
        })
        .await
    }

    async fn upsert_flows(&self, flows: &[Flow]) -> Result<SyncSummary> {
        let flows = std::sync::Arc::new(flows.to_vec());
        self.write(move |txn| {
            let flows = flows.clone();
            Box::pin(async move {
                let stored = stored_definitions(txn).await?;
                upsert_changed(txn, &flows, &stored).await
            })
        })
        .await
    }

    async fn get_flow(&self, id: &str) -> Result<Option<FlowRecord>> {
        let rows = self
            .rows(query(&format!("MATCH (f:Flow {{id: $id}}) {FLOW_RETURN}")).param("id", id))
            .await?;
        rows.first().map(flow_record).transpose()
    }

    async fn list_flows(&self) -> Result<Vec<FlowRecord>> {
        let rows = self.rows(query(&format!("MATCH (f:Flow) {FLOW_RETURN}"))).await?;
        rows.iter().map(flow_record).collect()
    }

    async fn list_personas(&self) -> Result<Vec<Persona>> {
        let rows = self
            .rows(query(
                "MATCH (p:Persona) RETURN p.definition AS definition ORDER BY p.id",
            ))
            .await?;
        rows.iter()
            .map(|r| decode(BACKEND, &get::<String>(r, "definition")?))
            .collect()
    }

    async fn delete_flow(&self, id: &str) -> Result<bool> {
        let id = id.to_string();
        self.write(move |txn| {
            let id = id.clone();
            Box::pin(async move {
                let existed = !collect(
                    txn,
                    query("MATCH (f:Flow {id: $id}) RETURN f.id AS id").param("id", id.as_str()),
                )
                .await?
                .is_empty();
                let ids = bolt(json!([id]))?;
                txn.run_queries(DELETE_FLOWS.map(|s| query(s).param("ids", ids.clone())))
                    .await?;
                Ok(existed)
            })
        })
        .await
    }

    async fn record_analysis(&self, a: &AnalysisRecord) -> Result<()> {
        let flows: Vec<Value> = a
            .flows
            .iter()
            .map(|f| json!({"flowId": f.flow_id, "confidence": f.confidence, "riskScore": f.risk_score}))
            .collect();
        let flows_json = encode(BACKEND, &a.flows)?;
        let report = encode(BACKEND, &a.report)?;
        let flows = bolt(Value::Array(flows))?;
        self.write(move |txn| {
            let q1 = query(
                "MERGE (a:Analysis {changeId: $id}) SET a.baseSha = $base, a.headSha = $head, a.createdAt = $at, a.report = $report, a.flows = $flowsJson
                 WITH a OPTIONAL MATCH (a)-[old:AFFECTED]->() DELETE old",
            )
            .param("id", a.change_id.as_str())
            .param("base", a.base_sha.as_str())
            .param("head", a.head_sha.as_str())
            .param("at", a.created_at.as_str())
            .param("report", report.as_str())
            .param("flowsJson", flows_json.as_str());
            let q2 = query(
                "UNWIND $flows AS x MATCH (a:Analysis {changeId: $id}), (f:Flow {id: x.flowId})
                 CREATE (a)-[:AFFECTED {confidence: x.confidence, riskScore: x.riskScore}]->(f) SET f.riskScore = x.riskScore",
            )
            .param("id", a.change_id.as_str())
            .param("flows", flows.clone());
            Box::pin(async move { txn.run_queries([q1, q2]).await.map_err(Into::into) })
        })
        .await
    }

    async fn latest_analysis(&self) -> Result<Option<AnalysisRecord>> {
        let rows = self
            .rows(query(
                "MATCH (a:Analysis) RETURN a.changeId AS id, a.baseSha AS base, a.headSha AS head, a.createdAt AS at, a.report AS report, a.flows AS flows
                 ORDER BY a.createdAt DESC, a.changeId DESC LIMIT 1",
            ))
            .await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let mut flows: Vec<AnalysisFlow> = decode(BACKEND, &get::<String>(r, "flows")?)?;
        flows.sort_by(|a, b| b.risk_score.total_cmp(&a.risk_score).then(a.flow_id.cmp(&b.flow_id)));
        Ok(Some(AnalysisRecord {
            change_id: get(r, "id")?,
            base_sha: get(r, "base")?,
            head_sha: get(r, "head")?,
            created_at: get(r, "at")?,
            flows,
            report: decode(BACKEND, &get::<String>(r, "report")?)?,
        }))
    }

    async fn record_test_runs(&self, runs: &[TestRun]) -> Result<()> {
        let rows: Vec<Value> = runs
            .iter()
            .map(|r| json!({"id": r.id, "flowId": r.flow_id, "status": r.status.as_str(), "durationMs": r.duration_ms, "startedAt": r.started_at, "message": r.message, "changeId": r.change_id}))
            .collect();
        let touched: BTreeSet<&str> = runs.iter().map(|r| r.flow_id.as_str()).collect();
        let (rows, touched) = (bolt(Value::Array(rows))?, bolt(json!(touched))?);
        self.write(move |txn| {
            let (rows, touched) = (rows.clone(), touched.clone());
            Box::pin(async move {
                txn.run(
                    query(
                        "UNWIND $runs AS r MERGE (t:TestRun {id: r.id})
                         SET t.flowId = r.flowId, t.status = r.status, t.durationMs = r.durationMs, t.startedAt = r.startedAt,
                             t.message = r.message, t.changeId = r.changeId
                         WITH t, r MATCH (f:Flow {id: r.flowId}) MERGE (t)-[:RUN_OF]->(f)",
                    )
                    .param("runs", rows),
                )
                .await?;
                let recent = collect(
                    txn,
                    query(
                        "UNWIND $ids AS id MATCH (t:TestRun {flowId: id})
                         WITH id, t ORDER BY t.startedAt DESC, t.id DESC
                         WITH id, collect(t) AS runs
                         RETURN id, size(runs) AS total, [r IN runs[0..$window] | [r.status, toString(r.durationMs), r.startedAt]] AS recent",
                    )
                    .param("ids", touched)
                    .param("window", SYNTHETIC_WINDOW as i64),
                )
                .await?;
                let mut updates = Vec::new();
                for row in &recent {
                    let id: String = get(row, "id")?;
                    let total: i64 = get(row, "total")?;
                    let list: Vec<Vec<String>> = get(row, "recent")?;
                    let parsed: Vec<(TestStatus, u64, String)> = list
                        .into_iter()
                        .filter_map(|v| Some((TestStatus::parse(v.first()?)?, v.get(1)?.parse().ok()?, v.get(2)?.clone())))
                        .collect();
                    let metrics = synthetic_from(&parsed, total as u64).map(|m| encode(BACKEND, &m)).transpose()?;
                    updates.push(json!({"id": id, "synthetic": metrics}));
                }
                txn.run(query("UNWIND $u AS u MATCH (f:Flow {id: u.id}) SET f.synthetic = u.synthetic").param("u", bolt(Value::Array(updates))?))
                    .await?;
                Ok(())
            })
        })
        .await
    }

    async fn test_history(&self, flow_id: &str, limit: usize) -> Result<Vec<TestRun>> {
        let rows = self
            .rows(
                query(
                    "MATCH (t:TestRun {flowId: $id}) RETURN t.id AS id, t.status AS status, t.durationMs AS ms, t.startedAt AS at,
                     t.message AS message, t.changeId AS changeId ORDER BY t.startedAt DESC, t.id DESC LIMIT $limit",
                )
                .param("id", flow_id)
                .param("limit", limit as i64),
            )
            .await?;
        rows.iter()
            .map(|r| {
                let status: String = get(r, "status")?;
                Ok(TestRun {
                    id: get(r, "id")?,
                    flow_id: flow_id.to_string(),
                    status: TestStatus::parse(&status).unwrap_or(TestStatus::Skipped),
                    duration_ms: get::<i64>(r, "ms")? as u64,
                    started_at: get(r, "at")?,
                    message: get(r, "message")?,
                    change_id: get(r, "changeId")?,
                })
            })
            .collect()
    }

    async fn write_coverage_scores(&self, scores: &[(String, f64)]) -> Result<()> {
        let rows: Vec<Value> = scores
            .iter()
            .map(|(id, score)| json!({"id": id, "score": score}))
            .collect();
        let rows = bolt(Value::Array(rows))?;
        self.write(move |txn| {
            let q = query("UNWIND $rows AS x MATCH (f:Flow {id: x.id}) SET f.coverageScore = x.score")
                .param("rows", rows.clone());
            Box::pin(async move { txn.run(q).await.map_err(Into::into) })
        })
        .await
    }

    async fn write_production_metrics(&self, metrics: &[(String, ProductionMetrics)]) -> Result<()> {
        let rows: Vec<Value> = metrics
            .iter()
            .map(|(id, m)| Ok(json!({"id": id, "production": encode(BACKEND, m)?})))
            .collect::<Result<_>>()?;
        let rows = bolt(Value::Array(rows))?;
        self.write(move |txn| {
            let q = query("UNWIND $m AS x MATCH (f:Flow {id: x.id}) SET f.production = x.production")
                .param("m", rows.clone());
            Box::pin(async move { txn.run(q).await.map_err(Into::into) })
        })
        .await
    }

    async fn add_insights(&self, insights: &[Insight]) -> Result<()> {
        let rows: Vec<Value> = insights
            .iter()
            .map(|i| Ok(json!({"id": i.id, "severity": i.severity.rank(), "flowId": i.flow_id, "createdAt": i.created_at, "body": encode(BACKEND, i)?})))
            .collect::<Result<_>>()?;
        let rows = bolt(Value::Array(rows))?;
        self.write(move |txn| {
            let q = query("UNWIND $rows AS x MERGE (i:Insight {id: x.id}) SET i.severity = x.severity, i.flowId = x.flowId, i.createdAt = x.createdAt, i.body = x.body")
                .param("rows", rows.clone());
            Box::pin(async move { txn.run(q).await.map_err(Into::into) })
        })
        .await
    }

    async fn insights(&self, min_severity: Severity, limit: usize) -> Result<Vec<Insight>> {
        let rows = self
            .rows(
                query("MATCH (i:Insight) WHERE i.severity >= $min RETURN i.body AS body ORDER BY i.createdAt DESC, i.id LIMIT $limit")
                    .param("min", min_severity.rank())
                    .param("limit", limit as i64),
            )
            .await?;
        rows.iter()
            .map(|r| decode(BACKEND, &get::<String>(r, "body")?))
            .collect()
    }

    async fn add_predictions(&self, predictions: &[Prediction]) -> Result<()> {
        let rows: Vec<Value> = predictions
            .iter()
            .map(|p| {
                Ok(json!({"id": p.id, "flowId": p.flow_id, "createdAt": p.created_at, "body": encode(BACKEND, p)?}))
            })
            .collect::<Result<_>>()?;
        let rows = bolt(Value::Array(rows))?;
        self.write(move |txn| {
            let q = query("UNWIND $rows AS x MERGE (p:Prediction {id: x.id}) SET p.flowId = x.flowId, p.createdAt = x.createdAt, p.body = x.body")
                .param("rows", rows.clone());
            Box::pin(async move { txn.run(q).await.map_err(Into::into) })
        })
        .await
    }

    async fn predictions(&self, flow_id: Option<&str>, limit: usize) -> Result<Vec<Prediction>> {
        let rows = self
            .rows(
                query("MATCH (p:Prediction) WHERE $flow IS NULL OR p.flowId = $flow RETURN p.body AS body ORDER BY p.createdAt DESC, p.id LIMIT $limit")
                    .param("flow", flow_id.map(String::from))
                    .param("limit", limit as i64),
            )
            .await?;
        rows.iter()
            .map(|r| decode(BACKEND, &get::<String>(r, "body")?))
            .collect()
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>> {
        let rows = self
            .rows(query("MATCH (c:PerceoCursor {key: $key}) RETURN c.value AS value").param("key", key))
            .await?;
        rows.first().map(|r| get(r, "value")).transpose()
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<()> {
        let q = query("MERGE (c:PerceoCursor {key: $key}) SET c.value = $value")
            .param("key", key)
            .param("value", value);
        self.write(move |txn| {
            let q = q.clone();
            Box::pin(async move { txn.run(q).await.map_err(Into::into) })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_come_from_the_uri() {
        assert_eq!(host_port("bolt://localhost:7687"), Some(("localhost".into(), 7687)));
        assert_eq!(
            host_port("neo4j+s://user:pw@db.example:7777/x"),
            Some(("db.example".into(), 7777))
        );
        assert_eq!(host_port("bolt://db"), Some(("db".into(), 7687)));
    }
}
