// Perceo dashboard: a small single-page app over /api (no build step, no dependencies).
'use strict'

const $ = (sel) => document.querySelector(sel)
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]))
const pct = (x) => (x == null ? '–' : `${Math.round(x * 100)}%`)
const num = (x) => (x == null ? '–' : Number(x).toFixed(2))
const state = { view: 'flows', flows: [], impact: null, insights: [], events: [], sort: 'risk', query: '' }

async function api(path) {
  const res = await fetch(path)
  if (!res.ok) throw new Error(`${path}: ${res.status}`)
  return res.json()
}

function levelOf(score) {
  return score >= 0.75 ? 'critical' : score >= 0.5 ? 'high' : score >= 0.25 ? 'medium' : 'low'
}

function renderFlows() {
  if (!state.flows.length) {
    return `<div class="empty">No flows in the graph yet. Run <code>perceo init</code> and then <code>perceo ci analyze</code> (or <code>perceo graph sync</code>).</div>`
  }
  const key = {
    risk: (f) => -(f.riskScore ?? -1),
    priority: (f) => -['low', 'medium', 'high', 'critical'].indexOf(f.priority),
    name: (f) => f.name,
    users: (f) => -(f.productionMetrics?.dailyUsers ?? -1),
    coverage: (f) => f.coverageScore ?? (f.tests ? 1 : 0),
  }[state.sort]
  const rows = state.flows
    .filter((f) => !state.query || `${f.id} ${f.name} ${(f.pages || []).join(' ')}`.toLowerCase().includes(state.query))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((f) => `<tr data-flow="${esc(f.id)}">
      <td><a class="flow" href="#flow/${esc(f.id)}">${esc(f.name)}</a><div class="chain">${esc(f.id)} · ${esc((f.pages || []).join(', '))}</div></td>
      <td class="level ${esc(f.priority)}">${esc(f.priority)}</td>
      <td class="level ${f.riskScore == null ? '' : levelOf(f.riskScore)}">${num(f.riskScore)}</td>
      <td>${f.coverageScore != null ? pct(f.coverageScore) : f.tests ? 'tested' : '<span class="level high">no tests</span>'}</td>
      <td>${pct(f.syntheticMetrics?.successRate)}</td>
      <td>${pct(f.productionMetrics?.successRate)}</td>
      <td>${f.productionMetrics ? Math.round(f.productionMetrics.dailyUsers) : '–'}</td></tr>`)
    .join('')
  // A sortable column header stays a columnheader (so aria-sort is announced) and is reached
  // with Tab; Enter or Space sorts by it. Risk, priority and daily users sort highest first.
  const direction = { name: 'ascending', coverage: 'ascending', priority: 'descending', risk: 'descending', users: 'descending' }
  const th = (key, label) => `<th scope="col" data-sort="${key}" tabindex="0" aria-sort="${state.sort === key ? direction[key] : 'none'}" title="Sort by ${label.toLowerCase()}">${label}</th>`
  return `<label class="chain" for="search">Search</label><br><input type="search" id="search" placeholder="Search flows" value="${esc(state.query)}">
    <div class="scroll"><table id="flows"><thead><tr>
      ${th('name', 'Flow')}${th('priority', 'Priority')}${th('risk', 'Risk')}${th('coverage', 'Coverage')}
      <th scope="col">Tests pass</th><th scope="col">Production success</th>${th('users', 'Daily users')}</tr></thead><tbody>${rows}</tbody></table></div>`
}

async function renderFlow(id) {
  const d = await api(`/api/flows/${encodeURIComponent(id)}`)
  const f = d.flow
  const bars = d.history
    .slice()
    .reverse()
    .map((r) => `<span class="bar" title="${esc(r.startedAt)} ${esc(r.status)} ${r.durationMs} ms" style="height:${Math.max(4, Math.min(60, r.durationMs / 100))}px;background:${r.status === 'passed' ? '#1a7f37' : r.status === 'failed' ? '#cf222e' : '#9a6700'}"></span>`)
    .join('')
  return `<p><a href="#flows">← all flows</a></p><h2>${esc(f.name)} <span class="level ${esc(f.priority)}">${esc(f.priority)}</span></h2>
    <p>${esc(f.description || '')}</p>
    <p>Pages: ${esc((f.pages || []).join(', '))} · Personas: ${esc((f.personas || []).join(', ') || '–')} · Related: ${esc((f.related || []).join(', ') || '–')}</p>
    <h3>Steps</h3><ol>${(f.steps || []).map((s) => `<li>${esc(s.name)} <span class="chain">${esc(s.page || '')} ${esc(s.event || '')}</span></li>`).join('')}</ol>
    <h3>Tests</h3>${tests(f)}
    <h3>Test history</h3>${d.history.length ? `<div>${bars}</div>` : '<div class="empty">No test runs yet: run <code>perceo ci test</code>.</div>'}
    <h3>Production</h3>${f.productionMetrics ? production(f.productionMetrics) : '<div class="empty">No production metrics: connect analytics with <code>perceo analytics connect</code>, then <code>perceo analytics sync</code>.</div>'}`
}

