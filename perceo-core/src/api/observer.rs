//! The managed Observer API: `POST /observer/bootstrap` and `POST /observer/analyze`, with
//! the seed's bodies.

use serde::{Deserialize, Serialize};

use super::ApiClient;
use crate::error::Result;
use crate::git::FileChange;
use crate::impact::ImpactReport;

/// `POST /observer/bootstrap` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapRequest {
    /// The project directory (as the client sees it).
    pub project_dir: String,
    /// The project's name.
    pub project_name: String,
    /// Its framework (`nextjs`, ...).
    pub framework: String,
}

/// `POST /observer/bootstrap` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapResponse {
    /// The project's name.
    pub project_name: String,
    /// Its framework.
    pub framework: String,
    /// Flows created.
    pub flows_initialized: usize,
    /// Personas created.
    pub personas_initialized: usize,
    /// Notes.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `POST /observer/analyze` body: the change set the client computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    /// The base commit.
    pub base_sha: String,
    /// The head commit.
    pub head_sha: String,
    /// The changed files.
    pub files: Vec<FileChange>,
}

/// A client of the Observer API.
#[derive(Debug, Clone)]
pub struct ObserverClient(pub ApiClient);

impl ObserverClient {
    /// Bootstraps flows on the server.
    pub async fn bootstrap(&self, request: &BootstrapRequest) -> Result<BootstrapResponse> {
        self.0.post("/observer/bootstrap", request).await
    }

    /// Analyses a change set on the server; the answer is an ImpactReport.
    pub async fn analyze(&self, request: &AnalyzeRequest) -> Result<ImpactReport> {
        self.0.post("/observer/analyze", request).await
    }
}
