//! Typed configuration sections, as the seed names them. Every field documents its default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod analytics;
pub use analytics::*;

/// A string setting kept exactly as written: it may hold `${VAR}` references or a
/// `file:PATH` secret, which are resolved only when a component uses the value
/// (see [`crate::Config::resolve`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Setting(pub String);

impl Setting {
    /// The text as written in the file, before interpolation.
    pub fn raw(&self) -> &str {
        &self.0
    }
}

/// The whole configuration file (`.perceo/config.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// JSON Schema reference for editors; ignored by Perceo.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Config format version. Default: `"1.0"`.
    pub version: Option<String>,
    /// The application under test.
    pub project: ProjectSettings,
    /// The Observer engine: change detection and impact analysis.
    pub observer: ObserverSettings,
    /// The Analyzer engine: insights, predictions, coverage.
    pub analyzer: AnalyzerSettings,
    /// The Analytics engine: production behaviour from GA4, Mixpanel or Amplitude.
    pub analytics: AnalyticsSettings,
    /// The Coordinator engine: running the tests of flows.
    pub coordinator: CoordinatorSettings,
    /// Where the flow graph lives. Default: the embedded store in `.perceo/`.
    pub flow_graph: FlowGraphSettings,
    /// The event bus. Default: in-memory.
    pub event_bus: EventBusSettings,
    /// Where to send notifications. Default: nowhere.
    pub notifications: NotificationSettings,
    /// `perceo serve`, the self-hosted engine APIs.
    pub serve: ServeSettings,
}

/// `project`: what the application is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ProjectSettings {
    /// Project name. Default: the directory name.
    pub name: Option<String>,
    /// Web framework. Default: detected from package.json and config files.
    pub framework: Option<Framework>,
    /// The apps of a monorepo, when the project is its root (`perceo init` at the root
    /// writes them): each app's routes and flows are analysed together in one report,
    /// grouped by app. Default: `[]`, the project is one app.
    pub apps: Vec<AppSettings>,
}

/// `project.apps[]`: one app of a monorepo whose root is the project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AppSettings {
    /// The app's name (lower-case letters, digits and `-`): flows of the app carry it in
    /// `app`, and bootstrapped flow ids start with it (`web_checkout`).
    pub name: String,
    /// The app's folder, relative to the project (`apps/web`).
    pub path: String,
    /// Its web framework. Default: detected in that folder.
    pub framework: Option<Framework>,
}

impl AppSettings {
    /// The app among `apps` whose folder holds the project-relative `path`, with the path
    /// relative to it (`None` and the path itself when no app holds it).
    pub fn app_of<'a, 'p>(apps: &'a [AppSettings], path: &'p str) -> (Option<&'a AppSettings>, &'p str) {
        for app in apps {
            let dir = app.path.trim_matches('/');
            if let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                return (Some(app), rest);
            }
        }
        (None, path)
    }
}

/// Web frameworks Perceo recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// Next.js (app router, pages router or both).
    #[serde(alias = "next")]
    Nextjs,
    /// Remix.
    Remix,
    /// React Router v7 in framework mode.
    ReactRouter,
    /// Nuxt.
    Nuxt,
    /// Vue without Nuxt.
    Vue,
    /// SvelteKit.
    #[serde(alias = "svelte")]
    Sveltekit,
    /// Angular.
    Angular,
    /// React without a routing framework.
    React,
    /// Not recognised.
    Unknown,
}

impl Framework {
    /// The name used in config files (`nextjs`, `react-router`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Nextjs => "nextjs",
            Framework::Remix => "remix",
            Framework::ReactRouter => "react-router",
            Framework::Nuxt => "nuxt",
            Framework::Vue => "vue",
            Framework::Sveltekit => "sveltekit",
            Framework::Angular => "angular",
            Framework::React => "react",
            Framework::Unknown => "unknown",
        }
    }
}

/// `observer`: change detection and impact analysis.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ObserverSettings {
    /// Managed Observer API. Default: none (the engine runs locally).
    pub api_base_url: Option<Setting>,
    /// API key for the managed Observer API (secret). Default: none.
    pub api_key: Option<Setting>,
    /// Watch mode.
    pub watch: WatchSettings,
    /// CI behaviour.
    pub ci: CiSettings,
    /// Analysis options.
    pub analysis: AnalysisSettings,
}

/// `observer.watch`: which files watch mode follows.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct WatchSettings {
    /// Paths (relative to the project) to watch. Default: `[]`, the whole project.
    pub paths: Vec<String>,
    /// Glob patterns to ignore, on top of `.gitignore`. Default: `[]`.
    pub ignore: Vec<String>,
    /// Milliseconds to wait for more changes before analysing. Default: `500`.
    pub debounce_ms: u64,
    /// Run the tests of affected flows after each analysis. Default: `false`.
    pub auto_test: bool,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            paths: Vec::new(),
            ignore: Vec::new(),
            debounce_ms: 500,
            auto_test: false,
        }
    }
}

