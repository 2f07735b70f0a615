//! The bodies `perceo serve` answers with itself (errors, health, readiness); the engines'
//! own types are theirs. Both the handlers and the OpenAPI document use them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// Code and message of an error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: the core's (`argument`, `graph.unreachable`, ...) or the
    /// server's (`auth.missing`, `auth.invalid`, `request.invalid`, `request.too_large`,
    /// `not_found`, `internal`).
    pub code: String,
    /// What happened, in plain words (never a secret).
    pub message: String,
}

/// `GET /healthz`: the process is up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// Perceo's version.
    pub version: String,
}

/// One dependency checked by `GET /readyz`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadyCheck {
    /// Whether it answered.
    pub ok: bool,
    /// The backend (`sqlite`, `neo4j`, `in-memory`, `redis`), or why it failed.
    pub detail: String,
}

/// `GET /readyz`: whether the flow graph and the event bus answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// Whether the server can serve requests.
    pub ready: bool,
    /// The flow graph.
    pub graph: ReadyCheck,
    /// The event bus (a read from its replay log: nothing is published).
    pub bus: ReadyCheck,
    /// Why the server is not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
