#!/usr/bin/env node
// perceo-answer.mjs METHOD REPO APP_DIR SAMPLE_TXT OUT_JSON
//
// Perceo's answer for every sampled file, normalised to
//   { method, files: { <repo path>: { pages: [<repo-relative page file>], details: {<page>: {via, chain,
//     confidence}}, why, inGraph, reasons } } }
// METHOD
//   why    `perceo --project-dir APP why FILE... --json`, run from REPO with repo-relative paths
//   touch  fallback when `why` is missing: in a scratch copy of REPO ($SCRATCH, default
//          REPO-touch, made with `cp -a` once), for each file append `export const __touch = 1;`,
//          commit that file only, run `perceo --project-dir APP ci analyze --base HEAD~1 --head HEAD
//          --json --on-empty none`, then `git reset --hard HEAD~1`. Affected flows map to pages
//          through the flow files' `pages` patterns and `perceo routes --json` (bootstrapped flows
//          are one per page route).
// Needs: $PERCEO (default $HOME/.cache/perceo/target/release/perceo); APP/.perceo from `perceo init`.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const [method, repoArg, appArg, sampleTxt, out] = process.argv.slice(2);
if (!out || !['why', 'touch'].includes(method)) {
  console.error('usage: perceo-answer.mjs why|touch REPO APP_DIR SAMPLE_TXT OUT_JSON');
  process.exit(2);
}
const PERCEO = process.env.PERCEO || path.join(process.env.HOME, '.cache/perceo/target/release/perceo');
const repo = path.resolve(repoArg);
const app = path.normalize(appArg).replace(/\/$/, '');
const log = (...a) => console.error('[perceo-answer]', ...a);
const sample = fs.readFileSync(sampleTxt, 'utf8').split('\n').map(s => s.trim()).filter(s => s && !s.startsWith('#'));
const toRepo = (projRel) => path.posix.normalize(path.posix.join(app === '.' ? '' : app, projRel));
const files = {};
const version = execFileSync(PERCEO, ['--version']).toString().trim();

/** Flow id -> its page files (repo-relative), from the flow files and `perceo routes --json`. */
function flowPageFiles() {
  const routes = JSON.parse(execFileSync(PERCEO, ['--project-dir', app, 'routes', '--json'], { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  const byPattern = {};
  for (const r of routes) if (r.kind === 'page') (byPattern[r.pattern] ||= []).push(r.file);
  const flowDir = path.join(repo, app, '.perceo', 'flows');
  const flowPages = {};
  for (const f of fs.readdirSync(flowDir).filter(f => f.endsWith('.json'))) {
    const j = JSON.parse(fs.readFileSync(path.join(flowDir, f), 'utf8'));
    flowPages[j.id] = (j.pages || []).flatMap(p => byPattern[p] || []).map(toRepo);
  }
  return flowPages;
}

if (method === 'why') {
  // App-wide files (middleware, plugins, entries) affect flows without a page chain: their
  // flows' pages are the pages they affect.
  let flowPages = null;
  // In batches: one answer names every page and flow of every file, with chains (a file that
  // reaches 250 pages is a few hundred KB), which must stay under Node's string limit.
  const BATCH = 100;
  for (let i = 0; i < sample.length; i += BATCH) {
    const batch = sample.slice(i, i + BATCH);
    const r = spawnSync(PERCEO, ['--project-dir', app, 'why', ...batch, '--json', '-q'], { cwd: repo, maxBuffer: 1 << 30 });
    if (r.status !== 0) { log(r.stderr.toString()); process.exit(1); }
    const j = JSON.parse(r.stdout.toString());
    for (const f of j.files) {
      const key = f.repoPath || toRepo(f.file);
      const details = {};
      for (const p of f.pages || []) details[p.repoFile || toRepo(p.file)] = { via: p.via, chain: p.chain, pattern: p.pattern };
      const flows = (f.flows || []).map((x) => ({ id: x.id, confidence: x.confidence, kind: x.reasons?.[0]?.kind }));
      const appWide = (f.flows || []).filter((x) => (x.reasons || []).some((r) => r.kind === 'global'));
      if (appWide.length) {
        flowPages ||= flowPageFiles();
        for (const fl of appWide) for (const p of flowPages[fl.id] || []) details[p] ||= { via: 'global', chain: [], pattern: null };
      }
      files[key] = { pages: Object.keys(details).sort(), details, why: f.why ?? null, inGraph: f.inGraph, flows };
    }
    if (sample.length > BATCH) log(`${Math.min(i + BATCH, sample.length)}/${sample.length} files`);
  }
} else {
  const flowPages = flowPageFiles();
  const scratch = process.env.SCRATCH || repo + '-touch';
  if (!fs.existsSync(scratch)) { log(`cp -a ${repo} ${scratch}`); execFileSync('cp', ['-a', repo, scratch]); }
  const git = (...a) => execFileSync('git', ['-C', scratch, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...a], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  git('reset', '-q', '--hard', 'HEAD');
  const head0 = git('rev-parse', 'HEAD').trim();
  let i = 0;
  for (const f of sample) {
    i++;
    fs.appendFileSync(path.join(scratch, f), '\nexport const __touch = 1;\n');
    git('commit', '-q', '-m', `touch ${f}`, '--', f);
    const r = spawnSync(PERCEO, ['--project-dir', app, 'ci', 'analyze', '--base', 'HEAD~1', '--head', 'HEAD', '--json', '--on-empty', 'none'], { cwd: scratch, maxBuffer: 1 << 30 });
    git('reset', '-q', '--hard', head0);
    if (r.status !== 0 && !r.stdout.length) { log(`${f}: exit ${r.status} ${r.stderr}`); files[f] = { pages: [], details: {}, why: 'perceo failed', error: true }; continue; }
    const j = JSON.parse(r.stdout.toString());
    const details = {};
    for (const fl of j.flows) {
      const best = (fl.reasons || [])[0] || {};
      for (const p of flowPages[fl.id] || []) {
        details[p] ||= { via: best.kind, chain: (best.chain || []).map(toRepo), confidence: fl.confidence, flow: fl.id, detail: best.detail };
      }
    }
    files[f] = {
      pages: Object.keys(details).sort(), details,
      why: j.flows.length ? null : (j.warnings || []).join(' '),
      reasonKinds: [...new Set(j.flows.flatMap(fl => (fl.reasons || []).map(x => x.kind)))],
      timings: j.timings,
    };
    log(`${i}/${sample.length} ${f}: ${files[f].pages.length} pages`);
  }
}
fs.writeFileSync(out, JSON.stringify({ method, perceo: version, perceoPath: PERCEO, files }, null, 1));
log(`${Object.keys(files).length} files -> ${out}`);
