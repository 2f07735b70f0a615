//! Node-API addon behind `@perceo/perceo`: the `Perceo` class over the core facade, and
//! `runCli` for the package's `perceo` bin. Conversion only: every behaviour is in
//! `perceo-core`. Long work runs as `AsyncTask`s on libuv's thread pool (the facade blocks on
//! its own runtime, which must not happen on napi's tokio threads); no panic reaches
//! JavaScript; errors carry the core's stable `code`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use perceo_core::bus::EventType;
use perceo_core::impact::OnEmpty;
use perceo_core::{AnalyzeOptions as CoreAnalyzeOptions, ChangeSource, Env as CoreEnv, OpenOptions};

/// A failure as JavaScript sees it: `error.code` and `error.message`.
pub struct Failure {
    /// A code of `perceo_core::CODES`: the core's (`config.not_found`, ...), `argument` for a
    /// bad argument, `panic`.
    code: String,
    /// Plain words.
    message: String,
}

impl From<perceo_core::Error> for Failure {
    fn from(e: perceo_core::Error) -> Self {
        Failure {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

fn argument(message: String) -> Failure {
    Failure {
        code: "argument".into(),
        message,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `f`, turning a panic into a `panic` failure.
fn guarded<T>(f: impl FnOnce() -> std::result::Result<T, Failure>) -> std::result::Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(Failure {
            code: perceo_core::PANIC_CODE.into(),
            message: format!("internal error (please report it): {}", panic_message(p.as_ref())),
        })
    })
}

/// A JS `Error` whose `code` is the core's code.
fn js_error(env: Env, failure: Failure) -> Error {
    let unknown = JsError::from(Error::new(failure.code, failure.message)).into_unknown(env);
    Error::from(unknown)
}

fn to_json<T: serde::Serialize>(value: &T) -> std::result::Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| {
        perceo_core::Error::Encode {
            what: "a result",
            message: e.to_string(),
        }
        .into()
    })
}

type Work = Box<dyn FnOnce() -> std::result::Result<serde_json::Value, Failure> + Send>;

/// A JSON result handed to JavaScript as a plain object.
pub struct Json(serde_json::Value);

impl TypeName for Json {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        // SAFETY: `env` is the valid environment napi passes to this conversion; the value is
        // converted by serde_json::Value's own implementation under the same contract.
        unsafe { serde_json::Value::to_napi_value(env, val.0) }
    }
}

/// One piece of core work on the libuv pool, resolved to JSON.
pub struct CoreTask {
    work: Option<Work>,
}

impl CoreTask {
    fn new(
        work: impl FnOnce() -> std::result::Result<serde_json::Value, Failure> + Send + 'static,
    ) -> AsyncTask<CoreTask> {
        AsyncTask::new(CoreTask {
            work: Some(Box::new(work)),
        })
    }
}

impl Task for CoreTask {
    type Output = std::result::Result<serde_json::Value, Failure>;
    type JsValue = Json;

