//! The local Coordinator: runs the tests of flows (Playwright by default, or any command
//! that writes JUnit XML), N at a time, optionally one deterministic shard of them, and
//! turns the results into per-flow outcomes.

pub mod junit;
mod plan;
mod report;
pub mod selection;
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
use plan::{RunnerKind, Unit};

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

fn render_template(template: &str, flow_id: &str, unit: &Unit, junit: &Path) -> String {
    let specs: Vec<String> = unit.specs.iter().map(|s| shell_quote(s)).collect();
    template
        .replace("{specs}", &specs.join(" "))
        .replace("{grep}", &shell_quote(unit.grep.as_deref().unwrap_or("")))
        .replace("{flow}", &shell_quote(flow_id))
        .replace("{junit}", &shell_quote(&junit.to_string_lossy()))
}

fn command_for(config: &RunnerConfig, flow_ids: &str, unit: &Unit, junit: &Path) -> Command {
    let mut cmd = match (&config.command, unit.runner) {
        (Some(template), _) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(render_template(template, flow_ids, unit, junit));
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
        .env("PERCEO_FLOW", flow_ids)
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
    /// The cases of its JUnit report.
    cases: Vec<TestCase>,
    /// Failures of the invocation itself (no report, a timeout, an exit code that the
    /// cases do not explain): they count for every flow it serves.
    runner_failures: Vec<String>,
    exit_code: Option<i32>,
}

/// Runs one invocation within `timeout`, reading its JUnit report at `junit`.
async fn run_unit(config: &RunnerConfig, flow_ids: &str, unit: &Unit, junit: &Path) -> UnitOutcome {
    let mut outcome = UnitOutcome {
        cases: Vec::new(),
        runner_failures: Vec::new(),
        exit_code: None,
    };
    let output = tokio::time::timeout(config.timeout, command_for(config, flow_ids, unit, junit).output()).await;
    let output = match output {
        Err(_) => {
            outcome
                .runner_failures
                .push(format!("timed out after {} s", config.timeout.as_secs()));
            return outcome;
        }
        Ok(Err(e)) => {
            outcome
                .runner_failures
                .push(format!("the test runner could not start: {e}"));
            return outcome;
        }
        Ok(Ok(o)) => o,
    };
    outcome.exit_code = output.status.code();
    match std::fs::read_to_string(junit).map(|x| junit::parse(&x)) {
        Ok(Ok(cases)) if !cases.is_empty() => {
            if !output.status.success() && cases.iter().all(|c| c.failure.is_none()) {
                outcome.runner_failures.push(format!(
                    "the runner exited with {:?} although every test passed",
                    outcome.exit_code
                ));
            }
            outcome.cases = cases;
        }
        Ok(Err(e)) => outcome
            .runner_failures
            .push(format!("the JUnit report does not parse ({e})")),
        _ => {
            // No report: judge by the exit code alone, and say so.
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                outcome.runner_failures.push(format!(
                    "the runner exited with {:?} and wrote no JUnit report: {}",
                    outcome.exit_code,
                    tail(&stderr, 3)
                ));
            }
        }
    }
    outcome
}

/// A flow's result while its jobs run.
struct Pending {
    result: FlowResult,
    jobs_left: usize,
    started: Option<Instant>,
    /// Per finished job (by its index in the plan): the flow's cases and failures from it.
    parts: Vec<(usize, Vec<TestCase>, Vec<String>)>,
}

