// The @perceo/perceo API against the built addon: results equal the CLI's JSON, errors carry
// the core's codes, several analyses run at once. Run with `node --test test/`.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const perceo = require('../index.js')
const bin = join(here, '..', 'bin', 'perceo.js')
let shop

function git(cwd, ...args) {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'pipe' })
}

before(() => {
  shop = mkdtempSync(join(tmpdir(), 'perceo-node-'))
  cpSync(join(here, '..', '..', 'examples', 'shop'), shop, { recursive: true })
  git(shop, 'init', '-q', '-b', 'main')
  git(shop, 'add', '-A')
  git(shop, 'commit', '-qm', 'base')
  git(shop, 'checkout', '-qb', 'feature')
  appendFileSync(join(shop, 'src/lib/cart/store.ts'), '\nexport const MAX = 3;\n')
  git(shop, 'commit', '-qam', 'change')
})

const comparable = (report) => report.flows.map((f) => ({ id: f.id, confidence: f.confidence, riskScore: f.riskScore, reasons: f.reasons.length }))

test('version is the library version', () => {
  assert.match(perceo.version(), /^\d+\.\d+\.\d+/)
})

test('analyze equals the CLI JSON', async () => {
  const p = perceo.Perceo.open(shop)
  const report = await p.analyze({ base: 'main', head: 'feature' })
  const cli = JSON.parse(execFileSync(process.execPath, [bin, 'ci', 'analyze', '--base', 'main', '--head', 'feature', '--json', '-q'], { cwd: shop }).toString())
  assert.deepEqual(comparable(report), comparable(cli))
  assert.deepEqual(report.changes, cli.changes)
  assert.ok(report.flows.some((f) => f.id === 'checkout'))
  assert.equal(typeof report.changeId, 'string')
})

test('why and moduleGraph explain the graph like the CLI', async () => {
  const p = perceo.Perceo.open(shop)
  const why = await p.why(['src/lib/cart/store.ts'])
  const cli = JSON.parse(execFileSync(process.execPath, [bin, 'why', 'src/lib/cart/store.ts', '--json', '-q'], { cwd: shop }).toString())
  assert.deepEqual(why, cli)
  assert.ok(why.files[0].flows.some((f) => f.id === 'checkout'))
  const graph = await p.moduleGraph(null, 'src/lib/cart/store.ts')
  assert.ok(graph.edges.some((e) => e.to === 'src/lib/cart/store.ts'))
  await assert.rejects(p.moduleGraph('no/such.ts', null), (e) => e.code === 'argument')
})

test('config is redacted and flows are typed objects', async () => {
  const p = perceo.Perceo.open(shop)
  assert.equal(p.config().project.name, 'shop')
  assert.equal(p.projectDir.endsWith(shop.split('/').pop()), true)
  const set = await p.flows()
  assert.ok(set.flows.find((f) => f.id === 'add-to-cart').pages.includes('/cart'))
})

test('errors carry the core code', async () => {
  assert.throws(() => perceo.Perceo.open(mkdtempSync(join(tmpdir(), 'empty-'))), (e) => e instanceof Error && e.code === 'config.not_found' && /perceo init/.test(e.message))
  const p = perceo.Perceo.open(shop)
  await assert.rejects(p.analyze({ base: 'no-such-ref' }), (e) => e.code === 'git' && /no-such-ref/.test(e.message))
  await assert.rejects(p.analyze({ base: 'main', onEmpty: 'sometimes' }), (e) => e.code === 'argument')
})

test('several analyses run at once', async () => {
  const p = perceo.Perceo.open(shop)
  const reports = await Promise.all(Array.from({ length: 6 }, () => p.analyze({ base: 'main', head: 'feature' })))
  const first = JSON.stringify(comparable(reports[0]))
  for (const r of reports) assert.equal(JSON.stringify(comparable(r)), first)
})

