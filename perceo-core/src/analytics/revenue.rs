//! Revenue impact of a flow (the seed's formula): (synthetic success − production success) ×
//! daily attempts × average order value, per day, month (30 days) and year (365 days).

use serde::{Deserialize, Serialize};

use crate::analytics::event::AnalyticsEvent;

/// Where the average order value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum OrderValueSource {
    /// `analytics.revenueTracking.avgOrderValueSource` set to a number.
    Config,
    /// The mean value of the purchase events synced in the window.
    PurchaseEvents {
        /// How many purchases it averages.
        purchases: u64,
    },
    /// The provider's own totals (GA4 purchase revenue / transactions).
    Provider {
        /// Transactions in the range.
        transactions: u64,
    },
}

/// What `perceo analytics impact` reports.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevenueImpact {
    /// Flow id.
    pub flow: String,
    /// Share of test runs that pass (0..1).
    pub synthetic_success: f64,
    /// Share of real sessions that finish the flow (0..1).
    pub production_success: f64,
    /// Sessions per day that enter the flow.
    pub daily_attempts: f64,
    /// Average order value.
    pub avg_order_value: f64,
    /// Where it came from.
    pub avg_order_value_source: OrderValueSource,
    /// Revenue lost per day: the formula, never below 0 (when production does better than the
    /// tests, nothing is at risk).
    pub daily: f64,
    /// Per 30 days.
    pub monthly: f64,
    /// Per 365 days.
    pub annual: f64,
}

/// Applies the formula.
pub fn revenue_impact(
    flow: &str,
    synthetic_success: f64,
    production_success: f64,
    daily_attempts: f64,
    avg_order_value: f64,
    source: OrderValueSource,
) -> RevenueImpact {
    let daily = ((synthetic_success - production_success) * daily_attempts * avg_order_value).max(0.0);
    RevenueImpact {
        flow: flow.to_string(),
        synthetic_success,
        production_success,
        daily_attempts,
        avg_order_value,
        avg_order_value_source: source,
        daily,
        monthly: daily * 30.0,
        annual: daily * 365.0,
    }
}

/// The mean value of the purchase events among `events` that carry one, with their count.
pub fn order_value_from_events(events: &[AnalyticsEvent]) -> Option<(f64, u64)> {
    let values: Vec<f64> = events
        .iter()
        .filter(|e| e.is_purchase())
        .filter_map(|e| e.revenue)
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    (!values.is_empty()).then(|| (values.iter().sum::<f64>() / values.len() as f64, values.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_formula_per_day_month_and_year() {
        // 95% in tests, 80% in production, 1,000 attempts a day, $50 orders: $7,500 a day.
        let r = revenue_impact("checkout", 0.95, 0.80, 1000.0, 50.0, OrderValueSource::Config);
        assert!((r.daily - 7500.0).abs() < 1e-6);
        assert!((r.monthly - 225_000.0).abs() < 1e-3);
        assert!((r.annual - 2_737_500.0).abs() < 1e-3);
        let better = revenue_impact("checkout", 0.8, 0.9, 1000.0, 50.0, OrderValueSource::Config);
        assert_eq!(better.daily, 0.0);
    }

    #[test]
    fn order_value_averages_valued_purchases_only() {
        let ev = |name: &str, revenue: Option<f64>| AnalyticsEvent {
            name: name.into(),
            time_ms: 0,
            user: "u".into(),
            session: None,
            page: None,
            device: None,
            new_user: None,
            revenue,
            insert_id: None,
        };
        let events = vec![
            ev("purchase", Some(40.0)),
            ev("purchase", Some(60.0)),
            ev("purchase", None),
            ev("add_to_cart", Some(999.0)),
        ];
        assert_eq!(order_value_from_events(&events), Some((50.0, 2)));
        assert_eq!(order_value_from_events(&events[2..]), None);
    }
}
