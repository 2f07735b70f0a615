//! Command-line arguments (clap derive). Parsing only: each command maps them to core options.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use perceo_core::FlowsFrom;
use perceo_core::impact::OnEmpty;

/// Perceo: flow-aware regression testing. Finds the user flows a change can break,
/// runs only their tests, and tells which of them real users depend on.
#[derive(Debug, Parser)]
#[command(name = "perceo", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 ok, 1 the job failed, 2 usage or configuration error, 3 a service could not be reached."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Project directory (searched upwards for .perceo/config.json).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "PERCEO_PROJECT_DIR",
        default_value = "."
    )]
    pub project_dir: PathBuf,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only results and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Run every engine in this process even where an apiBaseUrl is configured.
    #[arg(long, global = true, env = "PERCEO_LOCAL")]
    pub local: bool,
    /// Print more detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Perceo's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up Perceo in a project: detect the framework and write .perceo/config.json.
    Init(InitArgs),
    /// Read and edit the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Serve the dashboard: flows, the latest impact, test history, insights and live events,
    /// on a local web page (Ctrl-C stops).
    Dashboard(DashboardArgs),
    /// Watch the project's files and print the flows each save affects, live (Ctrl-C stops).
    Watch(WatchArgs),
    /// The analyzer: insights, test coverage, suggested next actions, failure predictions over
    /// the flow graph (not a change: for which flows a change affects, see `ci analyze`).
    #[command(subcommand)]
    Analyze(AnalyzeCommand),
    /// CI jobs: which flows a change affects (`ci analyze`), run their tests (`ci test`),
    /// report (`ci report`).
    #[command(subcommand)]
    Ci(CiCommand),
    /// List and show the flows in .perceo/flows.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// List the routes (pages and handlers) found in the app, with the files attached to each.
    Routes,
    /// Explain which pages and flows a change to each FILE reaches, with the import chains,
    /// or why it reaches none (nothing imports it, only tests use it, outside every app...).
    /// Files are relative to the current directory; files outside the project (a monorepo's
    /// packages/) are welcome.
    Why(WhyArgs),
    /// The event bus: follow, replay or publish events.
    #[command(subcommand)]
    Events(EventsCommand),
    /// The flow graph: push flow files into it, or see what it holds.
    #[command(subcommand)]
    Graph(GraphCommand),
    /// Production analytics (GA4, Mixpanel, Amplitude): connect, sync real user sessions,
    /// correlate them with the flows, find journeys no flow covers, estimate revenue impact.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
    /// Serve the Observer, Analyzer, Analytics and Coordinator APIs over HTTP for clients whose
    /// config sets an apiBaseUrl, analysing against this checkout (--project-dir), until
    /// SIGTERM or Ctrl-C. Prints the bound URL on stdout; one JSON log line per request on stderr.
    Serve(ServeArgs),
    /// Check that this project and its services are ready for a stage (config, variables,
    /// secrets, flow graph, event bus, managed APIs, analytics, TLS, a dry-run analysis):
    /// ✓ pass, ✗ fail with a one-line fix, – not applicable. Exit 0 only when every required
    /// check passes.
    Doctor(DoctorArgs),
    /// Print a shell completion script (e.g. `perceo completions bash > /etc/bash_completion.d/perceo`).
    Completions(CompletionsArgs),
}

/// `perceo why`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The files to explain (relative to the current directory, or absolute).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `perceo graph deps`.
#[derive(Debug, Args)]
pub struct DepsArgs {
    /// Print Graphviz DOT instead of text.
    #[arg(long, conflicts_with = "json")]
    pub dot: bool,
    /// Only FILE and what it imports, transitively.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Only FILE and what imports it, transitively.
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,
}

/// `perceo init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to initialise. Default: the project directory.
    #[arg(long, value_name = "D")]
    pub dir: Option<PathBuf>,
    /// Accept every default without asking.
    #[arg(short, long)]
    pub yes: bool,
    /// Project name. Default: package.json `name`, else the directory name.
    #[arg(long)]
    pub name: Option<String>,
    /// Framework, when detection gets it wrong.
    #[arg(long, value_enum)]
    pub framework: Option<FrameworkArg>,
}

