//! The flow-graph conformance cases: every backend must pass all of them.

use perceo_core::config::Severity;
use perceo_core::flows::{Flow, FlowTests, Persona, Priority, Step};
use perceo_core::graph::{
    AnalysisFlow, AnalysisRecord, FlowGraph, Insight, Prediction, ProductionMetrics, TestRun, TestStatus,
};

pub fn flow(id: &str, priority: Priority, personas: &[&str], related: &[&str]) -> Flow {
    Flow {
        id: id.into(),
        name: format!("Flow {id}"),
        app: None,
        description: Some(format!("{id} described")),
        priority,
        personas: personas.iter().map(|s| s.to_string()).collect(),
        pages: vec![format!("/{id}")],
        files: vec![],
        steps: vec![
            Step {
                name: "Open".into(),
                page: Some(format!("/{id}")),
                event: Some("view".into()),
                actions: vec![],
                expected: None,
            },
            Step {
                name: "Act".into(),
                page: None,
                event: Some(format!("{id}_done")),
                actions: vec![],
                expected: None,
            },
        ],
        tests: Some(FlowTests {
            specs: vec![format!("e2e/{id}.spec.ts")],
            grep: None,
            ..FlowTests::default()
        }),
        related: related.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn persona(id: &str) -> Persona {
    Persona {
        id: id.into(),
        name: id.to_uppercase(),
        description: None,
        behaviors: vec!["browses".into()],
    }
}

fn run(id: &str, flow_id: &str, status: TestStatus, ms: u64, at: &str) -> TestRun {
    TestRun {
        id: id.into(),
        flow_id: flow_id.into(),
        status,
        duration_ms: ms,
        started_at: at.into(),
        message: (status == TestStatus::Failed).then(|| "boom".into()),
        change_id: None,
    }
}

pub async fn sync_creates_updates_deletes_and_is_idempotent(g: &dyn FlowGraph) {
    let flows = vec![
        flow("cart", Priority::High, &["shopper"], &["checkout"]),
        flow("checkout", Priority::Critical, &["shopper"], &[]),
    ];
    let s = g.sync_flows(&flows, &[persona("shopper")]).await.unwrap();
    assert_eq!(s.created, vec!["cart", "checkout"]);
    assert!(s.updated.is_empty() && s.deleted.is_empty());
    let again = g.sync_flows(&flows, &[persona("shopper")]).await.unwrap();
    assert_eq!(
        (
            again.created.len(),
            again.updated.len(),
            again.deleted.len(),
            again.unchanged
        ),
        (0, 0, 0, 2)
    );
    let mut changed = flows.clone();
    changed[0].name = "Cart, renamed".into();
    changed.pop();
    changed.push(flow("search", Priority::Medium, &[], &[]));
    let s = g.sync_flows(&changed, &[persona("shopper")]).await.unwrap();
    assert_eq!(s.created, vec!["search"]);
    assert_eq!(s.updated, vec!["cart"]);
    assert_eq!(s.deleted, vec!["checkout"]);
    let all = g.list_flows().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|f| f.flow.id.as_str()).collect();
    assert_eq!(ids, vec!["cart", "search"]);
    assert_eq!(all[0].flow.name, "Cart, renamed");
    assert_eq!(g.list_personas().await.unwrap(), vec![persona("shopper")]);
}

pub async fn flows_round_trip_with_steps_personas_and_relations(g: &dyn FlowGraph) {
    let f = flow("cart", Priority::High, &["shopper", "admin"], &["checkout", "search"]);
    g.sync_flows(
        &[f.clone(), flow("checkout", Priority::Critical, &[], &[])],
        &[persona("shopper"), persona("admin")],
    )
    .await
    .unwrap();
    let got = g.get_flow("cart").await.unwrap().unwrap();
    assert_eq!(got.flow, f);
    assert_eq!(got.risk_score, None);
    assert!(got.synthetic_metrics.is_none() && got.production_metrics.is_none());
    assert!(g.get_flow("nope").await.unwrap().is_none());
    let upserted = g.upsert_flows(&[flow("extra", Priority::Low, &[], &[])]).await.unwrap();
    assert_eq!(upserted.created, vec!["extra"]);
    assert_eq!(g.list_flows().await.unwrap().len(), 3, "upsert keeps the others");
}

pub async fn analyses_set_risk_and_history(g: &dyn FlowGraph) {
    g.sync_flows(
        &[
            flow("cart", Priority::High, &[], &[]),
            flow("search", Priority::Low, &[], &[]),
        ],
        &[],
    )
    .await
    .unwrap();
    for (i, risk) in [(1, 0.4), (2, 0.8)] {
        g.record_analysis(&AnalysisRecord {
            change_id: format!("change-{i}"),
            base_sha: "a".repeat(40),
            head_sha: "b".repeat(40),
            created_at: format!("2026-11-0{i}T00:00:00.000Z"),
            flows: vec![AnalysisFlow {
                flow_id: "cart".into(),
                confidence: 0.9,
                risk_score: risk,
            }],
            report: serde_json::json!({"changeId": format!("change-{i}"), "flows": []}),
        })
        .await
        .unwrap();
    }
    let cart = g.get_flow("cart").await.unwrap().unwrap();
    assert_eq!(cart.risk_score, Some(0.8));
    assert_eq!(cart.affected_by_changes, vec!["change-2", "change-1"]);
    assert!(
        g.get_flow("search")
            .await
            .unwrap()
            .unwrap()
            .affected_by_changes
            .is_empty()
    );
    let latest = g.latest_analysis().await.unwrap().unwrap();
    assert_eq!(latest.change_id, "change-2");
    assert_eq!(latest.flows[0].flow_id, "cart");
    assert_eq!(latest.report["changeId"], "change-2");
}

pub async fn test_runs_are_idempotent_and_drive_synthetic_metrics(g: &dyn FlowGraph) {
    g.sync_flows(&[flow("cart", Priority::High, &[], &[])], &[])
        .await
        .unwrap();
    let runs = vec![
        run("r1", "cart", TestStatus::Passed, 1000, "2026-11-01T00:00:00.000Z"),
        run("r2", "cart", TestStatus::Failed, 3000, "2026-11-02T00:00:00.000Z"),
        run("r3", "cart", TestStatus::Passed, 2000, "2026-11-03T00:00:00.000Z"),
        run("r4", "cart", TestStatus::Skipped, 0, "2026-11-04T00:00:00.000Z"),
    ];
    g.record_test_runs(&runs).await.unwrap();
    g.record_test_runs(&runs[..2]).await.unwrap();
    let m = g.get_flow("cart").await.unwrap().unwrap().synthetic_metrics.unwrap();
    assert_eq!(m.run_count, 4, "the same run id is stored once");
    assert!(
        (m.success_rate - 2.0 / 3.0).abs() < 1e-9,
        "skipped runs do not count: {}",
        m.success_rate
    );
    assert!((m.avg_duration - 1500.0).abs() < 1e-9);
    assert_eq!(m.last_run, "2026-11-04T00:00:00.000Z");
    let history = g.test_history("cart", 2).await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["r4", "r3"]
    );
    assert_eq!(
        g.test_history("cart", 10).await.unwrap()[2].message.as_deref(),
        Some("boom")
    );
}

