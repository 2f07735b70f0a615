// Compiled with `tsc --noEmit --strict` by scripts/npm-test.sh: the package's declared types
// (index.d.ts, with the results generated from the Rust types) are valid TypeScript and
// describe what the tests read from the results.
import { Perceo, doctor, version } from '../index'
import type {
  Config, CorrelationReport, DoctorReport, FlowSet, Gap, ImpactReport, Insight, ModuleGraph, PerceoEvent, RevenueImpact, SyncReport,
  SyncSummary, TestRunReport, WhyReport,
} from '../index'

async function use(p: Perceo): Promise<string[]> {
  const report: ImpactReport = await p.analyze({ base: 'main', head: 'feature', onEmpty: 'smoke' })
  const reasons: string[] = report.flows.flatMap((f) => f.reasons.map((r) => `${r.kind}: ${r.changedFile}`))
  const run: TestRunReport = await p.runTests({ flowsFrom: 'all', shard: '1/2' })
  const failed: number = run.failed + run.flows.filter((f) => f.status === 'failed').length
  const insights: Insight[] = await p.insights()
  const sync: SyncReport = await p.analyticsSync({ correlate: false })
  const correlation: CorrelationReport = await p.analyticsCorrelate()
  const entered: number = correlation.flows.reduce((n, f) => n + f.sessionsEntered, 0)
  const gaps: Gap[] = await p.analyticsGaps({ minSessions: 2 })
  const impact: RevenueImpact = await p.analyticsImpact('checkout')
  const checks: DoctorReport = await doctor('.', 'ci')
  const why: WhyReport = await p.why(['src/lib/cart/store.ts'])
  const graph: ModuleGraph = await p.moduleGraph('app/page.tsx', null)
  const synced: SyncSummary = await p.syncGraph()
  const set: FlowSet = await p.flows()
  const event: PerceoEvent = await p.publish('observer.analysis.completed', { ok: true })
  const config: Config.Settings = p.config()
  return [
    ...set.flows.flatMap((f) => f.steps.map((s) => `${f.priority} ${s.name} ${s.event ?? ''}`)),
    ...set.personas.map((persona) => persona.behaviors.join(', ')),
    event.type + (event.metadata.projectId ?? ''),
    config.project?.name ?? '',
    config.flowGraph?.endpoint ?? '',
    ...reasons,
    String(failed),
    ...insights.map((i) => i.severity),
    sync.provider,
    String(entered + sync.events),
    ...gaps.map((g) => g.journey.join(' → ')),
    String(impact.daily),
    ...checks.checks.filter((c) => c.status === 'fail').map((c) => c.fix ?? c.detail),
    ...why.files.flatMap((f) => f.pages.map((page) => `${page.pattern} via ${page.via}`)),
    ...graph.edges.filter((e) => e.kind === 'auto-import').map((e) => `${e.from} -> ${e.to}`),
    ...synced.created,
    version(),
  ]
}

export { use }