/// Frameworks `--framework` accepts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FrameworkArg {
    /// Next.js.
    Nextjs,
    /// Remix.
    Remix,
    /// React Router v7.
    ReactRouter,
    /// Nuxt.
    Nuxt,
    /// Vue.
    Vue,
    /// SvelteKit.
    Sveltekit,
    /// Angular.
    Angular,
    /// React.
    React,
}

/// `perceo config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the resolved configuration (secrets as ***) and the files and variables it came from.
    Show,
    /// Print the effective value of one dotted key, e.g. `observer.ci.parallelism`.
    Get {
        /// Dotted key path.
        key: String,
    },
    /// Set a dotted key in .perceo/config.json, keeping comments; the value is parsed as JSON,
    /// else taken as a string. The file is validated first and replaced atomically.
    Set {
        /// Dotted key path.
        key: String,
        /// New value (`4`, `true`, `["src"]`, or text).
        value: String,
        /// Refuse a key the schema does not know (by default it is written with a warning).
        #[arg(long)]
        strict: bool,
    },
    /// Print the JSON Schema of .perceo/config.json (editors use it for completion and checks).
    Schema,
}

/// `perceo completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `perceo ci …`.
#[derive(Debug, Subcommand)]
pub enum CiCommand {
    /// Work out which user flows the changes between two refs can break (base...head), with
    /// confidence, risk and the import chain behind each; publishes observer.analysis.complete.
    Analyze(AnalyzeArgs),
    /// Run the tests of the affected flows (Playwright, or coordinator.command); exit 1 when a
    /// flow fails. Flows without tests are reported as uncovered, never as passed.
    Test(TestArgs),
    /// Render the latest analysis and test run: a PR comment (markdown), JUnit, HTML or JSON.
    /// With GITHUB_ACTIONS=true also prints ::error/::warning annotations on risky changes.
    Report(ReportArgs),
}

/// `perceo ci test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Which flows: `analyze` (a fresh analysis of --base..--head), `all`, or a saved
    /// `perceo ci analyze --json` file.
    #[arg(long, value_name = "analyze|all|FILE.json", default_value = "analyze", value_parser = parse_flows_from)]
    pub flows_from: FlowsFrom,
    /// Base ref for `--flows-from analyze`. Default: uncommitted work against HEAD.
    #[arg(long)]
    pub base: Option<String>,
    /// Head ref for `--flows-from analyze` (needs --base). Default: HEAD.
    #[arg(long)]
    pub head: Option<String>,
    /// How many flows' tests run at once. Default: observer.ci.parallelism.
    #[arg(long, value_name = "N")]
    pub parallel: Option<usize>,
    /// Run only shard i of n (e.g. 2/4): the same split on every machine, balanced by the
    /// recorded durations of each flow's tests.
    #[arg(long, value_name = "i/n", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
}

/// `perceo ci report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormatArg,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ci report --format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormatArg {
    /// Both documents as JSON.
    Json,
    /// JUnit XML, one test case per flow.
    Junit,
    /// Markdown for a PR comment or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

/// `perceo ci analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Base ref (branch, tag, SHA, HEAD~n); the diff starts at its merge base with --head.
    #[arg(long, required_unless_present = "working_tree")]
    pub base: Option<String>,
    /// Head ref (needs --base). Default: HEAD.
    #[arg(long)]
    pub head: Option<String>,
    /// Analyse uncommitted work (staged, unstaged, untracked) against HEAD instead of refs.
    #[arg(long, conflicts_with = "base")]
    pub working_tree: bool,
    /// Exit 1 when an affected flow's risk level is at least this (risk ≥0.75 critical,
    /// ≥0.5 high, ≥0.25 medium, else low).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<LevelArg>,
    /// What to select when code changed but no flow is affected.
    #[arg(long, default_value = "all", value_parser = on_empty_parser())]
    pub on_empty: OnEmpty,
    /// Add the analyzer's failure predictions for the affected flows to the report.
    #[arg(long)]
    pub with_insights: bool,
}

