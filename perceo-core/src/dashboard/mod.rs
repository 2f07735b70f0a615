//! `perceo dashboard`: a local web page of flows, impact, metrics, insights and live events,
//! served by axum from assets embedded in the binary, over a JSON API that reads the
//! configured flow graph and a Server-Sent Events stream fed by the configured bus.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::bus::{Delivery, EventBus, EventFilter};
use crate::config::Severity;
use crate::error::{Error, Result};
use crate::graph::FlowGraph;

const INDEX_HTML: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");

/// What the dashboard reads.
#[derive(Clone)]
pub struct DashboardState {
    /// The flow graph.
    pub graph: Arc<dyn FlowGraph>,
    /// The event bus.
    pub bus: Arc<dyn EventBus>,
    /// The project's name.
    pub project: String,
}

struct ApiError(Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.kind() {
            crate::error::ErrorKind::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (
            status,
            Json(serde_json::json!({"error": {"code": self.0.code(), "message": self.0.to_string()}})),
        )
            .into_response()
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

type ApiResult = std::result::Result<Json<serde_json::Value>, ApiError>;

fn json<T: serde::Serialize>(value: &T) -> ApiResult {
    Ok(Json(
        serde_json::to_value(value).map_err(|e| Error::encode("a dashboard answer", e))?,
    ))
}

async fn status(State(s): State<DashboardState>) -> ApiResult {
    let status = s.graph.status().await?;
    json(&serde_json::json!({"project": s.project, "graph": status, "bus": s.bus.kind()}))
}

async fn flows(State(s): State<DashboardState>) -> ApiResult {
    json(&s.graph.list_flows().await?)
}

async fn flow(State(s): State<DashboardState>, Path(id): Path<String>) -> std::result::Result<Response, ApiError> {
    let Some(record) = s.graph.get_flow(&id).await? else {
        return Ok((
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": {"code": "not_found", "message": format!("no flow `{id}`")}})),
        )
            .into_response());
    };
    let history = s.graph.test_history(&id, 50).await?;
    let predictions = s.graph.predictions(Some(&id), 10).await?;
    Ok(Json(serde_json::json!({"flow": record, "history": history, "predictions": predictions})).into_response())
}

async fn impact(State(s): State<DashboardState>) -> ApiResult {
    let latest = s.graph.latest_analysis().await?;
    json(&latest.map(|a| a.report))
}

async fn insights(State(s): State<DashboardState>) -> ApiResult {
    json(&s.graph.insights(Severity::Low, 200).await?)
}

async fn events(State(s): State<DashboardState>) -> std::result::Result<Response, ApiError> {
    let mut sub = s.bus.subscribe(EventFilter::default(), None).await?;
    let stream = async_stream(move |tx| async move {
        while let Some(Ok(delivery)) = sub.next().await {
            let event = match delivery {
                Delivery::Event(e) => SseEvent::default().event("perceo").json_data(&e),
                Delivery::Missed(n) => SseEvent::default()
                    .event("missed")
                    .json_data(serde_json::json!({"missed": n})),
            };
            if let Ok(event) = event
                && tx.send(Ok::<_, Infallible>(event)).await.is_err()
            {
                break;
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// A stream fed by a task writing into a channel (keeps the SSE handler simple).
fn async_stream<F, Fut>(f: F) -> tokio_stream::wrappers::ReceiverStream<std::result::Result<SseEvent, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<std::result::Result<SseEvent, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    tokio::spawn(f(tx));
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

async fn index() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX_HTML)
}

async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], APP_JS)
}

/// The dashboard's routes.
pub fn router(state: DashboardState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/api/status", get(status))
        .route("/api/flows", get(flows))
        .route("/api/flows/{id}", get(flow))
        .route("/api/impact", get(impact))
        .route("/api/insights", get(insights))
        .route("/api/events", get(events))
        .with_state(state)
}

/// Serves the dashboard of `perceo`'s project on `addr` until `stop` completes (the flow
/// files are synced into the graph first, so it works right after `perceo init`);
/// `on_ready` gets the bound address. Like `perceo serve`, it sits above the facade.
pub fn run(
    perceo: &crate::Perceo,
    addr: SocketAddr,
    on_ready: &mut (dyn FnMut(SocketAddr) + Send),
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let set = perceo.flows()?;
    let graph = perceo.graph()?;
    let bus = perceo.bus()?;
    perceo.block_on(perceo.push_flows(graph.as_ref(), &set))?;
    let state = DashboardState {
        graph,
        bus,
        project: perceo.config().project_name(),
    };
    perceo.block_on(serve(state, addr, on_ready, stop))
}

/// Serves the dashboard on `addr` until `stop` completes; `on_ready` gets the bound address.
pub async fn serve(
    state: DashboardState,
    addr: SocketAddr,
    on_ready: &mut (dyn FnMut(SocketAddr) + Send),
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let mut stop: crate::listen::Stop = Box::pin(stop);
    let Some(listener) = crate::listen::bind(addr, &mut stop, on_ready).await? else {
        return Ok(());
    };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(stop)
        .await
        .map_err(|e| Error::Internal(format!("the dashboard server failed: {e}")))
}
