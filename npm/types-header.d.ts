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
