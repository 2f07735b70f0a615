// The dashboard in real headless Chromium, plus its JSON API. Needs PERCEO (the binary),
// PERCEO_TEST_REDIS_URL (a shared bus, so another process can publish) and /usr/bin/chromium.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, mkdirSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const perceo = process.env.PERCEO
const redis = process.env.PERCEO_TEST_REDIS_URL
const artifacts = process.env.PERCEO_ARTIFACTS || join(tmpdir(), 'perceo-artifacts')
let app, server, url, browser

const run = (...args) => execFileSync(perceo, args, { cwd: app, env: { ...process.env, TEST_REDIS_URL: redis } }).toString()
const git = (...args) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: app, stdio: 'pipe' })

before(async () => {
  assert.ok(perceo, 'set PERCEO to the perceo binary')
  assert.ok(redis, 'set PERCEO_TEST_REDIS_URL (scripts/test.sh starts Redis)')
  app = mkdtempSync(join(tmpdir(), 'perceo-dash-'))
  cpSync(join(here, '..', '..', 'examples', 'shop'), app, { recursive: true })
  git('init', '-q', '-b', 'main'); git('add', '-A'); git('commit', '-qm', 'base'); git('checkout', '-qb', 'feature')
  appendFileSync(join(app, 'src/lib/cart/store.ts'), '\nexport const MAX = 3;\n')
  git('commit', '-qam', 'change')
  run('config', 'set', 'eventBus.type', 'redis')
  run('config', 'set', 'eventBus.redisUrl', '${TEST_REDIS_URL}')
  run('config', 'set', 'eventBus.channel', `perceo-dash-test-${process.pid}`)
  run('ci', 'analyze', '--base', 'main', '--head', 'feature', '-q')
  server = spawn(perceo, ['dashboard', '--port', '0'], { cwd: app, env: { ...process.env, TEST_REDIS_URL: redis } })
  url = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => resolve(d.toString().trim()))
    server.once('exit', (code) => reject(new Error(`dashboard exited with ${code}`)))
  })
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  })
})

after(async () => {
  await browser?.close()
  server?.kill('SIGINT')
})

test('every API endpoint answers with the shape the page uses', async () => {
  const get = async (path) => { const r = await fetch(new URL(path, url)); return [r.status, await r.json()] }
  const [s1, status] = await get('/api/status')
  assert.equal(s1, 200); assert.equal(status.project, 'shop'); assert.equal(status.bus, 'redis'); assert.equal(status.graph.flows, 6)
  const [, flows] = await get('/api/flows')
  assert.ok(flows.find((f) => f.id === 'checkout').riskScore > 0)
  const [s3, one] = await get('/api/flows/checkout')
  assert.equal(s3, 200); assert.ok(Array.isArray(one.history)); assert.equal(one.flow.id, 'checkout')
  const [s4] = await get('/api/flows/no-such-flow')
  assert.equal(s4, 404)
  const [, impact] = await get('/api/impact')
  assert.ok(impact.flows.some((f) => f.id === 'checkout'))
  const [s6, insights] = await get('/api/insights')
  assert.equal(s6, 200); assert.ok(Array.isArray(insights))
})

test('the page shows the flows without console errors, and a new affected flow within 2 s of its event', async () => {
  const page = await browser.newPage()
  const errors = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(url)
  await page.waitForSelector('#flows tbody tr')
  const names = await page.locator('#flows tbody tr').allTextContents()
  assert.ok(names.some((n) => n.includes('Add item to cart')), names.join('|'))
  await page.locator('#live').filter({ hasText: 'live' }).waitFor()
  await page.goto(`${url}#impact`)
  await page.waitForSelector('#impact')
  const started = Date.now()
  run('events', 'publish', 'observer.flows.affected', '--data', JSON.stringify({ flows: [{ id: 'brand-new-flow', name: 'Brand new flow', riskScore: 0.9, confidence: 1 }] }), '-q')
  await page.getByText('Brand new flow').waitFor({ timeout: 2000 })
  const elapsed = Date.now() - started
  assert.ok(elapsed <= 2000, `${elapsed} ms`)
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: join(artifacts, 'dashboard-impact.png'), fullPage: true })
  await page.goto(`${url}#flows`)
  await page.waitForSelector('#flows tbody tr')
  await page.screenshot({ path: join(artifacts, 'dashboard-flows.png'), fullPage: true })
  assert.deepEqual(errors, [])
})