    fn compute(&mut self) -> Result<Self::Output> {
        let work = self.work.take();
        Ok(guarded(move || match work {
            Some(w) => w(),
            None => Err(argument("the task already ran".into())),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(Json).map_err(|f| js_error(env, f))
    }
}

/// Options of `Perceo.analyze`.
#[napi(object)]
pub struct AnalyzeOptions {
    /// Base ref (branch, tag, SHA, HEAD~n). Omitted: uncommitted work against HEAD.
    pub base: Option<String>,
    /// Head ref. Default: `HEAD`.
    pub head: Option<String>,
    /// When code changed but no flow is affected: `all` (default), `none` or `smoke`.
    pub on_empty: Option<String>,
}

/// Options of `Perceo.runTests`.
#[napi(object)]
pub struct TestOptions {
    /// `analyze` (default: a fresh analysis of base..head), `all`, or a saved report's path.
    pub flows_from: Option<String>,
    /// Base ref for `analyze`. Omitted: uncommitted work against HEAD.
    pub base: Option<String>,
    /// Head ref. Default: `HEAD`.
    pub head: Option<String>,
    /// Flows tested at once. Default: `observer.ci.parallelism`.
    pub parallel: Option<u32>,
    /// Run only shard `i/n`.
    pub shard: Option<String>,
}

/// Options of `Perceo.analyticsSync`.
#[napi(object)]
pub struct AnalyticsSyncOptions {
    /// Fetch from this time (Unix milliseconds) instead of the last sync.
    pub since_ms: Option<f64>,
    /// Correlate after syncing. Default: true.
    pub correlate: Option<bool>,
}

/// Options of `Perceo.analyticsGaps`.
#[napi(object)]
pub struct GapOptions {
    /// Journeys taken by fewer sessions are left out. Default: 3.
    pub min_sessions: Option<u32>,
    /// At most this many. Default: 10.
    pub limit: Option<u32>,
}

/// An opened Perceo project.
#[napi]
pub struct Perceo {
    inner: Arc<perceo_core::Perceo>,
}

#[napi]
impl Perceo {
    /// Opens the project at (or above) `projectDir`; `configPath` replaces
    /// `.perceo/config.json` like `PERCEO_CONFIG_PATH`.
    #[napi(factory)]
    pub fn open(env: Env, project_dir: String, config_path: Option<String>) -> Result<Perceo> {
        guarded(|| {
            let options = OpenOptions {
                // Variables that are not UTF-8 are left out (as the CLI and C do), never a panic.
                env: CoreEnv::from_process(),
                config_path: config_path.map(PathBuf::from),
                ..Default::default()
            };
            let inner = perceo_core::Perceo::open(&PathBuf::from(project_dir), options)?;
            Ok(Perceo { inner: Arc::new(inner) })
        })
        .map_err(|f| js_error(env, f))
    }

    /// The project directory (the one holding `.perceo/`).
    #[napi(getter)]
    pub fn project_dir(&self) -> String {
        self.inner.config().project_dir.display().to_string()
    }

    /// The resolved configuration with every secret as `***`.
    #[napi(ts_return_type = "Config.Settings")]
    pub fn config(&self) -> serde_json::Value {
        self.inner.config().redacted()
    }

    /// Which flows a change can break: the main job.
    #[napi(ts_return_type = "Promise<ImpactReport>")]
    pub fn analyze(&self, options: Option<AnalyzeOptions>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || {
            let options = options.unwrap_or(AnalyzeOptions {
                base: None,
                head: None,
                on_empty: None,
            });
            let on_empty = options
                .on_empty
                .as_deref()
                .map(str::parse::<OnEmpty>)
                .transpose()?
                .unwrap_or_default();
            let source = ChangeSource::new(options.base, options.head)?;
            let report = perceo.analyze(&CoreAnalyzeOptions { source, on_empty })?;
            to_json(&report)
        })
    }

    /// The flows and personas in `.perceo/`.
    #[napi(ts_return_type = "Promise<FlowSet>")]
    pub fn flows(&self) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.flows()?))
    }

    /// For each file (absolute, or relative to the project; files of a monorepo's packages
    /// are welcome): the pages and flows a change to it reaches, with the import chains, or
    /// why it reaches none.
    #[napi(ts_return_type = "Promise<WhyReport>")]
    pub fn why(&self, files: Vec<String>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.why(&files)?))
    }

    /// The module graph Perceo built: files and import edges with their kind; `from` keeps
    /// what that file imports (transitively), `to` what imports that file.
    #[napi(ts_return_type = "Promise<ModuleGraph>")]
    pub fn module_graph(&self, from: Option<String>, to: Option<String>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.module_graph(from.as_deref(), to.as_deref())?))
    }

    /// Pushes the flow files into the flow graph.
    #[napi(ts_return_type = "Promise<SyncSummary>")]
    pub fn sync_graph(&self) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.sync_graph()?))
    }

    /// Runs the tests of the selected flows (Playwright or `coordinator.command`) and records
    /// them; resolves to the run report (check `failed`).
    #[napi(ts_return_type = "Promise<TestRunReport>")]
    pub fn run_tests(&self, options: Option<TestOptions>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || {
            let o = options.unwrap_or(TestOptions {
                flows_from: None,
                base: None,
                head: None,
                parallel: None,
                shard: None,
            });
            let options = perceo_core::TestOptions::new(
                o.flows_from.as_deref().map(str::parse).transpose()?.unwrap_or_default(),
                ChangeSource::new(o.base, o.head)?,
                o.parallel.map(|p| p as usize),
                o.shard
                    .as_deref()
                    .map(perceo_core::coordinator::shard::parse_shard)
                    .transpose()?,
            )?;
            to_json(&perceo.run_tests(&options, &mut |_| {})?)
        })
    }

    /// Insights from test history and production metrics (also stored and published).
    #[napi(ts_return_type = "Promise<Array<Insight>>")]
    pub fn insights(&self) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.insights()?))
    }

    /// Fetches the analytics provider's events since the last sync and (by default)
    /// correlates them; resolves to the sync report.
    #[napi(ts_return_type = "Promise<SyncReport>")]
    pub fn analytics_sync(&self, options: Option<AnalyticsSyncOptions>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || {
            let options = perceo_core::SyncOptions {
                since_ms: options.as_ref().and_then(|o| o.since_ms).map(|ms| ms as i64),
                correlate: options.as_ref().and_then(|o| o.correlate).unwrap_or(true),
            };
            to_json(&perceo.analytics_sync(&options, &mut |_| {})?)
        })
    }

    /// Aligns the synced sessions with every flow and writes their production metrics;
    /// resolves to the correlation report.
    #[napi(ts_return_type = "Promise<CorrelationReport>")]
    pub fn analytics_correlate(&self) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.analytics_correlate()?))
    }

    /// Frequent real journeys no flow covers, each with a suggested flow.
    #[napi(ts_return_type = "Promise<Array<Gap>>")]
    pub fn analytics_gaps(&self, options: Option<GapOptions>) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || {
            let defaults = perceo_core::GapOptions::default();
            let min_sessions = options
                .as_ref()
                .and_then(|o| o.min_sessions)
                .map_or(defaults.min_sessions, u64::from);
            let limit = options
                .as_ref()
                .and_then(|o| o.limit)
                .map_or(defaults.limit, |l| l as usize);
            to_json(&perceo.analytics_gaps(min_sessions, limit)?)
        })
    }

    /// Revenue at risk for one flow: (synthetic − production success) × daily attempts ×
    /// average order value.
    #[napi(ts_return_type = "Promise<RevenueImpact>")]
    pub fn analytics_impact(&self, flow_id: String) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.analytics_impact(&flow_id)?))
    }

    /// Publishes one event on the configured bus; resolves to the event as published.
    #[napi(ts_return_type = "Promise<PerceoEvent>")]
    pub fn publish(&self, event_type: String, data: serde_json::Value) -> AsyncTask<CoreTask> {
        let perceo = self.inner.clone();
        CoreTask::new(move || to_json(&perceo.publish(EventType::parse(&event_type), "node", data)?))
    }
}

