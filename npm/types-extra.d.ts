/* Results with no schema in schema/openapi.json yet, written by hand (keep them in step with
 * perceo-core: flows, bus). */

/** The module graph (`moduleGraph`); the name the package has always used. */
export type ModuleGraph = ModuleGraphExport

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

/** An event in the seed's envelope. */
export interface PerceoEvent {
  id: string
  type: string
  timestamp: string
  source: string
  data: unknown
  metadata: { userId?: string; projectId?: string; environment?: string }
}