impl Pending {
    /// Adds what job `n` gave this flow: its cases (already chosen for it) and the job's own
    /// failures.
    fn add(&mut self, n: usize, cases: Vec<TestCase>, outcome: &UnitOutcome) {
        let mut failures: Vec<String> = cases
            .iter()
            .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.name)))
            .collect();
        failures.extend(outcome.runner_failures.iter().cloned());
        self.parts.push((n, cases, failures));
        if self.result.exit_code.is_none_or(|code| code == 0) {
            self.result.exit_code = outcome.exit_code;
        }
        self.jobs_left -= 1;
    }

    /// The finished result, once no job is left: cases and failures in the plan's order,
    /// whichever job finished first.
    fn finish(&mut self) -> FlowResult {
        let mut result = self.result.clone();
        self.parts.sort_by_key(|(n, _, _)| *n);
        for (_, cases, failures) in self.parts.drain(..) {
            result.cases.extend(cases);
            result.failures.extend(failures);
        }
        result.duration_ms = self.started.map_or(0, |s| s.elapsed().as_millis() as u64);
        result.status = if result.failures.is_empty() {
            FlowStatus::Passed
        } else {
            FlowStatus::Failed
        };
        result
    }
}

/// Runs the flows' tests, `parallel` runner invocations at a time. A flow's own specs or
/// grep run in an invocation of their own; linked tests run once per suite however many
/// flows they cover, and their JUnit cases go back to every flow they cover. A flow passes
/// when each of its tests passed and none of its invocations failed. Results come back in
/// the flows' order and are also handed to `on_done` as each flow finishes.
pub async fn run_flows(
    config: &RunnerConfig,
    flows: &[Flow],
    parallel: usize,
    on_done: &mut dyn FnMut(&FlowResult),
) -> Vec<FlowResult> {
    let jobs = plan::plan(config, flows);
    let mut pending: Vec<Pending> = flows
        .iter()
        .enumerate()
        .map(|(i, flow)| Pending {
            result: FlowResult {
                flow_id: flow.id.clone(),
                name: flow.name.clone(),
                status: FlowStatus::Failed,
                duration_ms: 0,
                cases: Vec::new(),
                failures: Vec::new(),
                exit_code: None,
            },
            jobs_left: jobs.iter().filter(|j| j.members.iter().any(|m| m.flow == i)).count(),
            started: None,
            parts: Vec::new(),
        })
        .collect();
    let mut results: Vec<Option<FlowResult>> = vec![None; flows.len()];
    for (i, flow) in flows.iter().enumerate() {
        if !flow.has_tests() {
            let mut r = pending[i].result.clone();
            r.status = FlowStatus::Uncovered;
            r.failures
                .push("the flow has no tests (tests.specs, tests.grep or tests.linked)".into());
            on_done(&r);
            results[i] = Some(r);
        }
    }
    let reports = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            for (p, slot) in pending.iter_mut().zip(results.iter_mut()).filter(|(_, r)| r.is_none()) {
                p.result
                    .failures
                    .push(format!("cannot create a temporary directory: {e}"));
                on_done(&p.result);
                *slot = Some(p.result.clone());
            }
            return results.into_iter().flatten().collect();
        }
    };
    let mut queue = jobs.iter().enumerate();
    let mut running = tokio::task::JoinSet::new();
    let mut task_job = std::collections::HashMap::new();
    loop {
        while running.len() < parallel.max(1) {
            let Some((n, job)) = queue.next() else { break };
            for m in &job.members {
                pending[m.flow].started.get_or_insert_with(Instant::now);
            }
            let config = config.clone();
            let junit = reports.path().join(format!("junit-{n}.xml"));
            let ids = job.flow_ids(flows);
            let unit = job.unit.clone();
            let task = running.spawn(async move { run_unit(&config, &ids, &unit, &junit).await });
            task_job.insert(task.id(), n);
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (n, outcome) = match joined {
            Ok((id, outcome)) => (task_job[&id], outcome),
            Err(e) => (
                task_job[&e.id()],
                UnitOutcome {
                    cases: Vec::new(),
                    runner_failures: vec![format!("the test runner's task failed: {e}")],
                    exit_code: None,
                },
            ),
        };
        let job = &jobs[n];
        for member in &job.members {
            let cases = job.cases_for(member, &outcome.cases).into_iter().cloned().collect();
            let flow = &mut pending[member.flow];
            flow.add(n, cases, &outcome);
            if flow.jobs_left == 0 {
                let r = flow.finish();
                on_done(&r);
                results[member.flow] = Some(r);
            }
        }
    }
    results.into_iter().flatten().collect()
}
