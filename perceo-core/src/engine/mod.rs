//! The facade: [`Perceo`], the one object the CLI, the C ABI and the Node package wrap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::analysis::AppModel;
use crate::api::observer::AnalyzeRequest;
use crate::bus::redis::RedisBus;
use crate::bus::{Event, EventBus, EventFilter, EventMetadata, EventType, MemoryBus, Since, Subscription};
use crate::code::GraphOptions;
use crate::config::{Config, Env, EventBusKind, LoadOptions};
use crate::coordinator::{FlowResult, FlowStatus, RunnerConfig, TestRunReport};
use crate::error::{Error, Result};
use crate::flows::{Flow, FlowSet, create_flow_file, delete_flow_file, edit_flow_file, load_flows};
use crate::git::{ChangeSet, changes_between, checked_out_commit, file_at, working_tree_changes};
use crate::graph::{
    AnalysisFlow, AnalysisRecord, FlowGraph, GraphLocation, GraphStatus, SyncSummary, graph_location, open_graph,
};
use std::collections::BTreeMap;

use crate::analyzer;
use crate::graph::{FlowRecord, Insight, Prediction, TestRun};
use crate::impact::{DependencyRules, ImpactReport, ManifestChange, OnEmpty, analyze, is_manifest};
use crate::init::{InitOptions, InitReport};
use crate::routes::Route;
use crate::watch::{WatchBatch, Watcher};

mod analytics;
mod api;
mod doctor;
mod explain;
mod llm;
mod test_links;
pub use analytics::{ConnectOptions, ConnectReport, SyncOptions, SyncProgress, SyncReport};

/// Options for [`Perceo::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Environment for configuration (`PERCEO_*`, `NODE_ENV`, `${VAR}`). Default: empty;
    /// bindings pass [`Env::from_process`].
    pub env: Env,
    /// Run every engine in-process even where an `apiBaseUrl` is configured. Default: false
    /// (the CLI sets it with `--local` or `PERCEO_LOCAL=1`).
    pub local: bool,
    /// The config file to use instead of `.perceo/config.json`, as `PERCEO_CONFIG_PATH` does
    /// (and over it). Default: none (the C and Node `configPath` argument sets it).
    pub config_path: Option<PathBuf>,
}

/// What to compare in [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub enum ChangeSource {
    /// `base...head`: from the merge base of the two refs to `head`.
    Refs {
        /// Base ref (branch, tag, SHA, `HEAD~n`).
        base: String,
        /// Head ref.
        head: String,
    },
    /// Uncommitted work (staged, unstaged, untracked) against HEAD.
    WorkingTree,
}

impl ChangeSource {
    /// The one rule every binding follows: a base gives `base...head` (head defaults to
    /// `HEAD`); no base gives the uncommitted work, and then a head is an error (it would be
    /// ignored).
    pub fn new(base: Option<String>, head: Option<String>) -> Result<ChangeSource> {
        match (base, head) {
            (Some(base), head) => Ok(ChangeSource::Refs {
                base,
                head: head.unwrap_or_else(|| "HEAD".into()),
            }),
            (None, None) => Ok(ChangeSource::WorkingTree),
            (None, Some(head)) => Err(Error::Argument(format!(
                "a head (`{head}`) without a base: give a base too, or neither for the uncommitted work"
            ))),
        }
    }
}

/// Which flows [`Perceo::run_tests`] runs, as a user names them: `analyze` (the default),
/// `all`, or the path of a saved `ci analyze --json` report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FlowsFrom {
    /// The flows a fresh analysis selects.
    #[default]
    Analyze,
    /// Every flow.
    All,
    /// The flows of a saved ImpactReport.
    Report(std::path::PathBuf),
}

impl std::str::FromStr for FlowsFrom {
    type Err = Error;

    fn from_str(text: &str) -> Result<FlowsFrom> {
        Ok(match text {
            "analyze" => FlowsFrom::Analyze,
            "all" => FlowsFrom::All,
            "" => {
                return Err(Error::Argument(
                    "flowsFrom is empty: give analyze, all or a report file".into(),
                ));
            }
            path => FlowsFrom::Report(path.into()),
        })
    }
}

/// Options for [`Perceo::analyze`].
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// What changed.
    pub source: ChangeSource,
    /// What to select when code changed but no flow is affected. Default: all flows.
    pub on_empty: OnEmpty,
}

/// Which flows `run_tests` runs.
#[derive(Debug, Clone)]
pub enum TestSelection {
    /// The flows a fresh analysis selects.
    Analyze(AnalyzeOptions),
    /// The flows of a saved ImpactReport (`flows[].id`, and `changeId`).
    Report(serde_json::Value),
    /// Every flow.
    All,
}

/// Options for [`Perceo::run_tests`].
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Which flows.
    pub selection: TestSelection,
    /// How many flows' tests run at once. Default: `observer.ci.parallelism`.
    pub parallel: Option<usize>,
    /// Run only shard `i` of `n` (1-based).
    pub shard: Option<(usize, usize)>,
}

