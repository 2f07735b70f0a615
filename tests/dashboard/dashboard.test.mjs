// The dashboard in real headless Chromium, plus its JSON API. Needs PERCEO (the binary),
// PERCEO_TEST_REDIS_URL (a shared bus, so another process can publish) and /usr/bin/chromium.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, mkdirSync, appendFileSync, writeFileSync } from 'node:fs'
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

// Synced production events (the store `perceo analytics sync` writes): one session per user,
// a minute between its events, an hour between users, all on yesterday's UTC date (inside
// the 7-day correlation window, and one day, so daily users = distinct users).
const DAY = 86_400_000
const base = Math.floor(Date.now() / DAY) * DAY - DAY + 6 * 3_600_000
let clock = base
const writeSessions = (file, sessions) => {
  const lines = []
  for (const [user, device, steps] of sessions) {
    steps.forEach(([name, page], i) => lines.push(JSON.stringify({ name, timeMs: clock + i * 60_000, user, page, device })))
    clock += 3_600_000
  }
  const dir = join(app, '.perceo', 'analytics', 'mixpanel', new Date(base).toISOString().slice(0, 10))
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, file), lines.join('\n') + '\n')
}
// A shopper on add-to-cart who stops after `depth` of its 3 steps (view_item → add_to_cart → /cart).
const shopper = (user, depth, device = 'mobile') => [user, device, [
  ['page_view', `/product/${user}`], ['view_item', `/product/${user}`], ['add_to_cart', `/product/${user}`], ['page_view', '/cart'],
].slice(0, depth + (depth > 0 ? 1 : 0))]

const git = (...args) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: app, stdio: 'pipe' })

before(async () => {
  assert.ok(perceo, 'set PERCEO to the perceo binary')
  assert.ok(redis, 'set PERCEO_TEST_REDIS_URL (scripts/test.sh starts Redis)')
  app = mkdtempSync(join(tmpdir(), 'perceo-dash-'))
  cpSync(join(here, '..', '..', 'examples', 'shop'), app, { recursive: true })
  git('init', '-q', '-b', 'main'); git('add', '-A'); git('commit', '-qm', 'base'); git('checkout', '-qb', 'feature')
  appendFileSync(join(app, 'src/lib/cart/store.ts'), '\nexport const MAX = 3;\n')
  git('commit', '-qam', 'change')
  run('flows', 'link-tests', '-q')
  run('config', 'set', 'eventBus.type', 'redis')
  run('config', 'set', 'eventBus.redisUrl', '${TEST_REDIS_URL}')
  run('config', 'set', 'eventBus.channel', `perceo-dash-test-${process.pid}`)
  run('ci', 'analyze', '--base', 'main', '--head', 'feature', '-q')
  // Production: 5 sessions enter add-to-cart, 3 add to cart, 2 see the cart; 2 browse products.
  run('config', 'set', 'analytics.provider', 'mixpanel')
  writeSessions('first.ndjson', [
    shopper('u1', 3), shopper('u2', 3, 'desktop'), shopper('u3', 2), shopper('u4', 1), shopper('u5', 1, 'desktop'),
    ['b1', 'desktop', [['page_view', '/'], ['view_item_list', '/'], ['select_item', '/']]],
    ['b2', 'mobile', [['page_view', '/'], ['view_item_list', '/'], ['select_item', '/']]],
  ])
  run('analytics', 'correlate', '-q')
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

// --- helpers for the page tests ---

// A new page that records console errors and uncaught exceptions.
async function openPage(hash = '', viewport) {
  const page = await browser.newPage(viewport ? { viewport } : {})
  page.errors = []
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()) })
  page.on('pageerror', (e) => page.errors.push(String(e)))
  await page.goto(`${url}${hash}`)
  await page.locator('#live').filter({ hasText: 'live' }).waitFor()
  return page
}

const shot = async (page, name) => {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: join(artifacts, name), fullPage: true })
}

// The flows table's rows as [id, cells...].
const tableRows = (page) => page.locator('#flows tbody tr').evaluateAll((rows) =>
  rows.map((r) => [r.dataset.flow, ...[...r.cells].map((c) => c.textContent.trim())]))

// WCAG contrast of an element's text against the first opaque background behind it.
const contrastOf = (page, selector) => page.evaluate((sel) => {
  const rgb = (c) => { const m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/); return m && { v: [+m[1], +m[2], +m[3]], a: m[4] == null ? 1 : +m[4] } }
  const lum = ([r, g, b]) => [r, g, b].map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4 }).reduce((s, x, i) => s + x * [0.2126, 0.7152, 0.0722][i], 0)
  const el = document.querySelector(sel)
  if (!el) return { missing: sel }
  let bg = null
  for (let n = el; n && !bg; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor)
    if (c && c.a === 1) bg = c.v
  }
  bg ||= [255, 255, 255]
  const fg = rgb(getComputedStyle(el).color).v
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x)
  return { sel, fg, bg, fgLum: lum(fg), bgLum: lum(bg), ratio: (a + 0.05) / (b + 0.05) }
}, selector)