pub async fn production_metrics_insights_predictions_and_cursors(g: &dyn FlowGraph) {
    g.sync_flows(&[flow("cart", Priority::High, &[], &[])], &[])
        .await
        .unwrap();
    let metrics = ProductionMetrics {
        success_rate: 0.7,
        daily_users: 1200.0,
        avg_duration: 35_000.0,
        top_exit_step: Some("Act".into()),
        device_breakdown: [("mobile".to_string(), 0.6), ("desktop".to_string(), 0.4)].into(),
        cohort_performance: Default::default(),
        last_updated: "2026-11-05T00:00:00.000Z".into(),
        daily_attempts: 1500.0,
        funnel: vec![
            perceo_core::graph::FunnelStep {
                step: "Open".into(),
                sessions: 900,
            },
            perceo_core::graph::FunnelStep {
                step: "Act".into(),
                sessions: 630,
            },
        ],
    };
    g.write_production_metrics(&[("cart".into(), metrics.clone()), ("ghost".into(), metrics.clone())])
        .await
        .unwrap();
    assert_eq!(
        g.get_flow("cart").await.unwrap().unwrap().production_metrics,
        Some(metrics)
    );
    assert!(
        g.get_flow("ghost").await.unwrap().is_none(),
        "metrics never create flows"
    );
    g.write_coverage_scores(&[("cart".into(), 0.75), ("ghost".into(), 1.0)])
        .await
        .unwrap();
    assert_eq!(g.get_flow("cart").await.unwrap().unwrap().coverage_score, Some(0.75));
    assert!(
        g.get_flow("ghost").await.unwrap().is_none(),
        "scores never create flows"
    );

    let insight = |id: &str, severity, at: &str| Insight {
        id: id.into(),
        kind: "discrepancy".into(),
        severity,
        flow_id: Some("cart".into()),
        title: format!("insight {id}"),
        message: "synthetic 100% vs production 70%".into(),
        created_at: at.into(),
        data: serde_json::json!({"gap": 0.3}),
    };
    g.add_insights(&[
        insight("i1", Severity::Low, "2026-11-01T00:00:00Z"),
        insight("i2", Severity::High, "2026-11-02T00:00:00Z"),
        insight("i3", Severity::Critical, "2026-11-03T00:00:00Z"),
    ])
    .await
    .unwrap();
    g.add_insights(&[insight("i2", Severity::High, "2026-11-02T00:00:00Z")])
        .await
        .unwrap();
    let got = g.insights(Severity::High, 10).await.unwrap();
    assert_eq!(got.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec!["i3", "i2"]);
    assert_eq!(got[1].data["gap"], 0.3);
    assert_eq!(g.insights(Severity::Low, 1).await.unwrap().len(), 1);

    let p = |id: &str, flow: &str| Prediction {
        id: id.into(),
        flow_id: flow.into(),
        change_id: Some("c".into()),
        probability: 0.4,
        confidence: 0.8,
        reason: "flaky".into(),
        created_at: format!("2026-11-0{}T00:00:00Z", &id[1..]),
    };
    g.add_predictions(&[p("p1", "cart"), p("p2", "other"), p("p3", "cart")])
        .await
        .unwrap();
    let cart = g.predictions(Some("cart"), 10).await.unwrap();
    assert_eq!(cart.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), vec!["p3", "p1"]);
    assert_eq!(g.predictions(None, 10).await.unwrap().len(), 3);

    assert_eq!(g.cursor("ga4").await.unwrap(), None);
    g.set_cursor("ga4", "2026-11-01").await.unwrap();
    g.set_cursor("ga4", "2026-11-02").await.unwrap();
    assert_eq!(g.cursor("ga4").await.unwrap().as_deref(), Some("2026-11-02"));
}

