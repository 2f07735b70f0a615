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

/// The runner a group of specs goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunnerKind {
    Playwright,
    Cypress,
}

/// One invocation of a test runner for a flow: where, which runner, the spec arguments.
#[derive(Debug, Clone)]
struct Unit {
    dir: PathBuf,
    runner: RunnerKind,
    /// Spec paths relative to `dir` (Playwright tests as `spec:line`).
    specs: Vec<String>,
    grep: Option<String>,
}

fn render_template(template: &str, flow_id: &str, unit: &Unit, junit: &Path) -> String {
    let specs: Vec<String> = unit.specs.iter().map(|s| shell_quote(s)).collect();
    template
        .replace("{specs}", &specs.join(" "))
        .replace("{grep}", &shell_quote(unit.grep.as_deref().unwrap_or("")))
        .replace("{flow}", &shell_quote(flow_id))
        .replace("{junit}", &shell_quote(&junit.to_string_lossy()))
}

/// Where a flow's own tests (`tests.specs`, `tests.grep`) run, and their spec paths relative
/// to there: the app's folder for a flow of an app (where its Playwright config is).
fn run_dir(config: &RunnerConfig, flow: &Flow) -> (PathBuf, Vec<String>) {
    let specs = flow.tests.as_ref().map(|t| t.specs.clone()).unwrap_or_default();
    let app = flow
        .app
        .as_deref()
        .and_then(|name| config.apps.iter().find(|a| a.name == name));
    let Some(app) = app else {
        return (config.project_dir.clone(), specs);
    };
    let dir = app.path.trim_matches('/');
    let specs = specs
        .into_iter()
        .map(|spec| match spec.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            Some(rest) => rest.to_string(),
            None => spec,
        })
        .collect();
    (config.project_dir.join(dir), specs)
}

/// The runner invocations of a flow: its own specs or grep (one), then its linked tests,
/// one invocation per suite, run from the suite's config folder (Playwright tests by
/// `spec:line`, Cypress specs by file).
fn units(config: &RunnerConfig, flow: &Flow) -> Vec<Unit> {
    let tests = flow.tests.clone().unwrap_or_default();
    let mut units = Vec::new();
    if !tests.specs.is_empty() || tests.grep.is_some() {
        let (dir, specs) = run_dir(config, flow);
        units.push(Unit {
            dir,
            runner: RunnerKind::Playwright,
            specs,
            grep: tests.grep.clone(),
        });
    }
    let mut configs: Vec<&str> = tests.linked.iter().map(|t| t.config.as_str()).collect();
    configs.sort();
    configs.dedup();
    for suite_config in configs {
        let folder = suite_config.rsplit_once('/').map_or("", |(dir, _)| dir);
        let name = suite_config.rsplit('/').next().unwrap_or(suite_config);
        let runner = if name.starts_with("cypress.config") {
            RunnerKind::Cypress
        } else {
            RunnerKind::Playwright
        };
        let dir = crate::code::discover::absolute(&config.project_dir, folder);
        let mut specs: Vec<String> = tests
            .linked
            .iter()
            .filter(|t| t.config == suite_config)
            .map(|t| {
                let below = if folder.is_empty() {
                    Some(t.spec.as_str())
                } else {
                    t.spec.strip_prefix(folder).and_then(|r| r.strip_prefix('/'))
                };
                let path = below.map_or_else(
                    || {
                        crate::code::discover::absolute(&config.project_dir, &t.spec)
                            .display()
                            .to_string()
                    },
                    str::to_string,
                );
                match runner {
                    RunnerKind::Playwright => format!("{path}:{}", t.line),
                    RunnerKind::Cypress => path,
                }
            })
            .collect();
        specs.sort();
        specs.dedup();
        units.push(Unit {
            dir,
            runner,
            specs,
            grep: None,
        });
    }
    units
}

