//! The facade and the managed engine APIs, both ways: the clients the facade delegates to
//! when a section sets `apiBaseUrl`, and the server halves `perceo serve` calls (which
//! always run in-process).

use std::path::Path;
use std::time::{Duration, Instant};

use super::{ChangeSource, LAST_RUN_KEY, OpenOptions, Perceo};
use crate::api::analytics::AnalyticsClient;
use crate::api::analyzer::AnalyzerClient;
use crate::api::coordinator::{CoordinatorClient, RecordedRun};
use crate::api::observer::{AnalyzeRequest, BootstrapRequest, BootstrapResponse, ObserverClient};
use crate::api::{ApiClient, Timeouts};
use crate::config::{Framework, Setting, redact_url};
use crate::coordinator::{FlowStatus, TestRunReport};
use crate::error::{Error, Result};
use crate::flows::FlowSet;
use crate::git::check_ref;
use crate::git::{ChangeSet, checked_out_commit};
use crate::graph::{TestRun, TestStatus};
use crate::impact::ImpactReport;
use crate::init::InitOptions;

/// The environment variable that sets the whole-request timeout of every API client, in
/// seconds (default 60).
pub const API_TIMEOUT_VAR: &str = "PERCEO_API_TIMEOUT_SECS";

/// A changed path the server accepts: relative, `/`-separated, inside the project.
/// A changed path from a client: project-relative, `/`-separated, climbing out of the
/// project (`../`) at most `max_up` folders, i.e. never out of the repository.
fn check_change_path(path: &str, max_up: usize) -> Result<()> {
    let ups = path.split('/').take_while(|part| *part == "..").count();
    let bad = path.is_empty()
        || path.len() > 4096
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || ups > max_up
        || path.split('/').skip(ups).any(|part| part == ".." || part.is_empty());
    if bad {
        return Err(Error::Argument(format!(
            "changed file `{}`: paths must be relative to the project, `/`-separated and stay inside the repository",
            path.chars().take(200).collect::<String>()
        )));
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Asks the Observer API configured in the pending config (see
/// [`crate::init::RemoteBootstrap`]) to bootstrap flows; `None` when there is none.
pub(super) fn remote_bootstrap(
    project_dir: &Path,
    options: &InitOptions,
    pending: &Path,
    request: &BootstrapRequest,
) -> Result<Option<(String, BootstrapResponse)>> {
    if options.local {
        return Ok(None);
    }
    let mut env = options.env.clone();
    if env.get("PERCEO_CONFIG_PATH").is_none_or(str::is_empty) {
        env.set("PERCEO_CONFIG_PATH", pending.to_string_lossy());
    }
    let perceo = Perceo::open(
        project_dir,
        OpenOptions {
            env,
            ..Default::default()
        },
    )?;
    let Some(client) = perceo.observer_client()? else {
        return Ok(None);
    };
    let shown = redact_url(client.0.base_url());
    let response = perceo.block_on(client.bootstrap(request))?;
    Ok(Some((shown, response)))
}

impl Perceo {
    /// Timeouts of the API clients: the defaults, with the whole-request timeout from
    /// `PERCEO_API_TIMEOUT_SECS` when set.
    fn api_timeouts(&self) -> Result<Timeouts> {
        let mut timeouts = Timeouts::default();
        if let Some(text) = self.config.env().get(API_TIMEOUT_VAR) {
            let secs: f64 = text
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                .ok_or_else(|| {
                    Error::Argument(format!(
                        "{API_TIMEOUT_VAR} must be a number of seconds between 0 and 86400, not `{text}`"
                    ))
                })?;
            timeouts.request = Duration::from_secs_f64(secs);
            timeouts.connect = timeouts.connect.min(timeouts.request);
        }
        Ok(timeouts)
    }

    /// The client of `engine`'s managed API when its `apiBaseUrl` is set and the project
    /// was not opened with `local`.
    fn api_client(
        &self,
        engine: &'static str,
        base: Option<&Setting>,
        key: Option<&Setting>,
    ) -> Result<Option<ApiClient>> {
        if self.local {
            return Ok(None);
        }
        let Some(base) = self.config.resolve_opt(&format!("{engine}.apiBaseUrl"), base)? else {
            return Ok(None);
        };
        let key = self.config.resolve_opt(&format!("{engine}.apiKey"), key)?;
        Ok(Some(ApiClient::new(engine, &base, key, self.api_timeouts()?)?))
    }

    /// The managed Observer API client (`observer.apiBaseUrl`).
    pub(super) fn observer_client(&self) -> Result<Option<ObserverClient>> {
        let s = &self.config.settings.observer;
        Ok(self
            .api_client("observer", s.api_base_url.as_ref(), s.api_key.as_ref())?
            .map(ObserverClient))
    }

    /// The managed Analyzer API client (`analyzer.apiBaseUrl`).
    pub(super) fn analyzer_client(&self) -> Result<Option<AnalyzerClient>> {
        let s = &self.config.settings.analyzer;
        Ok(self
            .api_client("analyzer", s.api_base_url.as_ref(), s.api_key.as_ref())?
            .map(AnalyzerClient))
    }

    /// The managed Coordinator API client (`coordinator.apiBaseUrl`).
    pub(super) fn coordinator_client(&self) -> Result<Option<CoordinatorClient>> {
        let s = &self.config.settings.coordinator;
        Ok(self
            .api_client("coordinator", s.api_base_url.as_ref(), s.api_key.as_ref())?
            .map(CoordinatorClient))
    }

    /// The managed Analytics API client (`analytics.apiBaseUrl`), for the analytics methods
    /// to delegate to.
    pub(crate) fn analytics_client(&self) -> Result<Option<AnalyticsClient>> {
        let s = &self.config.settings.analytics;
        Ok(self
            .api_client("analytics", s.api_base_url.as_ref(), s.api_key.as_ref())?
            .map(AnalyticsClient))
    }

    /// Records a finished run in the graph: one test run per flow with tests, the synthetic
    /// metrics that follow, and the run itself as the latest (for `ci report`). Returns how
    /// many test runs were written.
    pub(super) fn store_run(&self, set: &FlowSet, report: &TestRunReport, skip: &[String]) -> Result<usize> {
        let runs: Vec<TestRun> = report
            .flows
            .iter()
            .filter(|r| r.status != FlowStatus::Uncovered && !skip.contains(&r.flow_id))
            .map(|r| TestRun {
                id: format!("{}:{}", report.run_id, r.flow_id),
                flow_id: r.flow_id.clone(),
                status: if r.status == FlowStatus::Passed {
                    TestStatus::Passed
                } else {
                    TestStatus::Failed
                },
                duration_ms: r.duration_ms,
                started_at: report.started_at.clone(),
                message: r.failures.first().cloned(),
                change_id: report.change_id.clone(),
            })
            .collect();
        let saved = serde_json::to_string(report).unwrap_or_default();
        let graph = self.graph()?;
        self.block_on(async {
            self.sync_flow_files(graph.as_ref(), set).await?;
            graph.record_test_runs(&runs).await?;
            graph.set_cursor(LAST_RUN_KEY, &saved).await
        })?;
        Ok(runs.len())
    }

    /// The server half of `POST /coordinator/runs`: records a run that a client executed.
    /// Flows this checkout does not define (a flow added by the change under test) stay in
    /// the stored run but get no history; they are listed as skipped.
    pub fn record_run(&self, report: &TestRunReport) -> Result<RecordedRun> {
        if report.run_id.trim().is_empty() {
            return Err(Error::Argument("the run has an empty `runId`".into()));
        }
        if humantime::parse_rfc3339_weak(&report.started_at).is_err() {
            return Err(Error::Argument(format!(
                "`startedAt` must be an RFC 3339 time such as 2026-12-05T08:00:00Z (got {:?})",
                report.started_at.chars().take(80).collect::<String>()
            )));
        }
        let set = self.flows()?;
        let skipped: Vec<String> = report
            .flows
            .iter()
            .filter(|r| set.get(&r.flow_id).is_none())
            .map(|r| r.flow_id.clone())
            .collect();
        let recorded = self.store_run(&set, report, &skipped)?;
        Ok(RecordedRun {
            run_id: report.run_id.clone(),
            recorded,
            skipped,
        })
    }

    /// A flow's recent test runs, newest first (at most `limit`). An id that is not one of
    /// the project's flows is an error.
    pub fn test_history(&self, flow_id: &str, limit: usize) -> Result<Vec<TestRun>> {
        if self.flows()?.get(flow_id).is_none() {
            return Err(Error::Argument(format!(
                "unknown flow `{flow_id}` (see `perceo flows list`)"
            )));
        }
        let graph = self.graph()?;
        self.block_on(graph.test_history(flow_id, limit))
    }

    /// The server half of `POST /observer/bootstrap`: proposes one flow per page route of
    /// this checkout (and its personas) without writing anything; the client writes them.
    /// The request's framework is used when it names one, else the configured or detected one.
    pub fn bootstrap(&self, request: &BootstrapRequest) -> Result<BootstrapResponse> {
        let framework = serde_json::from_value::<Framework>(serde_json::Value::String(request.framework.clone()))
            .ok()
            .filter(|f| *f != Framework::Unknown)
            .or(self.config.settings.project.framework)
            .unwrap_or_else(|| crate::project::detect_framework(&self.config.project_dir).framework);
        // The same discovery as a local `perceo init` (no ignore list), so both propose the
        // same flows.
        let options = crate::code::GraphOptions::for_project(&self.config.perceo_dir(), Vec::new());
        let model = crate::analysis::AppModel::build(&self.config.project_dir, Some(framework), &options)?;
        let (flows, personas) = crate::flows::bootstrap_flows(&model.routes, &model.navigation_edges());
        let mut warnings = Vec::new();
        if flows.is_empty() {
            warnings.push(format!(
                "no page routes found in the server's checkout of `{}` ({}), so no flows were proposed",
                self.config.project_name(),
                framework.as_str()
            ));
        }
        Ok(BootstrapResponse {
            project_name: if request.project_name.trim().is_empty() {
                self.config.project_name()
            } else {
                request.project_name.clone()
            },
            framework: framework.as_str().to_string(),
            flows_initialized: flows.len(),
            personas_initialized: personas.len(),
            warnings,
            flows,
            personas,
        })
    }

    /// The server half of `POST /observer/analyze`: analyses a change set a client computed
    /// against this project's checkout (its dependency graph, routes and flow files), with
    /// lockfile contents from the checkout's history at `mergeBase` and `headSha` when it has
    /// those commits. Stores and publishes the report like [`Perceo::analyze`]. Never
    /// delegates (the server is the API).
    pub fn analyze_change_set(&self, request: &AnalyzeRequest) -> Result<ImpactReport> {
        let started = Instant::now();
        // Files outside the project may be named (`../../packages/ui/...`), never outside the
        // repository.
        let depth = crate::git::project_prefix(&self.config.project_dir)
            .map(|p| p.split('/').filter(|s| !s.is_empty()).count())
            .unwrap_or(0);
        check_ref("baseSha", &request.base_sha)?;
        check_ref("headSha", &request.head_sha)?;
        if let Some(merge_base) = request.merge_base.as_deref().filter(|m| !m.is_empty()) {
            check_ref("mergeBase", merge_base)?;
        }
        for f in &request.files {
            check_change_path(&f.path, depth)?;
            if let Some(old) = &f.old_path {
                check_change_path(old, depth)?;
            }
        }
        let mut files = request.files.clone();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let changes = ChangeSet {
            base_sha: request.base_sha.clone(),
            head_sha: request.head_sha.clone(),
            merge_base: request
                .merge_base
                .clone()
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| request.base_sha.clone()),
            changes: files,
            warnings: Vec::new(),
        };
        self.publish_change_detected(&changes)?;
        let flows_started = Instant::now();
        let flows = self.flows()?;
        let flows_ms = flows_started.elapsed().as_millis() as u64;
        let impact_started = Instant::now();
        let source = ChangeSource::Refs {
            base: changes.base_sha.clone(),
            head: changes.head_sha.clone(),
        };
        let model = self.model()?;
        let mut report = self.impact(&model, &changes, &source, &flows, request.on_empty.unwrap_or_default());
        self.classify_with_llm(&mut report, &changes, &flows, false);
        match checked_out_commit(&self.config.project_dir) {
            Ok(sha) if sha != changes.head_sha => report.warnings.push(format!(
                "the server built the dependency graph from its checkout at {} (not headSha {}): imports this change adds or removes are not seen; keep the server's checkout (`perceo serve --project-dir`) at the commit under review for exact results",
                short(&sha),
                short(&changes.head_sha)
            )),
            Ok(_) => {}
            Err(e) => report.warnings.push(format!(
                "the server's project is not a git checkout ({e}); the dependency graph is its work tree"
            )),
        }
        report.timings.git_ms = 0;
        report.timings.flows_ms = flows_ms;
        report.timings.impact_ms = impact_started.elapsed().as_millis() as u64;
        self.finish_analysis(report, &flows, started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_paths_stay_inside_the_project() {
        for ok in ["src/a.ts", "app/(shop)/cart/page.tsx", ".env", "a..b/c"] {
            assert!(check_change_path(ok, 0).is_ok(), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "a\0b"] {
            assert_eq!(check_change_path(bad, 0).unwrap_err().code(), "argument", "{bad:?}");
        }
        // A project in apps/web may name files of the repository, not above it.
        assert!(check_change_path("../../packages/ui/a.ts", 2).is_ok());
        for bad in ["../../../etc/passwd", "../../packages/../../../x", "..//x"] {
            assert!(check_change_path(bad, 2).is_err(), "{bad:?}");
        }
    }
}
