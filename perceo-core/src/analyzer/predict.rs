//! Heuristic failure predictions for the flows a change affects (formula in the module docs of
//! [`crate::analyzer`]).

use std::collections::{BTreeMap, HashMap};

use super::{decisive, num, round};
use crate::graph::{FlowRecord, Prediction, TestRun, TestStatus};
use crate::impact::{AffectedFlow, ImpactReport, ReasonKind};

/// The failure rate is taken over this many latest runs.
const BASE_WINDOW: usize = 20;
/// Failure rate assumed for a flow without runs.
const BASE_WITHOUT_HISTORY: f64 = 0.05;
/// Added to the impact when the change is the flow's page file itself.
const DIRECT_PAGE_BONUS: f64 = 0.15;
/// Daily users above which a flow counts as high-traffic …
const HIGH_TRAFFIC_USERS: f64 = 1000.0;
/// … and the factor high traffic applies.
const HIGH_TRAFFIC_FACTOR: f64 = 1.2;
/// Confidence of a prediction without history …
const CONFIDENCE_BASE: f64 = 0.4;
/// … plus this much per run in history (capped at 1).
const CONFIDENCE_PER_RUN: f64 = 0.06;

/// Predicts, for every flow of `report`, the probability that its tests fail, from the
/// flow's recent test `history` (flow id → runs, newest first), the report's confidence and
/// reasons, and the production traffic in `flows`. `now` (RFC 3339) becomes `createdAt`.
///
/// Every prediction is returned, highest probability first (then by flow id); use
/// [`confident`] to keep those at or above `analyzer.predictions.confidenceThreshold`.
pub fn predict(
    report: &ImpactReport,
    flows: &[FlowRecord],
    history: &BTreeMap<String, Vec<TestRun>>,
    now: &str,
) -> Vec<Prediction> {
    let records: HashMap<&str, &FlowRecord> = flows.iter().map(|r| (r.flow.id.as_str(), r)).collect();
    let mut out: Vec<Prediction> = report
        .flows
        .iter()
        .map(|affected| {
            let runs = history.get(&affected.id).map_or(&[][..], Vec::as_slice);
            let daily_users = records
                .get(affected.id.as_str())
                .and_then(|r| r.production_metrics.as_ref())
                .map(|p| p.daily_users);
            one(&report.change_id, affected, runs, daily_users, now)
        })
        .collect();
    out.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then_with(|| a.flow_id.cmp(&b.flow_id))
    });
    out
}

/// Keeps the predictions whose confidence is at least `threshold`.
pub fn confident(mut predictions: Vec<Prediction>, threshold: f64) -> Vec<Prediction> {
    predictions.retain(|p| p.confidence >= threshold);
    predictions
}

/// Whether a reason is the flow's page file itself changing (or being deleted).
fn touches_page_directly(flow: &AffectedFlow) -> bool {
    flow.reasons
        .iter()
        .any(|r| r.chain.len() == 1 && matches!(r.kind, ReasonKind::ImportChain | ReasonKind::RouteRemoved))
}

fn one(change_id: &str, flow: &AffectedFlow, runs: &[TestRun], daily_users: Option<f64>, now: &str) -> Prediction {
    let all_runs = decisive(runs).count();
    let recent: Vec<TestStatus> = decisive(runs).take(BASE_WINDOW).collect();
    let failed = recent.iter().filter(|s| **s == TestStatus::Failed).count();
    let (base, base_why) = if recent.is_empty() {
        (BASE_WITHOUT_HISTORY, "no test runs yet".to_string())
    } else {
        let base = failed as f64 / recent.len() as f64;
        (base, format!("{failed} of {} recent runs failed", recent.len()))
    };
    let direct = touches_page_directly(flow);
    let impact = 0.5 + 0.5 * flow.confidence + if direct { DIRECT_PAGE_BONUS } else { 0.0 };
    let impact_why = format!(
        "0.5 + 0.5 × confidence {}{}",
        num3(flow.confidence),
        if direct { " + 0.15 for a direct page change" } else { "" }
    );
    let high_traffic = daily_users.filter(|u| *u > HIGH_TRAFFIC_USERS);
    let traffic = if high_traffic.is_some() {
        HIGH_TRAFFIC_FACTOR
    } else {
        1.0
    };
    let probability = round((base * impact * traffic).clamp(0.0, 1.0), 3);
    let confidence = round((CONFIDENCE_BASE + CONFIDENCE_PER_RUN * all_runs as f64).min(1.0), 3);
    let traffic_why = match high_traffic {
        Some(users) => format!(" × traffic {HIGH_TRAFFIC_FACTOR} ({} daily users)", num(users)),
        None => String::new(),
    };
    let reason = format!(
        "heuristic: base {} ({base_why}) × impact {} ({impact_why}){traffic_why} = {}{}; \
         confidence {} from {all_runs} run(s) in history",
        num3(base),
        num3(impact),
        num3(probability),
        if base * impact * traffic > 1.0 {
            " (capped at 1)"
        } else {
            ""
        },
        num3(confidence),
    );
    Prediction {
        id: format!("prediction:{change_id}:{}", flow.id),
        flow_id: flow.id.clone(),
        change_id: Some(change_id.to_string()),
        probability,
        confidence,
        reason,
        created_at: now.to_string(),
    }
}

