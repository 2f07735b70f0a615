//! Concrete next actions from the flows and their insights.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{kind, num, pct};
use crate::config::Severity;
use crate::flows::Flow;
use crate::graph::{FlowRecord, Insight};

/// One thing a team can do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// `write-test`, `add-flow`, `fix-flaky` or `investigate` (see [`kind`]).
    pub kind: String,
    /// The flow it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
    /// One line.
    pub title: String,
    /// What to do, concretely.
    pub detail: String,
    /// How soon.
    pub priority: Severity,
}

/// Next actions, highest priority first (then by flow id, kind and title):
///
/// - `add-flow` when no flow is defined (high);
/// - `write-test` for every flow without tests, naming `e2e/<flow-id>.spec.ts` and the pages to
///   visit (the flow's priority), and for every `coverage-gap` insight about a low score;
/// - `fix-flaky` for every `flaky` insight;
/// - `investigate` for every `failing`, `discrepancy` and `ux-drop-off` insight.
///
/// Suggestions from an insight take the higher of the insight's severity and the flow's priority.
pub fn suggest(flows: &[FlowRecord], insights: &[Insight]) -> Vec<Suggestion> {
    let by_id: BTreeMap<&str, &Flow> = flows.iter().map(|r| (r.flow.id.as_str(), &r.flow)).collect();
    let mut out = Vec::new();
    if flows.is_empty() {
        out.push(Suggestion {
            kind: kind::ADD_FLOW.into(),
            flow_id: None,
            title: "Define your first flow".into(),
            detail: "No flows are defined, so no change is ever tested. Run `perceo init` to bootstrap flows \
                     from your routes, or write .perceo/flows/<flow-id>.json by hand."
                .into(),
            priority: Severity::High,
        });
    }
    for record in flows.iter().filter(|r| !r.flow.has_tests()) {
        out.push(write_test(&record.flow));
    }
    for insight in insights {
        let flow = insight.flow_id.as_deref().and_then(|id| by_id.get(id).copied());
        out.extend(from_insight(insight, flow));
    }
    out.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.flow_id.cmp(&b.flow_id))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.title.cmp(&b.title))
    });
    out
}

/// The pages a test of `flow` visits: its pages, else the pages of its steps, in order.
fn pages(flow: &Flow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let step_pages = flow.steps.iter().filter_map(|s| s.page.clone());
    for page in flow.pages.iter().cloned().chain(step_pages) {
        if !out.contains(&page) {
            out.push(page);
        }
    }
    out
}

fn write_test(flow: &Flow) -> Suggestion {
    let spec = format!("e2e/{}.spec.ts", flow.id);
    let pages = pages(flow);
    let visit = if pages.is_empty() {
        "that walks through the flow".to_string()
    } else {
        format!("that visits {}", pages.join(" then "))
    };
    let steps = if flow.steps.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = flow.steps.iter().map(|s| s.name.as_str()).collect();
        format!(" and checks each step ({})", names.join(" → "))
    };
    Suggestion {
        kind: kind::WRITE_TEST.into(),
        flow_id: Some(flow.id.clone()),
        title: format!("Write a test for \"{}\"", flow.name),
        detail: format!(
            "Create {spec} {visit}{steps}, then add \"{spec}\" to tests.specs in .perceo/flows/{}.json.",
            flow.id
        ),
        priority: flow.priority,
    }
}

/// How to run the flow's tests, in words.
fn tests_of(flow: Option<&Flow>) -> String {
    match flow.and_then(|f| f.tests.as_ref()) {
        Some(t) if !t.specs.is_empty() => t.specs.join(", "),
        Some(t) if t.grep.is_some() => format!("the tests tagged {}", t.grep.as_deref().unwrap_or_default()),
        _ => "its tests".into(),
    }
}

