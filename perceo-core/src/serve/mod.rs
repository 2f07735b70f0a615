//! `perceo serve`: the self-hosted Observer, Analyzer, Analytics and Coordinator APIs, over
//! the same engines as the command line, on axum.
//!
//! - Every request runs a facade method of one shared [`Perceo`] (opened with `local`, so
//!   the server never delegates to itself) on tokio's blocking pool. The flow graph and the
//!   event bus are the configured ones (embedded or Neo4j; in-memory or Redis), so replicas
//!   behind a load balancer share everything that matters; a replica keeps only caches.
//! - Analyses run against the server's own checkout of the application (`--project-dir`):
//!   the client sends the change set, the server brings the dependency graph, routes and
//!   flow files (see [`Perceo::analyze_change_set`]).
//! - `Authorization: Bearer <key>` on every engine endpoint, checked in constant time
//!   against `PERCEO_SERVE_API_KEYS` or `serve.apiKeys`; `/healthz`, `/readyz` and
//!   `/openapi.json` are public.
//! - Errors are `{"error":{"code","message"}}` with the core's error codes; one JSON log
//!   line per request on stderr (never a header, body or key).
//!
//! The OpenAPI document ([`openapi_json`]) is generated from the types with utoipa and
//! committed as `schema/openapi.json`.

mod auth;
mod handlers;
mod openapi;
mod types;
mod uri_guard;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use crate::Perceo;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};

pub use auth::ApiKeys;
pub use openapi::{openapi, openapi_json};
pub use types::{ErrorBody, ErrorDetail, Health, Readiness, ReadyCheck, RequestLog, RequestLogger};

/// The environment variable holding the server's API keys (comma-separated); it replaces
/// `serve.apiKeys` when set.
pub const API_KEYS_VAR: &str = "PERCEO_SERVE_API_KEYS";

/// The default port of `perceo serve` (the dashboard's is 4317).
pub const DEFAULT_PORT: u16 = 4318;

/// How `perceo serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// Accepted API keys; see [`api_keys`].
    pub keys: Vec<String>,
    /// Serve without any key. Only allowed on a loopback address. Default: false.
    pub insecure_no_auth: bool,
    /// Let a non-loopback address be used. Default: false.
    pub allow_remote: bool,
    /// Largest request body, in bytes. Default: `serve.maxBodyBytes` (10 MiB).
    pub max_body_bytes: usize,
    /// How long a request may take before it is answered `503`. Default:
    /// `serve.requestTimeoutSecs` (300 s).
    pub request_timeout: std::time::Duration,
}

/// The API keys the configuration gives the server: `PERCEO_SERVE_API_KEYS` (comma-separated)
/// when set, else `serve.apiKeys` (each resolved: `${VAR}`, `file:PATH`). Blank entries are
/// dropped.
pub fn api_keys(config: &Config) -> Result<Vec<String>> {
    if let Some(list) = config.env().get(API_KEYS_VAR).filter(|v| !v.trim().is_empty()) {
        return Ok(list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect());
    }
    let mut keys = Vec::new();
    for (i, setting) in config.settings.serve.api_keys.iter().enumerate() {
        let key = config.resolve(&format!("serve.apiKeys[{i}]"), setting)?;
        let key = key.trim();
        if !key.is_empty() {
            keys.push(key.to_string());
        }
    }
    Ok(keys)
}

/// Refuses options that would expose the engines: no key without `insecure_no_auth`, no
/// key off loopback at all, and a non-loopback address without `allow_remote`.
pub fn check_options(options: &ServeOptions) -> Result<()> {
    let ip = options.addr.ip();
    if options.keys.is_empty() {
        if !options.insecure_no_auth {
            return Err(Error::Argument(format!(
                "no API key is configured: set {API_KEYS_VAR} (comma-separated) or serve.apiKeys (e.g. \"${{PERCEO_SERVE_KEY}}\"), or pass --insecure-no-auth to serve without authentication on a loopback address"
            )));
        }
        if !ip.is_loopback() {
            return Err(Error::Argument(format!(
                "--insecure-no-auth is only allowed on a loopback address, not {ip}: configure an API key"
            )));
        }
    }
    if !ip.is_loopback() && !options.allow_remote {
        return Err(Error::Argument(format!(
            "--host {ip} is reachable from other machines: add --allow-remote to do it anyway (terminate TLS in front of the server)"
        )));
    }
    if options.max_body_bytes < 1024 {
        return Err(Error::Argument(format!(
            "serve.maxBodyBytes must be at least 1024, not {}",
            options.max_body_bytes
        )));
    }
    Ok(())
}