// A flow's tests: the specs and grep a person gave, and the tests `perceo flows link-tests`
// found in the project's suites (file:line, title, suite).
function tests(f) {
  const t = f.tests || {}
  const own = [...(t.specs || []).map((s) => `<li>${esc(s)}</li>`), ...(t.grep ? [`<li>grep <code>${esc(t.grep)}</code></li>`] : [])]
  const linked = (t.linked || []).map((l) => `<li>${esc(l.spec)}:${l.line} <b>${esc(l.title)}</b> <span class="chain">${esc(l.config)}</span></li>`)
  if (!own.length && !linked.length) {
    return `<div class="empty">No tests: run <code>perceo flows link-tests</code> to link the tests of your suites, or <code>perceo flows edit ${esc(f.id)} --spec FILE</code>.</div>`
  }
  return `${own.length ? `<ul id="own-tests">${own.join('')}</ul>` : ''}${linked.length ? `<p>Linked from your suites:</p><ul id="linked-tests">${linked.join('')}</ul>` : ''}`
}

function production(m) {
  const first = m.funnel?.[0]?.sessions || 0
  const steps = (m.funnel || []).map((s, i, all) => {
    const width = first ? Math.round((s.sessions / first) * 100) : 0
    const prev = i ? all[i - 1].sessions : 0
    const drop = i && prev ? `<span class="drop">−${Math.round(((prev - s.sessions) / prev) * 100)}% from the step before</span>` : ''
    // The numbers sit beside the bar, on the page background, so they keep their contrast.
    return `<div class="step">${esc(s.step)}</div><div class="track" role="img" aria-label="${esc(s.step)}: ${s.sessions} sessions">
      <div class="fill" style="width:${width}%"></div></div><div class="count">${s.sessions} sessions ${drop}</div>`
  }).join('')
  const devices = Object.entries(m.deviceBreakdown || {}).map(([k, v]) => `${esc(k)} ${pct(v)}`).join(', ')
  const cohorts = Object.entries(m.cohortPerformance || {}).map(([k, v]) => `${esc(k)} ${pct(v)}`).join(', ')
  // The wording follows the README's matching rules: a session enters by doing the first
  // step, completes by reaching the last one, and the funnel counts how far each one got.
  const timing = m.successRate > 0 ? `${(m.avgDuration / 1000).toFixed(1)} s to complete` : 'no completion to time'
  return `<p>Success ${pct(m.successRate)} of the sessions that did the first step · ${Math.round(m.dailyUsers)} users a day · ${Math.round(m.dailyAttempts || 0)} attempts a day · ${timing}${m.topExitStep ? ` · most leave after <b>${esc(m.topExitStep)}</b>` : ''}</p>
    ${steps ? `<h4>Funnel: sessions that got at least this far</h4><div class="funnel" id="funnel">${steps}</div>` : ''}
    <p class="chain">${devices ? `devices: ${devices}` : ''}${cohorts ? ` · success by cohort: ${cohorts}` : ''} · updated ${esc(m.lastUpdated)}</p>`
}

function renderImpact() {
  const r = state.impact
  if (!r) return `<div class="empty">No analysis yet: run <code>perceo ci analyze --base main</code>.</div>`
  const rows = r.flows
    .map((f) => `<tr><td><a class="flow" href="#flow/${esc(f.id)}">${esc(f.name)}</a></td><td class="level ${esc(f.riskLevel)}">${num(f.riskScore)} ${esc(f.riskLevel)}</td><td>${num(f.confidence)}</td>
      <td>${f.reasons.map((x) => `<div>${esc(x.detail)}<div class="chain">${esc(x.chain.join(' → '))}</div></div>`).join('')}</td></tr>`)
    .join('')
  return `<p>${r.totals.changedFiles} file(s) changed; ${r.totals.affectedFlows} of ${r.totals.flows} flow(s) affected · <span class="chain">${esc(r.createdAt)}</span></p>
    ${r.flows.length ? `<div class="scroll"><table id="impact"><thead><tr><th>Flow</th><th>Risk</th><th>Confidence</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<div class="empty">The last change affected no flow.</div>'}`
}

function renderInsights() {
  if (!state.insights.length) return `<div class="empty">No insights yet: run <code>perceo analyze insights</code> after some test runs.</div>`
  return state.insights
    .map((i) => `<div><span class="level ${esc(i.severity)}">${esc(i.severity)}</span> <b>${esc(i.title)}</b><div class="chain">${esc(i.message)}</div></div>`)
    .join('<hr>')
}