pub async fn delete_and_status(g: &dyn FlowGraph) {
    g.sync_flows(
        &[
            flow("cart", Priority::High, &[], &[]),
            flow("search", Priority::Low, &[], &[]),
        ],
        &[persona("p")],
    )
    .await
    .unwrap();
    g.record_test_runs(&[run("x1", "cart", TestStatus::Passed, 5, "2026-11-01T00:00:00Z")])
        .await
        .unwrap();
    let before = g.status().await.unwrap();
    assert_eq!((before.flows, before.personas, before.test_runs), (2, 1, 1));
    assert_eq!(before.schema_version, perceo_core::graph::SCHEMA_VERSION);
    assert!(g.delete_flow("cart").await.unwrap());
    assert!(!g.delete_flow("cart").await.unwrap());
    let after = g.status().await.unwrap();
    assert_eq!((after.flows, after.test_runs), (1, 0));
    assert!(g.test_history("cart", 10).await.unwrap().is_empty());
}

/// Every case, each on an empty graph made by `fresh`.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr) => {
        #[tokio::test]
        async fn sync_creates_updates_deletes_and_is_idempotent() {
            let g = $fresh.await;
            conformance::sync_creates_updates_deletes_and_is_idempotent(g.as_ref()).await;
        }
        #[tokio::test]
        async fn flows_round_trip_with_steps_personas_and_relations() {
            let g = $fresh.await;
            conformance::flows_round_trip_with_steps_personas_and_relations(g.as_ref()).await;
        }
        #[tokio::test]
        async fn analyses_set_risk_and_history() {
            let g = $fresh.await;
            conformance::analyses_set_risk_and_history(g.as_ref()).await;
        }
        #[tokio::test]
        async fn test_runs_are_idempotent_and_drive_synthetic_metrics() {
            let g = $fresh.await;
            conformance::test_runs_are_idempotent_and_drive_synthetic_metrics(g.as_ref()).await;
        }
        #[tokio::test]
        async fn production_metrics_insights_predictions_and_cursors() {
            let g = $fresh.await;
            conformance::production_metrics_insights_predictions_and_cursors(g.as_ref()).await;
        }
        #[tokio::test]
        async fn delete_and_status() {
            let g = $fresh.await;
            conformance::delete_and_status(g.as_ref()).await;
        }
    };
}