impl TestOptions {
    /// The options every binding builds: which flows (`Analyze` analyses `source`, with every
    /// flow selected when no flow is affected), how many at once, and which shard (see
    /// [`parse_shard`](crate::coordinator::shard::parse_shard)). A saved report is read here.
    pub fn new(
        flows_from: FlowsFrom,
        source: ChangeSource,
        parallel: Option<usize>,
        shard: Option<(usize, usize)>,
    ) -> Result<TestOptions> {
        let selection = match flows_from {
            FlowsFrom::Analyze => TestSelection::Analyze(AnalyzeOptions {
                source,
                on_empty: OnEmpty::All,
            }),
            FlowsFrom::All => TestSelection::All,
            FlowsFrom::Report(file) => {
                let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
                TestSelection::Report(
                    serde_json::from_str(&text)
                        .map_err(|e| Error::Argument(format!("flows from {}: not JSON ({e})", file.display())))?,
                )
            }
        };
        Ok(TestOptions {
            selection,
            parallel,
            shard,
        })
    }
}

/// Recent test runs per flow id, newest first.
type History = BTreeMap<String, Vec<TestRun>>;

/// The graph cursor under which the latest test run is kept for `ci report`.
const LAST_RUN_KEY: &str = "coordinator.lastRun";

/// An opened Perceo project: its configuration and the engines behind it.
///
/// `Send + Sync`, so a binding can hold it in an `Arc`.
pub struct Perceo {
    config: Config,
    bus: Mutex<Option<Arc<dyn EventBus>>>,
    warnings: Vec<String>,
    runtime: tokio::runtime::Runtime,
    graph: Mutex<Option<Arc<dyn FlowGraph>>>,
    local: bool,
}

impl std::fmt::Debug for Perceo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Perceo")
            .field("project_dir", &self.config.project_dir)
            .finish_non_exhaustive()
    }
}

/// Connects the Redis bus `config` describes (`eventBus.redisUrl`, `channel`,
/// `streamMaxLen`, `tlsCaFile`).
pub(crate) async fn connect_bus(config: &Config) -> Result<Arc<dyn EventBus>> {
    let settings = &config.settings.event_bus;
    let url = config
        .resolve_opt("eventBus.redisUrl", settings.redis_url.as_ref())?
        .ok_or_else(|| Error::Argument("eventBus.type is `redis` but eventBus.redisUrl is not set".into()))?;
    let ca = match config.resolve_opt("eventBus.tlsCaFile", settings.tls_ca_file.as_ref())? {
        Some(file) => {
            let path = config.project_dir.join(file);
            Some(std::fs::read(&path).map_err(|e| Error::io(&path, e))?)
        }
        None => None,
    };
    Ok(Arc::new(
        RedisBus::connect_with_ca(
            &url,
            settings.channel.as_deref(),
            settings.stream_max_len.unwrap_or(100_000),
            ca,
        )
        .await?,
    ))
}