test('the bin runs the CLI with its exit codes', () => {
  const ok = spawnSync(process.execPath, [bin, '--version'])
  assert.equal(ok.status, 0)
  assert.match(ok.stdout.toString(), /perceo \d+\.\d+\.\d+/)
  const usage = spawnSync(process.execPath, [bin, 'frobnicate'])
  assert.equal(usage.status, 2)
  const missing = spawnSync(process.execPath, [bin, 'config', 'show'], { cwd: tmpdir() })
  assert.equal(missing.status, 2)
  assert.match(missing.stderr.toString(), /config\.not_found/)
})

test('runTests runs the flows with the configured runner and reports uncovered ones', async () => {
  // Every flow "passes" by exit code with a runner that writes no JUnit; read-blog has no tests.
  execFileSync(process.execPath, [bin, 'config', 'set', 'coordinator.command', 'true {flow}', '-q'], { cwd: shop })
  const p = perceo.Perceo.open(shop)
  const run = await p.runTests({ flowsFrom: 'all', parallel: 3 })
  assert.equal(run.uncovered, 1)
  assert.equal(run.failed, 0)
  assert.equal(run.passed, 5)
  assert.equal(run.flows.find((f) => f.flowId === 'read-blog').status, 'uncovered')
  await assert.rejects(p.runTests({ shard: '9/2' }), (e) => e.code === 'argument')
})

test('analytics: correlate synced sessions, find gaps, estimate revenue; doctor', async () => {
  // Synced events as `perceo analytics sync` stores them, for a copy of the shop.
  const app = mkdtempSync(join(tmpdir(), 'perceo-node-analytics-'))
  cpSync(join(here, '..', '..', 'examples', 'shop'), app, { recursive: true })
  git(app, 'init', '-q', '-b', 'main')
  git(app, 'add', '-A')
  git(app, 'commit', '-qm', 'base')
  execFileSync(process.execPath, [bin, 'config', 'set', 'analytics.provider', 'mixpanel', '-q'], { cwd: app })
  const t0 = Date.now() - 3_600_000
  const day = new Date(t0).toISOString().slice(0, 10)
  const lines = []
  const ev = (user, min, name, page) => lines.push(JSON.stringify({ name, timeMs: t0 + min * 60_000, user, page, device: 'mobile' }))
  for (const u of ['a', 'b', 'c']) { ev(u, 0, 'view_item', '/product/1'); ev(u, 1, 'add_to_cart', '/product/1'); ev(u, 2, 'page_view', '/cart') }
  ev('d', 0, 'view_item', '/product/2')
  for (const u of ['e', 'f']) { ev(u, 0, 'page_view', '/orders/7'); ev(u, 1, 'share_order', '/orders/7') }
  const dir = join(app, '.perceo', 'analytics', 'mixpanel', day)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'test.ndjson'), lines.join('\n') + '\n')

  const p = perceo.Perceo.open(app)
  const report = await p.analyticsCorrelate()
  const flow = report.flows.find((f) => f.flow === 'add-to-cart')
  assert.equal(flow.sessionsEntered, 4)
  assert.equal(flow.sessionsCompleted, 3)
  assert.deepEqual(flow.metrics.funnel.map((s) => s.sessions), [4, 3, 3])
  const gaps = await p.analyticsGaps({ minSessions: 2 })
  assert.deepEqual(gaps[0].journey, ['page /orders/[id]', 'event share_order'])
  await assert.rejects(p.analyticsImpact('add-to-cart'), (e) => e.code === 'argument' && /no test results yet/.test(e.message))
  await assert.rejects(p.analyticsSync(), (e) => e.code === 'argument' && /analytics\.credentials is not set/.test(e.message))

  const doctor = await perceo.doctor(app)
  assert.equal(doctor.ok, true)
  assert.equal(doctor.checks.find((c) => c.id === 'config').status, 'pass')
  await assert.rejects(perceo.doctor(app, 'moon'), (e) => e.code === 'argument')
})
