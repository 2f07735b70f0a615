//! The risk score of an affected flow, every factor visible in the report.
//!
//! ```text
//! risk = confidence × priority × size × traffic × failures      (clamped to 0..1)
//!   priority = 0.55 + 0.45·w,  w = critical 1.0, high 0.75, medium 0.5, low 0.25
//!   size     = 0.7 + 0.3·min(1, ln(1 + lines changed) / ln(501))
//!   traffic  = 0.8 + 0.4·min(1, log10(1 + dailyUsers) / 5)   (1.0 while unknown)
//!   failures = 1 + recent failure rate                         (1.0 while unknown)
//! ```
//! Levels: `critical` ≥ 0.75, `high` ≥ 0.5, `medium` ≥ 0.25, else `low`.

use serde::Serialize;

use crate::config::Severity;

/// Each factor of a flow's risk score.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskFactors {
    /// The flow's confidence (0..1).
    pub confidence: f64,
    /// From the flow's priority.
    pub priority: f64,
    /// From the number of lines changed in the files that affect the flow.
    pub change_size: f64,
    /// Lines changed in those files.
    pub lines_changed: usize,
    /// From production traffic (1.0 while the graph holds none).
    pub traffic: f64,
    /// From the recent test failure rate (1.0 while the graph holds none).
    pub failure_rate: f64,
}

/// Production and test history a risk score can use, when the graph holds it.
#[derive(Debug, Clone, Copy, Default)]
pub struct History {
    /// Daily users of the flow.
    pub daily_users: Option<f64>,
    /// Share of recent test runs that failed (0..1).
    pub failure_rate: Option<f64>,
}

fn priority_weight(p: Severity) -> f64 {
    match p {
        Severity::Critical => 1.0,
        Severity::High => 0.75,
        Severity::Medium => 0.5,
        Severity::Low => 0.25,
    }
}

/// Computes the factors and the score.
pub fn score(confidence: f64, priority: Severity, lines_changed: usize, history: History) -> (f64, RiskFactors) {
    let factors = RiskFactors {
        confidence,
        priority: 0.55 + 0.45 * priority_weight(priority),
        change_size: 0.7 + 0.3 * ((1.0 + lines_changed as f64).ln() / 501f64.ln()).min(1.0),
        lines_changed,
        traffic: history
            .daily_users
            .map_or(1.0, |u| 0.8 + 0.4 * ((1.0 + u).log10() / 5.0).min(1.0)),
        failure_rate: history.failure_rate.map_or(1.0, |f| 1.0 + f.clamp(0.0, 1.0)),
    };
    rescore(&factors, factors.confidence)
}

/// The score again with another confidence, every other factor kept.
pub fn rescore(factors: &RiskFactors, confidence: f64) -> (f64, RiskFactors) {
    let factors = RiskFactors { confidence, ..*factors };
    let raw = factors.confidence * factors.priority * factors.change_size * factors.traffic * factors.failure_rate;
    ((raw.clamp(0.0, 1.0) * 1000.0).round() / 1000.0, factors)
}

/// The level of a risk score.
pub fn level(score: f64) -> Severity {
    if score >= 0.75 {
        Severity::Critical
    } else if score >= 0.5 {
        Severity::High
    } else if score >= 0.25 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_grows_with_each_factor() {
        let (low, _) = score(0.5, Severity::Low, 1, History::default());
        let (pri, _) = score(0.5, Severity::Critical, 1, History::default());
        let (size, _) = score(0.5, Severity::Low, 400, History::default());
        let (conf, _) = score(1.0, Severity::Low, 1, History::default());
        assert!(pri > low && size > low && conf > low);
        let (page, _) = score(1.0, Severity::Critical, 600, History::default());
        assert_eq!(level(page), Severity::Critical);
    }
}
