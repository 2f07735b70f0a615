//! The Neo4j flow graph against a real Neo4j 5.26 server (started by
//! `tests/services/neo4j/neo4j.sh`, see scripts/test.sh): the conformance suite, plus
//! the fault cases. The server tests are `#[ignore]`d with the reason, so a plain `cargo test`
//! says it skipped them; `cargo test -- --include-ignored` (what scripts/test.sh runs) runs
//! them, and then a missing `PERCEO_TEST_NEO4J_URI` is a failure.

#[path = "graph/conformance.rs"]
mod conformance;

use std::time::{Duration, Instant};

use perceo_core::graph::FlowGraph;
use perceo_core::graph::neo4j::Neo4jGraph;

static SERVER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Server {
    uri: String,
    password: String,
    database: String,
}

fn server() -> Server {
    let uri = std::env::var("PERCEO_TEST_NEO4J_URI").expect(
        "PERCEO_TEST_NEO4J_URI is not set: start Neo4j with tests/services/neo4j/neo4j.sh (scripts/test.sh does)",
    );
    Server {
        uri,
        password: std::env::var("PERCEO_TEST_NEO4J_PASSWORD").unwrap_or_else(|_| "perceo-test-pw".into()),
        database: std::env::var("PERCEO_TEST_NEO4J_DATABASE").unwrap_or_else(|_| "perceo".into()),
    }
}

/// One test at a time owns the server's single database, wiped at the start.
struct Fresh {
    graph: Box<dyn FlowGraph>,
    _guard: tokio::sync::MutexGuard<'static, ()>,
}

impl Fresh {
    fn as_ref(&self) -> &dyn FlowGraph {
        self.graph.as_ref()
    }
}

async fn fresh() -> Fresh {
    let guard = SERVER.lock().await;
    let s = server();
    let raw = neo4rs::Graph::connect(
        neo4rs::ConfigBuilder::default()
            .uri(&s.uri)
            .user("neo4j")
            .password(&s.password)
            .db(s.database.as_str())
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    let mut txn = raw.start_txn().await.unwrap();
    txn.run(neo4rs::query("MATCH (n) WHERE NOT n:PerceoMeta DETACH DELETE n"))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let graph = Neo4jGraph::open(&s.uri, &s.database, "neo4j", &s.password)
        .await
        .unwrap();
    Fresh {
        graph: Box::new(graph),
        _guard: guard,
    }
}

macro_rules! with_server {
    ($($name:ident),* $(,)?) => {
        mod neo4j {
            use super::*;
            $(
                #[tokio::test]
                #[ignore = "needs a real Neo4j (PERCEO_TEST_NEO4J_URI): scripts/test.sh starts one and runs these with --include-ignored"]
                async fn $name() {
                    let g = fresh().await;
                    conformance::$name(g.as_ref()).await;
                }
            )*
        }
    };
}

with_server!(
    sync_creates_updates_deletes_and_is_idempotent,
    flows_round_trip_with_steps_personas_and_relations,
    analyses_set_risk_and_history,
    test_runs_are_idempotent_and_drive_synthetic_metrics,
    production_metrics_insights_predictions_and_cursors,
    delete_and_status,
);

#[tokio::test]
async fn a_server_that_is_down_is_reported_within_seconds() {
    let started = Instant::now();
    // Port 1 on loopback: nothing listens there.
    let err = Neo4jGraph::open("bolt://127.0.0.1:1", "neo4j", "neo4j", "some-secret-pw")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(err.code(), "graph.unreachable");
    assert_eq!(err.kind().exit_code(), 3);
    let msg = err.to_string();
    assert!(
        msg.contains("could not reach Neo4j at bolt://127.0.0.1:1") && msg.contains("refused"),
        "{msg}"
    );
    assert!(!msg.contains("some-secret-pw"));
}

#[tokio::test]
#[ignore = "needs a real Neo4j (PERCEO_TEST_NEO4J_URI): scripts/test.sh starts one and runs these with --include-ignored"]
async fn a_wrong_password_is_an_authentication_error_without_the_password() {
    let s = server();
    let _guard = SERVER.lock().await;
    let err = Neo4jGraph::open(&s.uri, &s.database, "neo4j", "wrong-password-123")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph.auth", "{err}");
    let msg = err.to_string();
    assert!(msg.contains("refused the credentials of user `neo4j`"), "{msg}");
    assert!(!msg.contains("wrong-password-123"), "{msg}");
}

#[tokio::test]
#[ignore = "needs a real Neo4j (PERCEO_TEST_NEO4J_URI): scripts/test.sh starts one and runs these with --include-ignored"]
async fn a_missing_database_says_how_to_fix_it() {
    let s = server();
    let _guard = SERVER.lock().await;
    let err = Neo4jGraph::open(&s.uri, "nosuchdb", "neo4j", &s.password)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "graph.database_missing", "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("nosuchdb") && msg.contains("initial.dbms.default_database"),
        "{msg}"
    );
}
