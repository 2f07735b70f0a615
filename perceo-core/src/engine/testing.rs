//! Running the tests of the selected flows, recording them, and announcing failures.

use std::time::{Duration, Instant};

use crate::bus::payloads::{TestFailed, TestsCompleted, TestsStarted};
use crate::coordinator::{FlowResult, FlowStatus, RunnerConfig, TestRunReport};
use crate::error::{Error, Result};
use crate::flows::Flow;
use crate::git::checked_out_commit;

use crate::impact::ImpactReport;

use super::{LAST_RUN_KEY, Perceo, TestOptions, TestSelection};

impl Perceo {
    /// Runs the tests of the selected flows (Playwright, or `coordinator.command`), records
    /// the runs and recomputes synthetic metrics in the graph, publishes
    /// `coordinator.tests.started`, `coordinator.test.failed` and
    /// `coordinator.tests.completed`, and keeps the report for `ci report`. Flows without
    /// tests are reported as uncovered, never as passed. The tests always run here; with
    /// `coordinator.apiBaseUrl` set (and not `local`) the run is also recorded by the managed
    /// Coordinator API (`POST /coordinator/runs`).
    pub fn run_tests(&self, options: &TestOptions, on_done: &mut dyn FnMut(&FlowResult)) -> Result<TestRunReport> {
        let set = self.flows()?;
        let (ids, change_id): (Vec<String>, Option<String>) = match &options.selection {
            TestSelection::All => (set.flows.iter().map(|f| f.id.clone()).collect(), None),
            TestSelection::Analyze(analyze) => {
                let report = self.analyze(analyze)?;
                (
                    report.flows.iter().map(|f| f.id.clone()).collect(),
                    Some(report.change_id),
                )
            }
            TestSelection::Report(json) => crate::coordinator::selection::flows_of_report(json)?,
        };
        let mut flows: Vec<Flow> = crate::coordinator::selection::resolve(&set, &ids)?;
        // Without an analysis, the commit identifies the run, so that every shard of it
        // (on any machine) computes the same split from the same history.
        let change_id = match change_id {
            Some(id) => Some(id),
            None => checked_out_commit(&self.config.project_dir)
                .ok()
                .map(|sha| format!("commit:{sha}")),
        };
        let graph = self.graph()?;
        if let Some(shard) = options.shard {
            let mut histories = std::collections::HashMap::new();
            for f in &flows {
                histories.insert(f.id.clone(), self.block_on(graph.test_history(&f.id, 50))?);
            }
            let history = |id: &str| histories.get(id).cloned().unwrap_or_default();
            flows = crate::coordinator::shard::my_shard(flows, shard, change_id.as_deref(), history);
        }
        let s = &self.config.settings;
        let config = RunnerConfig {
            project_dir: self.config.project_dir.clone(),
            command: s.coordinator.command.clone(),
            timeout: Duration::from_secs(s.coordinator.timeout_secs.unwrap_or(600)),
            apps: s.project.apps.clone(),
        };
        let parallel = options.parallel.unwrap_or(s.observer.ci.parallelism as usize);
        let run_id = uuid::Uuid::now_v7().to_string();
        let started_at = crate::fsutil::now_rfc3339();
        self.emit(&TestsStarted {
            run_id: &run_id,
            change_id: change_id.as_deref(),
            flows: flows.iter().map(|f| f.id.as_str()).collect(),
            shard: options.shard.map(|(i, n)| [i, n]),
        })?;
        let started = Instant::now();
        let results = self.block_on(crate::coordinator::run_flows(&config, &flows, parallel, on_done));
        let report = TestRunReport {
            passed: results.iter().filter(|r| r.status == FlowStatus::Passed).count(),
            failed: results.iter().filter(|r| r.status == FlowStatus::Failed).count(),
            uncovered: results.iter().filter(|r| r.status == FlowStatus::Uncovered).count(),
            duration_ms: started.elapsed().as_millis() as u64,
            shard: options.shard.map(|(i, n)| [i, n]),
            run_id,
            change_id,
            flows: results,
            started_at,
        };
        for r in report.flows.iter().filter(|r| r.status == FlowStatus::Failed) {
            self.emit(&TestFailed {
                run_id: &report.run_id,
                flow_id: &r.flow_id,
                failures: &r.failures,
            })?;
        }
        self.store_run(&set, &report, &[])?;
        // A managed Coordinator records the run too (the tests themselves ran here).
        if let Some(client) = self.coordinator_client()? {
            self.block_on(client.record_run(&report))?;
        }
        if report.failed > 0 {
            let failed: Vec<String> = report
                .flows
                .iter()
                .filter(|r| r.status == FlowStatus::Failed)
                .map(|r| {
                    format!(
                        "• {}: {}",
                        r.flow_id,
                        r.failures.first().map_or("failed", String::as_str)
                    )
                })
                .collect();
            self.notify(&format!(
                "Perceo: {} flow test run(s) failed in {}:\n{}",
                report.failed,
                self.config.project_name(),
                failed.join("\n")
            ))?;
        }
        self.emit(&TestsCompleted {
            run_id: &report.run_id,
            passed: report.passed,
            failed: report.failed,
            uncovered: report.uncovered,
            duration_ms: report.duration_ms,
        })?;
        Ok(report)
    }

    /// Sends `text` to the configured notification channels (Slack when enabled). A channel
    /// that cannot be reached is a warning ([`Perceo::take_warnings`]), never a failed job: the job's own
    /// result matters more than its announcement.
    pub(super) fn notify(&self, text: &str) -> Result<()> {
        let slack = &self.config.settings.notifications.slack;
        if !slack.enabled {
            return Ok(());
        }
        let webhook = self
            .config
            .resolve_opt("notifications.slack.webhook", slack.webhook.as_ref())?
            .ok_or_else(|| {
                Error::Argument("notifications.slack.enabled is true but notifications.slack.webhook is not set".into())
            })?;
        if let Err(e) = self.block_on(crate::notify::post_slack(&webhook, text)) {
            self.warn(format!("Slack notification not sent: {e}"));
        }
        Ok(())
    }

    /// The latest stored analysis and test run, for `ci report`.
    ///
    /// With `coordinator.apiBaseUrl` set, the run is the Coordinator API's latest (the one a
    /// test job on another machine recorded) when the local graph has none.
    pub fn latest_results(&self) -> Result<(Option<ImpactReport>, Option<TestRunReport>)> {
        let graph = self.graph()?;
        let (analysis, run) = self
            .block_on(async { Ok::<_, Error>((graph.latest_analysis().await?, graph.cursor(LAST_RUN_KEY).await?)) })?;
        let analysis = analysis.and_then(|a| serde_json::from_value(a.report).ok());
        let mut run: Option<TestRunReport> = run.and_then(|r| serde_json::from_str(&r).ok());
        if run.is_none()
            && let Some(client) = self.coordinator_client()?
        {
            run = self.block_on(client.latest_run())?;
        }
        Ok((analysis, run))
    }
}