fn from_insight(insight: &Insight, flow: Option<&Flow>) -> Option<Suggestion> {
    let name = flow.map_or_else(|| insight.flow_id.clone().unwrap_or_default(), |f| f.name.clone());
    let priority = flow.map_or(insight.severity, |f| f.priority.max(insight.severity));
    let data = &insight.data;
    let f64_of = |key: &str| data.get(key).and_then(serde_json::Value::as_f64);
    let (kind, title, detail) = match insight.kind.as_str() {
        kind::COVERAGE_GAP if data.get("reason").and_then(|r| r.as_str()) == Some("low-score") => {
            let score = f64_of("coverageScore").map(pct).unwrap_or_else(|| "low".into());
            let min = f64_of("minCoverageScore")
                .map(pct)
                .unwrap_or_else(|| "the minimum".into());
            let steps = flow.map(|f| f.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "));
            (
                kind::WRITE_TEST,
                format!("Extend the tests of \"{name}\""),
                format!(
                    "Its coverage score is {score}, below {min}: add checks to {} for the steps ({}) and pages it does not exercise yet.",
                    tests_of(flow),
                    steps.filter(|s| !s.is_empty()).unwrap_or_else(|| "every step".into())
                ),
            )
        }
        kind::FLAKY => (
            kind::FIX_FLAKY,
            format!("Make the tests of \"{name}\" reliable"),
            format!(
                "{} Run {} many times in a row (e.g. Playwright's --repeat-each 10), then replace fixed \
                 waits with waits on the expected state and isolate shared test data.",
                insight.message,
                tests_of(flow)
            ),
        ),
        kind::FAILING => (
            kind::INVESTIGATE,
            format!("Find out why \"{name}\" fails"),
            format!(
                "{} Run {} locally; fix the regression, or update the test if the flow changed on purpose.",
                insight.message,
                tests_of(flow)
            ),
        ),
        kind::DISCREPANCY => {
            let advice = if data.get("direction").and_then(|d| d.as_str()) == Some("production-higher") {
                "Check whether the test is out of date or depends on unstable test data.".to_string()
            } else {
                let stake = f64_of("estimatedFailedSessionsPerDay")
                    .map(|n| format!(" About {} sessions a day are at stake.", num(n)))
                    .unwrap_or_default();
                format!(
                    "Compare the test's path with failing production sessions (devices, cohorts, real data) \
                     and add the missing case to {}.{stake}",
                    tests_of(flow)
                )
            };
            (
                kind::INVESTIGATE,
                format!("Explain the gap between tests and production for \"{name}\""),
                format!("{} {advice}", insight.message),
            )
        }
        kind::UX_DROP_OFF => {
            let step = data.get("topExitStep").and_then(|s| s.as_str()).unwrap_or("one step");
            (
                kind::INVESTIGATE,
                format!("Look into why users leave \"{name}\" at \"{step}\""),
                format!(
                    "{} Watch sessions that end at \"{step}\" and check its errors and load time.",
                    insight.message
                ),
            )
        }
        _ => return None,
    };
    Some(Suggestion {
        kind: kind.into(),
        flow_id: insight.flow_id.clone(),
        title,
        detail,
        priority,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::fixtures::{NOW, flow, history, production, synthetic};
    use crate::analyzer::generate_insights;
    use crate::flows::FlowTests;

    #[test]
    fn no_flows_suggests_adding_one() {
        let got = suggest(&[], &[]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, kind::ADD_FLOW);
        assert_eq!(got[0].priority, Severity::High);
        assert_eq!(got[0].flow_id, None);
    }

    #[test]
    fn uncovered_flow_gets_a_spec_path_and_pages() {
        let got = suggest(&[flow("checkout", Severity::Critical, false)], &[]);
        assert_eq!(got.len(), 1);
        let s = &got[0];
        assert_eq!(s.kind, kind::WRITE_TEST);
        assert_eq!(s.flow_id.as_deref(), Some("checkout"));
        assert_eq!(s.priority, Severity::Critical);
        assert_eq!(
            s.detail,
            "Create e2e/checkout.spec.ts that visits /checkout then /checkout/done and checks each step \
             (Open → Finish), then add \"e2e/checkout.spec.ts\" to tests.specs in .perceo/flows/checkout.json."
        );
    }

    #[test]
    fn pages_fall_back_to_step_pages() {
        let mut r = flow("x", Severity::Low, false);
        r.flow.pages.clear();
        assert_eq!(pages(&r.flow), ["/x", "/x/done"]);
        r.flow.steps.clear();
        assert!(
            write_test(&r.flow)
                .detail
                .starts_with("Create e2e/x.spec.ts that walks through the flow,")
        );
    }

    #[test]
    fn one_action_per_problem_sorted_by_priority() {
        let mut checkout = flow("checkout", Severity::Critical, true);
        checkout.synthetic_metrics = Some(synthetic(0.95));
        checkout.production_metrics = Some(production(0.6, 3000.0));
        let mut search = flow("search", Severity::High, false);
        search.flow.tests = Some(FlowTests {
            specs: Vec::new(),
            grep: Some("@search".into()),
            ..FlowTests::default()
        });
        let flows = [
            checkout,
            search,
            flow("profile", Severity::Low, true),
            flow("about", Severity::Medium, false),
        ];
        let h = history(&[("search", "PFPFPP"), ("profile", "FFF")]);
        let insights = generate_insights(&flows, &h, 0.7, NOW);
        let got = suggest(&flows, &insights);
        let summary: Vec<(&str, Option<&str>, Severity)> = got
            .iter()
            .map(|s| (s.kind.as_str(), s.flow_id.as_deref(), s.priority))
            .collect();
        assert_eq!(
            summary,
            [
                (kind::INVESTIGATE, Some("checkout"), Severity::Critical),
                (kind::INVESTIGATE, Some("profile"), Severity::High),
                (kind::FIX_FLAKY, Some("search"), Severity::High),
                (kind::WRITE_TEST, Some("about"), Severity::Medium),
            ]
        );
        assert!(got[0].detail.contains("About 1050 sessions a day"), "{}", got[0].detail);
        assert!(got[1].detail.contains("e2e/profile.spec.ts"), "{}", got[1].detail);
        assert!(got[2].detail.contains("the tests tagged @search"), "{}", got[2].detail);
    }

    #[test]
    fn low_score_and_drop_off_suggestions() {
        let mut r = flow("cart", Severity::Low, true);
        r.coverage_score = Some(0.4);
        let mut p = production(0.25, 100.0);
        p.top_exit_step = Some("Shipping".into());
        r.production_metrics = Some(p);
        let insights = generate_insights(std::slice::from_ref(&r), &BTreeMap::new(), 0.7, NOW);
        let got = suggest(&[r], &insights);
        let summary: Vec<(&str, Severity)> = got.iter().map(|s| (s.kind.as_str(), s.priority)).collect();
        assert_eq!(
            summary,
            [
                (kind::INVESTIGATE, Severity::High),
                (kind::WRITE_TEST, Severity::Medium)
            ]
        );
        assert!(got[0].title.contains("\"Shipping\""));
        assert!(
            got[1].detail.contains("40%, below 70%") && got[1].detail.contains("e2e/cart.spec.ts"),
            "{}",
            got[1].detail
        );
    }
}
