#!/usr/bin/env node
// reference.mjs REPO APP_DIR DEPCRUISE_JSON SAMPLE_TXT OUT_JSON
//
// The reference answer from dependency-cruiser's module graph:
//   page files  = Next.js app router `page.{tsx,ts,jsx,js}` under APP/app or APP/src/app
//                 (no segment starting with `_`), and pages router files under APP/pages or
//                 APP/src/pages except _app.*, _document.*, api/**;
//   wrappers    = app router layout.* / template.* in the page's folder or any ancestor up to
//                 app/; pages router _app.*;
//   (or, with PAGES_JSON set, the pages and wrappers it lists);
//   a file affects a page when the page file or one of its wrappers reaches it through forward
//   imports (transitively; static, dynamic, require, re-export and type-only edges all count).
// Edges: every dependency with a resolved, local (not core, not node_modules) target.
// Writes OUT_JSON: { pages: [...], files: { <sampled repo path>: { pages: [...], pagesNoTypeOnly:
//   [...], pagesNoDynamic: [...], pagesWithBoundaries: [...] (diagnostic variants), inGraph,
//   chains: { <page>: [chain] } } }, stats }
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const [repoArg, appArg, dcJson, sampleTxt, out] = process.argv.slice(2);
if (!out) { console.error('usage: reference.mjs REPO APP_DIR DEPCRUISE_JSON SAMPLE_TXT OUT_JSON'); process.exit(2); }
const repo = path.resolve(repoArg);
const app = path.normalize(appArg).replace(/\/$/, '');
const pre = app === '.' ? '' : app + '/';
const log = (...a) => console.error('[reference]', ...a);

const tracked = execFileSync('git', ['-C', repo, 'ls-files', '-z', '--', app], { maxBuffer: 1 << 28 })
  .toString().split('\0').filter(Boolean);
const trackedSet = new Set(tracked);
const JS = /\.(tsx|ts|jsx|js)$/;

// ---- page files and their wrappers ----
// PAGES_JSON (env): the framework's own route tree instead of the Next.js rules below, as
// `{ "<repo path of a page module>": ["<repo path of each module that wraps it>", ...] }`
// (bench/frameworks/rr-pages.mjs writes it from `react-router routes --json`).
const pages = [];
const wrappers = new Map(); // page -> [layout/template/_app files]
// A wider, diagnostic-only variant: also the error/loading/not-found boundaries of the page's
// folder and its ancestors and app/global-error (Next.js renders them around the page, too);
// for the pages router, _document.
const boundaries = new Map();
const given = process.env.PAGES_JSON ? JSON.parse(fs.readFileSync(process.env.PAGES_JSON, 'utf8')) : null;
if (given) for (const [p, w] of Object.entries(given)) { pages.push(p); wrappers.set(p, w); }
for (const root of given ? [] : ['app', 'src/app']) {
  const r = pre + root + '/';
  for (const f of tracked) {
    if (!f.startsWith(r)) continue;
    const rel = f.slice(r.length);
    if (!/(^|\/)page\.(tsx|ts|jsx|js)$/.test(rel)) continue;
    if (rel.split('/').slice(0, -1).some(s => s.startsWith('_'))) continue;
    pages.push(f);
    const w = [], b = [];
    let dir = path.posix.dirname(f);
    for (;;) {
      for (const n of ['layout', 'template']) for (const e of ['tsx', 'ts', 'jsx', 'js']) {
        const c = `${dir}/${n}.${e}`;
        if (trackedSet.has(c)) w.push(c);
      }
      for (const n of ['error', 'loading', 'not-found', 'global-error']) for (const e of ['tsx', 'ts', 'jsx', 'js']) {
        const c = `${dir}/${n}.${e}`;
        if (trackedSet.has(c) && (n !== 'global-error' || dir + '/' === r)) b.push(c);
      }
      if (dir + '/' === r || dir === r.slice(0, -1)) break;
      dir = path.posix.dirname(dir);
    }
    wrappers.set(f, w);
    boundaries.set(f, b);
  }
}
for (const root of given ? [] : ['pages', 'src/pages']) {
  const r = pre + root + '/';
  const appFiles = tracked.filter(f => f.startsWith(r) && /^_app\.(tsx|ts|jsx|js)$/.test(f.slice(r.length)));
  const docFiles = tracked.filter(f => f.startsWith(r) && /^_document\.(tsx|ts|jsx|js)$/.test(f.slice(r.length)));
  for (const f of tracked) {
    if (!f.startsWith(r) || !JS.test(f) || f.endsWith('.d.ts')) continue;
    const rel = f.slice(r.length);
    if (/^_(app|document)\./.test(rel) || rel.startsWith('api/')) continue;
    pages.push(f);
    wrappers.set(f, appFiles);
    boundaries.set(f, docFiles);
  }
}
pages.sort();
log(`${pages.length} page files`);

