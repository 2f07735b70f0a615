//! The endpoints: each one runs one facade method on the blocking pool.

use std::time::{Duration, SystemTime};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::types::{Health, Readiness, ReadyCheck};
use super::{ApiError, AppState};
use crate::Perceo;
use crate::analytics::gaps::Gap;
use crate::analytics::metrics::CorrelationReport;
use crate::analytics::revenue::RevenueImpact;
use crate::analyzer::{CoverageReport, Suggestion};
use crate::api::analytics::{GapsQuery, ImpactQuery};
use crate::api::coordinator::{HistoryQuery, LatestRun, RecordedRun};
use crate::api::observer::{AnalyzeRequest, BootstrapRequest, BootstrapResponse};
use crate::bus::{EventFilter, Since};
use crate::coordinator::TestRunReport;
use crate::error::Result;
use crate::graph::{Insight, Prediction, TestRun};
use crate::impact::ImpactReport;
use crate::{SyncOptions, SyncReport};

/// How long `/readyz` waits for the graph and the bus.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `f` with the facade on the blocking pool (the facade's methods block).
async fn call<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Perceo) -> Result<T> + Send + 'static,
) -> std::result::Result<T, ApiError> {
    let perceo = state.perceo.clone();
    let work = tokio::task::spawn_blocking(move || f(&perceo));
    match tokio::time::timeout(state.request_timeout, work).await {
        Ok(Ok(result)) => result.map_err(ApiError::from),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed while handling the request (see its log)",
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request.timeout",
            format!(
                "the request took longer than {} s (serve.requestTimeoutSecs); retry later",
                state.request_timeout.as_secs_f32()
            ),
        )),
    }
}

fn rejected(status: StatusCode, message: String) -> ApiError {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "request.too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "request.content_type",
        _ => "request.invalid",
    };
    // Only the size and content-type answers keep their own status; every other malformed
    // request is a 400.
    let status = match status {
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => status,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, code, message)
}

fn body<T>(extracted: std::result::Result<Json<T>, JsonRejection>) -> std::result::Result<T, ApiError> {
    extracted
        .map(|Json(v)| v)
        .map_err(|r| rejected(r.status(), r.body_text()))
}

fn query<T>(extracted: std::result::Result<Query<T>, QueryRejection>) -> std::result::Result<T, ApiError> {
    extracted
        .map(|Query(v)| v)
        .map_err(|r| rejected(r.status(), r.body_text()))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "The process is up", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Whether the flow graph and the event bus answer (503 with the reason when not).
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "The graph or the bus does not answer", body = Readiness),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let perceo = state.perceo.clone();
    let checks = tokio::task::spawn_blocking(move || {
        let graph = perceo.graph_status().map(|s| s.backend);
        let bus = perceo.bus().and_then(|bus| {
            // A read of the replay log from now: a real round trip that publishes nothing.
            perceo.block_on(bus.replay(Since::Time(SystemTime::now()), &EventFilter::prefix("perceo.readyz"), 1))?;
            Ok(bus.kind().to_string())
        });
        (graph, bus)
    });
    let check = |r: Result<String>| match r {
        Ok(backend) => ReadyCheck {
            ok: true,
            detail: backend,
        },
        Err(e) => ReadyCheck {
            ok: false,
            detail: format!("error[{}]: {e}", e.code()),
        },
    };
    let (graph, bus) = match tokio::time::timeout(READY_TIMEOUT, checks).await {
        Ok(Ok((graph, bus))) => (check(graph), check(bus)),
        Ok(Err(_)) => {
            let failed = || ReadyCheck {
                ok: false,
                detail: "the check failed (see the server's log)".into(),
            };
            (failed(), failed())
        }
        Err(_) => {
            let slow = || ReadyCheck {
                ok: false,
                detail: format!("no answer within {} s", READY_TIMEOUT.as_secs()),
            };
            (slow(), slow())
        }
    };
    let ready = graph.ok && bus.ok;
    let reason = (!ready).then(|| {
        [("flow graph", &graph), ("event bus", &bus)]
            .iter()
            .filter(|(_, c)| !c.ok)
            .map(|(name, c)| format!("{name}: {}", c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            ready,
            graph,
            bus,
            reason,
        }),
    )
        .into_response()
}

/// Proposes flows for the server's checkout: one per page route, with personas. Nothing is
/// written on the server; the client writes the flows to `.perceo/flows/`.
#[utoipa::path(post, path = "/observer/bootstrap", tag = "observer", request_body = BootstrapRequest,
    responses((status = 200, description = "The proposed flows and personas", body = BootstrapResponse)))]
pub(crate) async fn observer_bootstrap(
    State(state): State<AppState>,
    request: std::result::Result<Json<BootstrapRequest>, JsonRejection>,
) -> std::result::Result<Json<BootstrapResponse>, ApiError> {
    let request = body(request)?;
    Ok(Json(call(&state, move |p| p.bootstrap(&request)).await?))
}