/// Runs `perceo doctor`'s checklist for `stage` (`local`, `ci`, `staging` or `production`;
/// default `local`) on the project at (or above) `projectDir`; resolves to the report
/// (`ok`, and every check with its status, detail and fix).
#[napi(ts_return_type = "Promise<DoctorReport>")]
pub fn doctor(project_dir: String, stage: Option<String>) -> AsyncTask<CoreTask> {
    CoreTask::new(move || {
        let stage: perceo_core::doctor::Stage = stage.as_deref().unwrap_or("local").parse()?;
        let report = perceo_core::Perceo::doctor(
            &PathBuf::from(project_dir),
            CoreEnv::from_process(),
            stage,
            perceo_core::DEFAULT_CHECK_TIMEOUT,
        )?;
        to_json(&report)
    })
}

/// The version of the Perceo library.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Runs the `perceo` command line in this process with `args` (without the program name)
/// and returns its exit code; used by the package's `perceo` bin.
#[napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    let argv = std::iter::once("perceo".to_string()).chain(args);
    catch_unwind(AssertUnwindSafe(|| i32::from(perceo_cli::run_code(argv)))).unwrap_or_else(|p| {
        eprintln!(
            "error[panic]: internal error (please report it): {}",
            panic_message(p.as_ref())
        );
        101
    })
}
