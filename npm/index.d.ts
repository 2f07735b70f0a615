/* The shapes of the JSON results (see perceo-core: impact/report.rs, flows, graph, bus). */

/** How a file changed. */
export interface FileChange {
  path: string
  status: 'added' | 'modified' | 'deleted' | 'renamed'
  oldPath?: string
  additions: number
  deletions: number
}

/** One reason a flow is affected. */
export interface Reason {
  kind: 'import-chain' | 'layout' | 'global' | 'dependency' | 'test' | 'flow-files' | 'flow-definition' | 'route-removed' | 'fail-safe' | 'llm'
  changedFile: string
  /** Import chain from the changed file to the flow's page, changed file first. */
  chain: string[]
  confidence: number
  detail: string
}

/** An affected flow. */
export interface AffectedFlow {
  id: string
  name: string
  /** The flow's app, in a project of several apps (`project.apps`). */
  app?: string
  confidence: number
  riskScore: number
  riskLevel: 'low' | 'medium' | 'high' | 'critical'
  priority: 'low' | 'medium' | 'high' | 'critical'
  riskFactors: Record<string, number>
  reasons: Reason[]
  matchedFiles: string[]
  hasTests: boolean
}

/** The result of `analyze` (the seed's ImpactReport plus Perceo's fields). */
export interface ImpactReport {
  changeId: string
  baseSha: string
  headSha: string
  mergeBase: string
  flows: AffectedFlow[]
  changes: FileChange[]
  /** Changed files that reach no flow and are not explained as harmless. */
  unmatchedChanges: string[]
  /** The same files, each with the reason. */
  unmatchedReasons: FileNote[]
  /** Changed files explained as harmless (docs, lint tooling, tests no flow links...). */
  noImpact: FileNote[]
  onEmptyApplied?: 'all' | 'none' | 'smoke'
  totals: Record<string, number>
  warnings: string[]
  timings: Record<string, unknown>
  createdAt: string
}

/** A changed file and a plain-words reason about it. Paths are project-relative; files
 * outside the project (a monorepo's packages) climb with `../`. */
export interface FileNote {
  path: string
  reason: string
}

/** A page a file reaches (`why`). */
export interface PageHit {
  pattern: string
  file: string
  repoFile: string | null
  via: 'self' | 'import-chain' | 'layout'
  chain: string[]
}

/** The answer of `why`: per file, the pages and flows it reaches, or why none. */
export interface WhyReport {
  files: Array<{
    file: string
    repoPath: string | null
    inGraph: boolean
    pages: PageHit[]
    flows: Array<{ id: string; confidence: number; reasons: Reason[] }>
    why: string | null
  }>
}

/** The module graph (`moduleGraph`). */
export interface ModuleGraph {
  nodes: string[]
  edges: Array<{ from: string; to: string; kind: 'static' | 'dynamic' | 'type-only' | 'require' | 're-export' | 'css' | 'json' }>
  unresolved: Array<{ file: string; specifier: string }>
}

/** A step of a flow. */
export interface Step {
  name: string
  page?: string
  event?: string
  actions?: string[]
  expected?: string
}

/** A flow from `.perceo/flows/`. */
export interface Flow {
  id: string
  name: string
  /** The app its pages belong to, in a project of several apps. */
  app?: string
  description?: string
  priority: 'low' | 'medium' | 'high' | 'critical'
  personas: string[]
  pages: string[]
  files?: string[]
  steps: Step[]
  tests?: {
    specs: string[]
    grep?: string
    /** Tests of the project's own suites that visit the flow's pages (`perceo flows link-tests`). */
    linked?: { spec: string; line: number; title: string; config: string }[]
  }
  related?: string[]
}

/** A persona. */
export interface Persona {
  id: string
  name: string
  description?: string
  behaviors: string[]
}

/** Flows and personas. */
export interface FlowSet {
  flows: Flow[]
  personas: Persona[]
  warnings: string[]
}

/** What a graph sync did. */
export interface SyncSummary {
  created: string[]
  updated: string[]
  deleted: string[]
  unchanged: number
}

