//! The managed Analyzer API: insights, coverage, suggestions and failure predictions.
//!
//! | endpoint | body | answer |
//! |---|---|---|
//! | `POST /analyzer/insights` | none (or `{}`) | `[Insight]` (generated, stored and published) |
//! | `GET /analyzer/coverage` | | `CoverageReport` |
//! | `GET /analyzer/suggestions` | | `[Suggestion]` |
//! | `POST /analyzer/predict` | `ImpactReport` | `[Prediction]` (stored and published) |

use super::ApiClient;
use crate::analyzer::{CoverageReport, Suggestion};
use crate::error::Result;
use crate::graph::{Insight, Prediction};
use crate::impact::ImpactReport;

/// A client of the Analyzer API.
#[derive(Debug, Clone)]
pub struct AnalyzerClient(pub ApiClient);

impl AnalyzerClient {
    /// Generates insights on the server (it stores and publishes them); those at or above the
    /// server's `analyzer.insights.minSeverity`.
    pub async fn insights(&self) -> Result<Vec<Insight>> {
        self.0.post("/analyzer/insights", &serde_json::json!({})).await
    }

    /// Test coverage of the flows.
    pub async fn coverage(&self) -> Result<CoverageReport> {
        self.0.get("/analyzer/coverage", &[]).await
    }

    /// Concrete next actions.
    pub async fn suggestions(&self) -> Result<Vec<Suggestion>> {
        self.0.get("/analyzer/suggestions", &[]).await
    }

    /// Failure predictions for the flows `report` affects.
    pub async fn predict(&self, report: &ImpactReport) -> Result<Vec<Prediction>> {
        self.0.post("/analyzer/predict", report).await
    }
}