/// What handlers share: the facade.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) perceo: Arc<Perceo>,
    /// How long one request may take.
    pub(crate) request_timeout: std::time::Duration,
}

/// An error answer: `{"error":{"code","message"}}` with a status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

/// The error code a response carried, for the request log.
#[derive(Debug, Clone)]
struct LoggedError {
    code: String,
    message: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        debug_assert!(
            crate::error::code_info(code).is_some(),
            "`{code}` is not in error::CODES"
        );
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The HTTP status for a core error: the caller's mistake 400, the server's own
/// configuration or flow files 500, a service it cannot reach 503 (graph, bus) or 502 (an
/// upstream API), the flow graph failing 503, a failed job 500.
pub(crate) fn status_of(e: &Error) -> StatusCode {
    match (e, e.kind()) {
        (Error::Argument(_), _) => StatusCode::BAD_REQUEST,
        (Error::Api { .. } | Error::ApiUnreachable { .. }, _) => StatusCode::BAD_GATEWAY,
        // The flow graph failing (a corrupt or locked store, a schema it cannot use) is the
        // graph being unavailable, as for an unreachable one.
        (Error::Graph { .. } | Error::GraphSchema { .. }, _) => StatusCode::SERVICE_UNAVAILABLE,
        (_, ErrorKind::Unreachable) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::new(status_of(&e), e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.clone(),
                message: self.message.clone(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(LoggedError {
            code: self.code,
            message: self.status.is_server_error().then_some(self.message),
        });
        response
    }
}

/// Gives `log` one [`RequestLog`] per request: time, request id, method, path (no query),
/// status, milliseconds, and the error code (plus its message for 5xx). Headers and bodies
/// are never logged. The request id is also sent back as `x-request-id`.
async fn log_requests(State(log): State<RequestLogger>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let id = uuid::Uuid::now_v7().to_string();
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let error = response.extensions().get::<LoggedError>();
    log(&RequestLog {
        ts: crate::fsutil::now_rfc3339(),
        level: if status >= 500 {
            "error"
        } else if status >= 400 {
            "warn"
        } else {
            "info"
        },
        msg: "request",
        request_id: id,
        method,
        path,
        status,
        ms: (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
        error: error.map(|e| e.code.clone()),
        message: error.and_then(|e| e.message.clone()),
    });
    response
}

/// The longest path and query a request may have (a longer first request line of a
/// connection is turned into a request for [`uri_guard::TOO_LONG_PATH`] before hyper, which
/// would answer one over 64 KiB with a bare 414, reads it).
const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses, before reading any body, a request whose declared `Content-Length` is over the
/// body limit (413) and one whose path and query are over [`MAX_URI_BYTES`] (414), both with
/// the JSON error envelope.
async fn check_request_size(State(max_body_bytes): State<usize>, request: Request, next: Next) -> Response {
    let uri_len = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "request.uri_too_long",
            format!("the path and query are {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"),
        )
        .into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(length) = declared.filter(|l| *l > max_body_bytes as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            format!(
                "the body is declared as {length} bytes; at most {max_body_bytes} are accepted (serve.maxBodyBytes)"
            ),
        )
        .into_response();
    }
    next.run(request).await
}

/// Checks the bearer key of every engine endpoint.
async fn require_key(State(keys): State<Arc<ApiKeys>>, request: Request, next: Next) -> Response {
    match keys.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// The answer to a request whose first line [`uri_guard`] found too long.
async fn request_line_too_long() -> ApiError {
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        "request.uri_too_long",
        format!(
            "the request line is over {} bytes; at most {MAX_URI_BYTES} bytes of path and query are accepted",
            uri_guard::MAX_REQUEST_LINE
        ),
    )
}

async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no endpoint {} {} (see /openapi.json)",
            request.method(),
            request.uri().path()
        ),
    )
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {} (see /openapi.json)",
            request.method(),
            request.uri().path()
        ),
    )
}

