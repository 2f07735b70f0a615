#!/usr/bin/env node
// gen-tsconfig.mjs REPO APP_DIR OUT_TSCONFIG
//
// Writes a tsconfig (absolute paths) that lets dependency-cruiser resolve every
// workspace package of REPO to its SOURCE files without node_modules:
//   - each workspace package name (pnpm-workspace.yaml / package.json workspaces)
//     -> its `exports` entries (conditions: source > types > import > default > require;
//        dist/*.js|.d.ts targets are mapped back to src/*.ts(x) when that file exists),
//        or `main`/`types`/src/index.*, plus a catch-all "name/*" -> [pkg/*, pkg/src/*];
//   - the app's own compilerOptions.paths/baseUrl (following relative or workspace `extends`);
//   - then the `paths` of every other tsconfig in the workspace, for keys the app does not
//     define (packages like apps/api use their own aliases: @api/*, @db/*). Conflicting keys
//     are reported on stderr (a single tsconfig cannot give one alias two meanings).
// The process needs `typescript` resolvable from $TOOLS/node_modules (JSONC parsing only).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [repoArg, appArg, out] = process.argv.slice(2);
if (!repoArg || !appArg || !out) {
  console.error('usage: gen-tsconfig.mjs REPO APP_DIR OUT_TSCONFIG');
  process.exit(2);
}
const repo = path.resolve(repoArg);
const app = path.resolve(repo, appArg);
const tools = process.env.TOOLS || '/tmp/realworld/tools';
const ts = createRequire(path.join(tools, 'node_modules', 'x.js'))('typescript');
const log = (...a) => console.error('[gen-tsconfig]', ...a);

function readJsonc(file) {
  const r = ts.parseConfigFileTextToJson(file, fs.readFileSync(file, 'utf8'));
  if (r.error) throw new Error(`cannot parse ${file}`);
  return r.config;
}

// ---- workspace packages ----
function workspaceGlobs() {
  const y = path.join(repo, 'pnpm-workspace.yaml');
  const globs = [];
  if (fs.existsSync(y)) {
    let inPk = false;
    for (const line of fs.readFileSync(y, 'utf8').split('\n')) {
      if (/^packages\s*:/.test(line)) { inPk = true; continue; }
      if (inPk) {
        const m = line.match(/^\s*-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/);
        if (m) globs.push(m[1].trim());
        else if (/^\S/.test(line)) inPk = false;
      }
    }
  }
  const pj = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const ws = Array.isArray(pj.workspaces) ? pj.workspaces : pj.workspaces?.packages || [];
  for (const g of ws) if (!globs.includes(g)) globs.push(g);
  return globs;
}
function expand(glob) {
  glob = glob.replace(/\/+$/, '');
  if (glob === '.' ) return [repo];
  if (glob.endsWith('/*') || glob.endsWith('/**')) {
    const base = path.join(repo, glob.replace(/\/\*\*?$/, ''));
    if (!fs.existsSync(base)) return [];
    return fs.readdirSync(base, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => path.join(base, d.name));
  }
  return [path.join(repo, glob)];
}
const globs = workspaceGlobs();
const excl = new Set(globs.filter(g => g.startsWith('!')).flatMap(g => expand(g.slice(1))));
const pkgDirs = [...new Set(globs.filter(g => !g.startsWith('!')).flatMap(expand))]
  .filter(d => !excl.has(d) && fs.existsSync(path.join(d, 'package.json')));

