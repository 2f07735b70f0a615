//! The local Coordinator: runs the tests of flows (Playwright by default, or any command
//! that writes JUnit XML), N at a time, optionally one deterministic shard of them, and
//! turns the results into per-flow outcomes.

pub mod junit;
mod report;
pub mod shard;
mod specs;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::process::Command;

pub use report::{ReportFormat, annotations, render};
pub use specs::spec_sources;

use crate::flows::Flow;
use junit::TestCase;

/// How a flow's tests ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FlowStatus {
    /// Every test passed.
    Passed,
    /// A test failed, the runner failed, or it timed out.
    Failed,
    /// The flow has no tests: it is reported, never counted as passed.
    Uncovered,
}

/// The outcome of one flow's tests.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowResult {
    /// Flow id.
    pub flow_id: String,
    /// Flow name.
    pub name: String,
    /// Outcome.
    pub status: FlowStatus,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
    /// The test cases from the JUnit report.
    pub cases: Vec<TestCase>,
    /// Failure messages (test failures, or why the runner failed).
    pub failures: Vec<String>,
    /// The runner's exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

/// What a test run did.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestRunReport {
    /// Unique id of the run.
    pub run_id: String,
    /// The analysis that selected the flows, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// `[i, n]` when this was shard i of n.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<usize>>, min_items = 2, max_items = 2)]
    pub shard: Option<[usize; 2]>,
    /// Per flow, in the order run.
    pub flows: Vec<FlowResult>,
    /// Flows that passed.
    pub passed: usize,
    /// Flows that failed.
    pub failed: usize,
    /// Flows without tests.
    pub uncovered: usize,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
}

/// How to run one flow's tests.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// The project directory (commands run there).
    pub project_dir: PathBuf,
    /// Command template (see `coordinator.command`); `None`: Playwright.
    pub command: Option<String>,
    /// Per-flow time limit.
    pub timeout: Duration,
    /// The apps of a multi-app project (`project.apps`): a flow of an app runs in the app's
    /// folder, with its spec paths made relative to it (where its Playwright config is).
    pub apps: Vec<crate::config::AppSettings>,
}

/// Single-quotes a word for `sh`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn render_template(template: &str, flow: &Flow, junit: &Path) -> String {
    let tests = flow.tests.clone().unwrap_or_default();
    let specs: Vec<String> = tests.specs.iter().map(|s| shell_quote(s)).collect();
    template
        .replace("{specs}", &specs.join(" "))
        .replace("{grep}", &shell_quote(tests.grep.as_deref().unwrap_or("")))
        .replace("{flow}", &shell_quote(&flow.id))
        .replace("{junit}", &shell_quote(&junit.to_string_lossy()))
}

/// Where a flow's tests run, and the flow with its spec paths relative to there.
fn run_dir(config: &RunnerConfig, flow: &Flow) -> (PathBuf, Flow) {
    let app = flow
        .app
        .as_deref()
        .and_then(|name| config.apps.iter().find(|a| a.name == name));
    let Some(app) = app else {
        return (config.project_dir.clone(), flow.clone());
    };
    let dir = app.path.trim_matches('/');
    let mut local = flow.clone();
    if let Some(tests) = &mut local.tests {
        for spec in &mut tests.specs {
            if let Some(rest) = spec.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                *spec = rest.to_string();
            }
        }
    }
    (config.project_dir.join(dir), local)
}

fn command_for(config: &RunnerConfig, flow: &Flow, junit: &Path) -> Command {
    let (dir, flow) = run_dir(config, flow);
    let flow = &flow;
    let mut cmd = match &config.command {
        Some(template) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(render_template(template, flow, junit));
            c
        }
        None => {
            let tests = flow.tests.clone().unwrap_or_default();
            let mut c = Command::new("npx");
            c.args(["playwright", "test"])
                .args(&tests.specs)
                .arg("--reporter=junit");
            if let Some(grep) = &tests.grep {
                c.args(["--grep", grep]);
            }
            c.env("PLAYWRIGHT_JUNIT_OUTPUT_NAME", junit);
            c
        }
    };
    cmd.current_dir(&dir)
        .env("PERCEO_FLOW", &flow.id)
        .env("PERCEO_JUNIT", junit)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// The last `n` non-empty lines of a text.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs one flow's tests.
pub async fn run_flow(config: &RunnerConfig, flow: &Flow) -> FlowResult {
    let started = Instant::now();
    let mut result = FlowResult {
        flow_id: flow.id.clone(),
        name: flow.name.clone(),
        status: FlowStatus::Failed,
        duration_ms: 0,
        cases: Vec::new(),
        failures: Vec::new(),
        exit_code: None,
    };
    if !flow.has_tests() {
        result.status = FlowStatus::Uncovered;
        result
            .failures
            .push("the flow has no tests (tests.specs or tests.grep)".into());
        return result;
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            result
                .failures
                .push(format!("cannot create a temporary directory: {e}"));
            return result;
        }
    };
    let junit = dir.path().join("junit.xml");
    let output = tokio::time::timeout(config.timeout, command_for(config, flow, &junit).output()).await;
    result.duration_ms = started.elapsed().as_millis() as u64;
    let output = match output {
        Err(_) => {
            result
                .failures
                .push(format!("timed out after {} s", config.timeout.as_secs()));
            return result;
        }
        Ok(Err(e)) => {
            result.failures.push(format!("the test runner could not start: {e}"));
            return result;
        }
        Ok(Ok(o)) => o,
    };
    result.exit_code = output.status.code();
    match std::fs::read_to_string(&junit).map(|x| junit::parse(&x)) {
        Ok(Ok(cases)) if !cases.is_empty() => {
            result.failures = cases
                .iter()
                .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.name)))
                .collect();
            result.status = if result.failures.is_empty() {
                FlowStatus::Passed
            } else {
                FlowStatus::Failed
            };
            if result.status == FlowStatus::Passed && !output.status.success() {
                result.status = FlowStatus::Failed;
                result.failures.push(format!(
                    "the runner exited with {:?} although every test passed",
                    result.exit_code
                ));
            }
            result.cases = cases;
        }
        Ok(Err(e)) => result.failures.push(format!("the JUnit report does not parse ({e})")),
        _ => {
            // No report: judge by the exit code alone, and say so.
            if output.status.success() {
                result.status = FlowStatus::Passed;
            } else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                result.failures.push(format!(
                    "the runner exited with {:?} and wrote no JUnit report: {}",
                    result.exit_code,
                    tail(&stderr, 3)
                ));
            }
        }
    }
    result
}

/// Runs the flows' tests, `parallel` at a time; results come back in the flows' order and
/// are also handed to `on_done` as each finishes.
pub async fn run_flows(
    config: &RunnerConfig,
    flows: &[Flow],
    parallel: usize,
    on_done: &mut dyn FnMut(&FlowResult),
) -> Vec<FlowResult> {
    let mut results: Vec<Option<FlowResult>> = vec![None; flows.len()];
    let mut queue = flows.iter().cloned().enumerate();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < parallel.max(1) {
            let Some((i, flow)) = queue.next() else { break };
            let config = config.clone();
            running.spawn(async move { (i, run_flow(&config, &flow).await) });
        }
        let Some(joined) = running.join_next().await else { break };
        if let Ok((i, r)) = joined {
            on_done(&r);
            results[i] = Some(r);
        }
    }
    results.into_iter().flatten().collect()
}