/// Risk levels for `--fail-on`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    /// Any affected flow.
    Low,
    /// Risk ≥ 0.25.
    Medium,
    /// Risk ≥ 0.5.
    High,
    /// Risk ≥ 0.75.
    Critical,
}

impl From<LevelArg> for perceo_core::config::Severity {
    fn from(arg: LevelArg) -> Self {
        use perceo_core::config::Severity;
        match arg {
            LevelArg::Low => Severity::Low,
            LevelArg::Medium => Severity::Medium,
            LevelArg::High => Severity::High,
            LevelArg::Critical => Severity::Critical,
        }
    }
}

/// `--on-empty`: the core's names and help, parsed by the core.
fn on_empty_parser() -> impl clap::builder::TypedValueParser<Value = OnEmpty> {
    let choices = OnEmpty::NAMES.map(|name| {
        let choice: OnEmpty = name.parse().expect("one of OnEmpty::NAMES");
        clap::builder::PossibleValue::new(name).help(choice.help())
    });
    clap::builder::PossibleValuesParser::new(choices)
        .map(|name| name.parse::<OnEmpty>().expect("one of OnEmpty::NAMES"))
}

/// `--flows-from`, parsed by the core.
fn parse_flows_from(text: &str) -> perceo_core::Result<FlowsFrom> {
    text.parse()
}

/// `--shard i/n`, parsed by the core.
fn parse_shard(text: &str) -> perceo_core::Result<(usize, usize)> {
    perceo_core::coordinator::shard::parse_shard(text)
}

/// `perceo flows …`.
#[derive(Debug, Subcommand)]
pub enum FlowsCommand {
    /// List the flows: id, priority, pages, tests.
    List,
    /// Show one flow in full.
    Show {
        /// Flow id.
        id: String,
    },
    /// Create .perceo/flows/ID.json (validated), then sync the flow graph.
    Create(FlowCreateArgs),
    /// Change fields of a flow file (comments kept; lists given replace the old ones; validated), then sync the graph.
    Edit(FlowEditArgs),
    /// Delete a flow's file, then sync the graph (its history goes with it).
    Delete {
        /// Flow id.
        id: String,
    },
    /// Link the project's own Playwright and Cypress tests to flows, from the URLs each test
    /// opens or asserts (page.goto, waitForURL, toHaveURL, cy.visit, cy.url().should, request.get,
    /// literal paths given to helpers) matched against the routes. Writes the links into each
    /// flow's `tests.linked` (rewritten every time; `tests.specs` and `tests.grep` are never
    /// touched) and prints every test with its flows, or why it links to none.
    LinkTests {
        /// Print what would be linked; change no file.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Fields of a flow, for `flows create` and `flows edit`.
#[derive(Debug, Args)]
pub struct FlowFields {
    /// Human name, e.g. "Add item to cart".
    #[arg(long)]
    pub name: Option<String>,
    /// What the user does.
    #[arg(long)]
    pub description: Option<String>,
    /// critical, high, medium or low.
    #[arg(long, value_enum)]
    pub priority: Option<LevelArg>,
    /// A route pattern the flow visits (repeat for more), e.g. /product/[id].
    #[arg(long = "page", value_name = "PATTERN")]
    pub pages: Vec<String>,
    /// A persona id (repeat for more).
    #[arg(long = "persona", value_name = "ID")]
    pub personas: Vec<String>,
    /// An extra source glob that belongs to the flow (repeat for more).
    #[arg(long = "file", value_name = "GLOB")]
    pub files: Vec<String>,
    /// A test spec file (repeat for more).
    #[arg(long = "spec", value_name = "PATH")]
    pub specs: Vec<String>,
    /// A grep tag for the test runner, e.g. @cart.
    #[arg(long)]
    pub grep: Option<String>,
    /// The app the flow's pages belong to, in a project of several apps (project.apps).
    #[arg(long)]
    pub app: Option<String>,
}

/// `perceo flows create`.
#[derive(Debug, Args)]
pub struct FlowCreateArgs {
    /// Flow id (lower-case letters, digits, - and _); also the file name.
    pub id: String,
    /// The flow's fields (--name is required).
    #[command(flatten)]
    pub fields: FlowFields,
}

/// `perceo flows edit`.
#[derive(Debug, Args)]
pub struct FlowEditArgs {
    /// Flow id.
    pub id: String,
    /// The fields to change.
    #[command(flatten)]
    pub fields: FlowFields,
}

/// `perceo graph …`.
#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Push the flow files into the configured graph; reports what was created, updated and deleted.
    Sync,
    /// Print the module graph Perceo built (files, and import edges with their kind: static,
    /// dynamic, type-only, require, re-export, css, json, auto-import), to audit it against
    /// other tools.
    /// Text lists edges `from -> to (kind)`; --json gives {nodes, edges, unresolved}.
    Deps(DepsArgs),
    /// Backend, location, counts and schema version of the configured graph.
    Status,
}

/// Analytics providers `--provider` accepts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProviderArg {
    /// Google Analytics 4 (service-account JSON key; Data API + BigQuery-export files).
    Ga4,
    /// Mixpanel (service account `user:secret`, or a legacy API secret).
    Mixpanel,
    /// Amplitude (`apiKey:secretKey`).
    Amplitude,
}

