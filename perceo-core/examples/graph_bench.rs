//! Flow-graph benchmark: upsert 10,000 flows, record 100,000 test runs (batches of 1,000),
//! then time the dashboard's main reads. Prints a markdown table.
//!
//! ```text
//! cargo run --release -p perceo-core --example graph_bench -- sqlite /tmp/bench-graph.db
//! cargo run --release -p perceo-core --example graph_bench -- neo4j bolt://127.0.0.1:17687 perceo perceo-test-pw
//! ```

use std::time::{Duration, Instant};

use perceo_core::config::Severity;
use perceo_core::flows::{Flow, FlowTests, Persona, Priority, Step};
use perceo_core::graph::neo4j::Neo4jGraph;
use perceo_core::graph::sqlite::SqliteGraph;
use perceo_core::graph::{AnalysisFlow, AnalysisRecord, FlowGraph, Insight, TestRun, TestStatus};

const FLOWS: usize = 10_000;
const RUNS: usize = 100_000;
const BATCH: usize = 1_000;

fn flows() -> Vec<Flow> {
    (0..FLOWS)
        .map(|i| Flow {
            id: format!("flow-{i:05}"),
            name: format!("Flow {i}"),
            app: None,
            description: Some("generated".into()),
            priority: [Priority::Low, Priority::Medium, Priority::High, Priority::Critical][i % 4],
            personas: vec![format!("persona-{}", i % 10)],
            pages: vec![format!("/page/{i}")],
            files: vec![],
            steps: (0..3)
                .map(|s| Step {
                    name: format!("step {s}"),
                    page: Some(format!("/page/{i}")),
                    event: Some(format!("e{s}")),
                    actions: vec![],
                    expected: None,
                })
                .collect(),
            tests: Some(FlowTests {
                specs: vec![format!("e2e/{i}.spec.ts")],
                grep: None,
                ..FlowTests::default()
            }),
            related: if i > 0 {
                vec![format!("flow-{:05}", i - 1)]
            } else {
                vec![]
            },
        })
        .collect()
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let graph: Box<dyn FlowGraph> = match args.first().map(String::as_str) {
        Some("sqlite") => {
            let path = std::path::PathBuf::from(args.get(1).expect("sqlite PATH"));
            let _ = std::fs::remove_file(&path);
            Box::new(SqliteGraph::open(&path).await.expect("open sqlite"))
        }
        Some("neo4j") => {
            let g = Neo4jGraph::open(&args[1], &args[2], "neo4j", &args[3])
                .await
                .expect("open neo4j");
            g.sync_flows(&[], &[]).await.expect("wipe");
            Box::new(g)
        }
        _ => panic!("usage: graph_bench sqlite PATH | neo4j URI DATABASE PASSWORD"),
    };
    let flows = flows();
    let personas: Vec<Persona> = (0..10)
        .map(|i| Persona {
            id: format!("persona-{i}"),
            name: format!("P{i}"),
            description: None,
            behaviors: vec![],
        })
        .collect();
    println!("| operation | count | total s | throughput /s | latency p50 ms | p95 ms |");
    println!("|---|---:|---:|---:|---:|---:|");

    let t = Instant::now();
    let summary = graph.sync_flows(&flows, &personas).await.expect("sync");
    let took = t.elapsed();
    assert_eq!(summary.created.len(), FLOWS);
    println!(
        "| upsert flows (one call) | {FLOWS} | {:.2} | {:.0} | – | – |",
        took.as_secs_f64(),
        FLOWS as f64 / took.as_secs_f64()
    );

    let t = Instant::now();
    let again = graph.sync_flows(&flows, &personas).await.expect("resync");
    assert_eq!(again.unchanged, FLOWS);
    println!(
        "| re-sync unchanged flows | {FLOWS} | {:.2} | {:.0} | – | – |",
        t.elapsed().as_secs_f64(),
        FLOWS as f64 / t.elapsed().as_secs_f64()
    );

    let mut latencies = Vec::new();
    let t = Instant::now();
    for b in 0..RUNS / BATCH {
        let runs: Vec<TestRun> = (0..BATCH)
            .map(|k| {
                let n = b * BATCH + k;
                TestRun {
                    id: format!("run-{n}"),
                    flow_id: format!("flow-{:05}", n % FLOWS),
                    status: if n.is_multiple_of(7) {
                        TestStatus::Failed
                    } else {
                        TestStatus::Passed
                    },
                    duration_ms: (n % 5000) as u64,
                    started_at: format!(
                        "2026-11-{:02}T{:02}:{:02}:{:02}.000Z",
                        1 + n / 86_400 % 28,
                        n / 3600 % 24,
                        n / 60 % 60,
                        n % 60
                    ),
                    message: None,
                    change_id: None,
                }
            })
            .collect();
        let c = Instant::now();
        graph.record_test_runs(&runs).await.expect("record");
        latencies.push(c.elapsed());
    }
    let took = t.elapsed();
    println!(
        "| record test runs (batches of {BATCH}) | {RUNS} | {:.2} | {:.0} | {} | {} |",
        took.as_secs_f64(),
        RUNS as f64 / took.as_secs_f64(),
        ms(percentile(&mut latencies, 0.5)),
        ms(percentile(&mut latencies, 0.95))
    );

    graph
        .record_analysis(&AnalysisRecord {
            change_id: "bench".into(),
            base_sha: "a".into(),
            head_sha: "b".into(),
            created_at: "2026-11-26T00:00:00.000Z".into(),
            flows: (0..50)
                .map(|i| AnalysisFlow {
                    flow_id: format!("flow-{i:05}"),
                    confidence: 0.9,
                    risk_score: 0.5,
                })
                .collect(),
            report: serde_json::json!({"flows": []}),
        })
        .await
        .expect("analysis");
    let insights: Vec<Insight> = (0..200)
        .map(|i| Insight {
            id: format!("i{i}"),
            kind: "discrepancy".into(),
            severity: [Severity::Low, Severity::Medium, Severity::High, Severity::Critical][i % 4],
            flow_id: Some(format!("flow-{i:05}")),
            title: "t".into(),
            message: "m".into(),
            created_at: format!("2026-11-01T00:00:{:02}Z", i % 60),
            data: serde_json::Value::Null,
        })
        .collect();
    graph.add_insights(&insights).await.expect("insights");

    let g = graph.as_ref();
    time("dashboard: list all flows with metrics", 5, |_| g.list_flows()).await;
    time("dashboard: one flow", 200, |i| {
        let id = format!("flow-{:05}", i * 37 % FLOWS);
        async move { g.get_flow(&id).await }
    })
    .await;
    time("dashboard: flow test history (50)", 200, |i| {
        let id = format!("flow-{:05}", i * 37 % FLOWS);
        async move { g.test_history(&id, 50).await }
    })
    .await;
    time("dashboard: latest impact report", 50, |_| g.latest_analysis()).await;
    time("dashboard: insights >= medium (100)", 50, |_| {
        g.insights(Severity::Medium, 100)
    })
    .await;
}

/// Runs `call` `n` times and prints a table row.
async fn time<T, F, Fut>(label: &str, n: usize, mut call: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = perceo_core::Result<T>>,
{
    let mut samples = Vec::new();
    let t = Instant::now();
    for i in 0..n {
        let c = Instant::now();
        call(i).await.expect(label);
        samples.push(c.elapsed());
    }
    let took = t.elapsed();
    println!(
        "| {label} | {n} | {:.2} | {:.0} | {} | {} |",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.95))
    );
}
