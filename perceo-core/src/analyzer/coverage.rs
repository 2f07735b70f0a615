//! Test coverage of the flows, weighted by priority.

use serde::{Deserialize, Serialize};

use crate::config::Severity;
use crate::graph::FlowRecord;

/// How well the flows are covered by tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    /// Flows defined.
    pub flows: usize,
    /// Flows with tests (a spec or a grep tag).
    pub with_tests: usize,
    /// Priority-weighted share of flows with tests (0..1; 0 without flows), see
    /// [`priority_weight`].
    pub score: f64,
    /// Flows without tests, highest priority first, then by id.
    pub uncovered: Vec<UncoveredFlow>,
    /// Ids of flows whose coverage score is below the minimum, sorted.
    pub below_threshold: Vec<String>,
}

/// A flow without tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UncoveredFlow {
    /// Flow id.
    pub id: String,
    /// Flow name.
    pub name: String,
    /// Flow priority.
    pub priority: Severity,
    /// Why it counts as uncovered.
    pub reason: String,
}

/// Weight of a flow in the coverage score: critical 4, high 3, medium 2, low 1.
pub fn priority_weight(priority: Severity) -> f64 {
    match priority {
        Severity::Critical => 4.0,
        Severity::High => 3.0,
        Severity::Medium => 2.0,
        Severity::Low => 1.0,
    }
}

/// Coverage of `flows`: `score = Σ weight(flows with tests) / Σ weight(all flows)`, rounded to
/// 3 decimals. `min_coverage_score` (`analyzer.coverage.minCoverageScore`) selects the flows
/// listed in `below_threshold` by their own `coverageScore`.
pub fn coverage(flows: &[FlowRecord], min_coverage_score: f64) -> CoverageReport {
    let total: f64 = flows.iter().map(|r| priority_weight(r.flow.priority)).sum();
    let tested: f64 = flows
        .iter()
        .filter(|r| r.flow.has_tests())
        .map(|r| priority_weight(r.flow.priority))
        .sum();
    let score = if total > 0.0 {
        super::round(tested / total, 3)
    } else {
        0.0
    };
    let mut uncovered: Vec<UncoveredFlow> = flows
        .iter()
        .filter(|r| !r.flow.has_tests())
        .map(|r| UncoveredFlow {
            id: r.flow.id.clone(),
            name: r.flow.name.clone(),
            priority: r.flow.priority,
            reason: "no test specs and no grep tag in its definition".into(),
        })
        .collect();
    uncovered.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id)));
    let mut below_threshold: Vec<String> = flows
        .iter()
        .filter(|r| r.coverage_score.is_some_and(|s| s < min_coverage_score))
        .map(|r| r.flow.id.clone())
        .collect();
    below_threshold.sort();
    CoverageReport {
        flows: flows.len(),
        with_tests: flows.iter().filter(|r| r.flow.has_tests()).count(),
        score,
        uncovered,
        below_threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::fixtures::flow;

    #[test]
    fn weighted_score_arithmetic() {
        // Tested: critical (4) + low (1) = 5. All: 4 + 3 + 2 + 1 = 10. Score 0.5.
        let flows = [
            flow("c", Severity::Critical, true),
            flow("h", Severity::High, false),
            flow("m", Severity::Medium, false),
            flow("l", Severity::Low, true),
        ];
        let report = coverage(&flows, 0.7);
        assert_eq!(report.flows, 4);
        assert_eq!(report.with_tests, 2);
        assert_eq!(report.score, 0.5);
        let uncovered: Vec<(&str, Severity)> = report.uncovered.iter().map(|u| (u.id.as_str(), u.priority)).collect();
        assert_eq!(uncovered, [("h", Severity::High), ("m", Severity::Medium)]);
        assert_eq!(report.uncovered[0].name, "Flow h");
        assert!(report.below_threshold.is_empty());
    }

    #[test]
    fn score_rounds_and_handles_edges() {
        // Tested: high (3) of high + medium + medium (7): 3/7 = 0.428571… → 0.429.
        let flows = [
            flow("h", Severity::High, true),
            flow("m1", Severity::Medium, false),
            flow("m2", Severity::Medium, false),
        ];
        assert_eq!(coverage(&flows, 0.7).score, 0.429);
        assert_eq!(coverage(&[], 0.7).score, 0.0);
        assert_eq!(coverage(&[], 0.7).flows, 0);
        let all = [flow("a", Severity::Low, true), flow("b", Severity::Critical, true)];
        assert_eq!(coverage(&all, 0.7).score, 1.0);
    }

    #[test]
    fn below_threshold_lists_low_scores() {
        let mut a = flow("a", Severity::Low, true);
        a.coverage_score = Some(0.69);
        let mut b = flow("b", Severity::Low, true);
        b.coverage_score = Some(0.7);
        let c = flow("c", Severity::Low, true);
        let mut d = flow("d", Severity::Low, false);
        d.coverage_score = Some(0.0);
        let report = coverage(&[d, c, b, a], 0.7);
        assert_eq!(report.below_threshold, ["a", "d"]);
    }

    #[test]
    fn serialises_camel_case() {
        let json = serde_json::to_value(coverage(&[flow("x", Severity::High, false)], 0.7)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "flows": 1,
                "withTests": 0,
                "score": 0.0,
                "uncovered": [{
                    "id": "x",
                    "name": "Flow x",
                    "priority": "high",
                    "reason": "no test specs and no grep tag in its definition"
                }],
                "belowThreshold": []
            })
        );
    }
}
