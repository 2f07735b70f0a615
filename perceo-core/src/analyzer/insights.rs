//! Insight rules (see the module docs of [`crate::analyzer`]).

use std::collections::BTreeMap;

use serde_json::json;

use super::{decisive, kind, num, pct, round};
use crate::config::Severity;
use crate::graph::{FlowRecord, Insight, TestRun, TestStatus};

/// A discrepancy needs a gap above this many percentage points …
const DISCREPANCY_MEDIUM_PP: f64 = 20.0;
/// … and is high above this many.
const DISCREPANCY_HIGH_PP: f64 = 30.0;
/// A flow is failing when this many latest runs all failed.
const FAILING_RUNS: usize = 3;
/// Flakiness looks at this many latest runs …
const FLAKY_WINDOW: usize = 10;
/// … needing at least this many passes and as many failures …
const FLAKY_MIN_EACH: usize = 2;
/// … and at least this many status flips.
const FLAKY_MIN_FLIPS: usize = 3;
/// A drop-off needs production success below this …
const DROP_OFF_MEDIUM: f64 = 0.5;
/// … and is high below this.
const DROP_OFF_HIGH: f64 = 0.3;

/// Insights about `flows`, from their metrics and test `history` (flow id → runs, newest
/// first). `min_coverage_score` is `analyzer.coverage.minCoverageScore`; `now` (RFC 3339)
/// becomes every insight's `createdAt`. Sorted by severity (highest first), then id.
pub fn generate_insights(
    flows: &[FlowRecord],
    history: &BTreeMap<String, Vec<TestRun>>,
    min_coverage_score: f64,
    now: &str,
) -> Vec<Insight> {
    let mut out = Vec::new();
    for record in flows {
        let runs = history.get(&record.flow.id).map_or(&[][..], Vec::as_slice);
        out.extend(discrepancy(record, now));
        out.extend(coverage_gap(record, min_coverage_score, now));
        match failing(record, runs, now) {
            Some(insight) => out.push(insight),
            None => out.extend(flaky(record, runs, now)),
        }
        out.extend(ux_drop_off(record, now));
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Keeps the insights of severity `min` or above (`analyzer.insights.minSeverity`).
pub fn filter_insights(mut insights: Vec<Insight>, min: Severity) -> Vec<Insight> {
    insights.retain(|i| i.severity >= min);
    insights
}

fn insight(
    kind: &str,
    record: &FlowRecord,
    severity: Severity,
    title: String,
    message: String,
    now: &str,
    data: serde_json::Value,
) -> Insight {
    Insight {
        id: format!("{kind}:{}", record.flow.id),
        kind: kind.to_string(),
        severity,
        flow_id: Some(record.flow.id.clone()),
        title,
        message,
        created_at: now.to_string(),
        data,
    }
}

fn discrepancy(record: &FlowRecord, now: &str) -> Option<Insight> {
    let synthetic = record.synthetic_metrics.as_ref().filter(|s| s.run_count > 0)?;
    let production = record.production_metrics.as_ref()?;
    // Rounded so that float noise (0.9 - 0.7 = 0.2000…04) does not cross a threshold.
    let gap_pp = round((synthetic.success_rate - production.success_rate).abs() * 100.0, 2);
    if gap_pp <= DISCREPANCY_MEDIUM_PP {
        return None;
    }
    let severity = if gap_pp > DISCREPANCY_HIGH_PP {
        Severity::High
    } else {
        Severity::Medium
    };
    let name = &record.flow.name;
    let tests_higher = synthetic.success_rate > production.success_rate;
    let daily_users = (production.daily_users > 0.0).then_some(production.daily_users);
    let failed_sessions = daily_users
        .filter(|_| tests_higher)
        .map(|users| round(users * gap_pp / 100.0, 1));
    let mut message = if tests_higher {
        format!(
            "Tests of \"{name}\" pass {} of the time, but only {} of production sessions finish it: \
             {} percentage points lower. The tests may miss what real users run into.",
            pct(synthetic.success_rate),
            pct(production.success_rate),
            num(gap_pp)
        )
    } else {
        format!(
            "{} of production sessions finish \"{name}\", but its tests pass only {} of the time: \
             {} percentage points lower. The tests may be broken or flaky rather than the flow.",
            pct(production.success_rate),
            pct(synthetic.success_rate),
            num(gap_pp)
        )
    };
    if let (Some(users), Some(failed)) = (daily_users, failed_sessions) {
        message.push_str(&format!(
            " With {} daily users, about {} sessions a day may fail.",
            num(users),
            num(failed)
        ));
    }
    let data = json!({
        "syntheticSuccessRate": synthetic.success_rate,
        "productionSuccessRate": production.success_rate,
        "gapPercentagePoints": gap_pp,
        "direction": if tests_higher { "tests-higher" } else { "production-higher" },
        "syntheticRunCount": synthetic.run_count,
        "dailyUsers": daily_users,
        "estimatedFailedSessionsPerDay": failed_sessions,
    });
    Some(insight(
        kind::DISCREPANCY,
        record,
        severity,
        format!("\"{name}\": tests and production disagree by {} points", num(gap_pp)),
        message,
        now,
        data,
    ))
}

fn coverage_gap(record: &FlowRecord, min_coverage_score: f64, now: &str) -> Option<Insight> {
    let flow = &record.flow;
    let name = &flow.name;
    if !flow.has_tests() {
        let severity = match flow.priority {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium | Severity::Low => Severity::Low,
        };
        return Some(insight(
            kind::COVERAGE_GAP,
            record,
            severity,
            format!("\"{name}\" has no tests"),
            format!(
                "The {} priority flow \"{name}\" has no test specs and no grep tag, so no change to it is ever tested.",
                flow.priority.as_str()
            ),
            now,
            json!({
                "reason": "no-tests",
                "priority": flow.priority,
                "pages": flow.pages,
            }),
        ));
    }
    let score = record.coverage_score.filter(|s| *s < min_coverage_score)?;
    Some(insight(
        kind::COVERAGE_GAP,
        record,
        Severity::Medium,
        format!("\"{name}\" is poorly covered"),
        format!(
            "The coverage score of \"{name}\" is {}, below the minimum of {}.",
            pct(score),
            pct(min_coverage_score)
        ),
        now,
        json!({
            "reason": "low-score",
            "priority": flow.priority,
            "coverageScore": score,
            "minCoverageScore": min_coverage_score,
        }),
    ))
}

fn failing(record: &FlowRecord, runs: &[TestRun], now: &str) -> Option<Insight> {
    let latest: Vec<TestStatus> = decisive(runs).take(FAILING_RUNS).collect();
    if latest.len() < FAILING_RUNS || latest.iter().any(|s| *s != TestStatus::Failed) {
        return None;
    }
    let severity = if record.flow.priority == Severity::Critical {
        Severity::Critical
    } else {
        Severity::High
    };
    // The ids and last message of the failed runs (skipped ones in between are not counted).
    let failed: Vec<&TestRun> = runs
        .iter()
        .filter(|r| r.status == TestStatus::Failed)
        .take(FAILING_RUNS)
        .collect();
    let last_message = failed.first().and_then(|r| r.message.clone());
    let name = &record.flow.name;
    let mut message = format!("The last {FAILING_RUNS} test runs of \"{name}\" all failed.");
    if let Some(m) = &last_message {
        message.push_str(&format!(" Latest failure: {m}"));
    }
    Some(insight(
        kind::FAILING,
        record,
        severity,
        format!("\"{name}\" is failing"),
        message,
        now,
        json!({
            "runIds": failed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            "lastMessage": last_message,
            "priority": record.flow.priority,
        }),
    ))
}

/// Passes, failures and status flips among the latest `FLAKY_WINDOW` runs.
fn flakiness(runs: &[TestRun]) -> (usize, usize, usize) {
    let window: Vec<TestStatus> = decisive(runs).take(FLAKY_WINDOW).collect();
    let passes = window.iter().filter(|s| **s == TestStatus::Passed).count();
    let flips = window.windows(2).filter(|w| w[0] != w[1]).count();
    (passes, window.len() - passes, flips)
}

fn flaky(record: &FlowRecord, runs: &[TestRun], now: &str) -> Option<Insight> {
    let (passes, failures, flips) = flakiness(runs);
    if passes < FLAKY_MIN_EACH || failures < FLAKY_MIN_EACH || flips < FLAKY_MIN_FLIPS {
        return None;
    }
    let name = &record.flow.name;
    let window = passes + failures;
    Some(insight(
        kind::FLAKY,
        record,
        Severity::Medium,
        format!("\"{name}\" is flaky"),
        format!(
            "Of the last {window} test runs of \"{name}\", {passes} passed and {failures} failed, \
             switching between passing and failing {flips} times."
        ),
        now,
        json!({
            "window": window,
            "passes": passes,
            "failures": failures,
            "flips": flips,
        }),
    ))
}

fn ux_drop_off(record: &FlowRecord, now: &str) -> Option<Insight> {
    let production = record.production_metrics.as_ref()?;
    let step = production.top_exit_step.as_deref()?;
    if production.success_rate >= DROP_OFF_MEDIUM {
        return None;
    }
    let severity = if production.success_rate < DROP_OFF_HIGH {
        Severity::High
    } else {
        Severity::Medium
    };
    let name = &record.flow.name;
    let mut message = format!(
        "Only {} of production sessions finish \"{name}\"; most users who leave do so at \"{step}\".",
        pct(production.success_rate)
    );
    if production.daily_users > 0.0 {
        message.push_str(&format!(
            " About {} of its {} daily users do not finish.",
            num(production.daily_users * (1.0 - production.success_rate)),
            num(production.daily_users)
        ));
    }
    Some(insight(
        kind::UX_DROP_OFF,
        record,
        severity,
        format!("Users drop off \"{name}\" at \"{step}\""),
        message,
        now,
        json!({
            "topExitStep": step,
            "productionSuccessRate": production.success_rate,
            "dailyUsers": production.daily_users,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::fixtures::{NOW, flow, history, production, synthetic};

    fn with_metrics(id: &str, synthetic_rate: f64, production_rate: f64, users: f64) -> FlowRecord {
        let mut r = flow(id, Severity::Medium, true);
        r.synthetic_metrics = Some(synthetic(synthetic_rate));
        r.production_metrics = Some(production(production_rate, users));
        r
    }

    fn only(insights: &[Insight], kind: &str) -> Vec<Insight> {
        insights.iter().filter(|i| i.kind == kind).cloned().collect()
    }

    fn run(flows: &[FlowRecord], h: &BTreeMap<String, Vec<TestRun>>) -> Vec<Insight> {
        generate_insights(flows, h, 0.7, NOW)
    }

    #[test]
    fn discrepancy_thresholds_are_strict() {
        let flows = [
            with_metrics("exact20", 0.9, 0.7, 0.0),
            with_metrics("gap21", 0.91, 0.7, 0.0),
            with_metrics("exact30", 0.95, 0.65, 0.0),
            with_metrics("gap31", 0.96, 0.65, 0.0),
        ];
        let got = only(&run(&flows, &BTreeMap::new()), kind::DISCREPANCY);
        let ids: Vec<(&str, Severity)> = got.iter().map(|i| (i.id.as_str(), i.severity)).collect();
        assert_eq!(
            ids,
            [
                ("discrepancy:gap31", Severity::High),
                ("discrepancy:exact30", Severity::Medium),
                ("discrepancy:gap21", Severity::Medium),
            ]
        );
        assert_eq!(got[2].data["gapPercentagePoints"], json!(21.0));
        assert_eq!(got[0].created_at, NOW);
        assert_eq!(got[0].flow_id.as_deref(), Some("gap31"));
    }

    #[test]
    fn discrepancy_estimates_failed_sessions() {
        let got = run(&[with_metrics("checkout", 0.95, 0.60, 3000.0)], &BTreeMap::new());
        let d = &only(&got, kind::DISCREPANCY)[0];
        assert_eq!(d.severity, Severity::High);
        // 3000 users × 0.35 gap = 1050.
        assert_eq!(d.data["estimatedFailedSessionsPerDay"], json!(1050.0));
        assert_eq!(d.data["gapPercentagePoints"], json!(35.0));
        assert_eq!(d.data["direction"], json!("tests-higher"));
        assert!(d.message.contains("95%"), "{}", d.message);
        assert!(d.message.contains("60%"), "{}", d.message);
        assert!(d.message.contains("35 percentage points"), "{}", d.message);
        assert!(d.message.contains("about 1050 sessions a day"), "{}", d.message);
    }

    #[test]
    fn discrepancy_without_users_or_with_production_higher_has_no_estimate() {
        let got = run(
            &[
                with_metrics("nousers", 0.95, 0.60, 0.0),
                with_metrics("prodhigher", 0.5, 0.9, 500.0),
            ],
            &BTreeMap::new(),
        );
        let d = only(&got, kind::DISCREPANCY);
        assert_eq!(d.len(), 2);
        for i in &d {
            assert_eq!(
                i.data["estimatedFailedSessionsPerDay"],
                serde_json::Value::Null,
                "{}",
                i.id
            );
            assert!(!i.message.contains("sessions a day"));
        }
        let prod = d.iter().find(|i| i.id == "discrepancy:prodhigher").unwrap();
        assert_eq!(prod.severity, Severity::High);
        assert_eq!(prod.data["direction"], json!("production-higher"));
    }

    #[test]
    fn discrepancy_needs_both_metrics() {
        let mut only_synthetic = flow("a", Severity::Medium, true);
        only_synthetic.synthetic_metrics = Some(synthetic(1.0));
        let mut only_production = flow("b", Severity::Medium, true);
        only_production.production_metrics = Some(production(0.1, 100.0));
        let mut no_runs = with_metrics("c", 1.0, 0.1, 100.0);
        no_runs.synthetic_metrics.as_mut().unwrap().run_count = 0;
        let got = run(&[only_synthetic, only_production, no_runs], &BTreeMap::new());
        assert!(only(&got, kind::DISCREPANCY).is_empty(), "{got:#?}");
    }

    #[test]
    fn coverage_gap_severity_follows_priority() {
        let flows = [
            flow("crit", Severity::Critical, false),
            flow("high", Severity::High, false),
            flow("med", Severity::Medium, false),
            flow("low", Severity::Low, false),
            flow("tested", Severity::Critical, true),
        ];
        let got = run(&flows, &BTreeMap::new());
        let ids: Vec<(&str, Severity)> = got.iter().map(|i| (i.id.as_str(), i.severity)).collect();
        assert_eq!(
            ids,
            [
                ("coverage-gap:crit", Severity::High),
                ("coverage-gap:high", Severity::Medium),
                ("coverage-gap:low", Severity::Low),
                ("coverage-gap:med", Severity::Low),
            ]
        );
        assert_eq!(got[0].data["reason"], json!("no-tests"));
    }

    #[test]
    fn coverage_gap_for_low_score() {
        let mut low = flow("low", Severity::Low, true);
        low.coverage_score = Some(0.5);
        let mut at_min = flow("atmin", Severity::Low, true);
        at_min.coverage_score = Some(0.7);
        let mut untested = flow("untested", Severity::Low, false);
        untested.coverage_score = Some(0.1);
        let got = run(&[low, at_min, untested], &BTreeMap::new());
        let ids: Vec<(&str, Severity, &str)> = got
            .iter()
            .map(|i| (i.id.as_str(), i.severity, i.data["reason"].as_str().unwrap()))
            .collect();
        // One coverage-gap per flow: an untested flow reports "no tests", not its score.
        assert_eq!(
            ids,
            [
                ("coverage-gap:low", Severity::Medium, "low-score"),
                ("coverage-gap:untested", Severity::Low, "no-tests"),
            ]
        );
        assert!(got[0].message.contains("50%") && got[0].message.contains("70%"));
    }

    #[test]
    fn failing_needs_three_latest_failures() {
        let flows = [
            flow("fff", Severity::High, true),
            flow("crit", Severity::Critical, true),
            flow("ffp", Severity::High, true),
            flow("ff", Severity::High, true),
            flow("fsff", Severity::High, true),
        ];
        let h = history(&[
            ("fff", "FFFPPP"),
            ("crit", "FFF"),
            ("ffp", "FFPFFF"),
            ("ff", "FF"),
            ("fsff", "FSFF"),
        ]);
        let got = only(&run(&flows, &h), kind::FAILING);
        let ids: Vec<(&str, Severity)> = got.iter().map(|i| (i.id.as_str(), i.severity)).collect();
        assert_eq!(
            ids,
            [
                ("failing:crit", Severity::Critical),
                ("failing:fff", Severity::High),
                ("failing:fsff", Severity::High),
            ]
        );
        assert_eq!(got[1].data["runIds"], json!(["fff-0", "fff-1", "fff-2"]));
        assert!(got[1].message.contains("expected button to be visible"));
    }

    #[test]
    fn flaky_detection() {
        let flows: Vec<FlowRecord> = ["flaky", "twoflips", "onefail", "old", "failing", "skips"]
            .iter()
            .map(|id| flow(id, Severity::Medium, true))
            .collect();
        let h = history(&[
            // P F P F P P P P P P: 4 flips, 8 passes, 2 failures.
            ("flaky", "PFPFPPPPPP"),
            // P P F F P P: 2 flips only.
            ("twoflips", "PPFFPP"),
            // One failure only.
            ("onefail", "PFPPPPPPPP"),
            // The flips are older than the latest 10 runs.
            ("old", "PPPPPPPPPPFPFPF"),
            // Failing wins over flaky.
            ("failing", "FFFPFPFP"),
            // Skipped runs do not break a flip: P S F P F → P F P F, 3 flips.
            ("skips", "PSFPF"),
        ]);
        let got = run(&flows, &h);
        let flaky: Vec<String> = only(&got, kind::FLAKY).into_iter().map(|i| i.id).collect();
        assert_eq!(flaky, ["flaky:flaky", "flaky:skips"]);
        let f = got.iter().find(|i| i.id == "flaky:flaky").unwrap();
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.data, json!({"window": 10, "passes": 8, "failures": 2, "flips": 4}));
        assert!(got.iter().any(|i| i.id == "failing:failing"));
        assert!(!got.iter().any(|i| i.id == "flaky:failing"));
    }

    #[test]
    fn ux_drop_off_thresholds() {
        let mk = |id: &str, rate: f64, step: Option<&str>| {
            let mut r = flow(id, Severity::Medium, true);
            let mut p = production(rate, 1000.0);
            p.top_exit_step = step.map(str::to_string);
            r.production_metrics = Some(p);
            r
        };
        let flows = [
            mk("half", 0.5, Some("Payment")),
            mk("mid", 0.4, Some("Payment")),
            mk("three", 0.3, Some("Payment")),
            mk("low", 0.2, Some("Payment")),
            mk("nostep", 0.1, None),
        ];
        let got = only(&run(&flows, &BTreeMap::new()), kind::UX_DROP_OFF);
        let ids: Vec<(&str, Severity)> = got.iter().map(|i| (i.id.as_str(), i.severity)).collect();
        assert_eq!(
            ids,
            [
                ("ux-drop-off:low", Severity::High),
                ("ux-drop-off:mid", Severity::Medium),
                ("ux-drop-off:three", Severity::Medium),
            ]
        );
        assert!(got[0].message.contains("20%") && got[0].message.contains("\"Payment\""));
        assert!(
            got[0].message.contains("About 800 of its 1000 daily users"),
            "{}",
            got[0].message
        );
    }

    #[test]
    fn sorted_by_severity_then_id_and_filtered() {
        let mut crit = flow("z", Severity::Critical, false);
        crit.synthetic_metrics = Some(synthetic(1.0));
        crit.production_metrics = Some(production(0.5, 0.0));
        let flows = [crit, flow("a", Severity::Low, false), flow("m", Severity::High, false)];
        let got = run(&flows, &history(&[("z", "FFF")]));
        let ids: Vec<&str> = got.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "failing:z",
                "coverage-gap:z",
                "discrepancy:z",
                "coverage-gap:m",
                "coverage-gap:a"
            ]
        );
        let high: Vec<String> = filter_insights(got.clone(), Severity::High)
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(high, ["failing:z", "coverage-gap:z", "discrepancy:z"]);
        assert_eq!(filter_insights(got.clone(), Severity::Low), got);
        assert!(filter_insights(got, Severity::Critical).len() == 1);
    }

    #[test]
    fn nothing_to_say_about_a_healthy_flow() {
        let mut healthy = with_metrics("ok", 0.98, 0.95, 5000.0);
        healthy.coverage_score = Some(0.9);
        assert!(run(&[healthy], &history(&[("ok", "PPPPPPPPPPFPP")])).is_empty());
    }
}
