/* Results with no schema in schema/openapi.json yet, written by hand (keep them in step with
 * perceo-core: impact/why.rs, code, flows, graph/model.rs, bus, doctor.rs). */

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

/** One check of `doctor`. */
export interface DoctorCheck {
  /** Stable id (`config`, `graph`, `bus`, `api.observer`, ...). */
  id: string
  title: string
  status: 'pass' | 'fail' | 'skip'
  /** What was found (never a secret). */
  detail: string
  /** How to fix a failure. */
  fix?: string
  /** Whether a failure fails the run. */
  required: boolean
}

/** What `doctor` reports. */
export interface DoctorReport {
  stage: 'local' | 'ci' | 'staging' | 'production'
  checks: DoctorCheck[]
  /** Whether every required check passed. */
  ok: boolean
}
