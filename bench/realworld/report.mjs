#!/usr/bin/env node
// report.mjs OUT_DIR NAME... > tables.md
// Markdown tables from $OUT/<name>.{compare,timing,replay}.json: accuracy, every disagreement
// (grouped, with the automatic cause hint and one example chain), timing, commit replay.
import fs from 'node:fs';
import path from 'node:path';

const [out, ...names] = process.argv.slice(2);
const rd = (f) => (fs.existsSync(path.join(out, f)) ? JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) : null);
const pct = (x) => (100 * x).toFixed(1) + '%';
const L = [];
if (fs.existsSync(path.join(out, 'versions.txt'))) L.push('```', fs.readFileSync(path.join(out, 'versions.txt'), 'utf8').trim(), '```', '');

L.push('| repo | pages | files sampled | of them under packages/ | files reaching ≥1 page (ref) | (file,page) pairs in reference | Perceo pairs | recall | precision | exact files |');
L.push('|---|---|---|---|---|---|---|---|---|---|');
for (const n of names) {
  const c = rd(`${n}.compare.json`); if (!c) continue;
  const s = c.summary;
  L.push(`| ${n} | ${s.pages} | ${s.files} | ${s.packagesFiles} | ${s.nonEmptyRef} | ${s.refPairs} | ${s.perceoPairs} | ${pct(s.recall)} (${s.tp}/${s.refPairs}) | ${pct(s.precision)} (${s.tp}/${s.perceoPairs}) | ${s.exact}/${s.files} (${s.nonEmptyExact} of them non-empty) |`);
}
L.push('');
for (const n of names) {
  const c = rd(`${n}.compare.json`); if (!c) continue;
  L.push(`Disagreements, ${n} (${c.disagreements.length} files; method: ${c.summary.method}):`, '');
  if (!c.disagreements.length) L.push('- none', '');
  // one line per cause signature: (kind of disagreement + hint, the page when it is always the
  // same one), with counts, three example files and one example chain
  const sig = new Map();
  for (const d of c.disagreements) {
    for (const [g, v] of Object.entries(d.groups)) {
      const key = v.pages.length === 1 ? `${g} — page \`${v.pages[0]}\`` : `${g} — several pages`;
      if (!sig.has(key)) sig.set(key, { files: [], pairs: 0, example: { file: d.file, ...v.example }, why: d.perceoWhy });
      const x = sig.get(key); x.files.push(d.file); x.pairs += v.count;
    }
  }
  for (const [k, x] of [...sig.entries()].sort((a, b) => b[1].pairs - a[1].pairs)) {
    const ex = x.example;
    const chain = ex.refChain ? ` Reference chain: ${ex.refChain.join(' → ')}.` : '';
    const pc = ex.perceo?.chain ? ` Perceo (${ex.perceo.via}): ${ex.perceo.chain.join(' → ')}.` : '';
    L.push(`- ${k}: ${x.pairs} pairs in ${x.files.length} files (e.g. ${x.files.slice(0, 3).map(f => `\`${f}\``).join(', ')}).${chain}${pc}`);
  }
  L.push('');
}

L.push('| repo | JS/TS files | `cat` all | Perceo `ci analyze` cold | Perceo warm | depcruise (JSON) | Perceo graph | load avg |');
L.push('|---|---|---|---|---|---|---|---|');
for (const n of names) {
  const t = rd(`${n}.timing.json`); if (!t) continue;
  const f = (x) => `${x.s.toFixed(2)} s / ${(x.rssKB / 1024).toFixed(0)} MB`;
  L.push(`| ${n} | ${t.sourceFiles} | ${f(t.cat)} | ${f(t.perceoCold)} | ${f(t.perceoWarm)} | ${f(t.depcruise)} | ${t.perceoModules} modules, ${t.perceoEdges} edges | ${t.load} |`);
}
L.push('');

for (const n of names) {
  const r = rd(`${n}.replay.json`); if (!r) continue;
  L.push(`Commit replay, ${n} (project ${r.app}, ${r.perceo}):`, '');
  L.push('| commit | subject | changed files (all / reaching no flow) | flows selected | confidence min/median/max | risk levels | reason kinds | when every flow: why |');
  L.push('|---|---|---|---|---|---|---|---|');
  for (const x of r.results) {
    if (x.error) { L.push(`| ${x.commit.slice(0, 9)} | ${x.subject} | – | error | – | – | – | – |`); continue; }
    const kinds = Object.entries(x.reasonKinds).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
    let why = '';
    if (x.allReasons) {
      const g = x.allReasons.filter(a => a.kind === 'global');
      why = g.length ? g.map(a => `global: ${a.detail} (\`${a.changedFile}\`)`).join('; ')
        : 'import chains/layouts: ' + [...new Set(x.allReasons.map(a => a.changedFile))].slice(0, 3).map(f => `\`${f}\``).join(', ');
    }
    const cf = x.confidence ? `${x.confidence.min.toFixed(2)} / ${x.confidence.median.toFixed(2)} / ${x.confidence.max.toFixed(2)}` : '–';
    const lv = Object.entries(x.riskLevels || {}).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
    L.push(`| ${x.short} | ${x.subject.replace(/\|/g, '/').slice(0, 70)} | ${x.changedFiles} / ${x.unmatched} | ${x.selected}/${x.total} | ${cf} | ${lv} | ${kinds} | ${why} |`);
  }
  L.push('');
}
process.stdout.write(L.join('\n') + '\n');
