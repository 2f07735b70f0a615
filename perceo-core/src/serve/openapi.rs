//! The OpenAPI document of `perceo serve`, generated from the types with utoipa.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use axum::response::{IntoResponse, Response};

use super::handlers;
use super::types::{ErrorBody, ErrorDetail};

/// Adds the bearer scheme and the error answers every engine endpoint can give.
struct Common;

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::<Schema>::Ref(Ref::from_schema_name("ErrorBody"))))
                .build(),
        )
        .into()
}

impl Modify for Common {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "One of the server's API keys (PERCEO_SERVE_API_KEYS or serve.apiKeys)",
                    ))
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = matches!(path.as_str(), "/healthz" | "/readyz" | "/openapi.json");
            let operations: [&mut Option<Operation>; 2] = [&mut item.get, &mut item.post];
            for op in operations.into_iter().flatten() {
                let has_body = op.request_body.is_some();
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(description));
                };
                add("500", "The server failed (its configuration, flow files or a job)");
                if public {
                    continue;
                }
                add("401", "No API key, or one the server does not accept");
                add("503", "The flow graph or the event bus cannot be reached");
                if has_body || has_params || path.contains('{') {
                    add(
                        "400",
                        "The request is not valid (body, parameters or the data it names)",
                    );
                }
                if has_body {
                    add("413", "The body is larger than serve.maxBodyBytes");
                    add("415", "The body is not `application/json`");
                }
            }
        }
    }
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Perceo engine APIs",
        description = "The Observer, Analyzer, Analytics and Coordinator APIs that `perceo serve` implements (and Perceo Cloud answers) for the clients in perceo-core. Every engine endpoint needs `Authorization: Bearer <key>`; errors are `{\"error\":{\"code\",\"message\"}}`. Analyses run against the server's own checkout of the application (`perceo serve --project-dir`)."
    ),
    paths(
        handlers::healthz,
        handlers::readyz,
        openapi_document,
        handlers::observer_bootstrap,
        handlers::observer_analyze,
        handlers::analyzer_insights,
        handlers::analyzer_coverage,
        handlers::analyzer_suggestions,
        handlers::analyzer_predict,
        handlers::analytics_sync,
        handlers::analytics_correlate,
        handlers::analytics_gaps,
        handlers::analytics_impact,
        handlers::coordinator_record_run,
        handlers::coordinator_latest_run,
        handlers::coordinator_flow_history,
    ),
    // Beyond the endpoints' own types: the library results the Node package's types are
    // generated from (npm/tools/gen-types.mjs).
    components(schemas(
        ErrorBody,
        ErrorDetail,
        crate::impact::why::WhyReport,
        crate::code::deps::ModuleGraphExport,
        crate::graph::SyncSummary,
        crate::doctor::DoctorReport,
        crate::flows::FlowSet,
        crate::bus::Event,
    )),
    modifiers(&Common),
    security(("bearer" = [])),
    tags(
        (name = "observer", description = "Impact analysis of a change set, flow bootstrap"),
        (name = "analyzer", description = "Insights, coverage, suggestions, failure predictions"),
        (name = "analytics", description = "Production analytics: sync, correlation, gaps, revenue impact"),
        (name = "coordinator", description = "Test runs (executed by the client) and their history"),
        (name = "operations", description = "Health, readiness and this document"),
    )
)]
struct ApiDoc;

/// The OpenAPI document of the engine APIs.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document as pretty JSON with a final newline (as committed in
/// `schema/openapi.json`).
pub fn openapi_json() -> String {
    openapi().to_pretty_json().unwrap_or_default() + "\n"
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub(crate) async fn openapi_document() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.get_or_init(openapi_json).as_str(),
    )
        .into_response()
}