const SRC_EXT = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs'];
function sourceOf(pkgDir, target) {
  // map a published target back to a source file when possible
  const abs = path.resolve(pkgDir, target);
  if (target.includes('*')) {
    if (/(^|\/)dist\//.test(target)) {
      const s = abs.replace(/\/dist\//, '/src/').replace(/(\.d)?\.(m|c)?js$|\.d\.ts$/, '');
      return s;
    }
    return abs;
  }
  if (fs.existsSync(abs) && !/\.d\.ts$/.test(abs) && !/\/dist\//.test(abs)) return abs;
  const stem = abs.replace(/\/dist\//, '/src/').replace(/(\.d\.ts|\.d\.mts|\.m?js|\.cjs)$/, '');
  for (const e of SRC_EXT) if (fs.existsSync(stem + e)) return stem + e;
  for (const e of SRC_EXT) if (fs.existsSync(path.join(stem, 'index' + e))) return path.join(stem, 'index' + e);
  return abs;
}
function pickTarget(t) {
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return pickTarget(t[0]);
  if (t && typeof t === 'object') {
    for (const c of ['source', 'types', 'import', 'module', 'default', 'require', 'node', 'browser']) {
      if (c in t) { const r = pickTarget(t[c]); if (r) return r; }
    }
    for (const v of Object.values(t)) { const r = pickTarget(v); if (r) return r; }
  }
  return null;
}

const paths = {};
const workspace = [];
for (const dir of pkgDirs) {
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (!pj.name || dir === repo) continue;
  workspace.push({ name: pj.name, dir: path.relative(repo, dir) });
  const name = pj.name;
  let ex = pj.exports;
  if (typeof ex === 'string' || Array.isArray(ex)) ex = { '.': ex };
  if (ex && typeof ex === 'object' && !Object.keys(ex).some(k => k.startsWith('.'))) ex = { '.': ex };
  if (ex) {
    for (const [k, v] of Object.entries(ex)) {
      const t = pickTarget(v);
      if (!t) continue;
      const key = k === '.' ? name : name + k.slice(1);
      paths[key] = [sourceOf(dir, t)];
    }
  }
  if (!paths[name]) {
    const cands = [pj.source, pj.main, pj.module, pj.types, pj.typings].filter(Boolean).map(t => sourceOf(dir, t));
    for (const e of SRC_EXT) cands.push(path.join(dir, 'src', 'index' + e), path.join(dir, 'index' + e));
    const hit = cands.find(c => fs.existsSync(c));
    if (hit) paths[name] = [hit];
  }
  if (!paths[name + '/*']) {
    paths[name + '/*'] = [path.join(dir, '*'), ...(fs.existsSync(path.join(dir, 'src')) ? [path.join(dir, 'src', '*')] : [])];
  }
}

// ---- tsconfig paths: the app first, then every other workspace tsconfig ----
function resolveExtends(fromFile, ext) {
  if (ext.startsWith('.') || path.isAbsolute(ext)) {
    let p = path.resolve(path.dirname(fromFile), ext);
    if (!p.endsWith('.json') && fs.existsSync(p + '.json')) p += '.json';
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'tsconfig.json');
    return fs.existsSync(p) ? p : null;
  }
  for (const w of workspace) {
    if (ext === w.name || ext.startsWith(w.name + '/')) {
      let p = path.join(repo, w.dir, ext.slice(w.name.length));
      if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'tsconfig.json');
      if (!p.endsWith('.json') && fs.existsSync(p + '.json')) p += '.json';
      return fs.existsSync(p) ? p : null;
    }
  }
  return null;
}
// returns {paths (absolute targets), baseUrl (absolute) }, child overrides parent
function effective(file, seen = new Set()) {
  if (seen.has(file)) return { paths: {}, baseUrl: null };
  seen.add(file);
  const cfg = readJsonc(file);
  let res = { paths: {}, baseUrl: null, pathsBase: null };
  const exts = cfg.extends ? (Array.isArray(cfg.extends) ? cfg.extends : [cfg.extends]) : [];
  for (const e of exts) {
    const p = resolveExtends(file, e);
    if (!p) { log(`extends ${e} of ${path.relative(repo, file)} not found (ignored)`); continue; }
    const parent = effective(p, seen);
    res = { paths: { ...res.paths, ...parent.paths }, baseUrl: parent.baseUrl ?? res.baseUrl };
  }
  const co = cfg.compilerOptions || {};
  if (co.baseUrl) res.baseUrl = path.resolve(path.dirname(file), co.baseUrl);
  if (co.paths) {
    const base = co.baseUrl ? path.resolve(path.dirname(file), co.baseUrl) : (res.baseUrl || path.dirname(file));
    res.paths = {};
    for (const [k, v] of Object.entries(co.paths)) res.paths[k] = v.map(t => path.resolve(base, t));
  }
  return res;
}

const appTs = ['tsconfig.json', 'jsconfig.json'].map(f => path.join(app, f)).find(f => fs.existsSync(f));
const appEff = appTs ? effective(appTs) : { paths: {}, baseUrl: null };
const merged = { ...appEff.paths };
const sources = Object.fromEntries(Object.keys(merged).map(k => [k, path.relative(repo, appTs)]));
const allTs = [];
for (const dir of [repo, ...pkgDirs]) {
  for (const f of ['tsconfig.json', 'jsconfig.json']) {
    const p = path.join(dir, f);
    if (fs.existsSync(p) && p !== appTs) allTs.push(p);
  }
}
for (const t of allTs) {
  let eff;
  try { eff = effective(t); } catch (e) { log(String(e.message)); continue; }
  for (const [k, v] of Object.entries(eff.paths)) {
    if (!(k in merged)) { merged[k] = v; sources[k] = path.relative(repo, t); }
    else if (JSON.stringify(merged[k]) !== JSON.stringify(v)) {
      log(`alias ${k} in ${path.relative(repo, t)} -> ${v.map(x => path.relative(repo, x)).join(',')} conflicts with ${sources[k]} (kept the latter)`);
    }
  }
}
// tsconfig paths win over the generated package mapping for the same key
for (const [k, v] of Object.entries(merged)) paths[k] = v;

const tsconfig = {
  compilerOptions: {
    baseUrl: appEff.baseUrl || app,
    paths,
    allowJs: true,
    jsx: 'preserve',
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    esModuleInterop: true,
    skipLibCheck: true,
  },
  // only so that TypeScript finds inputs (TS18003); depcruise takes its files from the command line
  include: [path.join(app, '**', '*')],
};
fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
fs.writeFileSync(out, JSON.stringify(tsconfig, null, 2));
log(`${workspace.length} workspace packages, ${Object.keys(paths).length} path keys -> ${out}`);
