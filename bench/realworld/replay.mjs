#!/usr/bin/env node
// replay.mjs REPO APP_DIR OUT_JSON [N=20]
//
// Replays the N most recent non-merge commits that touch JS/TS source (any .ts/.tsx/.js/.jsx/
// .mjs/.cjs in the repository) in a scratch copy of REPO ($SCRATCH, default REPO-replay, made
// with `cp -a` once, so REPO's checkout is left alone). For each commit C: `git checkout C`
// (so the module graph matches C), then
//   perceo --project-dir APP ci analyze --base C~1 --head C --json --on-empty none
// and records flows selected / total, the changed files (project-relative) and, when every
// flow is selected, the distinct reasons (kind + detail) behind it. APP/.perceo (untracked,
// from `perceo init`) is carried along by the copy. Blobs missing from a partial mirror are
// kept out of the checkout with sparse-checkout exclusions.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const [repoArg, appArg, out, nArg = '20'] = process.argv.slice(2);
if (!out) { console.error('usage: replay.mjs REPO APP_DIR OUT_JSON [N]'); process.exit(2); }
const PERCEO = process.env.PERCEO || path.join(process.env.HOME, '.cache/perceo/target/release/perceo');
const repo = path.resolve(repoArg);
const app = path.normalize(appArg).replace(/\/$/, '');
const scratch = process.env.SCRATCH || repo + '-replay';
const log = (...a) => console.error('[replay]', ...a);
if (!fs.existsSync(scratch)) { log(`cp -a ${repo} ${scratch}`); execFileSync('cp', ['-a', repo, scratch]); }
const git = (...a) => execFileSync('git', ['-C', scratch, ...a], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString();
const origHead = git('rev-parse', 'HEAD').trim();

function missingBlobs(rev) {
  const tree = git('ls-tree', '-r', rev).split('\n').filter(Boolean).map(l => { const [meta, p] = l.split('\t'); const [, type, sha] = meta.split(' '); return { type, sha, p }; }).filter(x => x.type === 'blob');
  const r = spawnSync('git', ['-C', scratch, 'cat-file', '--batch-check'], { input: tree.map(x => x.sha).join('\n') + '\n', maxBuffer: 1 << 28 });
  const lines = r.stdout.toString().split('\n');
  return tree.filter((x, i) => (lines[i] || '').endsWith('missing')).map(x => x.p);
}
function checkout(rev) {
  const miss = missingBlobs(rev);
  git('config', 'core.sparseCheckout', 'true');
  fs.writeFileSync(path.join(scratch, '.git/info/sparse-checkout'), '/*\n' + miss.map(p => '!/' + p).join('\n') + '\n');
  git('checkout', '-q', '-f', rev);
}

const commits = git('log', '--no-merges', '--format=%H', `-${nArg}`, '--', '*.ts', '*.tsx', '*.js', '*.jsx', '*.mjs', '*.cjs')
  .split('\n').filter(Boolean);
const results = [];
for (const c of commits) {
  checkout(c);
  const subject = git('log', '-1', '--format=%s', c).trim();
  const t0 = Date.now();
  const r = spawnSync(PERCEO, ['--project-dir', app, 'ci', 'analyze', '--base', `${c}~1`, '--head', c, '--json', '--on-empty', 'none'], { cwd: scratch, maxBuffer: 1 << 30 });
  const wall = Date.now() - t0;
  let j;
  try { j = JSON.parse(r.stdout.toString()); } catch { log(`${c}: no JSON (exit ${r.status}): ${r.stderr}`); results.push({ commit: c, subject, error: r.stderr.toString() }); continue; }
  const total = j.totals?.flows, sel = j.flows.length;
  const kinds = {};
  for (const f of j.flows) for (const x of f.reasons || []) kinds[x.kind] = (kinds[x.kind] || 0) + 1;
  let allReasons = null;
  if (sel === total && total > 0) {
    const seen = new Map();
    for (const f of j.flows) for (const x of f.reasons || []) {
      const key = x.kind + ' | ' + (x.detail || '');
      if (!seen.has(key)) seen.set(key, { kind: x.kind, detail: x.detail, changedFile: x.changedFile, flows: 0 });
      seen.get(key).flows++;
    }
    const all = [...seen.values()].sort((a, b) => b.flows - a.flows);
    allReasons = [...all.filter(x => x.kind === 'global'), ...all.filter(x => x.kind !== 'global').slice(0, 12)];
  }
  const conf = j.flows.map(f => f.confidence).sort((a, b) => a - b);
  const levels = {};
  for (const f of j.flows) levels[f.riskLevel] = (levels[f.riskLevel] || 0) + 1;
  results.push({
    commit: c, short: c.slice(0, 9), subject,
    confidence: conf.length ? { min: conf[0], median: conf[conf.length >> 1], max: conf[conf.length - 1] } : null, riskLevels: levels, changedFiles: j.totals?.changedFiles, changes: j.changes.map(x => x.path),
    unmatched: j.unmatchedChanges?.length, selected: sel, total, reasonKinds: kinds, allReasons,
    warnings: j.warnings, ms: j.timings?.totalMs, wallMs: wall,
  });
  log(`${c.slice(0, 9)} ${sel}/${total} flows, ${j.totals?.changedFiles} files  ${subject.slice(0, 60)}`);
}
checkout(origHead);
fs.writeFileSync(out, JSON.stringify({ perceo: execFileSync(PERCEO, ['--version']).toString().trim(), app, results }, null, 1));
log(`-> ${out}`);