/// `observer.ci`: how CI selects and runs tests.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct CiSettings {
    /// Which flows CI tests. Default: `affected-flows`.
    pub strategy: CiStrategy,
    /// How many flows' tests run at once. Default: `4`.
    pub parallelism: u32,
}

impl Default for CiSettings {
    fn default() -> Self {
        Self {
            strategy: CiStrategy::AffectedFlows,
            parallelism: 4,
        }
    }
}

/// `observer.ci.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CiStrategy {
    /// Test only the flows a change affects (default).
    #[default]
    AffectedFlows,
    /// Test every flow.
    All,
}

/// `observer.analysis`: how finely changes are followed, dependency rules, optional
/// LLM-assisted classification.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AnalysisSettings {
    /// Ask an LLM about changes the static analysis is unsure of. Default: `false`.
    #[serde(rename = "useLLM")]
    pub use_llm: bool,
    /// Confidence below which the LLM is asked. Default: `0.7`.
    pub llm_threshold: f64,
    /// The OpenAI-compatible chat-completions endpoint to ask. Default: none (no LLM is asked,
    /// even with `useLLM`).
    pub llm: Option<LlmSettings>,
    /// How a changed dependency version counts, on top of the built-in table.
    pub dependencies: DependencySettings,
    /// How finely a changed module is followed to the pages: `file` (every importer of a
    /// changed file) or `symbol` (only the importers of the exports that changed). Default:
    /// `file`.
    pub precision: Precision,
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        Self {
            use_llm: false,
            llm_threshold: 0.7,
            llm: None,
            dependencies: DependencySettings::default(),
            precision: Precision::File,
        }
    }
}

/// `observer.analysis.precision`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Every importer of a changed file is reached.
    #[default]
    File,
    /// Only the importers of a changed module's changed exports are reached, name by name
    /// (file level where that is not sound: side effects, CommonJS, components...).
    Symbol,
}

/// `observer.analysis.dependencies`: packages whose version change affects every flow, or
/// none, overriding the built-in table (frameworks, bundlers and CSS tooling are global;
/// linters, formatters, git hooks and `@types/*` have no impact; every other package affects
/// the flows whose modules import it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct DependencySettings {
    /// Package names or globs (`@acme/tokens`, `@acme/theme-*`) whose version change affects
    /// every flow. Default: `[]`.
    pub global: Vec<String>,
    /// Package names or globs whose version change affects no flow (tooling the app never
    /// loads). Default: `[]`.
    pub no_impact: Vec<String>,
}

/// `observer.analysis.llm`: an OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct LlmSettings {
    /// Base URL; `/chat/completions` is appended (e.g. `https://api.openai.com/v1`, or a local
    /// server such as `http://127.0.0.1:11434/v1`).
    pub base_url: Option<Setting>,
    /// Model name. Default: `gpt-4o-mini`.
    pub model: String,
    /// API key (secret), usually `${OPENAI_API_KEY}`. Default: none (no `Authorization`).
    pub api_key: Option<Setting>,
    /// Seconds one question may take before the static result is kept. Default: `20`.
    pub timeout_secs: u64,
    /// At most this many flows are asked about per analysis (the least confident first).
    /// Default: `10`.
    pub max_flows: usize,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            model: "gpt-4o-mini".into(),
            api_key: None,
            timeout_secs: 20,
            max_flows: 10,
        }
    }
}

/// `analyzer`: insights, predictions and coverage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AnalyzerSettings {
    /// Managed Analyzer API. Default: none (local).
    pub api_base_url: Option<Setting>,
    /// API key for the managed Analyzer API (secret). Default: none.
    pub api_key: Option<Setting>,
    /// Insight generation.
    pub insights: InsightSettings,
    /// Failure predictions.
    pub predictions: PredictionSettings,
    /// Coverage scoring.
    pub coverage: CoverageSettings,
}

/// `analyzer.insights`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct InsightSettings {
    /// Generate insights. Default: `true`.
    pub enabled: bool,
    /// Seconds between insight runs. Default: `3600`.
    pub update_interval: u64,
    /// Lowest severity reported. Default: `medium`.
    pub min_severity: Severity,
}

impl Default for InsightSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            update_interval: 3600,
            min_severity: Severity::Medium,
        }
    }
}

/// Severity or priority level, lowest first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium (default).
    #[default]
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// 0 (low) to 3 (critical), for storage and comparisons in queries.
    pub fn rank(self) -> i64 {
        match self {
            Severity::Low => 0,
            Severity::Medium => 1,
            Severity::High => 2,
            Severity::Critical => 3,
        }
    }

    /// Lower-case name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// `analyzer.predictions`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct PredictionSettings {
    /// Predict failures for changes. Default: `true`.
    pub enabled: bool,
    /// Prediction model. Default: `"heuristic"`.
    pub model: String,
    /// Predictions below this confidence are not reported. Default: `0.7`.
    pub confidence_threshold: f64,
}

