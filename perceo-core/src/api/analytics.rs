//! The managed Analytics API: sync provider events, correlate them with the flows, find the
//! journeys no flow covers, estimate revenue impact.
//!
//! | endpoint | body / query | answer |
//! |---|---|---|
//! | `POST /analytics/sync` | `SyncOptions` | `SyncReport` |
//! | `POST /analytics/correlate` | none | `CorrelationReport` |
//! | `GET /analytics/gaps?minSessions=N&limit=N` | | `[Gap]` |
//! | `GET /analytics/impact?flow=ID` | | `RevenueImpact` |

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiClient;
use crate::analytics::gaps::Gap;
use crate::analytics::metrics::CorrelationReport;
use crate::analytics::revenue::RevenueImpact;
use crate::error::Result;
use crate::{SyncOptions, SyncReport};

fn default_min_sessions() -> u64 {
    crate::analytics::gaps::GapOptions::default().min_sessions
}

fn default_limit() -> usize {
    crate::analytics::gaps::GapOptions::default().limit
}

/// Query of `GET /analytics/gaps`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GapsQuery {
    /// Journeys taken by fewer sessions are left out. Default: 3.
    #[serde(default = "default_min_sessions")]
    #[param(minimum = 1)]
    pub min_sessions: u64,
    /// At most this many. Default: 10.
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: usize,
}

/// Query of `GET /analytics/impact`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// The flow id.
    pub flow: String,
}

/// A client of the Analytics API.
#[derive(Debug, Clone)]
pub struct AnalyticsClient(pub ApiClient);

impl AnalyticsClient {
    /// Fetches the provider's events on the server (with its credentials), stores them there
    /// and, with `options.correlate`, correlates.
    pub async fn sync(&self, options: &SyncOptions) -> Result<SyncReport> {
        self.0.post("/analytics/sync", options).await
    }

    /// Correlates the synced sessions with the flows; production metrics go to the graph.
    pub async fn correlate(&self) -> Result<CorrelationReport> {
        self.0.post("/analytics/correlate", &serde_json::json!({})).await
    }

    /// Frequent journeys no flow covers.
    pub async fn gaps(&self, min_sessions: u64, limit: usize) -> Result<Vec<Gap>> {
        self.0
            .get(
                "/analytics/gaps",
                &[("minSessions", min_sessions.to_string()), ("limit", limit.to_string())],
            )
            .await
    }

    /// Revenue at risk for one flow.
    pub async fn impact(&self, flow: &str) -> Result<RevenueImpact> {
        self.0.get("/analytics/impact", &[("flow", flow.to_string())]).await
    }
}