// ---- graph ----
const dc = JSON.parse(fs.readFileSync(dcJson, 'utf8'));
const fwd = new Map(); // src -> [{to, typeOnly, dynamic}]
let nEdges = 0, nTypeOnly = 0, nDynamic = 0, nUnresolvedLocal = 0;
const unresolvedLocal = {};
for (const m of dc.modules) {
  const list = [];
  for (const d of m.dependencies || []) {
    if (d.couldNotResolve) {
      if (/^(\.|\/)/.test(d.module)) { nUnresolvedLocal++; unresolvedLocal[m.source + ' -> ' + d.module] = 1; }
      continue;
    }
    if (d.coreModule || !d.resolved || d.resolved.includes('node_modules/')) continue;
    const typeOnly = (d.dependencyTypes || []).some(t => t === 'type-only' || t === 'type-import' || t === 'triple-slash-directive' || t.startsWith('triple-slash'));
    const dynamic = !!d.dynamic || (d.dependencyTypes || []).includes('dynamic-import');
    list.push({ to: d.resolved, typeOnly, dynamic });
    nEdges++; if (typeOnly) nTypeOnly++; if (dynamic) nDynamic++;
  }
  fwd.set(m.source, list);
}
log(`${dc.modules.length} modules, ${nEdges} local edges (${nTypeOnly} type-only, ${nDynamic} dynamic), ${nUnresolvedLocal} unresolved relative imports`);

function reach(starts, skip) {
  const parent = new Map();
  const q = [];
  for (const s of starts) if (!parent.has(s)) { parent.set(s, null); q.push(s); }
  while (q.length) {
    const x = q.shift();
    for (const e of fwd.get(x) || []) {
      if (skip && skip(e)) continue;
      if (!parent.has(e.to)) { parent.set(e.to, x); q.push(e.to); }
    }
  }
  return parent;
}
function chainTo(parent, f) {
  const c = [];
  for (let x = f; x != null; x = parent.get(x)) c.push(x);
  return c.reverse();
}

const sample = fs.readFileSync(sampleTxt, 'utf8').split('\n').map(s => s.trim()).filter(s => s && !s.startsWith('#'));
const res = {};
for (const f of sample) res[f] = { pages: [], pagesNoTypeOnly: [], pagesNoDynamic: [], pagesWithBoundaries: [], inGraph: fwd.has(f), chains: {} };
const perPageReach = {};
for (const p of pages) {
  const starts = [p, ...(wrappers.get(p) || [])];
  const all = reach(starts);
  const noType = reach(starts, e => e.typeOnly);
  const noDyn = reach(starts, e => e.dynamic);
  const withB = reach([...starts, ...(boundaries.get(p) || [])]);
  perPageReach[p] = all.size;
  for (const f of sample) {
    if (all.has(f)) { res[f].pages.push(p); res[f].chains[p] = chainTo(all, f); }
    if (noType.has(f)) res[f].pagesNoTypeOnly.push(p);
    if (noDyn.has(f)) res[f].pagesNoDynamic.push(p);
    if (withB.has(f)) { res[f].pagesWithBoundaries.push(p); if (!all.has(f)) res[f].chains[p] = chainTo(withB, f); }
  }
}
fs.writeFileSync(out, JSON.stringify({
  repo, app, pages, wrappers: Object.fromEntries(wrappers), boundaries: Object.fromEntries(boundaries), files: res,
  stats: { modules: dc.modules.length, edges: nEdges, typeOnly: nTypeOnly, dynamic: nDynamic, unresolvedLocal: nUnresolvedLocal, perPageReach },
}, null, 1));
const pairs = Object.values(res).reduce((a, r) => a + r.pages.length, 0);
log(`${sample.length} sampled files, ${pairs} (file,page) pairs -> ${out}`);