function renderEvents() {
  if (!state.events.length) return `<div class="empty">Waiting for events… run <code>perceo watch</code> or <code>perceo ci analyze</code> with a shared event bus.</div>`
  return `<ul class="events" id="events">${state.events.map((e) => `<li>${esc(e.timestamp)} <b>${esc(e.type)}</b> ${esc(JSON.stringify(e.data).slice(0, 300))}</li>`).join('')}</ul>`
}

// What had the focus inside the view, as a selector to find it again after a re-render (a
// live event re-renders the view while someone is typing or on a column header).
function focusedSelector() {
  const el = document.activeElement
  if (!el || !$('#view').contains(el)) return null
  if (el.id) return { sel: `#${CSS.escape(el.id)}`, pos: el.selectionStart }
  if (el.dataset.sort) return { sel: `th[data-sort="${CSS.escape(el.dataset.sort)}"]` }
  if (el.getAttribute('href')) return { sel: `#view a[href="${CSS.escape(el.getAttribute('href'))}"]` }
  return null
}

let renders = 0
async function render() {
  const generation = ++renders
  const [view, arg] = (location.hash.slice(1) || 'flows').split('/')
  state.view = view
  document.querySelectorAll('nav a').forEach((a) => {
    a.classList.toggle('active', a.dataset.view === view)
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  })
  let html
  try {
    html = view === 'flow' ? await renderFlow(decodeURIComponent(arg)) : { flows: renderFlows, impact: renderImpact, insights: renderInsights, events: renderEvents }[view]?.() ?? renderFlows()
  } catch (e) {
    html = `<div class="empty">Could not load: ${esc(e.message)}</div>`
  }
  // A newer render (another event, another hash) started while this one waited: it wins.
  if (generation !== renders) return
  const focused = focusedSelector()
  $('#view').innerHTML = html
  if (focused) {
    const el = $(focused.sel)
    el?.focus()
    if (el && focused.pos != null && el.setSelectionRange) el.setSelectionRange(focused.pos, focused.pos)
  }
  $('#search')?.addEventListener('input', (e) => { state.query = e.target.value.toLowerCase(); const pos = e.target.selectionStart; render().then(() => { const s = $('#search'); s?.focus(); s?.setSelectionRange(pos, pos) }) })
  document.querySelectorAll('th[data-sort]').forEach((th) => {
    const sort = () => { state.sort = th.dataset.sort; render().then(() => $(`th[data-sort="${th.dataset.sort}"]`)?.focus()) }
    th.addEventListener('click', sort)
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort() } })
  })
}

async function refresh() {
  const [status, flows, impact, insights] = await Promise.all([api('/api/status'), api('/api/flows'), api('/api/impact'), api('/api/insights')])
  $('#project').textContent = `${status.project} · ${status.graph.backend} · ${status.bus} bus`
  state.flows = flows.map((f) => ({ ...f }))
  state.impact = impact
  state.insights = insights
  await render()
}

function live() {
  const source = new EventSource('/api/events')
  source.onopen = () => { $('#live').textContent = '● live' }
  source.onerror = () => { $('#live').textContent = '○ reconnecting' }
  source.addEventListener('perceo', async (msg) => {
    const event = JSON.parse(msg.data)
    state.events.unshift(event)
    state.events = state.events.slice(0, 200)
    if (event.type === 'observer.flows.affected' && state.impact) {
      // Show the newly affected flows at once, before the full report arrives.
      const known = new Set(state.impact.flows.map((f) => f.id))
      for (const f of event.data.flows || []) {
        if (!known.has(f.id)) state.impact.flows.unshift({ id: f.id, name: f.name || f.id, riskScore: f.riskScore ?? 0, riskLevel: levelOf(f.riskScore ?? 0), confidence: f.confidence ?? 0, reasons: [] })
      }
    } else if (event.type === 'observer.flows.affected') {
      state.impact = { flows: (event.data.flows || []).map((f) => ({ id: f.id, name: f.name || f.id, riskScore: f.riskScore ?? 0, riskLevel: levelOf(f.riskScore ?? 0), confidence: f.confidence ?? 0, reasons: [] })), totals: { changedFiles: '?', affectedFlows: (event.data.flows || []).length, flows: state.flows.length }, createdAt: event.timestamp }
    }
    if (event.type === 'analytics.metrics.updated' && event.data?.flowId && event.data.productionMetrics) {
      // One flow's new production numbers: show them at once (the full refresh follows
      // analytics.correlation.complete).
      const flow = state.flows.find((f) => f.id === event.data.flowId)
      if (flow) flow.productionMetrics = event.data.productionMetrics
    }
    if (event.type === 'observer.analysis.complete' || event.type.startsWith('graph.') || event.type.startsWith('coordinator.tests.completed') || event.type === 'analytics.correlation.complete' || event.type === 'analyzer.insight.generated') {
      await refresh()
    } else {
      await render()
    }
  })
}

window.addEventListener('hashchange', render)
refresh().then(live)
