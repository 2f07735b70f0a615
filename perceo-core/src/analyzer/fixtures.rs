//! Hand-built records for the analyzer's unit tests.

use std::collections::BTreeMap;

use crate::config::Severity;
use crate::flows::{Flow, FlowTests, Step};
use crate::graph::{FlowRecord, ProductionMetrics, SyntheticMetrics, TestRun, TestStatus};

pub(crate) const NOW: &str = "2024-05-01T12:00:00Z";

/// A flow with two pages and two steps, tested when `tested`.
pub(crate) fn flow(id: &str, priority: Severity, tested: bool) -> FlowRecord {
    FlowRecord::new(Flow {
        id: id.into(),
        name: format!("Flow {id}"),
        app: None,
        description: None,
        priority,
        personas: Vec::new(),
        pages: vec![format!("/{id}"), format!("/{id}/done")],
        files: Vec::new(),
        steps: vec![
            Step {
                name: "Open".into(),
                page: Some(format!("/{id}")),
                event: None,
                actions: Vec::new(),
                expected: None,
            },
            Step {
                name: "Finish".into(),
                page: Some(format!("/{id}/done")),
                event: None,
                actions: Vec::new(),
                expected: Some("a confirmation".into()),
            },
        ],
        tests: tested.then(|| FlowTests {
            specs: vec![format!("e2e/{id}.spec.ts")],
            grep: None,
            ..FlowTests::default()
        }),
        related: Vec::new(),
    })
}

pub(crate) fn synthetic(success_rate: f64) -> SyntheticMetrics {
    SyntheticMetrics {
        success_rate,
        avg_duration: 1000.0,
        last_run: NOW.into(),
        run_count: 50,
    }
}

pub(crate) fn production(success_rate: f64, daily_users: f64) -> ProductionMetrics {
    ProductionMetrics {
        success_rate,
        daily_users,
        avg_duration: 2000.0,
        top_exit_step: None,
        device_breakdown: BTreeMap::new(),
        cohort_performance: BTreeMap::new(),
        last_updated: NOW.into(),
        ..Default::default()
    }
}

/// Runs of `flow_id` from a pattern, newest first: `P` passed, `F` failed, `S` skipped.
pub(crate) fn runs(flow_id: &str, pattern: &str) -> Vec<TestRun> {
    pattern
        .chars()
        .enumerate()
        .map(|(i, c)| TestRun {
            id: format!("{flow_id}-{i}"),
            flow_id: flow_id.into(),
            status: match c {
                'P' => TestStatus::Passed,
                'F' => TestStatus::Failed,
                'S' => TestStatus::Skipped,
                other => panic!("bad run pattern char {other}"),
            },
            duration_ms: 1000,
            started_at: format!("2024-04-{:02}T00:00:00Z", 30 - i.min(29)),
            message: (c == 'F').then(|| "expected button to be visible".to_string()),
            change_id: None,
        })
        .collect()
}

/// A history holding `pattern` runs for `flow_id`.
pub(crate) fn history(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<TestRun>> {
    entries.iter().map(|(id, p)| (id.to_string(), runs(id, p))).collect()
}
