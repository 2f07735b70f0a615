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

/// One line of the request log: what was asked and how it was answered. Headers, query
/// strings and bodies are never in it. The caller of [`crate::serve::run`] decides where it
/// goes (the CLI writes it as one JSON line on stderr).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLog {
    /// When it was answered (RFC 3339, UTC).
    pub ts: String,
    /// `info` (2xx/3xx), `warn` (4xx) or `error` (5xx).
    pub level: &'static str,
    /// Always `request`.
    pub msg: &'static str,
    /// The id also sent back as `x-request-id`.
    pub request_id: String,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// Milliseconds taken (one decimal).
    pub ms: f64,
    /// The error code, when the answer is an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error message, for 5xx answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Where the request log goes.
pub type RequestLogger = std::sync::Arc<dyn Fn(&RequestLog) + Send + Sync>;