/// The whole application: engine endpoints behind the key check, public health and
/// document endpoints, the body limit and the request log.
pub fn router(
    perceo: Arc<Perceo>,
    keys: ApiKeys,
    max_body_bytes: usize,
    request_timeout: std::time::Duration,
    log: RequestLogger,
) -> Router {
    let state = AppState {
        perceo,
        request_timeout,
    };
    let keys = Arc::new(keys);
    let engines = handlers::engine_routes()
        .route_layer(axum::middleware::from_fn_with_state(keys, require_key))
        .with_state(state.clone());
    handlers::public_routes()
        .route("/openapi.json", axum::routing::get(openapi::openapi_document))
        .route(uri_guard::TOO_LONG_PATH, axum::routing::any(request_line_too_long))
        .with_state(state)
        .merge(engines)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(max_body_bytes, check_request_size))
        .layer(axum::middleware::from_fn_with_state(log, log_requests))
}

/// Serves the APIs on `options.addr` until `stop` completes, then finishes the requests in
/// flight. `on_ready` gets the bound address once the server accepts connections, `log` each
/// request's [`RequestLog`]. Runs on
/// the shared runtime; the facade's methods run on its blocking pool.
pub fn run(
    perceo: Arc<Perceo>,
    options: ServeOptions,
    on_ready: &mut (dyn FnMut(SocketAddr) + Send),
    log: RequestLogger,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    check_options(&options)?;
    let keys = ApiKeys::new(&options.keys);
    let runtime = crate::runtime::shared()?;
    let app = router(perceo, keys, options.max_body_bytes, options.request_timeout, log);
    let addr = options.addr;
    runtime.block_on(async move {
        let mut stop: crate::listen::Stop = Box::pin(stop);
        let Some(listener) = crate::listen::bind(addr, &mut stop, on_ready).await? else {
            return Ok(());
        };
        axum::serve(uri_guard::GuardedListener(listener), app)
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::Internal(format!("the server on {addr} failed: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(host: &str, keys: &[&str]) -> ServeOptions {
        ServeOptions {
            addr: SocketAddr::new(host.parse().unwrap(), 0),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            insecure_no_auth: false,
            allow_remote: false,
            max_body_bytes: 10 << 20,
            request_timeout: std::time::Duration::from_secs(300),
        }
    }

    #[test]
    fn the_server_refuses_to_run_open_or_exposed_by_accident() {
        assert!(check_options(&options("127.0.0.1", &["k"])).is_ok());
        let e = check_options(&options("127.0.0.1", &[])).unwrap_err();
        assert!(e.to_string().contains("--insecure-no-auth"), "{e}");
        let mut o = options("127.0.0.1", &[]);
        o.insecure_no_auth = true;
        assert!(check_options(&o).is_ok());
        o.addr = SocketAddr::new("0.0.0.0".parse().unwrap(), 0);
        o.allow_remote = true;
        assert!(
            check_options(&o)
                .unwrap_err()
                .to_string()
                .contains("only allowed on a loopback")
        );
        let e = check_options(&options("0.0.0.0", &["k"])).unwrap_err();
        assert!(e.to_string().contains("--allow-remote"), "{e}");
        let mut o = options("::1", &["k"]);
        assert!(check_options(&o).is_ok());
        o.max_body_bytes = 10;
        assert!(check_options(&o).is_err());
    }

    #[test]
    fn core_errors_map_to_statuses_that_blame_the_right_side() {
        assert_eq!(status_of(&Error::Argument("x".into())), StatusCode::BAD_REQUEST);
        let down = Error::GraphUnreachable {
            backend: "Neo4j",
            location: "bolt://h:1".into(),
            message: "refused".into(),
        };
        assert_eq!(status_of(&down), StatusCode::SERVICE_UNAVAILABLE);
        let bus = Error::BusUnreachable {
            location: "redis://h".into(),
            message: "refused".into(),
        };
        assert_eq!(status_of(&bus), StatusCode::SERVICE_UNAVAILABLE);
        let git = Error::Git { message: "x".into() };
        assert_eq!(status_of(&git), StatusCode::INTERNAL_SERVER_ERROR);
        let config = Error::MissingEnv {
            key: "eventBus.redisUrl".into(),
            var: "R".into(),
        };
        assert_eq!(status_of(&config), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
