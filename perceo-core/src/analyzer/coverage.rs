//! Test coverage of the flows, weighted by priority.

use serde::{Deserialize, Serialize};

use crate::config::Severity;
use crate::flows::Flow;
use crate::graph::FlowRecord;

/// The part of a route pattern before its first dynamic segment: `/product/[id]` → `/product/`,
/// `/cart` → `/cart`; `None` when nothing specific is left (`/`, `/[slug]`).
fn static_prefix(pattern: &str) -> Option<String> {
    let mut out = String::new();
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with(['[', ':', '$', '*', '(']) {
            out.push('/');
            break;
        }
        out.push('/');
        out.push_str(segment);
    }
    (out.len() > 1).then_some(out)
}

/// Share of `flow`'s steps that its tests exercise (0..1), read from the tests' source: a step
/// counts when `test_text` names its page (the pattern's static part, plain or regex-escaped:
/// `/product/` or `\/product\/`), its analytics event, or its name (case-insensitive, as a
/// button label or test title would). 0 for a flow without tests or steps. This is the
/// `coverageScore` that `analyzer.coverage.minCoverageScore` is compared with.
pub fn step_coverage(flow: &Flow, test_text: &str) -> f64 {
    if !flow.has_tests() || flow.steps.is_empty() {
        return 0.0;
    }
    let text = test_text.to_lowercase();
    let covered = flow
        .steps
        .iter()
        .filter(|step| {
            let by_page = match step.page.as_deref() {
                // The home page: only an explicit visit of `/` names it.
                Some("/") => ["goto('/')", "goto(\"/\")", "goto(`/`)"]
                    .iter()
                    .any(|g| text.contains(g)),
                Some(page) => static_prefix(page).is_some_and(|p| {
                    let p = p.to_lowercase();
                    text.contains(&p) || text.contains(&p.replace('/', "\\/"))
                }),
                None => false,
            };
            let by_event = step.event.as_deref().is_some_and(|e| text.contains(&e.to_lowercase()));
            let name = step.name.trim().to_lowercase();
            by_page || by_event || (name.len() >= 3 && text.contains(&name))
        })
        .count();
    super::round(covered as f64 / flow.steps.len() as f64, 3)
}

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
    /// Flow steps whose analytics event nothing on the flow's pages fires: their production
    /// metrics are blind (filled by the facade, which reads the code).
    #[serde(default)]
    pub unmeasured: Vec<crate::impact::instrumentation::UnmeasuredStep>,
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
        unmeasured: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::fixtures::flow;

    #[test]
    fn step_coverage_counts_the_steps_a_spec_names_by_page_event_or_label() {
        let cart: Flow = serde_json::from_value(serde_json::json!({
            "id": "add-to-cart", "name": "Add item to cart",
            "steps": [
                {"name": "Open product", "page": "/product/[id]", "event": "view_item"},
                {"name": "Add to cart", "event": "add_to_cart"},
                {"name": "See cart", "page": "/cart"},
                {"name": "Share the cart", "event": "share"},
            ],
            "tests": {"specs": ["e2e/cart.spec.ts"]}
        }))
        .unwrap();
        let spec = r#"await expect(page).toHaveURL(/\/product\/[^/]+$/);
            await page.getByRole('button', { name: 'Add to cart' }).click();
            await expect(page).toHaveURL(/\/cart$/);"#;
        assert_eq!(step_coverage(&cart, spec), 0.75);
        assert_eq!(step_coverage(&cart, ""), 0.0);
        let untested = Flow {
            tests: None,
            ..cart.clone()
        };
        assert_eq!(step_coverage(&untested, spec), 0.0);
        assert_eq!(static_prefix("/product/[id]").as_deref(), Some("/product/"));
        assert_eq!(static_prefix("/[slug]"), None);
        assert_eq!(static_prefix("/"), None);
        let home: Flow = serde_json::from_value(serde_json::json!({
            "id": "browse", "name": "Browse", "steps": [{"name": "Open home", "page": "/"}, {"name": "Pick", "event": "select_item"}],
            "tests": {"grep": "@browse"}
        }))
        .unwrap();
        assert_eq!(step_coverage(&home, "await page.goto('/');"), 0.5);
        assert_eq!(step_coverage(&home, "await page.goto('/about');"), 0.0);
    }

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
                "belowThreshold": [],
                "unmeasured": []
            })
        );
    }
}