impl Perceo {
    /// Opens the project at (or above) `project_dir`, loading and validating its config.
    pub fn open(project_dir: &Path, options: OpenOptions) -> Result<Perceo> {
        let local = options.local;
        let env = match &options.config_path {
            Some(path) => options.env.with("PERCEO_CONFIG_PATH", &path.to_string_lossy()),
            None => options.env,
        };
        let config = Config::load(project_dir, &LoadOptions { env })?;
        let warnings = Vec::new();
        // The in-memory bus exists from the start, so subscribers never miss early events.
        let bus: Option<Arc<dyn EventBus>> = match config.settings.event_bus.kind {
            EventBusKind::InMemory => Some(Arc::new(MemoryBus::default())),
            EventBusKind::Redis => None,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
        Ok(Perceo {
            config,
            bus: Mutex::new(bus),
            warnings,
            runtime,
            graph: Mutex::new(None),
            local,
        })
    }

    /// Creates `.perceo/` in `project_dir` and bootstraps flows from its routes (see
    /// [`crate::init`]). When the configuration as it will be once written (the new file, or
    /// `PERCEO_CONFIG_PATH`, plus the local overlay; read with `options.env`) sets
    /// `observer.apiBaseUrl` and `options.local` is false, the managed Observer API's
    /// `POST /observer/bootstrap` proposes the flows instead, and they are written to
    /// `.perceo/flows/` all the same.
    /// The project's own Playwright and Cypress tests are then linked to the new flows
    /// ([`Perceo::discover_test_links`]); when that fails, `init` stands and says why.
    pub fn init(project_dir: &Path, options: &InitOptions) -> Result<InitReport> {
        let mut report = crate::init::init_project_with(project_dir, options, &|pending, request| {
            api::remote_bootstrap(project_dir, options, pending, request)
        })?;
        let open = OpenOptions {
            env: options.env.clone(),
            local: true,
            ..Default::default()
        };
        let linked = Perceo::open(&report.project_dir, open).and_then(|perceo| {
            let links = perceo.discover_test_links()?;
            perceo.write_test_links(&links)?;
            Ok(links)
        });
        match linked {
            Ok(links) => {
                report.tests_found = links.tests.len();
                report.flows_with_tests = links.flows_covered();
            }
            Err(e) => report
                .warnings
                .push(format!("the project's existing tests were not linked to flows: {e}")),
        }
        Ok(report)
    }

    /// The loaded configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Warnings about the opened project beyond the config's own (e.g. unsupported backends).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The configured event bus (Redis connects on first use).
    pub fn bus(&self) -> Result<Arc<dyn EventBus>> {
        let mut slot = self
            .bus
            .lock()
            .map_err(|_| Error::Internal("the bus handle is poisoned".into()))?;
        if let Some(b) = slot.as_ref() {
            return Ok(b.clone());
        }
        let bus = self.runtime.block_on(connect_bus(&self.config))?;
        *slot = Some(bus.clone());
        Ok(bus)
    }

    /// Publishes an event on the configured bus (`source` names the publisher).
    pub fn publish(&self, kind: EventType, source: &str, data: serde_json::Value) -> Result<Event> {
        let event = Event::new(kind, source, data, self.metadata());
        let bus = self.bus()?;
        self.block_on(bus.publish(&event))?;
        Ok(event)
    }

    /// Subscribes to events matching `filter`, replaying stored ones after `since` first.
    pub fn subscribe(&self, filter: EventFilter, since: Option<Since>) -> Result<Subscription> {
        let bus = self.bus()?;
        self.block_on(bus.subscribe(filter, since))
    }

    /// Watches the project's files until `stop` completes: every debounced batch of changes
    /// (`observer.watch.debounceMs`) is applied to the in-memory model incrementally,
    /// analysed, published as `observer.change.detected` and `observer.flows.affected`, and
    /// handed to `on_batch`. `on_ready` is called once the model is built and watching began.
    pub fn watch(
        &self,
        on_ready: &mut dyn FnMut(&Watcher),
        on_batch: &mut dyn FnMut(&WatchBatch),
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<()> {
        use notify_debouncer_full::notify::RecursiveMode;
        let s = &self.config.settings;
        let options = GraphOptions {
            ignore: s.observer.watch.ignore.clone(),
            cache_dir: Some(self.config.perceo_dir().join("cache")),
        };
        let mut watcher = Watcher::new(&self.config.project_dir, &s.project, options, OnEmpty::None)?;
        let bus = self.bus()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut debouncer = notify_debouncer_full::new_debouncer(
            Duration::from_millis(s.observer.watch.debounce_ms),
            None,
            move |result: notify_debouncer_full::DebounceEventResult| {
                let _ = tx.send(result);
            },
        )
        .map_err(|e| Error::Internal(format!("cannot start the file watcher: {e}")))?;
        for (root, recursive) in watcher.watch_roots(&s.observer.watch.paths) {
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if root.exists() {
                debouncer
                    .watch(&root, mode)
                    .map_err(|e| Error::io(&root, std::io::Error::other(format!("cannot watch it: {e}"))))?;
            }
        }
        let mut stop = std::pin::pin!(stop);
        if self.block_on(crate::fsutil::stop_requested(stop.as_mut())) {
            return Ok(());
        }
        on_ready(&watcher);
        self.block_on(async {
            loop {
                tokio::select! {
                    _ = &mut stop => return Ok(()),
                    message = rx.recv() => {
                        let Some(result) = message else { return Ok(()) };
                        // Watch errors (e.g. a vanished directory) do not stop watch mode.
                        let Ok(events) = result else { continue };
                        // Reads (our own included) are not changes: only creations, writes,
                        // renames and removals count.
                        let paths: Vec<PathBuf> = events
                            .iter()
                            .filter(|e| {
                                use notify_debouncer_full::notify::EventKind;
                                use notify_debouncer_full::notify::event::ModifyKind;
                                matches!(
                                    e.kind,
                                    EventKind::Create(_)
                                        | EventKind::Remove(_)
                                        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
                                )
                            })
                            .flat_map(|e| e.paths.iter().cloned())
                            .collect();
                        let changed = watcher.relevant(&paths);
                        if changed.is_empty() {
                            continue;
                        }
                        let batch = watcher.apply(&changed)?;
                        let metadata = self.metadata();
                        bus.publish(&Event::new(EventType::ObserverChangeDetected, "observer", serde_json::json!({
                            "changes": batch.report.changes,
                        }), metadata.clone())).await?;
                        bus.publish(&Event::new(EventType::ObserverFlowsAffected, "observer", serde_json::json!({
                            "changeId": batch.report.change_id,
                            "flows": batch.report.flows.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name, "confidence": f.confidence, "riskScore": f.risk_score})).collect::<Vec<_>>(),
                        }), metadata)).await?;
                        on_batch(&batch);
                    }
                }
            }
        })
    }

    fn metadata(&self) -> EventMetadata {
        EventMetadata {
            user_id: None,
            project_id: Some(self.config.project_name()),
            environment: None,
        }
    }

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
            TestSelection::Report(json) => {
                let flows = json.get("flows").and_then(|f| f.as_array()).ok_or_else(|| {
                    Error::Argument("the saved report has no `flows` list (save `perceo ci analyze --json`)".into())
                })?;
                let ids = flows
                    .iter()
                    .map(|f| {
                        f.get("id")
                            .or_else(|| f.get("name"))
                            .and_then(|v| v.as_str())
                            .map(String::from)
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| Error::Argument("a flow in the saved report has no `id`".into()))?;
                (ids, json.get("changeId").and_then(|v| v.as_str()).map(String::from))
            }
        };
        let mut flows: Vec<Flow> = Vec::new();
        for id in &ids {
            let flow = set.get(id).ok_or_else(|| {
                Error::Argument(format!(
                    "flow `{id}` of the analysis is not in .perceo/flows (re-run the analysis)"
                ))
            })?;
            flows.push(flow.clone());
        }
        // Without an analysis, the commit identifies the run, so that every shard of it
        // (on any machine) computes the same split from the same history.
        let change_id = match change_id {
            Some(id) => Some(id),
            None => checked_out_commit(&self.config.project_dir)
                .ok()
                .map(|sha| format!("commit:{sha}")),
        };
        let graph = self.graph()?;
        if let Some((i, n)) = options.shard {
            // Durations from history recorded before this change: other shards of the same
            // change may already have recorded theirs, and must not move the split.
            let mut durations: Vec<(String, u64)> = Vec::new();
            for f in &flows {
                let history = self.block_on(graph.test_history(&f.id, 50))?;
                let earlier: Vec<u64> = history
                    .iter()
                    .filter(|r| r.change_id.is_none() || r.change_id != change_id)
                    .map(|r| r.duration_ms)
                    .collect();
                let avg = (!earlier.is_empty()).then(|| earlier.iter().sum::<u64>() / earlier.len() as u64);
                durations.push((f.id.clone(), avg.unwrap_or(30_000)));
            }
            let mine = crate::coordinator::shard::assign(&durations, n).swap_remove(i - 1);
            flows.retain(|f| mine.contains(&f.id));
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
        self.publish(
            EventType::CoordinatorTestsStarted,
            "coordinator",
            serde_json::json!({
                "runId": run_id, "changeId": change_id, "flows": flows.iter().map(|f| &f.id).collect::<Vec<_>>(),
                "shard": options.shard.map(|(i, n)| [i, n]),
            }),
        )?;
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
            self.publish(
                EventType::CoordinatorTestFailed,
                "coordinator",
                serde_json::json!({
                    "runId": report.run_id, "flowId": r.flow_id, "failures": r.failures,
                }),
            )?;
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
        self.publish(
            EventType::CoordinatorTestsCompleted,
            "coordinator",
            serde_json::json!({
                "runId": report.run_id, "passed": report.passed, "failed": report.failed,
                "uncovered": report.uncovered, "durationMs": report.duration_ms,
            }),
        )?;
        Ok(report)
    }

    /// What the analyzer works from: every flow in the graph (after syncing the flow files)
    /// and each flow's recent test runs, newest first.
    fn analyzer_inputs(&self) -> Result<(Vec<FlowRecord>, History)> {
        let set = self.flows()?;
        let graph = self.graph()?;
        self.block_on(async {
            self.push_flows(graph.as_ref(), &set).await?;
            let flows = graph.list_flows().await?;
            let mut history = BTreeMap::new();
            for f in &flows {
                history.insert(f.flow.id.clone(), graph.test_history(&f.flow.id, 50).await?);
            }
            Ok((flows, history))
        })
    }

    /// Generates insights (discrepancy, coverage gaps, failing and flaky flows, drop-off),
    /// stores them, publishes `analyzer.insight.generated` for each, and returns those at or
    /// above `analyzer.insights.minSeverity`. Empty when insights are disabled. With
    /// `analyzer.apiBaseUrl` set (and not `local`), the managed Analyzer API does this.
    pub fn insights(&self) -> Result<Vec<Insight>> {
        let settings = &self.config.settings.analyzer;
        if !settings.insights.enabled {
            return Ok(Vec::new());
        }
        if let Some(client) = self.analyzer_client()? {
            // The server filters by its own minimum; this project's applies on top.
            let insights = self.block_on(client.insights())?;
            return Ok(analyzer::filter_insights(insights, settings.insights.min_severity));
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let all = analyzer::generate_insights(&flows, &history, settings.coverage.min_coverage_score, &now);
        let shown = analyzer::filter_insights(all.clone(), settings.insights.min_severity);
        let graph = self.graph()?;
        self.block_on(graph.add_insights(&all))?;
        for insight in &shown {
            self.publish(
                EventType::AnalyzerInsightGenerated,
                "analyzer",
                serde_json::to_value(insight).unwrap_or_default(),
            )?;
        }
        if !shown.is_empty() {
            let lines: Vec<String> = shown
                .iter()
                .map(|i| format!("• [{}] {} — {}", i.severity.as_str(), i.title, i.message))
                .collect();
            self.notify(&format!(
                "Perceo insights for {}:\n{}",
                self.config.project_name(),
                lines.join("\n")
            ))?;
        }
        Ok(shown)
    }

    /// How well the flows are covered by tests (from the managed Analyzer API when
    /// `analyzer.apiBaseUrl` is set and not `local`).
    pub fn coverage(&self) -> Result<analyzer::CoverageReport> {
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.coverage());
        }
        let (flows, _) = self.analyzer_inputs()?;
        Ok(analyzer::coverage(
            &flows,
            self.config.settings.analyzer.coverage.min_coverage_score,
        ))
    }

    /// Concrete next actions: tests to write, flaky flows to fix, flows to add (from the
    /// managed Analyzer API when `analyzer.apiBaseUrl` is set and not `local`).
    pub fn suggestions(&self) -> Result<Vec<analyzer::Suggestion>> {
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.suggestions());
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let insights = analyzer::generate_insights(
            &flows,
            &history,
            self.config.settings.analyzer.coverage.min_coverage_score,
            &now,
        );
        Ok(analyzer::suggest(&flows, &insights))
    }

    /// Predicts, for each flow `report` affects, the probability that the change breaks it
    /// (heuristic from impact, test history and traffic; the basis is in each prediction's
    /// reason); keeps those at or above `analyzer.predictions.confidenceThreshold`, stores
    /// them and publishes `analyzer.prediction.made`. Empty when predictions are disabled.
    /// With `analyzer.apiBaseUrl` set (and not `local`), the managed Analyzer API does this.
    pub fn predict(&self, report: &ImpactReport) -> Result<Vec<Prediction>> {
        let settings = &self.config.settings.analyzer.predictions;
        if !settings.enabled {
            return Ok(Vec::new());
        }
        if let Some(client) = self.analyzer_client()? {
            return self.block_on(client.predict(report));
        }
        let (flows, history) = self.analyzer_inputs()?;
        let now = crate::fsutil::now_rfc3339();
        let predictions = analyzer::confident(
            analyzer::predict(report, &flows, &history, &now),
            settings.confidence_threshold,
        );
        let graph = self.graph()?;
        self.block_on(graph.add_predictions(&predictions))?;
        for p in &predictions {
            self.publish(
                EventType::AnalyzerPredictionMade,
                "analyzer",
                serde_json::to_value(p).unwrap_or_default(),
            )?;
        }
        Ok(predictions)
    }

    /// Sends `text` to the configured notification channels (Slack when enabled). A channel
    /// that cannot be reached is a warning on stderr, never a failed job: the job's own
    /// result matters more than its announcement.
    fn notify(&self, text: &str) -> Result<()> {
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
            eprintln!("warning: Slack notification not sent: {e}");
        }
        Ok(())
    }

    /// Serves the dashboard on `addr` until `stop` completes (flows are synced into the graph
    /// first, so it works right after `perceo init`). `on_ready` gets the bound address.
    pub fn dashboard(
        &self,
        addr: std::net::SocketAddr,
        on_ready: &mut (dyn FnMut(std::net::SocketAddr) + Send),
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let set = self.flows()?;
        let graph = self.graph()?;
        let bus = self.bus()?;
        self.block_on(self.push_flows(graph.as_ref(), &set))?;
        let state = crate::dashboard::DashboardState {
            graph,
            bus,
            project: self.config.project_name(),
        };
        self.block_on(crate::dashboard::serve(state, addr, on_ready, stop))
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

    /// Stored events after `since` matching `filter`, oldest first.
    pub fn replay(&self, since: Since, filter: &EventFilter, limit: usize) -> Result<Vec<Event>> {
        let bus = self.bus()?;
        self.block_on(bus.replay(since, filter, limit))
    }

    /// Where the configured flow graph is (embedded file or Neo4j URI).
    pub fn graph_location(&self) -> Result<GraphLocation> {
        graph_location(&self.config)
    }

    /// The configured flow graph, opened (and migrated) on first use.
    pub fn graph(&self) -> Result<Arc<dyn FlowGraph>> {
        let mut slot = self
            .graph
            .lock()
            .map_err(|_| Error::Internal("the graph handle is poisoned".into()))?;
        if let Some(g) = slot.as_ref() {
            return Ok(g.clone());
        }
        let location = self.graph_location()?;
        let graph: Arc<dyn FlowGraph> = Arc::from(self.runtime.block_on(open_graph(&location))?);
        *slot = Some(graph.clone());
        Ok(graph)
    }

    /// Runs an async flow-graph operation to completion (for the synchronous bindings).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Pushes the flow files into the graph: creates, updates and deletes flows to match.
    pub fn sync_graph(&self) -> Result<SyncSummary> {
        let flows = self.flows()?;
        let graph = self.graph()?;
        self.block_on(self.push_flows(graph.as_ref(), &flows))
    }

    /// Pushes the flow files into `graph` (see [`Perceo::sync_flow_files`]) with each flow's
    /// test coverage score: the share of its steps its test specs exercise
    /// ([`analyzer::step_coverage`]). Used where scores are read (the analyzer, `graph sync`,
    /// the dashboard), not on the analysis path, since it reads the test sources.
    pub(crate) async fn push_flows(&self, graph: &dyn FlowGraph, set: &FlowSet) -> Result<SyncSummary> {
        let summary = self.sync_flow_files(graph, set).await?;
        graph.write_coverage_scores(&self.coverage_scores(set)).await?;
        Ok(summary)
    }

    /// Syncs the flow files into `graph` ([`FlowGraph::sync_flows`]). Syncs of one project are
    /// serialised by a lock file (`.perceo/cache/flows.lock`) and the flow files are listed
    /// again inside it (`set` is the fallback when they no longer load): a sync deletes the
    /// rows of flows whose file is gone, so it must never act on a listing older than another
    /// process's new file (concurrent `flows create`).
    pub(crate) async fn sync_flow_files(&self, graph: &dyn FlowGraph, set: &FlowSet) -> Result<SyncSummary> {
        let lock_path = self
            .config
            .project_dir
            .join(crate::config::PERCEO_DIR)
            .join("cache")
            .join("flows.lock");
        let lock = crate::fsutil::lock_exclusive(&lock_path)?;
        let fresh = load_flows(&self.config.project_dir).unwrap_or_else(|_| set.clone());
        let summary = graph.sync_flows(&fresh.flows, &fresh.personas).await;
        drop(lock);
        summary
    }

    /// Each flow's coverage score from the text of its test specs and of the specs of its
    /// linked tests (for a flow tested by grep tag only: the spec files that contain the tag).
    fn coverage_scores(&self, set: &FlowSet) -> Vec<(String, f64)> {
        let dir = &self.config.project_dir;
        let mut tagged: Option<Vec<String>> = None;
        set.flows
            .iter()
            .map(|flow| {
                let tests = flow.tests.clone().unwrap_or_default();
                let mut specs: Vec<&String> = tests.specs.iter().chain(tests.linked.iter().map(|t| &t.spec)).collect();
                specs.sort();
                specs.dedup();
                let mut text: String = specs
                    .iter()
                    .filter_map(|spec| std::fs::read_to_string(dir.join(spec)).ok())
                    .collect::<Vec<_>>()
                    .join("\n");
                if specs.is_empty()
                    && let Some(tag) = &tests.grep
                {
                    let specs = tagged.get_or_insert_with(|| crate::coordinator::spec_sources(dir));
                    text = specs
                        .iter()
                        .filter(|t| t.contains(tag.as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n");
                }
                (flow.id.clone(), analyzer::step_coverage(flow, &text))
            })
            .collect()
    }

    /// Backend, location, counts and schema version of the graph.
    pub fn graph_status(&self) -> Result<GraphStatus> {
        let graph = self.graph()?;
        self.block_on(graph.status())
    }

    /// Creates a flow file (validated), then syncs the graph.
    pub fn create_flow(&self, flow: &Flow) -> Result<(PathBuf, SyncSummary)> {
        let path = create_flow_file(&self.config.project_dir, flow)?;
        Ok((path, self.sync_graph()?))
    }

    /// Edits a flow file (dotted keys → values, comments kept, validated), then syncs the graph.
    pub fn edit_flow(&self, id: &str, changes: &[(String, serde_json::Value)]) -> Result<(PathBuf, SyncSummary)> {
        let path = edit_flow_file(&self.config.project_dir, id, changes)?;
        Ok((path, self.sync_graph()?))
    }

    /// Deletes a flow file, then syncs the graph.
    pub fn delete_flow(&self, id: &str) -> Result<(PathBuf, SyncSummary)> {
        let path = delete_flow_file(&self.config.project_dir, id)?;
        Ok((path, self.sync_graph()?))
    }

    /// A flow as the graph holds it (definition plus risk, metrics and history summaries),
    /// `None` when the graph has never seen it (run `perceo graph sync`).
    pub fn flow_record(&self, id: &str) -> Result<Option<FlowRecord>> {
        let graph = self.graph()?;
        self.block_on(graph.get_flow(id))
    }

    /// The flows and personas of the project.
    pub fn flows(&self) -> Result<FlowSet> {
        load_flows(&self.config.project_dir)
    }

    /// Builds the dependency graph and routes of the project.
    pub fn model(&self) -> Result<AppModel> {
        let s = &self.config.settings;
        AppModel::build_project(&self.config.project_dir, &s.project, &self.graph_options())
    }

    /// Runs `work` on this thread while the dependency graph and routes are built on another
    /// (the analysis computes the change set meanwhile): both results.
    fn beside_model<T>(&self, work: impl FnOnce() -> T) -> (T, Result<AppModel>) {
        let (dir, project, options) = (
            &self.config.project_dir,
            &self.config.settings.project,
            self.graph_options(),
        );
        std::thread::scope(|scope| {
            let model = scope.spawn(move || AppModel::build_project(dir, project, &options));
            let done = work();
            // A panic there is re-raised here, as if the graph had been built on this thread.
            let model = model.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (done, model)
        })
    }

    fn graph_options(&self) -> GraphOptions {
        GraphOptions {
            ignore: self.config.settings.observer.watch.ignore.clone(),
            cache_dir: Some(self.config.perceo_dir().join("cache")),
        }
    }

    /// The routes of the project.
    pub fn routes(&self) -> Result<Vec<Route>> {
        Ok(self.model()?.routes)
    }

    /// Which flows a change can break: the main job. Publishes `observer.change.detected`,
    /// `observer.flows.affected` and `observer.analysis.complete`. With `observer.apiBaseUrl`
    /// set (and not `local`), the change set computed here is analysed by the managed
    /// Observer API.
    pub fn analyze(&self, options: &AnalyzeOptions) -> Result<ImpactReport> {
        let started = Instant::now();
        let dir = &self.config.project_dir;
        let observer = self.observer_client()?;
        let timed_change_set = || {
            let started = Instant::now();
            (self.change_set(&options.source), started.elapsed().as_millis() as u64)
        };
        // In process, the graph is built while git works out the change set.
        let ((changes, git_ms), model) = match observer {
            Some(_) => (timed_change_set(), None),
            None => {
                let (changes, model) = self.beside_model(timed_change_set);
                (changes, Some(model))
            }
        };
        let changes = changes?;
        self.publish_change_detected(&changes)?;
        let flows_started = Instant::now();
        let flows = self.flows()?;
        let flows_ms = flows_started.elapsed().as_millis() as u64;
        let impact_started = Instant::now();
        let mut report = match (observer, model) {
            // Delegated: the managed Observer analyses the change set we send.
            (Some(client), _) => self.block_on(client.analyze(&AnalyzeRequest {
                base_sha: changes.base_sha.clone(),
                head_sha: changes.head_sha.clone(),
                files: changes.changes.clone(),
                merge_base: Some(changes.merge_base.clone()),
                on_empty: Some(options.on_empty),
            }))?,
            (None, model) => {
                let model = model.unwrap_or_else(|| self.model())?;
                let (manifests, notes) = self.manifest_contents(&changes, &options.source);
                let mut report = self.impact(&model, &changes, &flows, options.on_empty, &manifests);
                report.warnings.extend(notes);
                let working_tree = matches!(options.source, ChangeSource::WorkingTree);
                self.classify_with_llm(&mut report, &changes, &flows, working_tree);
                report
            }
        };
        if let ChangeSource::Refs { head, .. } = &options.source
            && checked_out_commit(dir).is_ok_and(|sha| sha != report.head_sha)
        {
            report.warnings.push(format!(
                "`{head}` is not the checked-out commit: the dependency graph was built from the work tree, so check out `{head}` for exact results"
            ));
        }
        report.timings.git_ms = git_ms;
        report.timings.flows_ms = flows_ms;
        report.timings.impact_ms = impact_started.elapsed().as_millis() as u64;
        self.finish_analysis(report, &flows, started)
    }

    /// What changed according to `source`.
    fn change_set(&self, source: &ChangeSource) -> Result<ChangeSet> {
        let dir = &self.config.project_dir;
        match source {
            ChangeSource::Refs { base, head } => changes_between(dir, base, head),
            ChangeSource::WorkingTree => working_tree_changes(dir),
        }
    }

    /// Analyses like [`Perceo::analyze`], always in-process, but stores and publishes nothing
    /// (`perceo doctor`'s dry run).
    pub fn analyze_dry_run(&self, options: &AnalyzeOptions) -> Result<ImpactReport> {
        let started = Instant::now();
        let (changes, model) = self.beside_model(|| self.change_set(&options.source));
        let (changes, model) = (changes?, model?);
        let flows = self.flows()?;
        let (manifests, notes) = self.manifest_contents(&changes, &options.source);
        let mut report = self.impact(&model, &changes, &flows, options.on_empty, &manifests);
        report.warnings.extend(notes);
        report.timings.total_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// The local impact analysis of `changes` over the project's dependency graph and routes.
    fn impact(
        &self,
        model: &AppModel,
        changes: &ChangeSet,
        flows: &FlowSet,
        on_empty: OnEmpty,
        manifests: &[ManifestChange],
    ) -> ImpactReport {
        let deps = DependencyRules::from_settings(&self.config.settings.observer.analysis.dependencies);
        analyze(&model.impact_input(changes, flows, on_empty, manifests, &deps))
    }

    fn publish_change_detected(&self, changes: &ChangeSet) -> Result<()> {
        self.publish_observer(
            EventType::ObserverChangeDetected,
            serde_json::json!({
                "baseSha": changes.base_sha, "headSha": changes.head_sha, "changes": changes.changes,
            }),
        )
    }

    /// The end of every analysis: total time, the flow files' warnings, storing it in the
    /// graph, and `observer.flows.affected` / `observer.analysis.complete`.
    fn finish_analysis(&self, mut report: ImpactReport, flows: &FlowSet, started: Instant) -> Result<ImpactReport> {
        report.timings.total_ms = started.elapsed().as_millis() as u64;
        for w in &flows.warnings {
            // A delegated report may already carry the same warning from the server.
            if !report.warnings.contains(w) {
                report.warnings.push(w.clone());
            }
        }
        let store_started = Instant::now();
        let stored = self.store_analysis(flows, &report);
        report.timings.store_ms = store_started.elapsed().as_millis() as u64;
        if let Err(e) = stored {
            // The embedded store is a convenience; a graph the user configured must work.
            if self.config.settings.flow_graph.endpoint.is_some() {
                return Err(e);
            }
            report
                .warnings
                .push(format!("the analysis was not stored in the embedded flow graph: {e}"));
        }
        let data = serde_json::to_value(&report).unwrap_or_default();
        self.publish_observer(EventType::ObserverFlowsAffected, serde_json::json!({
            "changeId": report.change_id,
            "flows": report.flows.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name, "confidence": f.confidence, "riskScore": f.risk_score})).collect::<Vec<_>>(),
        }))?;
        self.publish_observer(EventType::ObserverAnalysisComplete, data)?;
        Ok(report)
    }

    /// Syncs the flows and records the analysis in the graph (for the dashboard and history).
    fn store_analysis(&self, flows: &FlowSet, report: &ImpactReport) -> Result<()> {
        let graph = self.graph()?;
        let record = AnalysisRecord {
            change_id: report.change_id.clone(),
            base_sha: report.base_sha.clone(),
            head_sha: report.head_sha.clone(),
            created_at: report.created_at.clone(),
            flows: report
                .flows
                .iter()
                .map(|f| AnalysisFlow {
                    flow_id: f.id.clone(),
                    confidence: f.confidence,
                    risk_score: f.risk_score,
                })
                .collect(),
            report: serde_json::to_value(report).unwrap_or_default(),
        };
        self.block_on(async {
            self.sync_flow_files(graph.as_ref(), flows).await?;
            graph.record_analysis(&record).await
        })
    }

    /// Before and after of each changed lockfile and `package.json` (after: the head, or the
    /// disk for working-tree changes). One whose content cannot be read (commits not in this
    /// checkout, a blob a partial clone cannot fetch) is left out, so it counts as global,
    /// with a note saying so.
    pub(crate) fn manifest_contents(
        &self,
        changes: &ChangeSet,
        source: &ChangeSource,
    ) -> (Vec<ManifestChange>, Vec<String>) {
        let dir = &self.config.project_dir;
        let mut manifests = Vec::new();
        let mut notes = Vec::new();
        for c in changes.changes.iter().filter(|c| is_manifest(&c.path)) {
            let new = match source {
                ChangeSource::Refs { .. } => file_at(dir, &changes.head_sha, &c.path),
                ChangeSource::WorkingTree => {
                    Ok(std::fs::read_to_string(crate::code::discover::absolute(dir, &c.path)).ok())
                }
            };
            let old = file_at(dir, &changes.merge_base, c.old_path.as_ref().unwrap_or(&c.path));
            match (old, new) {
                (Ok(old), Ok(new)) => manifests.push(ManifestChange {
                    path: c.path.clone(),
                    old,
                    new,
                }),
                (Err(e), _) | (_, Err(e)) => notes.push(format!(
                    "{}: its content at {} or {} could not be read ({e}), so this change counts as global",
                    c.path,
                    &changes.merge_base[..changes.merge_base.len().min(12)],
                    &changes.head_sha[..changes.head_sha.len().min(12)]
                )),
            }
        }
        (manifests, notes)
    }

    fn publish_observer(&self, kind: EventType, data: serde_json::Value) -> Result<()> {
        self.publish(kind, "observer", data).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Perceo>();
    }
}

