//! The managed Coordinator API. Test execution stays on the client (it needs the app and a
//! browser); the API records finished runs and answers for the latest run and a flow's
//! history.
//!
//! | endpoint | body / query | answer |
//! |---|---|---|
//! | `POST /coordinator/runs` | `TestRunReport` | `RecordedRun` |
//! | `GET /coordinator/runs/latest` | | `LatestRun` |
//! | `GET /coordinator/flows/{id}/history?limit=N` | | `[TestRun]`, newest first |

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiClient;
use super::path::path_segment;
use crate::coordinator::TestRunReport;
use crate::error::{Error, Result};
use crate::graph::TestRun;

/// Default of `limit` in `GET /coordinator/flows/{id}/history`.
pub const DEFAULT_HISTORY_LIMIT: usize = 50;

fn default_limit() -> usize {
    DEFAULT_HISTORY_LIMIT
}

/// What `POST /coordinator/runs` stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRun {
    /// The run's id.
    pub run_id: String,
    /// Test runs written to the graph (one per flow that has tests).
    pub recorded: usize,
    /// Flows of the run that the server's checkout does not define (e.g. added by the change
    /// under test): their results are kept in the run but not in any flow's history.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// `GET /coordinator/runs/latest` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LatestRun {
    /// The latest recorded run; `null` before the first.
    pub run: Option<TestRunReport>,
}

/// Query of `GET /coordinator/flows/{id}/history`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// At most this many runs. Default: 50.
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: usize,
}

/// A client of the Coordinator API.
#[derive(Debug, Clone)]
pub struct CoordinatorClient(pub ApiClient);

impl CoordinatorClient {
    /// Records a finished test run (results, synthetic metrics, the latest run).
    pub async fn record_run(&self, report: &TestRunReport) -> Result<RecordedRun> {
        self.0.post("/coordinator/runs", report).await
    }

    /// The latest recorded run, if any.
    pub async fn latest_run(&self) -> Result<Option<TestRunReport>> {
        Ok(self.0.get::<LatestRun>("/coordinator/runs/latest", &[]).await?.run)
    }

    /// A flow's recent test runs, newest first.
    pub async fn flow_history(&self, flow_id: &str, limit: usize) -> Result<Vec<TestRun>> {
        if !crate::flows::is_valid_flow_id(flow_id) {
            return Err(Error::Argument(format!(
                "`{flow_id}` is not a flow id (lower-case letters, digits, - and _)"
            )));
        }
        let path = format!("/coordinator/flows/{}/history", path_segment(flow_id));
        self.0.get(&path, &[("limit", limit.to_string())]).await
    }
}
