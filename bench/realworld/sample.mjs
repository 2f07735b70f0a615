#!/usr/bin/env node
// sample.mjs REPO APP_SRC_DIR OUT_TXT [N_APP=30] [N_PACKAGES=15]
//
// Deterministic strided sample of tracked source files (.ts/.tsx/.js/.jsx), excluding tests,
// stories, *.d.ts, node_modules, generated code and e2e/fixtures: N_APP files from APP_SRC_DIR
// and N_PACKAGES from packages/ (N_APP=all: every candidate file, for the full run). Two separately strided samples over the sorted lists: the
// i-th pick is element floor((i + 0.5) * n / N). Writes one repo-relative path a line.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

const [repo, appSrc, out, nApp = '30', nPk = '15'] = process.argv.slice(2);
if (!out) { console.error('usage: sample.mjs REPO APP_SRC_DIR OUT_TXT [N_APP] [N_PACKAGES]'); process.exit(2); }
const EXCLUDE = [
  /(^|\/)node_modules\//, /\.d\.ts$/, /\.(test|spec|e2e)\.[jt]sx?$/, /(^|\/)(__tests__|__mocks__|tests?|e2e|__fixtures__|fixtures)\//,
  /\.stories\.[jt]sx?$/, /(^|\/)(generated|__generated__|\.generated)\//, /\.(gen|generated)\.[jt]sx?$/,
  /(^|\/)(dist|build|\.next)\//,
];
function list(dir) {
  return execFileSync('git', ['-C', repo, 'ls-files', '-z', '--', dir], { maxBuffer: 1 << 28 })
    .toString().split('\0').filter(f => f && /\.(ts|tsx|js|jsx)$/.test(f) && !EXCLUDE.some(r => r.test(f)))
    .sort();
}
function stride(arr, n) {
  const picks = [];
  for (let i = 0; i < n && i < arr.length; i++) picks.push(arr[Math.floor(((i + 0.5) * arr.length) / n)]);
  return [...new Set(picks)];
}
const a = list(appSrc), p = list('packages');
const s = nApp === 'all' ? [...a, ...p] : [...stride(a, +nApp), ...stride(p, +nPk)];
fs.writeFileSync(out, `# ${nApp === 'all' ? 'all' : +nApp} strided from ${a.length} files under ${appSrc}, ${nApp === 'all' ? 'all' : +nPk} from ${p.length} under packages/\n` + s.join('\n') + '\n');
console.error(`[sample] ${s.length} files (${a.length} app candidates, ${p.length} package candidates) -> ${out}`);