#[cfg(test)]
mod option_tests {
    use super::*;

    #[test]
    fn one_base_and_head_rule_for_every_binding() {
        assert!(matches!(
            ChangeSource::new(Some("main".into()), None).unwrap(),
            ChangeSource::Refs { base, head } if base == "main" && head == "HEAD"
        ));
        assert!(matches!(
            ChangeSource::new(Some("main".into()), Some("feature".into())).unwrap(),
            ChangeSource::Refs { head, .. } if head == "feature"
        ));
        assert!(matches!(
            ChangeSource::new(None, None).unwrap(),
            ChangeSource::WorkingTree
        ));
        let e = ChangeSource::new(None, Some("feature".into())).unwrap_err();
        assert_eq!(e.code(), "argument");
        assert!(e.to_string().contains("without a base"), "{e}");
    }

    #[test]
    fn option_words_parse_in_the_core() {
        assert_eq!("analyze".parse::<FlowsFrom>().unwrap(), FlowsFrom::Analyze);
        assert_eq!("all".parse::<FlowsFrom>().unwrap(), FlowsFrom::All);
        assert_eq!(
            "out/report.json".parse::<FlowsFrom>().unwrap(),
            FlowsFrom::Report("out/report.json".into())
        );
        assert!("".parse::<FlowsFrom>().is_err());
        assert_eq!(FlowsFrom::default(), FlowsFrom::Analyze);
        for name in OnEmpty::NAMES {
            assert_eq!(name.parse::<OnEmpty>().unwrap().as_str(), name);
        }
        assert!(
            "sometimes"
                .parse::<OnEmpty>()
                .unwrap_err()
                .to_string()
                .contains("all, none or smoke")
        );
        let missing = TestOptions::new(
            FlowsFrom::Report("/no/such/report.json".into()),
            ChangeSource::WorkingTree,
            None,
            None,
        );
        assert_eq!(missing.unwrap_err().code(), "io");
    }
}
