//! The local Analyzer engine: insights, coverage, suggestions and failure predictions.
//!
//! Every function here is pure: it reads flow records (with their production and synthetic
//! metrics), test history and impact reports, and returns values. Reading the graph, storing
//! the results and publishing events are the caller's job.
//!
//! Test history is a map from flow id to that flow's runs, **newest first**. Skipped runs carry
//! no signal and are ignored everywhere below ("runs" means passed or failed runs).
//!
//! # Insights ([`generate_insights`])
//!
//! Each insight has a deterministic id `<kind>:<flowId>`, so writing it again replaces it.
//!
//! | kind | rule | severity |
//! |---|---|---|
//! | `discrepancy` | the flow has synthetic (with runs) and production metrics, and their success rates differ by more than 20 percentage points (gap rounded to 0.01 points, so exactly 20 is no insight) | medium; high above 30 points |
//! | `coverage-gap` | the flow has no tests (no spec, no grep tag) | critical flow → high, high flow → medium, else low |
//! | `coverage-gap` | the flow has tests but its coverage score is below `minCoverageScore` | medium |
//! | `failing` | the latest 3 runs all failed | high; critical for a critical flow |
//! | `flaky` | among the latest 10 runs: at least 2 passes, 2 failures and 3 status flips (not raised when `failing` is) | medium |
//! | `ux-drop-off` | production names a top exit step and the production success rate is below 0.5 | medium; high below 0.3 |
//!
//! When production success is the lower one and daily users are known (> 0), a discrepancy
//! estimates `failed sessions per day = daily users × gap` (gap as a fraction). Insights are
//! sorted by severity (highest first), then id.
//!
//! # Coverage ([`coverage`])
//!
//! The score is the priority-weighted share of flows with tests: weights critical 4, high 3,
//! medium 2, low 1; `score = Σ weight(tested) / Σ weight(all)`, 0 when there are no flows.
//!
//! # Predictions ([`predict`])
//!
//! For each flow of an impact report (model `heuristic`):
//!
//! ```text
//! base        = failed / runs over the latest 20 runs        (0.05 without runs)
//! impact      = 0.5 + 0.5 × flow confidence
//!               + 0.15 when the change is the flow's page file itself (reason chain of length 1)
//! traffic     = 1.2 when production daily users > 1000, else 1
//! probability = clamp(base × impact × traffic, 0, 1)
//! confidence  = min(1, 0.4 + 0.06 × runs in history)
//! ```
//!
//! Probabilities and confidences are rounded to 3 decimals. Every prediction is returned;
//! [`confident`] keeps those at or above the configured confidence threshold.

mod coverage;
mod insights;
mod predict;
mod suggest;

#[cfg(test)]
mod fixtures;

pub use coverage::{CoverageReport, UncoveredFlow, coverage, priority_weight, step_coverage};
pub use insights::{filter_insights, generate_insights};
pub use predict::{confident, predict};
pub use suggest::{Suggestion, suggest};

use crate::graph::{TestRun, TestStatus};

/// Names of insight and suggestion kinds.
pub mod kind {
    /// Insight: synthetic and production success rates disagree.
    pub const DISCREPANCY: &str = "discrepancy";
    /// Insight: a flow has no tests, or its coverage score is too low.
    pub const COVERAGE_GAP: &str = "coverage-gap";
    /// Insight: a flow's latest runs all failed.
    pub const FAILING: &str = "failing";
    /// Insight: a flow's recent runs alternate between passing and failing.
    pub const FLAKY: &str = "flaky";
    /// Insight: production users leave a flow at one step.
    pub const UX_DROP_OFF: &str = "ux-drop-off";
    /// Suggestion: write (or extend) a test.
    pub const WRITE_TEST: &str = "write-test";
    /// Suggestion: define a flow.
    pub const ADD_FLOW: &str = "add-flow";
    /// Suggestion: make a flaky test reliable.
    pub const FIX_FLAKY: &str = "fix-flaky";
    /// Suggestion: look into a failure or a discrepancy.
    pub const INVESTIGATE: &str = "investigate";
}

/// Statuses of the passed/failed runs, newest first (skipped runs dropped).
fn decisive(runs: &[TestRun]) -> impl Iterator<Item = TestStatus> + '_ {
    runs.iter().map(|r| r.status).filter(|s| *s != TestStatus::Skipped)
}

/// Rounds to `digits` decimals.
fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// A share (0..1) as a percentage without needless decimals: `0.955` → `95.5%`, `0.9` → `90%`.
fn pct(share: f64) -> String {
    format!("{}%", num(share * 100.0))
}

/// A number with at most one decimal and no trailing `.0`.
fn num(x: f64) -> String {
    let s = format!("{:.1}", round(x, 1));
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_percentages_plainly() {
        assert_eq!(pct(0.9), "90%");
        assert_eq!(pct(0.955), "95.5%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(num(1050.0), "1050");
        assert_eq!(num(0.25), "0.3");
    }
}
