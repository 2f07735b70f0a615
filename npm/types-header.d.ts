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
  kind: 'import-chain' | 'layout' | 'global' | 'dependency' | 'test' | 'flow-files' | 'flow-definition' | 'route-removed' | 'fail-safe'
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
  unmatchedChanges: string[]
  onEmptyApplied?: 'all' | 'none' | 'smoke'
  totals: Record<string, number>
  warnings: string[]
  timings: Record<string, unknown>
  createdAt: string
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
  description?: string
  priority: 'low' | 'medium' | 'high' | 'critical'
  personas: string[]
  pages: string[]
  files?: string[]
  steps: Step[]
  tests?: { specs: string[]; grep?: string }
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