/// A number rounded to 3 decimals, in its shortest form (`0.33`, `1.1`, `1`).
fn num3(x: f64) -> String {
    round(x, 3).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::fixtures::{NOW, flow, history, production};
    use crate::config::Severity;
    use crate::impact::risk::RiskFactors;
    use crate::impact::{Reason, Timings, Totals};

    fn reason(kind: ReasonKind, chain: &[&str], confidence: f64) -> Reason {
        Reason {
            kind,
            changed_file: chain.first().copied().unwrap_or_default().to_string(),
            chain: chain.iter().map(|s| s.to_string()).collect(),
            confidence,
            detail: String::new(),
        }
    }

    fn affected(id: &str, confidence: f64, reasons: Vec<Reason>) -> AffectedFlow {
        AffectedFlow {
            id: id.into(),
            name: format!("Flow {id}"),
            app: None,
            confidence,
            risk_score: 0.5,
            risk_level: Severity::Medium,
            priority: Severity::Medium,
            risk_factors: RiskFactors {
                confidence,
                priority: 1.0,
                change_size: 1.0,
                lines_changed: 1,
                traffic: 1.0,
                failure_rate: 1.0,
            },
            matched_files: reasons.iter().map(|r| r.changed_file.clone()).collect(),
            reasons,
            has_tests: true,
        }
    }

    fn report(flows: Vec<AffectedFlow>) -> ImpactReport {
        ImpactReport {
            change_id: "chg1".into(),
            base_sha: "a".into(),
            head_sha: "b".into(),
            merge_base: "a".into(),
            totals: Totals {
                flows: flows.len(),
                affected_flows: flows.len(),
                changed_files: 1,
                modules: 0,
                edges: 0,
                unresolved_imports: 0,
                parse_errors: 0,
            },
            flows,
            changes: Vec::new(),
            unmatched_changes: Vec::new(),
            unmatched_reasons: Vec::new(),
            no_impact: Vec::new(),
            on_empty_applied: None,
            instrumentation: Vec::new(),
            warnings: Vec::new(),
            created_at: NOW.into(),
            timings: Timings::default(),
            unresolved: Vec::new(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn with_history_direct_change_and_high_traffic() {
        // Latest 20 runs: 5 failed (the 5 older runs are outside the window); 25 runs in all.
        let h = history(&[("checkout", "FPPPFPPPFPPPFPPPFPPPFFFFF")]);
        let mut record = flow("checkout", Severity::Critical, true);
        record.production_metrics = Some(production(0.9, 1500.0));
        let r = report(vec![affected(
            "checkout",
            0.9,
            vec![reason(ReasonKind::ImportChain, &["app/checkout/page.tsx"], 0.9)],
        )]);
        let got = predict(&r, &[record], &h, NOW);
        assert_eq!(got.len(), 1);
        let p = &got[0];
        // base 5/20 = 0.25; impact 0.5 + 0.45 + 0.15 = 1.1; traffic 1.2 → 0.25 × 1.1 × 1.2 = 0.33.
        assert!(close(p.probability, 0.33), "{p:?}");
        // 0.4 + 0.06 × 25 = 1.9 → 1.
        assert!(close(p.confidence, 1.0), "{p:?}");
        assert_eq!(p.id, "prediction:chg1:checkout");
        assert_eq!(p.change_id.as_deref(), Some("chg1"));
        assert_eq!(p.created_at, NOW);
        assert_eq!(
            p.reason,
            "heuristic: base 0.25 (5 of 20 recent runs failed) × impact 1.1 (0.5 + 0.5 × confidence 0.9 \
             + 0.15 for a direct page change) × traffic 1.2 (1500 daily users) = 0.33; confidence 1 from 25 run(s) \
             in history"
        );
    }

    #[test]
    fn without_history() {
        let r = report(vec![affected(
            "search",
            0.6,
            vec![reason(
                ReasonKind::ImportChain,
                &["lib/a.ts", "lib/b.ts", "app/search/page.tsx"],
                0.6,
            )],
        )]);
        let got = predict(&r, &[flow("search", Severity::Medium, true)], &BTreeMap::new(), NOW);
        // base 0.05; impact 0.5 + 0.3 = 0.8 → 0.04; confidence 0.4.
        assert!(close(got[0].probability, 0.04), "{:?}", got[0]);
        assert!(close(got[0].confidence, 0.4), "{:?}", got[0]);
        assert!(
            got[0]
                .reason
                .starts_with("heuristic: base 0.05 (no test runs yet) × impact 0.8")
        );
    }

    #[test]
    fn short_history_ignores_skipped_runs_and_traffic_at_1000() {
        // Decisive runs: P F P P P → 1 of 5 failed; skipped runs count nowhere.
        let h = history(&[("cart", "PSFPSPP")]);
        let mut record = flow("cart", Severity::Medium, true);
        record.production_metrics = Some(production(0.9, 1000.0));
        // A global change has a chain of length 1 but does not touch the page.
        let r = report(vec![affected(
            "cart",
            1.0,
            vec![reason(ReasonKind::Global, &["package.json"], 1.0)],
        )]);
        let p = &predict(&r, &[record], &h, NOW)[0];
        // base 0.2 × impact 1.0 × traffic 1 = 0.2; confidence 0.4 + 0.06 × 5 = 0.7.
        assert!(close(p.probability, 0.2), "{p:?}");
        assert!(close(p.confidence, 0.7), "{p:?}");
        assert!(!p.reason.contains("traffic"));
    }

    #[test]
    fn probability_is_capped_at_one() {
        let h = history(&[("pay", &"F".repeat(20))]);
        let mut record = flow("pay", Severity::Critical, true);
        record.production_metrics = Some(production(0.5, 5000.0));
        let r = report(vec![affected(
            "pay",
            1.0,
            vec![reason(ReasonKind::RouteRemoved, &["app/pay/page.tsx"], 1.0)],
        )]);
        let p = &predict(&r, &[record], &h, NOW)[0];
        // 1.0 × 1.15 × 1.2 = 1.38 → 1.
        assert!(close(p.probability, 1.0), "{p:?}");
        assert!(p.reason.contains("= 1 (capped at 1)"), "{}", p.reason);
    }

    #[test]
    fn sorted_and_filtered_by_confidence() {
        let h = history(&[("a", "PPPPF"), ("b", "FF")]);
        let r = report(vec![
            affected("a", 1.0, Vec::new()),
            affected("b", 1.0, Vec::new()),
            affected("c", 1.0, Vec::new()),
        ]);
        let got = predict(&r, &[], &h, NOW);
        let summary: Vec<(&str, f64, f64)> = got
            .iter()
            .map(|p| (p.flow_id.as_str(), p.probability, p.confidence))
            .collect();
        // b: 2/2 failed → 1.0, confidence 0.52; a: 1/5 → 0.2, confidence 0.7; c: 0.05, 0.4.
        assert_eq!(summary, [("b", 1.0, 0.52), ("a", 0.2, 0.7), ("c", 0.05, 0.4)]);
        let kept: Vec<String> = confident(got, 0.7).into_iter().map(|p| p.flow_id).collect();
        assert_eq!(kept, ["a"]);
    }
}