fn command_for(config: &RunnerConfig, flow: &Flow, unit: &Unit, junit: &Path) -> Command {
    let mut cmd = match (&config.command, unit.runner) {
        (Some(template), _) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(render_template(template, &flow.id, unit, junit));
            c
        }
        (None, RunnerKind::Playwright) => {
            let mut c = Command::new("npx");
            c.args(["playwright", "test"]).args(&unit.specs).arg("--reporter=junit");
            if let Some(grep) = &unit.grep {
                c.args(["--grep", grep]);
            }
            c.env("PLAYWRIGHT_JUNIT_OUTPUT_NAME", junit);
            c
        }
        (None, RunnerKind::Cypress) => {
            let mut c = Command::new("npx");
            c.args(["cypress", "run", "--spec", &unit.specs.join(",")])
                .args(["--reporter", "junit", "--reporter-options"])
                .arg(format!("mochaFile={}", junit.display()));
            c
        }
    };
    cmd.current_dir(&unit.dir)
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

/// What one runner invocation gave.
struct UnitOutcome {
    cases: Vec<TestCase>,
    failures: Vec<String>,
    exit_code: Option<i32>,
    passed: bool,
}

/// Runs one invocation within `timeout`, reading its JUnit report at `junit`.
async fn run_unit(config: &RunnerConfig, flow: &Flow, unit: &Unit, junit: &Path, timeout: Duration) -> UnitOutcome {
    let mut outcome = UnitOutcome {
        cases: Vec::new(),
        failures: Vec::new(),
        exit_code: None,
        passed: false,
    };
    let output = tokio::time::timeout(timeout, command_for(config, flow, unit, junit).output()).await;
    let output = match output {
        Err(_) => {
            outcome
                .failures
                .push(format!("timed out after {} s", config.timeout.as_secs()));
            return outcome;
        }
        Ok(Err(e)) => {
            outcome.failures.push(format!("the test runner could not start: {e}"));
            return outcome;
        }
        Ok(Ok(o)) => o,
    };
    outcome.exit_code = output.status.code();
    match std::fs::read_to_string(junit).map(|x| junit::parse(&x)) {
        Ok(Ok(cases)) if !cases.is_empty() => {
            outcome.failures = cases
                .iter()
                .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.name)))
                .collect();
            outcome.passed = outcome.failures.is_empty();
            if outcome.passed && !output.status.success() {
                outcome.passed = false;
                outcome.failures.push(format!(
                    "the runner exited with {:?} although every test passed",
                    outcome.exit_code
                ));
            }
            outcome.cases = cases;
        }
        Ok(Err(e)) => outcome.failures.push(format!("the JUnit report does not parse ({e})")),
        _ => {
            // No report: judge by the exit code alone, and say so.
            if output.status.success() {
                outcome.passed = true;
            } else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                outcome.failures.push(format!(
                    "the runner exited with {:?} and wrote no JUnit report: {}",
                    outcome.exit_code,
                    tail(&stderr, 3)
                ));
            }
        }
    }
    outcome
}

/// Runs one flow's tests: its own specs or grep, then its linked tests suite by suite, all
/// within the flow's time limit; it passes when every invocation passes.
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
            .push("the flow has no tests (tests.specs, tests.grep or tests.linked)".into());
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
    let mut passed = true;
    for (i, unit) in units(config, flow).iter().enumerate() {
        let junit = dir.path().join(format!("junit-{i}.xml"));
        let left = config.timeout.saturating_sub(started.elapsed());
        let outcome = run_unit(config, flow, unit, &junit, left).await;
        passed &= outcome.passed;
        result.cases.extend(outcome.cases);
        result.failures.extend(outcome.failures);
        if result.exit_code.is_none_or(|code| code == 0) {
            result.exit_code = outcome.exit_code;
        }
    }
    result.duration_ms = started.elapsed().as_millis() as u64;
    result.status = if passed { FlowStatus::Passed } else { FlowStatus::Failed };
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