test('the production funnel of a flow and its production numbers in the flows table', async () => {
  const page = await openPage('#flow/add-to-cart')
  const funnel = page.locator('#funnel')
  await funnel.waitFor()
  const steps = await funnel.locator('.step').allTextContents()
  assert.deepEqual(steps, ['Open product', 'Add to cart', 'See cart'])
  const counts = await funnel.locator('.count').allTextContents()
  assert.match(counts[0], /^5 sessions\s*$/)
  assert.match(counts[1], /^3 sessions −40% from the step before$/)
  assert.match(counts[2], /^2 sessions −33% from the step before$/)
  const widths = await funnel.locator('.fill').evaluateAll((fills) => fills.map((f) => f.style.width))
  assert.deepEqual(widths, ['100%', '60%', '40%'])
  // The numbers sit beside the bars, not over them (text over the blue fill is unreadable).
  const overlaps = await funnel.evaluate((f) => {
    const fills = [...f.querySelectorAll('.fill')].map((x) => x.getBoundingClientRect())
    return [...f.querySelectorAll('.count')].map((c) => c.getBoundingClientRect())
      .filter((c) => fills.some((b) => c.left < b.right && b.left < c.right && c.top < b.bottom && b.top < c.bottom)).length
  })
  assert.equal(overlaps, 0)
  const labels = await funnel.locator('.track').evaluateAll((t) => t.map((x) => `${x.getAttribute('role')}:${x.getAttribute('aria-label')}`))
  assert.deepEqual(labels, ['img:Open product: 5 sessions', 'img:Add to cart: 3 sessions', 'img:See cart: 2 sessions'])
  const summary = await page.locator('#view').textContent()
  assert.match(summary, /Success 40% of the sessions that did the first step · 5 users a day · 5 attempts a day · [0-9.]+ s to complete/)
  assert.match(summary, /Funnel: sessions that got at least this far/)
  assert.match(summary, /most leave after Open product/)
  await shot(page, 'dashboard-flow-funnel.png')
  // Its tests: the spec a person gave, and the tests `flows link-tests` found.
  assert.deepEqual(await page.locator('#own-tests li').allTextContents(), ['e2e/cart.spec.ts', 'grep @cart'])
  const linked = await page.locator('#linked-tests li').allTextContents()
  assert.ok(linked.some((l) => l.startsWith('e2e/cart.spec.ts:13 cart @cart › removes an item @cart')), linked.join('|'))

  await page.goto(`${url}#flows`)
  await page.waitForSelector('#flows tbody tr')
  const rows = Object.fromEntries((await tableRows(page)).map(([id, ...cells]) => [id, cells]))
  assert.deepEqual(rows['add-to-cart'].slice(5), ['40%', '5'], rows['add-to-cart'].join('|'))
  assert.deepEqual(rows['browse-products'].slice(5), ['100%', '2'])
  assert.deepEqual(rows.login.slice(5), ['–', '–'], 'no session entered login')
  assert.deepEqual(page.errors, [])
  await page.close()
})

