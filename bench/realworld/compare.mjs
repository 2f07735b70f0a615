#!/usr/bin/env node
// compare.mjs NAME REFERENCE_JSON PERCEO_JSON OUT_JSON
//
// Per sampled file: reference page set vs Perceo's page set. Micro recall/precision over
// (file, page) pairs, files with exact agreement, and every disagreement with a first
// automatic hint at its cause (from the reference's diagnostic variants):
//   missed pair    + a page Perceo names for no file at all    -> "page Perceo never names"
//                  + Perceo names no page for this file        -> "Perceo names no page for the file"
//                  + page unreachable without type-only edges  -> "type-only chain"
//                  + page unreachable without dynamic edges    -> "dynamic import chain"
//   extra pair     + page reachable once error/loading/not-found boundaries wrap it -> "boundary files"
// Other disagreements keep both chains for a manual look. Summary line on stderr.
import fs from 'node:fs';

const [name, refJson, perJson, out] = process.argv.slice(2);
if (!out) { console.error('usage: compare.mjs NAME REFERENCE_JSON PERCEO_JSON OUT_JSON'); process.exit(2); }
const ref = JSON.parse(fs.readFileSync(refJson, 'utf8'));
const per = JSON.parse(fs.readFileSync(perJson, 'utf8'));
// pages Perceo names for at least one file (a page it never names points at the page->flow
// mapping, not at the graph)
const perceoPages = new Set(Object.values(per.files).flatMap(f => f.pages || []));
let tp = 0, fn = 0, fp = 0, exact = 0, nonEmptyRef = 0, nonEmptyExact = 0, pkgFiles = 0;
const disagreements = [];
const rows = [];
for (const [file, r] of Object.entries(ref.files)) {
  const p = per.files[file] || { pages: [], details: {}, why: 'missing from Perceo output' };
  const R = new Set(r.pages), P = new Set(p.pages);
  const missed = [...R].filter(x => !P.has(x));
  const extra = [...P].filter(x => !R.has(x));
  tp += R.size - missed.length; fn += missed.length; fp += extra.length;
  if (file.startsWith('packages/')) pkgFiles++;
  if (R.size) nonEmptyRef++;
  const same = !missed.length && !extra.length;
  if (same) { exact++; if (R.size) nonEmptyExact++; }
  rows.push({ file, ref: R.size, perceo: P.size, missed: missed.length, extra: extra.length });
  if (same) continue;
  const hint = (page, kind) => {
    if (kind === 'missed') {
      if (!perceoPages.has(page)) return 'page Perceo never names';
      if (!P.size) return 'Perceo names no page for the file';
      if (!r.pagesNoTypeOnly.includes(page)) return 'type-only chain';
      if (!r.pagesNoDynamic.includes(page)) return 'dynamic import chain';
      return 'other';
    }
    if (r.pagesWithBoundaries?.includes(page)) return 'boundary files (error/loading/not-found)';
    return 'other';
  };
  const group = {};
  for (const m of missed) (group['missed: ' + hint(m, 'missed')] ||= []).push(m);
  for (const e of extra) (group['extra: ' + hint(e, 'extra')] ||= []).push(e);
  disagreements.push({
    file, refPages: R.size, perceoPages: P.size, perceoWhy: p.why || null,
    groups: Object.fromEntries(Object.entries(group).map(([k, v]) => [k, {
      count: v.length, pages: v,
      example: { page: v[0], refChain: r.chains[v[0]] || null, perceo: p.details?.[v[0]] || null },
    }])),
  });
}
const recall = tp + fn ? tp / (tp + fn) : 1, precision = tp + fp ? tp / (tp + fp) : 1;
const summary = {
  name, files: Object.keys(ref.files).length, packagesFiles: pkgFiles, nonEmptyRef,
  refPairs: tp + fn, perceoPairs: tp + fp, tp, fn, fp, recall, precision, exact, nonEmptyExact,
  method: per.method, perceo: per.perceo, pages: ref.pages.length,
};
fs.writeFileSync(out, JSON.stringify({ summary, rows, disagreements }, null, 1));
console.error(`[compare] ${name}: ${summary.files} files (${pkgFiles} packages/), ref pairs ${summary.refPairs}, recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}, exact ${exact}/${summary.files}, disagreeing files ${disagreements.length}`);