/// Which flows a change set can break, against the server's checkout; stored in the graph
/// and published as `observer.analysis.complete`.
#[utoipa::path(post, path = "/observer/analyze", tag = "observer", request_body = AnalyzeRequest,
    responses((status = 200, description = "The impact report", body = ImpactReport)))]
pub(crate) async fn observer_analyze(
    State(state): State<AppState>,
    request: std::result::Result<Json<AnalyzeRequest>, JsonRejection>,
) -> std::result::Result<Json<ImpactReport>, ApiError> {
    let request = body(request)?;
    Ok(Json(call(&state, move |p| p.analyze_change_set(&request)).await?))
}

/// Generates insights from test history and production metrics, stores them and publishes
/// `analyzer.insight.generated`; answers those at or above `analyzer.insights.minSeverity`.
/// Any body is ignored.
#[utoipa::path(post, path = "/analyzer/insights", tag = "analyzer",
    responses((status = 200, description = "The insights", body = Vec<Insight>)))]
pub(crate) async fn analyzer_insights(
    State(state): State<AppState>,
) -> std::result::Result<Json<Vec<Insight>>, ApiError> {
    Ok(Json(call(&state, |p| p.insights()).await?))
}

/// Test coverage of the flows, weighted by priority.
#[utoipa::path(get, path = "/analyzer/coverage", tag = "analyzer",
    responses((status = 200, description = "The coverage", body = CoverageReport)))]
pub(crate) async fn analyzer_coverage(
    State(state): State<AppState>,
) -> std::result::Result<Json<CoverageReport>, ApiError> {
    Ok(Json(call(&state, |p| p.coverage()).await?))
}

/// Concrete next actions.
#[utoipa::path(get, path = "/analyzer/suggestions", tag = "analyzer",
    responses((status = 200, description = "The suggestions", body = Vec<Suggestion>)))]
pub(crate) async fn analyzer_suggestions(
    State(state): State<AppState>,
) -> std::result::Result<Json<Vec<Suggestion>>, ApiError> {
    Ok(Json(call(&state, |p| p.suggestions()).await?))
}

/// The probability that the change of an impact report breaks each flow it affects (those
/// at or above `analyzer.predictions.confidenceThreshold`); stored and published as
/// `analyzer.prediction.made`. Flows the server's checkout does not define (added by the
/// change) get no prediction.
#[utoipa::path(post, path = "/analyzer/predict", tag = "analyzer", request_body = ImpactReport,
    responses((status = 200, description = "The predictions", body = Vec<Prediction>)))]
pub(crate) async fn analyzer_predict(
    State(state): State<AppState>,
    report: std::result::Result<Json<ImpactReport>, JsonRejection>,
) -> std::result::Result<Json<Vec<Prediction>>, ApiError> {
    let mut report = body(report)?;
    Ok(Json(
        call(&state, move |p| {
            let set = p.flows()?;
            report.flows.retain(|f| set.get(&f.id).is_some());
            p.predict(&report)
        })
        .await?,
    ))
}

/// Fetches the provider's events with the server's credentials, stores them and, with
/// `correlate`, correlates.
#[utoipa::path(post, path = "/analytics/sync", tag = "analytics", request_body = SyncOptions,
    responses((status = 200, description = "What the sync did", body = SyncReport)))]
pub(crate) async fn analytics_sync(
    State(state): State<AppState>,
    options: std::result::Result<Json<SyncOptions>, JsonRejection>,
) -> std::result::Result<Json<SyncReport>, ApiError> {
    let options = body(options)?;
    Ok(Json(
        call(&state, move |p| p.analytics_sync(&options, &mut |_| {})).await?,
    ))
}

/// Correlates the synced sessions with the flows; production metrics go to the graph.
#[utoipa::path(post, path = "/analytics/correlate", tag = "analytics",
    responses((status = 200, description = "The correlation", body = CorrelationReport)))]
pub(crate) async fn analytics_correlate(
    State(state): State<AppState>,
) -> std::result::Result<Json<CorrelationReport>, ApiError> {
    Ok(Json(call(&state, |p| p.analytics_correlate()).await?))
}

/// Frequent journeys in the synced window that no flow covers.
#[utoipa::path(get, path = "/analytics/gaps", tag = "analytics", params(GapsQuery),
    responses((status = 200, description = "The gaps, most weekly users first", body = Vec<Gap>)))]
pub(crate) async fn analytics_gaps(
    State(state): State<AppState>,
    params: std::result::Result<Query<GapsQuery>, QueryRejection>,
) -> std::result::Result<Json<Vec<Gap>>, ApiError> {
    let params = query(params)?;
    if params.min_sessions == 0 || params.limit == 0 || params.limit > 1000 {
        return Err(rejected(
            StatusCode::BAD_REQUEST,
            "minSessions must be at least 1 and limit between 1 and 1000".into(),
        ));
    }
    Ok(Json(
        call(&state, move |p| p.analytics_gaps(params.min_sessions, params.limit)).await?,
    ))
}

/// Revenue at risk for one flow.
#[utoipa::path(get, path = "/analytics/impact", tag = "analytics", params(ImpactQuery),
    responses((status = 200, description = "The revenue impact", body = RevenueImpact)))]
