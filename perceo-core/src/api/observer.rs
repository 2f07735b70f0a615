//! The managed Observer API: `POST /observer/bootstrap` and `POST /observer/analyze`, with
//! the seed's bodies (Perceo adds optional fields a seed server ignores).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiClient;
use crate::error::Result;
use crate::flows::{Flow, Persona};
use crate::git::FileChange;
use crate::impact::{ImpactReport, OnEmpty};

/// `POST /observer/bootstrap` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapRequest {
    /// The project directory (as the client sees it; informative only).
    pub project_dir: String,
    /// The project's name.
    pub project_name: String,
    /// Its framework (`nextjs`, ...); empty or unknown: the server detects it.
    pub framework: String,
}

/// `POST /observer/bootstrap` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
    /// The bootstrapped flows (Perceo's addition: the client writes them to
    /// `.perceo/flows/`, so they are reviewed in the repository like any flow file).
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// The bootstrapped personas (written to `.perceo/personas/`).
    #[serde(default)]
    pub personas: Vec<Persona>,
}

/// `POST /observer/analyze` body: the change set the client computed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    /// The base commit.
    pub base_sha: String,
    /// The head commit.
    pub head_sha: String,
    /// The changed files.
    pub files: Vec<FileChange>,
    /// The merge base the diff starts from (Perceo's addition). Default: `baseSha`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_base: Option<String>,
    /// What to select when code changed but no flow is affected (Perceo's addition).
    /// Default: `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_empty: Option<OnEmpty>,
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
