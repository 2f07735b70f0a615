//! Transaction plumbing and the flow rows of the Neo4j graph: what a transaction body can
//! fail with, reading rows, and writing flows with their steps, personas and relations.

use neo4rs::{Query, Row, Txn, query};
use serde_json::{Value, json};

use super::super::{FlowRecord, SyncSummary, decode, encode};
use super::{BACKEND, bolt, get};
use crate::error::{Error, Result};
use crate::flows::Flow;

/// What can fail inside a transaction body.
pub(super) enum TxError {
    /// The driver or the server.
    Driver(neo4rs::Error),
    /// Perceo's own checks.
    Perceo(Error),
}

impl From<neo4rs::Error> for TxError {
    fn from(e: neo4rs::Error) -> Self {
        TxError::Driver(e)
    }
}

impl From<Error> for TxError {
    fn from(e: Error) -> Self {
        TxError::Perceo(e)
    }
}

pub(super) async fn collect(txn: &mut Txn, q: Query) -> std::result::Result<Vec<Row>, TxError> {
    let mut stream = txn.execute(q).await?;
    let mut rows = Vec::new();
    while let Some(row) = stream.next(txn.handle()).await? {
        rows.push(row);
    }
    Ok(rows)
}

pub(super) fn flow_params(flows: &[Flow]) -> Result<(Value, Value, Value, Value, Value)> {
    let updated_at = super::super::now();
    let mut nodes = Vec::new();
    let mut steps = Vec::new();
    let mut next = Vec::new();
    let mut personas = Vec::new();
    let mut related = Vec::new();
    for f in flows {
        nodes.push(json!({"id": f.id, "name": f.name, "priority": f.priority.as_str(), "definition": encode(BACKEND, f)?, "updatedAt": updated_at}));
        for (i, s) in f.steps.iter().enumerate() {
            steps.push(json!({"flowId": f.id, "idx": i, "name": s.name, "page": s.page, "event": s.event}));
            if i > 0 {
                next.push(json!({"flowId": f.id, "from": i - 1, "to": i}));
            }
        }
        personas.extend(f.personas.iter().map(|p| json!({"flowId": f.id, "personaId": p})));
        related.extend(f.related.iter().map(|r| json!({"flowId": f.id, "relatedId": r})));
    }
    Ok((
        Value::Array(nodes),
        Value::Array(steps),
        Value::Array(next),
        Value::Array(personas),
        Value::Array(related),
    ))
}

pub(super) const DELETE_FLOWS: [&str; 4] = [
    "UNWIND $ids AS id MATCH (s:Step {flowId: id}) DETACH DELETE s",
    "UNWIND $ids AS id MATCH (r:TestRun {flowId: id}) DETACH DELETE r",
    "UNWIND $ids AS id MATCH (p:Prediction {flowId: id}) DETACH DELETE p",
    "UNWIND $ids AS id MATCH (f:Flow {id: id}) DETACH DELETE f",
];

/// Writes flows with their steps and relationships (in the caller's transaction).
pub(super) async fn upsert_in(txn: &mut Txn, flows: &[Flow]) -> std::result::Result<(), TxError> {
    if flows.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = flows.iter().map(|f| f.id.as_str()).collect();
    let (nodes, steps, next, personas, related) = flow_params(flows)?;
    let ids = bolt(json!(ids))?;
    txn.run_queries([
        query("UNWIND $flows AS f MERGE (n:Flow {id: f.id}) SET n.name = f.name, n.priority = f.priority, n.definition = f.definition, n.updatedAt = f.updatedAt")
            .param("flows", bolt(nodes)?),
        query("UNWIND $ids AS id MATCH (s:Step {flowId: id}) DETACH DELETE s").param("ids", ids.clone()),
        query("UNWIND $ids AS id MATCH (:Flow {id: id})-[r:FOR_PERSONA|RELATED_TO]->() DELETE r").param("ids", ids),
        query("UNWIND $steps AS s MATCH (f:Flow {id: s.flowId}) CREATE (f)-[:HAS_STEP]->(:Step {flowId: s.flowId, idx: s.idx, name: s.name, page: s.page, event: s.event})")
            .param("steps", bolt(steps)?),
        query("UNWIND $next AS e MATCH (a:Step {flowId: e.flowId, idx: e.from}), (b:Step {flowId: e.flowId, idx: e.to}) CREATE (a)-[:NEXT]->(b)")
            .param("next", bolt(next)?),
        query("UNWIND $links AS l MATCH (f:Flow {id: l.flowId}), (p:Persona {id: l.personaId}) MERGE (f)-[:FOR_PERSONA]->(p)")
            .param("links", bolt(personas)?),
        query("UNWIND $links AS l MATCH (a:Flow {id: l.flowId}), (b:Flow {id: l.relatedId}) MERGE (a)-[:RELATED_TO]->(b)")
            .param("links", bolt(related)?),
    ])
    .await?;
    Ok(())
}

/// Stored definitions by flow id.
pub(super) async fn stored_definitions(txn: &mut Txn) -> std::result::Result<Vec<(String, String)>, TxError> {
    let rows = collect(
        txn,
        query("MATCH (f:Flow) RETURN f.id AS id, f.definition AS definition ORDER BY id"),
    )
    .await?;
    rows.iter()
        .map(|r| Ok((get::<String>(r, "id")?, get::<String>(r, "definition")?)))
        .collect::<Result<_>>()
        .map_err(TxError::Perceo)
}

/// Upserts what changed among `flows`, reporting created/updated/unchanged.
pub(super) async fn upsert_changed(
    txn: &mut Txn,
    flows: &[Flow],
    stored: &[(String, String)],
) -> std::result::Result<SyncSummary, TxError> {
    let mut summary = SyncSummary::default();
    let mut changed = Vec::new();
    for f in flows {
        let definition = encode(BACKEND, f)?;
        match stored.iter().find(|(id, _)| *id == f.id) {
            Some((_, d)) if *d == definition => summary.unchanged += 1,
            Some(_) => {
                summary.updated.push(f.id.clone());
                changed.push(f.clone());
            }
            None => {
                summary.created.push(f.id.clone());
                changed.push(f.clone());
            }
        }
    }
    upsert_in(txn, &changed).await?;
    Ok(summary)
}

pub(super) fn flow_record(row: &Row) -> Result<FlowRecord> {
    let production: Option<String> = get(row, "production")?;
    let synthetic: Option<String> = get(row, "synthetic")?;
    Ok(FlowRecord {
        flow: decode(BACKEND, &get::<String>(row, "definition")?)?,
        risk_score: get(row, "riskScore")?,
        coverage_score: get(row, "coverageScore")?,
        production_metrics: production.as_deref().map(|t| decode(BACKEND, t)).transpose()?,
        synthetic_metrics: synthetic.as_deref().map(|t| decode(BACKEND, t)).transpose()?,
        affected_by_changes: get(row, "changes")?,
    })
}

pub(super) const FLOW_RETURN: &str = "OPTIONAL MATCH (a:Analysis)-[:AFFECTED]->(f)
    WITH f, a ORDER BY a.createdAt DESC, a.changeId DESC
    WITH f, [c IN collect(a.changeId) WHERE c IS NOT NULL][0..20] AS changes
    RETURN f.definition AS definition, f.riskScore AS riskScore, f.coverageScore AS coverageScore,
           f.production AS production, f.synthetic AS synthetic, changes
    ORDER BY f.id";