test('keyboard: Tab reaches the nav links and the sortable headers; Enter and Space sort and keep the focus', async () => {
  const page = await openPage()
  await page.waitForSelector('#flows tbody tr')
  const flows = await (await fetch(new URL('/api/flows', url))).json()
  const order = (key) => flows.map((f, i) => [f, i]).sort(([a, i], [b, j]) => key(a) - key(b) || i - j).map(([f]) => f.id)
  const byRisk = order((f) => -(f.riskScore ?? -1))
  const byUsers = order((f) => -(f.productionMetrics?.dailyUsers ?? -1))
  assert.deepEqual(byUsers.slice(0, 2), ['add-to-cart', 'browse-products'])
  assert.notDeepEqual(byRisk, byUsers, 'the fixture must make the two orders differ')
  const ids = async () => (await tableRows(page)).map(([id]) => id)
  assert.deepEqual(await ids(), byRisk, 'risk, highest first, is the default order')

  // From the start of the page, Tab walks the nav links, the search box, then the headers.
  const focused = () => page.evaluate(() => {
    const e = document.activeElement
    return e.dataset.sort ? `th:${e.dataset.sort}` : e.tagName === 'A' ? `a:${e.getAttribute('href')}` : `${e.tagName.toLowerCase()}#${e.id}`
  })
  const walk = []
  for (let i = 0; i < 12 && walk.at(-1) !== 'th:users'; i++) {
    await page.keyboard.press('Tab')
    walk.push(await focused())
  }
  assert.deepEqual(walk, ['a:#flows', 'a:#impact', 'a:#insights', 'a:#events', 'input#search', 'th:name', 'th:priority', 'th:risk', 'th:coverage', 'th:users'])

  await page.keyboard.press('Enter')
  await page.waitForFunction(() => document.querySelector('th[data-sort="users"]').getAttribute('aria-sort') === 'descending')
  assert.deepEqual(await ids(), byUsers, 'Enter on "Daily users" sorts by daily users, most first')
  assert.equal(await focused(), 'th:users', 'the focus stays on the header')
  const ring = await page.evaluate(() => {
    const th = document.activeElement
    const s = getComputedStyle(th)
    return { visible: th.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth) }
  })
  assert.ok(ring.visible && ring.style !== 'none' && ring.width > 0, JSON.stringify(ring))
  const sorts = await page.locator('th[data-sort]').evaluateAll((t) => t.map((x) => `${x.dataset.sort}=${x.getAttribute('aria-sort')}`))
  assert.deepEqual(sorts, ['name=none', 'priority=none', 'risk=none', 'coverage=none', 'users=descending'])
  assert.equal(await page.locator('th[data-sort="users"]').evaluate((t) => t.getAttribute('role') ?? 'columnheader'), 'columnheader', 'aria-sort needs a columnheader')

  // Shift+Tab twice back to "Risk", Space sorts by risk again.
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('Shift+Tab')
  assert.equal(await focused(), 'th:risk')
  await page.keyboard.press(' ')
  await page.waitForFunction(() => document.querySelector('th[data-sort="risk"]').getAttribute('aria-sort') === 'descending')
  assert.deepEqual(await ids(), byRisk)
  assert.equal(await focused(), 'th:risk')
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'Space sorted instead of scrolling the page')

  // A live event re-renders the table; the focus must not be lost.
  await page.evaluate(() => { document.querySelector('#flows').dataset.stale = 'yes' })
  run('events', 'publish', 'analyzer.insight.generated', '--data', JSON.stringify({ title: 'keyboard test' }), '-q')
  await page.waitForFunction(() => document.querySelector('#flows') && !document.querySelector('#flows').dataset.stale, null, { timeout: 2000 })
  assert.equal(await focused(), 'th:risk', 'a live refresh keeps the focus')
  assert.deepEqual(page.errors, [])
  await page.close()
})

for (const scheme of ['dark', 'light']) {
  test(`${scheme} mode: colours follow prefers-color-scheme with readable contrast`, async () => {
    const page = await browser.newPage()
    page.errors = []
    page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()) })
    await page.emulateMedia({ colorScheme: scheme })
    // Text on each view, against whatever background it sits on.
    const views = [
      ['#flow/add-to-cart', '#funnel', ['body', 'header h1', 'nav a', '#live', '#view h2', '#view .chain', '#funnel .step', '#funnel .count', '#funnel .drop']],
      ['#flows', '#flows tbody tr', ['#flows th', '#flows td.level.high', '#flows td.level.critical', '#flows .chain', 'label[for=search]', '#search']],
    ]
    const results = []
    for (const [hash, ready, sels] of views) {
      await page.goto(`${url}${hash}`)
      await page.waitForSelector(ready)
      for (const sel of sels) results.push(await contrastOf(page, sel))
    }
    const body = results[0]
    if (scheme === 'dark') {
      assert.ok(body.bgLum < 0.05 && body.fgLum > 0.6, `dark background, light text: ${JSON.stringify(body)}`)
    } else {
      assert.ok(body.bgLum > 0.9 && body.fgLum < 0.05, `light background, dark text: ${JSON.stringify(body)}`)
    }
    for (const r of results) {
      assert.ok(!r.missing, `${r.missing} is on the page`)
      assert.ok(r.ratio >= 4.5, `${scheme}: contrast of ${r.sel} ${r.ratio.toFixed(2)} < 4.5 (${r.fg} on ${r.bg})`)
    }
    await shot(page, `dashboard-${scheme}.png`)
    assert.deepEqual(page.errors, [])
    await page.close()
  })
}