/// Data-residency regions `--region` accepts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegionArg {
    /// United States (default).
    Us,
    /// European Union.
    Eu,
    /// India (Mixpanel only).
    In,
}

/// `perceo analytics …`.
#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Check credentials against the provider (the smallest real request), then write the
    /// provider and a `${ENV}` or `file:` reference to the credentials into the config —
    /// never the secret itself.
    Connect {
        /// The provider.
        #[arg(long, value_enum)]
        provider: ProviderArg,
        /// An environment variable name (`MIXPANEL_CREDENTIALS`) or a file path holding the
        /// credentials. Default: the `analytics.credentials` already configured.
        #[arg(long, value_name = "PATH|ENV")]
        credentials: Option<String>,
        /// GA4: the numeric property id.
        #[arg(long, value_name = "ID")]
        property_id: Option<String>,
        /// GA4: the BigQuery-export NDJSON files (file, directory or glob) to read journeys from.
        #[arg(long, value_name = "PATH")]
        export_path: Option<String>,
        /// Mixpanel: the project id (required with service-account credentials).
        #[arg(long, value_name = "ID")]
        project_id: Option<u64>,
        /// Mixpanel or Amplitude: the data-residency region.
        #[arg(long, value_enum)]
        region: Option<RegionArg>,
    },
    /// Fetch events since the last sync (first time: the correlation window), store them in
    /// .perceo/analytics/, then correlate and update each flow's production metrics.
    Sync {
        /// Fetch from this point instead of the last sync: a time ago (`3d`, `12h`) or an RFC 3339 time.
        #[arg(long, value_name = "DURATION|TIME")]
        since: Option<String>,
        /// Only fetch and store; do not correlate.
        #[arg(long)]
        no_correlate: bool,
        /// Keep syncing every `analytics.syncInterval` seconds until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// Align the synced sessions with every flow (Smith-Waterman) and report per flow:
    /// sessions, success rate, daily users, duration, top exit step, devices, cohorts, funnel.
    Correlate {
        /// Report only this flow (all flows are still updated in the graph).
        #[arg(long, value_name = "ID")]
        flow: Option<String>,
    },
    /// Frequent real journeys that no flow covers, with weekly users and a suggested flow file.
    Gaps {
        /// Journeys taken by fewer sessions are left out.
        #[arg(long, default_value_t = perceo_core::GapOptions::default().min_sessions, value_name = "N")]
        min_sessions: u64,
        /// Show at most this many.
        #[arg(long, default_value_t = perceo_core::GapOptions::default().limit, value_name = "N")]
        limit: usize,
        /// Write each suggested flow to .perceo/flows/<id>.json (existing files are kept).
        #[arg(long)]
        save: bool,
    },
    /// Revenue at risk for a flow: (synthetic − production success) × daily attempts ×
    /// average order value, per day, month and year.
    Impact {
        /// The flow.
        #[arg(long, value_name = "ID")]
        flow: String,
    },
}