/** An event in the seed's envelope. */
export interface PerceoEvent {
  id: string
  type: string
  timestamp: string
  source: string
  data: unknown
  metadata: { userId?: string; projectId?: string; environment?: string }
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** An opened Perceo project. */
export declare class Perceo {
  /**
   * Opens the project at (or above) `projectDir`; `configPath` replaces
   * `.perceo/config.json` like `PERCEO_CONFIG_PATH`.
   */
  static open(projectDir: string, configPath?: string | undefined | null): Perceo
  /** The project directory (the one holding `.perceo/`). */
  get projectDir(): string
  /** The resolved configuration with every secret as `***`. */
  config(): Record<string, unknown>
  /** Which flows a change can break: the main job. */
  analyze(options?: AnalyzeOptions | undefined | null): Promise<ImpactReport>
  /** The flows and personas in `.perceo/`. */
  flows(): Promise<FlowSet>
  /**
   * For each file (absolute, or relative to the project; files of a monorepo's packages
   * are welcome): the pages and flows a change to it reaches, with the import chains, or
   * why it reaches none.
   */
  why(files: Array<string>): Promise<WhyReport>
  /**
   * The module graph Perceo built: files and import edges with their kind; `from` keeps
   * what that file imports (transitively), `to` what imports that file.
   */
  moduleGraph(from?: string | undefined | null, to?: string | undefined | null): Promise<ModuleGraph>
  /** Pushes the flow files into the flow graph. */
  syncGraph(): Promise<SyncSummary>
  /**
   * Runs the tests of the selected flows (Playwright or `coordinator.command`) and records
   * them; resolves to the run report (check `failed`).
   */
  runTests(options?: TestOptions | undefined | null): Promise<Record<string, unknown>>
  /** Insights from test history and production metrics (also stored and published). */
  insights(): Promise<Array<Record<string, unknown>>>
  /**
   * Fetches the analytics provider's events since the last sync and (by default)
   * correlates them; resolves to the sync report.
   */
  analyticsSync(options?: AnalyticsSyncOptions | undefined | null): Promise<Record<string, unknown>>
  /**
   * Aligns the synced sessions with every flow and writes their production metrics;
   * resolves to the correlation report.
   */
  analyticsCorrelate(): Promise<Record<string, unknown>>
  /** Frequent real journeys no flow covers, each with a suggested flow. */
  analyticsGaps(options?: GapOptions | undefined | null): Promise<Array<Record<string, unknown>>>
  /**
   * Revenue at risk for one flow: (synthetic − production success) × daily attempts ×
   * average order value.
   */
  analyticsImpact(flowId: string): Promise<Record<string, unknown>>
  /** Publishes one event on the configured bus; resolves to the event as published. */
  publish(eventType: string, data: any): Promise<PerceoEvent>
}

/** Options of `Perceo.analyticsSync`. */
export interface AnalyticsSyncOptions {
  /** Fetch from this time (Unix milliseconds) instead of the last sync. */
  sinceMs?: number
  /** Correlate after syncing. Default: true. */
  correlate?: boolean
}

/** Options of `Perceo.analyze`. */
export interface AnalyzeOptions {
  /** Base ref (branch, tag, SHA, HEAD~n). Omitted: uncommitted work against HEAD. */
  base?: string
  /** Head ref. Default: `HEAD`. */
  head?: string
  /** When code changed but no flow is affected: `all` (default), `none` or `smoke`. */
  onEmpty?: string
}

/**
 * Runs `perceo doctor`'s checklist for `stage` (`local`, `ci`, `staging` or `production`;
 * default `local`) on the project at (or above) `projectDir`; resolves to the report
 * (`ok`, and every check with its status, detail and fix).
 */
export declare function doctor(projectDir: string, stage?: string | undefined | null): Promise<Record<string, unknown>>

/** Options of `Perceo.analyticsGaps`. */
export interface GapOptions {
  /** Journeys taken by fewer sessions are left out. Default: 3. */
  minSessions?: number
  /** At most this many. Default: 10. */
  limit?: number
}

/**
 * Runs the `perceo` command line in this process with `args` (without the program name)
 * and returns its exit code; used by the package's `perceo` bin.
 */
export declare function runCli(args: Array<string>): number

/** Options of `Perceo.runTests`. */
export interface TestOptions {
  /** `analyze` (default: a fresh analysis of base..head), `all`, or a saved report's path. */
  flowsFrom?: string
  /** Base ref for `analyze`. Omitted: uncommitted work against HEAD. */
  base?: string
  /** Head ref. Default: `HEAD`. */
  head?: string
  /** Flows tested at once. Default: `observer.ci.parallelism`. */
  parallel?: number
  /** Run only shard `i/n`. */
  shard?: string
}

/** The version of the Perceo library. */
export declare function version(): string