test('layout at 1280×800 and 390×844: no page overflow, header and search visible, the table scrolls in its box', async () => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    const page = await openPage('#flows', { width, height })
    await page.waitForSelector('#flows tbody tr')
    const where = `${width}×${height}`
    const overflow = () => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }))
    const o = await overflow()
    assert.ok(o.scroll <= o.inner, `${where} #flows: the page is ${o.scroll}px wide in a ${o.inner}px window`)
    for (const sel of ['header h1', 'nav a[href="#events"]', '#search', '#live']) {
      const box = await page.locator(sel).boundingBox()
      assert.ok(box && box.width > 0 && box.x >= 0 && box.x + box.width <= width && box.y >= 0 && box.y < height, `${where}: ${sel} visible: ${JSON.stringify(box)}`)
    }
    const table = await page.locator('.scroll').evaluate((s) => {
      const before = s.scrollLeft
      s.scrollLeft = 80
      const r = { overflowX: getComputedStyle(s).overflowX, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, moved: s.scrollLeft - before, hasTable: !!s.querySelector('#flows') }
      s.scrollLeft = before
      return r
    })
    assert.ok(table.hasTable && table.overflowX === 'auto', JSON.stringify(table))
    if (width < 600) {
      assert.ok(table.scrollWidth > table.clientWidth && table.moved > 0, `${where}: the table scrolls inside .scroll: ${JSON.stringify(table)}`)
      await shot(page, 'dashboard-mobile.png')
    } else {
      assert.ok(table.scrollWidth <= table.clientWidth, `${where}: the table fits: ${JSON.stringify(table)}`)
    }
    // The other views must not widen the page either, a long unbroken event payload included.
    const ready = { '#flow/add-to-cart': '#funnel', '#impact': '#impact', '#insights': 'nav a.active[href="#insights"]', '#events': 'nav a.active[href="#events"]' }
    for (const hash of Object.keys(ready)) {
      await page.goto(`${url}${hash}`)
      await page.waitForSelector(ready[hash])
      if (hash === '#events') {
        run('events', 'publish', 'observer.flows.affected', '--data', JSON.stringify({ flows: [{ id: `layout-${'x'.repeat(200)}`, name: 'Layout probe' }] }), '-q')
        await page.waitForSelector('#events li')
      }
      const v = await overflow()
      assert.ok(v.scroll <= v.inner, `${where} ${hash}: the page is ${v.scroll}px wide in a ${v.inner}px window`)
      if (width < 600 && hash === '#flow/add-to-cart') await shot(page, 'dashboard-mobile-flow.png')
    }
    assert.deepEqual(page.errors, [])
    await page.close()
  }
})

test('live: analytics events refresh the production numbers within 2 s', async () => {
  const page = await openPage('#flows')
  const flowPage = await openPage('#flow/add-to-cart')
  await flowPage.waitForSelector('#funnel')
  const row = (id) => page.locator(`#flows tbody tr[data-flow="${id}"] td`)
  const cells = async (id) => (await row(id).allTextContents()).slice(5).map((c) => c.trim())
  await page.waitForSelector('#flows tbody tr')
  assert.deepEqual(await cells('search'), ['–', '–'])

  // 1. analytics.metrics.updated carries one flow's metrics: the row shows them at once.
  let started = Date.now()
  run('events', 'publish', 'analytics.metrics.updated', '--data', JSON.stringify({ flowId: 'search', productionMetrics: { successRate: 0.5, dailyUsers: 42, avgDuration: 1000, deviceBreakdown: {}, cohortPerformance: {}, lastUpdated: new Date().toISOString(), funnel: [] } }), '-q')
  await page.waitForFunction(() => document.querySelector('tr[data-flow="search"]')?.cells[6].textContent.trim() === '42', null, { timeout: 2000 })
  assert.ok(Date.now() - started <= 2000)
  assert.deepEqual(await cells('search'), ['50%', '42'])

  // 2. analytics.correlation.complete makes the page re-read the graph (which has no search metrics).
  started = Date.now()
  const refetch = page.waitForRequest((r) => r.url().endsWith('/api/flows'), { timeout: 2000 })
  run('events', 'publish', 'analytics.correlation.complete', '--data', JSON.stringify({ sessions: 0, flowsUpdated: 0 }), '-q')
  await refetch
  await page.waitForFunction(() => document.querySelector('tr[data-flow="search"]')?.cells[6].textContent.trim() === '–', null, { timeout: 2000 })
  assert.ok(Date.now() - started <= 2000)

  // 3. Three more shoppers finish add-to-cart; a real correlation updates both pages.
  writeSessions('second.ndjson', [shopper('c1', 3), shopper('c2', 3), shopper('c3', 3, 'tablet')])
  run('analytics', 'correlate', '-q')
  started = Date.now()
  await page.waitForFunction(() => {
    const r = document.querySelector('tr[data-flow="add-to-cart"]')
    return r && r.cells[5].textContent.trim() === '63%' && r.cells[6].textContent.trim() === '8'
  }, null, { timeout: 2000 })
  await flowPage.waitForFunction(() => [...document.querySelectorAll('#funnel .count')].map((c) => parseInt(c.textContent)).join() === '8,6,5', null, { timeout: 2000 })
  assert.ok(Date.now() - started <= 2000, `${Date.now() - started} ms`)
  assert.match(await flowPage.locator('#funnel .count').nth(2).textContent(), /5 sessions −17% from the step before/)
  assert.deepEqual([...page.errors, ...flowPage.errors], [])
  await page.close()
  await flowPage.close()
})
