//! The `analytics` section: the provider, its options, correlation and revenue tracking.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Setting;

/// `analytics`: the production analytics provider.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AnalyticsSettings {
    /// Managed Analytics API. Default: none (local).
    pub api_base_url: Option<Setting>,
    /// API key for the managed Analytics API (secret). Default: none.
    pub api_key: Option<Setting>,
    /// Provider. Default: none (analytics off).
    pub provider: Option<AnalyticsProvider>,
    /// Provider credentials, usually `${ENV}` or `file:PATH` (secret). Default: none.
    pub credentials: Option<Setting>,
    /// Seconds between scheduled syncs. Default: `3600`.
    pub sync_interval: u64,
    /// Each sync fetches again this many minutes before where the last one ended, for events
    /// a provider makes available late (Amplitude about 2 hours after upload). Events fetched
    /// twice count once. Default: `180`.
    pub sync_lookback_minutes: u64,
    /// How sessions are matched to flows.
    pub correlation: CorrelationSettings,
    /// Revenue impact estimates.
    pub revenue_tracking: RevenueSettings,
    /// Base URL replacing the provider's API host (a proxy or a test server). Default: the
    /// provider's own (`https://analyticsdata.googleapis.com`, `https://data.mixpanel.com`,
    /// `https://amplitude.com`, by region).
    pub endpoint: Option<Setting>,
    /// GA4 specifics.
    pub ga4: Ga4Settings,
    /// Mixpanel specifics.
    pub mixpanel: MixpanelSettings,
    /// Amplitude specifics.
    pub amplitude: AmplitudeSettings,
}

/// `analytics.ga4`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Ga4Settings {
    /// The numeric GA4 property id (`123456789`). Required for GA4.
    pub property_id: Option<String>,
    /// Where the BigQuery export's per-event rows are, as newline-delimited JSON files (`bq
    /// extract --destination_format NEWLINE_DELIMITED_JSON`): a file, a directory or a glob,
    /// project-relative. The Data API only gives aggregates, so per-user journeys come from
    /// here. Default: none (aggregates only).
    pub export_path: Option<String>,
}

/// `analytics.mixpanel`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct MixpanelSettings {
    /// The project id; required with service-account credentials (`user:secret`).
    pub project_id: Option<u64>,
    /// Data residency: `us` (default, `data.mixpanel.com`), `eu` (`data-eu`) or `in` (`data-in`).
    pub region: Region,
}

/// `analytics.amplitude`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AmplitudeSettings {
    /// Data residency: `us` (default, `amplitude.com`) or `eu` (`analytics.eu.amplitude.com`).
    pub region: Region,
}

/// A provider's data-residency region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// United States (the default).
    #[default]
    Us,
    /// European Union.
    Eu,
    /// India (Mixpanel only).
    In,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            api_base_url: None,
            api_key: None,
            provider: None,
            credentials: None,
            sync_interval: 3600,
            sync_lookback_minutes: 180,
            correlation: CorrelationSettings::default(),
            revenue_tracking: RevenueSettings::default(),
            endpoint: None,
            ga4: Ga4Settings::default(),
            mixpanel: MixpanelSettings::default(),
            amplitude: AmplitudeSettings::default(),
        }
    }
}

/// Supported analytics providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnalyticsProvider {
    /// Google Analytics 4.
    Ga4,
    /// Mixpanel.
    Mixpanel,
    /// Amplitude.
    Amplitude,
}

impl AnalyticsProvider {
    /// The provider's name as people write it (`GA4`, `Mixpanel`, `Amplitude`).
    pub fn label(self) -> &'static str {
        match self {
            AnalyticsProvider::Ga4 => "GA4",
            AnalyticsProvider::Mixpanel => "Mixpanel",
            AnalyticsProvider::Amplitude => "Amplitude",
        }
    }
}

/// `analytics.correlation`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct CorrelationSettings {
    /// Alignment algorithm. Default: `smith-waterman`.
    pub algorithm: String,
    /// Sessions aligning below this similarity (0..1) do not count for a flow. Default: `0.7`.
    pub min_similarity: f64,
    /// Minutes of inactivity that end a session when the provider has no session id.
    /// Default: `30`.
    pub session_timeout_minutes: u64,
    /// Days of synced events that correlation and gaps look at. Default: `7`.
    pub window_days: u64,
}

impl Default for CorrelationSettings {
    fn default() -> Self {
        Self {
            algorithm: "smith-waterman".into(),
            min_similarity: 0.7,
            session_timeout_minutes: 30,
            window_days: 7,
        }
    }
}

/// `analytics.revenueTracking`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct RevenueSettings {
    /// Estimate revenue at risk. Default: `false`.
    pub enabled: bool,
    /// The average order value for `perceo analytics impact`: a number (`42.5`, or the string
    /// `"42.50"`), or `"events"` for the mean value of the synced purchase events (falling back
    /// to GA4's totals). Default: `"events"`.
    pub avg_order_value_source: Option<OrderValueSetting>,
}

/// `analytics.revenueTracking.avgOrderValueSource`: a fixed value or where to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OrderValueSetting {
    /// A fixed average order value.
    Fixed(f64),
    /// `"events"`, or a number written as a string.
    Named(String),
}

impl OrderValueSetting {
    /// The fixed value, when one is set (as a number or a numeric string).
    pub fn fixed(&self) -> Option<f64> {
        match self {
            OrderValueSetting::Fixed(v) => Some(*v),
            OrderValueSetting::Named(text) => text.trim().parse().ok(),
        }
    }
}