impl Default for PredictionSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            model: "heuristic".into(),
            confidence_threshold: 0.7,
        }
    }
}

/// `analyzer.coverage`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct CoverageSettings {
    /// Flows whose coverage score (the share of their steps their test specs exercise: the
    /// step's page, event or name appears in the spec) is below this are reported as poorly
    /// covered. Default: `0.7`.
    pub min_coverage_score: f64,
    /// Raise an insight when production journeys have no flow. Default: `true`.
    pub alert_on_gaps: bool,
}

impl Default for CoverageSettings {
    fn default() -> Self {
        Self {
            min_coverage_score: 0.7,
            alert_on_gaps: true,
        }
    }
}

/// `coordinator`: test execution.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct CoordinatorSettings {
    /// Managed Coordinator API. Default: none (local).
    pub api_base_url: Option<Setting>,
    /// API key for the managed Coordinator API (secret). Default: none.
    pub api_key: Option<Setting>,
    /// Command template that runs tests instead of Playwright: once for each flow's own
    /// specs or grep, and once per suite for the linked tests of every selected flow (a test
    /// that covers several flows runs once). Placeholders: `{specs}` (space-separated spec
    /// files, linked Playwright tests as `spec:line`), `{grep}` (the flow's grep tag),
    /// `{flow}` (the id of the flow, or the `,`-joined ids of the flows a suite's run serves)
    /// and `{junit}` (the JUnit XML file the command must write). Default: none, Playwright
    /// (`npx playwright test {specs} --grep {grep} --reporter=junit`).
    pub command: Option<String>,
    /// Seconds one runner invocation (a flow's own specs, or one suite's linked tests) may
    /// run before its tests count as failed. Default: `600`.
    pub timeout_secs: Option<u64>,
}

/// `flowGraph`: where flows, metrics and history are stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct FlowGraphSettings {
    /// `bolt://`, `bolt+s://`, `neo4j://`, `neo4j+s://` for Neo4j; a `sqlite:` or file path
    /// for the embedded store. Default: none, the embedded store in `.perceo/`.
    pub endpoint: Option<Setting>,
    /// Neo4j database name. Default: `neo4j`.
    pub database: Option<Setting>,
    /// Neo4j user. Default: `neo4j`.
    pub username: Option<Setting>,
    /// Neo4j password (secret). Default: none.
    pub password: Option<Setting>,
}

/// `eventBus`: how engines talk.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EventBusSettings {
    /// Bus backend. Default: `in-memory`.
    #[serde(rename = "type")]
    pub kind: EventBusKind,
    /// Redis URL (`redis://` or `rediss://`, ACL user and password in the URL) when `type`
    /// is `redis`. Default: none.
    pub redis_url: Option<Setting>,
    /// Redis channel for live delivery; the replay stream is `<channel>:stream`.
    /// Default: `Perceo:events`.
    pub channel: Option<String>,
    /// Approximate number of events the Redis replay stream keeps. Default: `100000`.
    pub stream_max_len: Option<u64>,
    /// PEM file of the CA that signed the server's certificate, for `rediss://` servers with
    /// a private CA (relative to the project). Default: none, the system trust store.
    pub tls_ca_file: Option<Setting>,
}

/// `eventBus.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EventBusKind {
    /// In-process bus (default).
    #[default]
    InMemory,
    /// Redis pub/sub plus a stream for replay.
    Redis,
}

/// `notifications`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct NotificationSettings {
    /// Slack.
    pub slack: SlackSettings,
    /// Email.
    pub email: EmailSettings,
}

/// `notifications.slack`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SlackSettings {
    /// Send to Slack. Default: `false`.
    pub enabled: bool,
    /// Incoming-webhook URL (secret). Default: none.
    pub webhook: Option<Setting>,
}

/// `notifications.email`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EmailSettings {
    /// Send email. Default: `false`.
    pub enabled: bool,
    /// Recipients. Default: `[]`.
    pub recipients: Vec<String>,
}

/// `serve`: the self-hosted engine APIs (`perceo serve`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ServeSettings {
    /// API keys clients must send as `Authorization: Bearer <key>` (secrets: write
    /// `"${PERCEO_SERVE_KEY}"` or `"file:secrets/serve-key"`, never the key itself). The
    /// environment variable `PERCEO_SERVE_API_KEYS` (comma-separated) replaces this list when
    /// set. Without any key `perceo serve` refuses to start, except with `--insecure-no-auth`
    /// on a loopback address. Default: `[]`.
    pub api_keys: Vec<Setting>,
    /// Largest request body accepted, in bytes; larger ones get `413`. Default: `10485760`
    /// (10 MiB).
    pub max_body_bytes: u64,
    /// Seconds a request may take before it is answered `503 request.timeout` (the work
    /// itself may still finish in the background). Default: `300`.
    pub request_timeout_secs: u64,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            api_keys: Vec::new(),
            max_body_bytes: 10 * 1024 * 1024,
            request_timeout_secs: 300,
        }
    }
}