pub(crate) async fn analytics_impact(
    State(state): State<AppState>,
    params: std::result::Result<Query<ImpactQuery>, QueryRejection>,
) -> std::result::Result<Json<RevenueImpact>, ApiError> {
    let params = query(params)?;
    Ok(Json(call(&state, move |p| p.analytics_impact(&params.flow)).await?))
}

/// Records a test run the client executed: test results, synthetic metrics, the latest run.
/// Flows the server's checkout does not define are kept in the run and listed as skipped.
#[utoipa::path(post, path = "/coordinator/runs", tag = "coordinator", request_body = TestRunReport,
    responses((status = 201, description = "Recorded", body = RecordedRun)))]
pub(crate) async fn coordinator_record_run(
    State(state): State<AppState>,
    report: std::result::Result<Json<TestRunReport>, JsonRejection>,
) -> std::result::Result<(StatusCode, Json<RecordedRun>), ApiError> {
    let report = body(report)?;
    let recorded = call(&state, move |p| p.record_run(&report)).await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// The latest recorded test run (`run` is null before the first).
#[utoipa::path(get, path = "/coordinator/runs/latest", tag = "coordinator",
    responses((status = 200, description = "The latest run", body = LatestRun)))]
pub(crate) async fn coordinator_latest_run(
    State(state): State<AppState>,
) -> std::result::Result<Json<LatestRun>, ApiError> {
    let (_, run) = call(&state, |p| p.latest_results()).await?;
    Ok(Json(LatestRun { run }))
}

/// A flow's recent test runs, newest first.
#[utoipa::path(get, path = "/coordinator/flows/{id}/history", tag = "coordinator",
    params(("id" = String, Path, description = "The flow id"), HistoryQuery),
    responses(
        (status = 200, description = "The runs, newest first", body = Vec<TestRun>),
        (status = 404, description = "No such flow", body = super::ErrorBody),
    ))]
pub(crate) async fn coordinator_flow_history(
    State(state): State<AppState>,
    id: std::result::Result<Path<String>, PathRejection>,
    params: std::result::Result<Query<HistoryQuery>, QueryRejection>,
) -> std::result::Result<Json<Vec<TestRun>>, ApiError> {
    let Path(id) = id.map_err(|r| rejected(r.status(), r.body_text()))?;
    let params = query(params)?;
    if params.limit == 0 || params.limit > 1000 {
        return Err(rejected(
            StatusCode::BAD_REQUEST,
            "limit must be between 1 and 1000".into(),
        ));
    }
    let shown = id.clone();
    let history = call(&state, move |p| {
        if p.flows()?.get(&id).is_none() {
            return Ok(None);
        }
        p.test_history(&id, params.limit).map(Some)
    })
    .await?;
    history.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no flow `{shown}` in this project (see `perceo flows list` on the server's checkout)"),
        )
    })
}

/// `/healthz` and `/readyz`: no key needed (`/openapi.json` neither, see `openapi`).
pub(crate) fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The engine endpoints (the key check is layered on by the caller).
pub(crate) fn engine_routes() -> Router<AppState> {
    Router::new()
        .route("/observer/bootstrap", post(observer_bootstrap))
        .route("/observer/analyze", post(observer_analyze))
        .route("/analyzer/insights", post(analyzer_insights))
        .route("/analyzer/coverage", get(analyzer_coverage))
        .route("/analyzer/suggestions", get(analyzer_suggestions))
        .route("/analyzer/predict", post(analyzer_predict))
        .route("/analytics/sync", post(analytics_sync))
        .route("/analytics/correlate", post(analytics_correlate))
        .route("/analytics/gaps", get(analytics_gaps))
        .route("/analytics/impact", get(analytics_impact))
        .route("/coordinator/runs", post(coordinator_record_run))
        .route("/coordinator/runs/latest", get(coordinator_latest_run))
        .route("/coordinator/flows/{id}/history", get(coordinator_flow_history))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(timeout: Duration) -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".perceo")).unwrap();
        std::fs::write(dir.path().join(".perceo/config.json"), "{}").unwrap();
        let perceo = Perceo::open(dir.path(), crate::OpenOptions::default()).unwrap();
        let state = AppState {
            perceo: std::sync::Arc::new(perceo),
            request_timeout: timeout,
        };
        (dir, state)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_over_its_time_is_a_503_timeout_and_a_quick_one_answers() {
        let (_dir, state) = state(Duration::from_millis(200));
        let slow = call(&state, |_| {
            std::thread::sleep(Duration::from_millis(1500));
            Ok(())
        })
        .await
        .unwrap_err();
        assert_eq!(
            (slow.status, slow.code.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "request.timeout")
        );
        assert!(slow.message.contains("serve.requestTimeoutSecs"), "{}", slow.message);
        let quick = call(&state, |p| Ok(p.config().project_name())).await.unwrap();
        assert!(!quick.is_empty());
        // The facade owns a runtime, which must not be dropped on an async worker thread.
        tokio::task::spawn_blocking(move || drop(state)).await.unwrap();
    }
}