/// `perceo events …`.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print events as they are published (and, with --since, stored ones first) until Ctrl-C.
    /// Needs eventBus.type = redis: the in-memory bus lives inside one process.
    Tail {
        /// Only event types starting with this, e.g. `observer.` or `coordinator.test.failed`.
        #[arg(long = "type", value_name = "PREFIX")]
        kind: Option<String>,
        /// Replay stored events first: after an event id, or from a time ago (`10m`, `2h`), or
        /// from an RFC 3339 time.
        #[arg(long, value_name = "ID|DURATION|TIME")]
        since: Option<String>,
        /// Print stored events and exit instead of following.
        #[arg(long)]
        no_follow: bool,
    },
    /// Publish one event (for scripts and tests): a type such as `analyzer.insight.generated`
    /// and JSON data.
    Publish {
        /// The event type.
        #[arg(value_name = "TYPE")]
        kind: String,
        /// The payload as JSON.
        #[arg(long, default_value = "{}")]
        data: String,
        /// The publisher's name.
        #[arg(long, default_value = "cli")]
        source: String,
    },
}

/// `perceo watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Developer mode: also print the files of each batch and how the graph was updated.
    #[arg(long)]
    pub dev: bool,
    /// Print every reason (import chains) of each affected flow, not just the strongest.
    #[arg(long)]
    pub analyze: bool,
    /// Hand affected flows to the coordinator to test (defaults to observer.watch.autoTest).
    #[arg(long)]
    pub auto_test: bool,
}

/// `perceo analyze …`.
#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Insights from tests and production: synthetic vs production gaps, coverage gaps,
    /// failing and flaky flows, drop-off (at or above analyzer.insights.minSeverity).
    Insights {
        /// Only this flow's insights.
        #[arg(long, value_name = "ID")]
        flow: Option<String>,
        /// Only insights at or above this severity.
        #[arg(long, value_enum, value_name = "LEVEL")]
        severity: Option<LevelArg>,
    },
    /// Which flows have tests, weighted by priority, and which do not.
    Coverage,
    /// Concrete next actions: tests to write, flaky flows to fix, flows to investigate.
    Suggest,
    /// The probability that a change breaks each flow it affects (heuristic; the basis is
    /// stated in each prediction).
    Predict {
        /// Base ref. Default: uncommitted work against HEAD.
        #[arg(long)]
        base: Option<String>,
        /// Head ref (needs --base). Default: HEAD.
        #[arg(long)]
        head: Option<String>,
    },
}

/// `perceo dashboard`.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 4317)]
    pub port: u16,
    /// Address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Let a non-loopback --host be used (the dashboard has no authentication).
    #[arg(long)]
    pub allow_remote: bool,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// Stages `perceo doctor --env` accepts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StageArg {
    /// A developer machine: config, variables, file secrets, flow graph, event bus.
    Local,
    /// CI: local, plus managed APIs and a dry run of `ci analyze` on HEAD~1..HEAD.
    Ci,
    /// Staging: CI, plus the analytics credentials.
    Staging,
    /// Production: staging, plus TLS to Neo4j and Redis, no secret in the config file, and
    /// every file: secret ignored by git.
    Production,
}

/// `perceo doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Which checklist to run.
    #[arg(long = "env", value_enum, default_value = "local")]
    pub stage: StageArg,
    /// How long each check may take (e.g. 30s). Default: 10s.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

/// `perceo serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 4318)]
    pub port: u16,
    /// Let a non-loopback --host be used (API keys are still required; put TLS in front).
    #[arg(long)]
    pub allow_remote: bool,
    /// Serve without API keys. Refused unless --host is a loopback address.
    #[arg(long)]
    pub insecure_no_auth: bool,
    /// Print the OpenAPI document of the APIs and exit (no project needed).
    #[arg(long)]
    pub print_openapi: bool,
}
