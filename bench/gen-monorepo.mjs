#!/usr/bin/env node
// Deterministic generator of a synthetic Next.js monorepo for Perceo's benchmarks.
//
//   node bench/gen-monorepo.mjs OUT_DIR [--modules 10000] [--seed 42] [--packages 10] [--no-git]
//
// Layout (pnpm/npm workspaces):
//   package.json, pnpm-workspace.yaml, tsconfig.base.json (no .perceo/: `perceo init` at the root sets it up)
//   apps/web/            Next.js app router app, tsconfig "@/*" -> "./src/*"
//     app/(group)/.../page.tsx  (~3% of modules, max 300), layouts, loading, error, route handlers
//     middleware.ts, next.config.mjs
//     src/components/<area>/[sub/]Name.tsx, src/lib/<area>/name.ts, one barrel per area
//   packages/pkg-N/      "@bench/pkg-N", main/exports -> unbuilt dist/, source in src/,
//                        own tsconfig "@/*" -> "./src/*", barrel src/index.ts
// Every JS/TS file (.ts .tsx .mjs) counts as a module; the total equals --modules.
// Same arguments -> byte-identical tree and (with fixed git dates) identical commit SHA.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

// ---------- arguments ----------
const argv = process.argv.slice(2);
let outDir = null;
const opts = { modules: 10000, seed: 42, packages: 10, git: true };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--modules') opts.modules = parseInt(argv[++i], 10);
  else if (a === '--seed') opts.seed = parseInt(argv[++i], 10);
  else if (a === '--packages') opts.packages = parseInt(argv[++i], 10);
  else if (a === '--no-git') opts.git = false;
  else if (a === '-h' || a === '--help') {
    console.log('usage: node bench/gen-monorepo.mjs OUT_DIR [--modules 10000] [--seed 42] [--packages 10] [--no-git]');
    process.exit(0);
  } else if (!outDir) outDir = a;
  else throw new Error(`unexpected argument ${a}`);
}
if (!outDir) {
  console.error('usage: node bench/gen-monorepo.mjs OUT_DIR [--modules 10000]');
  process.exit(2);
}
if (!(opts.modules >= 200)) throw new Error('--modules must be >= 200');
outDir = path.resolve(outDir);
if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) {
  console.error(`${outDir} exists and is not empty`);
  process.exit(2);
}

// ---------- seeded PRNG (mulberry32) ----------
let state = opts.seed >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const chance = (p) => rand() < p;

// ---------- vocabulary ----------
const WORDS = ['products', 'orders', 'settings', 'billing', 'team', 'reports', 'invoices', 'users',
  'projects', 'guides', 'changelog', 'pricing', 'about', 'careers', 'support', 'tickets', 'analytics',
  'integrations', 'notifications', 'profile', 'security', 'catalog', 'categories', 'collections',
  'reviews', 'wishlist', 'returns', 'shipping', 'payments', 'webhooks', 'members', 'audit', 'exports',
  'imports', 'campaigns', 'coupons', 'inventory', 'vendors', 'locations', 'schedules'];
const NOUNS = ['Card', 'List', 'Table', 'Panel', 'Form', 'Field', 'Modal', 'Menu', 'Badge', 'Chart',
  'Header', 'Footer', 'Row', 'Cell', 'Grid', 'Tabs', 'Toolbar', 'Banner', 'Dialog', 'Picker', 'Summary',
  'Avatar', 'Tooltip', 'Stepper', 'Filter', 'Search', 'Pager', 'Empty', 'Skeleton', 'Toast'];
const ADJ = ['Product', 'Order', 'User', 'Team', 'Invoice', 'Billing', 'Report', 'Project', 'Review',
  'Cart', 'Checkout', 'Account', 'Admin', 'Dashboard', 'Price', 'Stock', 'Ticket', 'Campaign', 'Vendor', 'Audit'];
const VERBS = ['format', 'parse', 'fetch', 'use', 'build', 'compute', 'validate', 'normalize', 'select',
  'map', 'load', 'save', 'merge', 'sort', 'group', 'resolve', 'track', 'create', 'update', 'get'];
const COMP_AREAS = ['ui', 'forms', 'layout', 'product', 'cart', 'checkout', 'account', 'admin',
  'dashboard', 'marketing', 'docs', 'charts', 'tables', 'modals', 'nav'];
const LIB_AREAS = ['api', 'hooks', 'utils', 'store', 'auth', 'i18n', 'analytics', 'validation', 'format', 'data'];
const SUBDIRS = ['parts', 'shared', 'internal', 'variants'];
const GROUPS = ['(marketing)', '(shop)', '(account)', '(admin)', '(docs)', ''];
const LOREM = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ' +
  'ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur').split(' ');
const sentence = (n) => Array.from({ length: n }, () => pick(LOREM)).join(' ');
const cap = (s) => s[0].toUpperCase() + s.slice(1);

// ---------- bookkeeping ----------
const files = new Map(); // rel path -> content
let moduleCount = 0;
const kinds = { static: 0, typeOnly: 0, dynamic: 0, require: 0, reexport: 0, workspace: 0, css: 0 };
function emit(rel, content, isModule) {
  if (files.has(rel)) throw new Error(`duplicate ${rel}`);
  files.set(rel, content);
  if (isModule) moduleCount++;
}
const MODULE_EXT = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

function relSpec(fromFile, toFile) {
  let r = path.posix.relative(path.posix.dirname(fromFile), toFile).replace(MODULE_EXT, '');
  if (!r.startsWith('.')) r = './' + r;
  return r;
}

// ---------- budget ----------
const N = opts.modules;
const nPages = Math.min(300, Math.max(10, Math.round(N * 0.03)));
const nPackages = opts.packages;
// fixed: next.config.mjs, middleware.ts, app/layout.tsx, app/not-found.tsx, app/global-error.tsx
const FIXED = 5;

// ---------- routes ----------
const routes = []; // { dir, group, section, dynamic }
const seenRoutes = new Set();
while (routes.length < nPages) {
  const group = pick(GROUPS);
  const section = pick(WORDS);
  const segs = [section];
  const depth = int(0, 2);
  for (let d = 0; d < depth; d++) {
    const r = rand();
    if (r < 0.3) segs.push(pick(['[id]', '[slug]', '[teamId]', '[orderId]']));
    else segs.push(pick(WORDS));
  }
  if (chance(0.04)) segs.push(pick(['[...slug]', '[[...slug]]']));
  const dir = ['apps/web/app', group, ...segs].filter(Boolean).join('/');
  // a route URL must be unique across groups too
  const url = '/' + segs.join('/');
  if (seenRoutes.has(url)) continue;
  seenRoutes.add(url);
  routes.push({ dir, group, section, url });
}
const layoutDirs = new Set();
const loadingDirs = [];
const errorDirs = [];
for (const g of GROUPS.filter(Boolean)) layoutDirs.add(`apps/web/app/${g}`);
const sectionDirs = [...new Set(routes.map((r) => ['apps/web/app', r.group, r.section].filter(Boolean).join('/')))].sort();
for (const d of sectionDirs) {
  if (chance(0.45)) layoutDirs.add(d);
  if (chance(0.2)) loadingDirs.push(d);
  if (chance(0.1)) errorDirs.push(d);
}
const apiRoutes = [];
const nApi = Math.max(4, Math.round(nPages / 15));
const seenApi = new Set();
while (apiRoutes.length < nApi) {
  const p = chance(0.4) ? `${pick(WORDS)}/[id]` : pick(WORDS);
  if (seenApi.has(p)) continue;
  seenApi.add(p);
  apiRoutes.push(`apps/web/app/api/${p}`);
}
const nRouteFiles = routes.length + layoutDirs.size + loadingDirs.length + errorDirs.length + apiRoutes.length;

// ---------- source modules (app + packages) ----------
let remaining = N - FIXED - nRouteFiles;
const nAreaBarrels = COMP_AREAS.length + LIB_AREAS.length;
remaining -= nAreaBarrels + nPackages; // barrels
if (remaining < 50) throw new Error('--modules too small for the route budget');
const nPkgModules = Math.round(remaining * 0.3);
const nAppModules = remaining - nPkgModules;

let uid = 0;
function makeModule(kind) {
  // kind: 'comp' | 'lib'
  uid++;
  if (kind === 'comp') {
    const sym = `${pick(ADJ)}${pick(NOUNS)}${uid}`;
    return { sym, typeName: `${sym}Props`, file: sym, ext: 'tsx' };
  }
  const sym = `${pick(VERBS)}${pick(ADJ)}${uid}`;
  return { sym, typeName: `${cap(sym)}Options`, file: sym, ext: 'ts' };
}

// app modules, in DAG order (a module only imports earlier ones, except via barrels from pages)
const appMods = [];
for (let i = 0; i < nAppModules; i++) {
  const isComp = chance(0.65);
  const m = makeModule(isComp ? 'comp' : 'lib');
  const area = isComp ? pick(COMP_AREAS) : pick(LIB_AREAS);
  const base = isComp ? `apps/web/src/components/${area}` : `apps/web/src/lib/${area}`;
  const dir = chance(0.25) ? `${base}/${pick(SUBDIRS)}` : base;
  m.rel = `${dir}/${m.file}.${m.ext}`;
  m.area = (isComp ? 'components/' : 'lib/') + area;
  m.aliasPath = m.rel.replace('apps/web/src/', '@/').replace(MODULE_EXT, '');
  m.index = i;
  m.pkg = null;
  appMods.push(m);
}

// packages
const pkgs = [];
{
  let left = nPkgModules;
  for (let p = 0; p < nPackages; p++) {
    const share = p === nPackages - 1 ? left : Math.max(5, Math.round((nPkgModules / nPackages) * (0.6 + rand() * 0.8)));
    const count = Math.min(share, left - (nPackages - 1 - p) * 5);
    left -= count;
    const name = `@bench/pkg-${p}`;
    const root = `packages/pkg-${p}`;
    const mods = [];
    for (let i = 0; i < count; i++) {
      const isComp = chance(0.5);
      const m = makeModule(isComp ? 'comp' : 'lib');
      const dir = `${root}/src/${pick(['components', 'hooks', 'utils', 'core', 'internal'])}${chance(0.2) ? '/' + pick(SUBDIRS) : ''}`;
      m.rel = `${dir}/${m.file}.${m.ext}`;
      m.aliasPath = m.rel.replace(`${root}/src/`, '@/').replace(MODULE_EXT, '');
      m.index = i;
      m.pkg = p;
      mods.push(m);
    }
    // public API: up to 40 modules re-exported by the barrel
    const pub = mods.filter(() => chance(0.35)).slice(0, 40);
    if (pub.length === 0) pub.push(mods[0]);
    pkgs.push({ p, name, root, mods, pub });
  }
}

// area barrels (apps/web/src/components/<area>/index.ts)
const areaBarrels = [];
for (const a of [...COMP_AREAS.map((x) => 'components/' + x), ...LIB_AREAS.map((x) => 'lib/' + x)]) {
  const pub = appMods.filter((m) => m.area === a).slice(0, 30);
  areaBarrels.push({ area: a, rel: `apps/web/src/${a}/index.ts`, alias: `@/${a}`, pub });
}

// ---------- content builders ----------
function importLine(spec, names, { typeOnly = false, def = null } = {}) {
  if (typeOnly) return `import type { ${names.join(', ')} } from '${spec}';`;
  if (def) return `import ${def} from '${spec}';`;
  return `import { ${names.join(', ')} } from '${spec}';`;
}

function filler(m, usedSyms, isTsx) {
  const lines = [];
  const nConst = int(4, 12);
  lines.push(`const LABELS_${uidTag(m)} = [`);
  for (let i = 0; i < nConst; i++) lines.push(`  '${sentence(int(3, 7))}',`);
  lines.push('] as const;');
  lines.push('');
  const nHelpers = int(5, 12);
  for (let h = 0; h < nHelpers; h++) {
    const fn = `${pick(VERBS)}${cap(pick(LOREM))}${h}`;
    lines.push(`function ${fn}(input: number, factor = ${int(2, 9)}): number {`);
    lines.push(`  // ${sentence(int(6, 12))}`);
    lines.push(`  let acc = input;`);
    lines.push(`  for (let i = 0; i < factor; i++) {`);
    lines.push(`    acc = (acc * ${int(3, 31)} + i) % ${int(1000, 99999)};`);
    lines.push('  }');
    lines.push(`  return acc > ${int(10, 500)} ? acc - factor : acc + factor;`);
    lines.push('}');
    lines.push('');
    m.helpers.push(fn);
  }
  return lines;
}
const uidTag = (m) => m.sym.toUpperCase();

function moduleBody(m, importLines, usedSyms) {
  const isTsx = m.ext === 'tsx';
  m.helpers = [];
  const out = [];
  if (isTsx && chance(0.3)) out.push("'use client';", '');
  out.push(`// ${m.sym}: ${sentence(int(8, 16))}`);
  out.push(...importLines, '');
  out.push(`export type ${m.typeName} = {`);
  out.push('  id: string;');
  const nFields = int(2, 6);
  for (let i = 0; i < nFields; i++) out.push(`  ${pick(LOREM)}${i}?: ${pick(['string', 'number', 'boolean', 'string[]', 'Record<string, number>'])};`);
  out.push('};', '');
  out.push(...filler(m, usedSyms, isTsx));
  const deps = usedSyms.length ? `[${usedSyms.join(', ')}]` : '[]';
  if (isTsx) {
    out.push(`export function ${m.sym}(props: ${m.typeName}) {`);
    out.push(`  const deps = ${deps} as const;`);
    out.push(`  const score = ${m.helpers.map((h) => `${h}(deps.length)`).join(' + ')};`);
    out.push('  return (');
    out.push(`    <section className="${m.sym.toLowerCase()}" data-id={props.id} data-score={score}>`);
    out.push(`      <h2>${sentence(int(2, 5))}</h2>`);
    out.push('      <ul>');
    out.push(`        {LABELS_${uidTag(m)}.map((label) => (`);
    out.push('          <li key={label}>{label}</li>');
    out.push('        ))}');
    out.push('      </ul>');
    const nP = int(3, 10);
    for (let i = 0; i < nP; i++) out.push(`      <p className="text-${pick(['sm', 'md', 'lg'])}">${sentence(int(6, 14))}</p>`);
    out.push('    </section>');
    out.push('  );');
    out.push('}', '');
  } else {
    out.push(`export function ${m.sym}(options: ${m.typeName}): number {`);
    out.push(`  const deps = ${deps} as const;`);
    out.push(`  const base = options.id.length + deps.length + LABELS_${uidTag(m)}.length;`);
    out.push(`  return ${m.helpers.map((h) => `${h}(base)`).join(' + ')};`);
    out.push('}', '');
  }
  out.push(`export default ${m.sym};`, '');
  return out.join('\n');
}

// choose 2-8 import targets for module at position idx in list (earlier only)
function chooseDeps(list, idx, n) {
  const chosen = new Set();
  if (idx === 0) return [];
  let guard = 0;
  while (chosen.size < Math.min(n, idx) && guard++ < 50) {
    // bias toward nearby modules (same area tends to be near in authoring) and a few hubs
    const j = chance(0.15) ? int(0, Math.min(idx - 1, 40)) : Math.max(0, idx - 1 - Math.floor(Math.pow(rand(), 2) * idx));
    chosen.add(j);
  }
  return [...chosen].map((j) => list[j]);
}

function importsFor(m, targets, ctx) {
  // returns { lines, syms }
  const lines = [];
  const syms = [];
  let usesDynamic = false;
  const dynLines = [];
  for (const t of targets) {
    const r = rand();
    const spec = ctx.specFor(m, t);
    if (r < 0.05) {
      kinds.typeOnly++;
      lines.push(importLine(spec, [t.typeName], { typeOnly: true }));
    } else if (r < 0.10 && m.ext === 'tsx' && t.ext === 'tsx') {
      kinds.dynamic++;
      usesDynamic = true;
      const local = `Lazy${t.sym}`;
      dynLines.push(`const ${local} = dynamic(() => import('${spec}'));`);
      syms.push(local);
    } else if (r < 0.10) {
      kinds.dynamic++;
      const local = `load${cap(t.sym)}`;
      dynLines.push(`const ${local} = () => import('${spec}').then((mod) => mod.${t.sym});`);
      syms.push(local);
    } else if (r < 0.14) {
      kinds.require++;
      const local = `legacy${cap(t.sym)}`;
      dynLines.push(`// eslint-disable-next-line @typescript-eslint/no-var-requires`);
      dynLines.push(`const ${local} = require('${spec}').${t.sym};`);
      syms.push(local);
    } else {
      kinds.static++;
      lines.push(importLine(spec, [t.sym]));
      syms.push(t.sym);
    }
  }
  if (usesDynamic) lines.unshift("import dynamic from 'next/dynamic';");
  return { lines: dedupeImports(lines).concat(dynLines.length ? ['', ...dynLines] : []), syms: [...new Set(syms)] };
}
function dedupeImports(lines) {
  return [...new Set(lines)];
}

// ---------- emit app modules ----------
const appCtx = {
  specFor(m, t) {
    const sameDirTree = path.posix.dirname(m.rel).startsWith(path.posix.dirname(t.rel)) || path.posix.dirname(t.rel).startsWith(path.posix.dirname(m.rel));
    return sameDirTree || chance(0.25) ? relSpec(m.rel, t.rel) : t.aliasPath;
  },
};
for (const m of appMods) {
  const targets = chooseDeps(appMods, m.index, int(2, 8));
  const { lines, syms } = importsFor(m, targets, appCtx);
  // workspace package import (barrel)
  if (chance(0.3) && pkgs.length) {
    const P = pick(pkgs);
    const t = pick(P.pub);
    lines.unshift(importLine(P.name, [t.sym]));
    kinds.workspace++;
    syms.push(t.sym);
  }
  if (chance(0.03)) {
    lines.unshift("import '@/lib/polyfills.css';");
    kinds.css++;
  }
  emit(m.rel, moduleBody(m, lines, [...new Set(syms)]), true);
}
// side-effect CSS target (not a module)
emit('apps/web/src/lib/polyfills.css', '.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; }\n', false);

// ---------- emit area barrels ----------
for (const b of areaBarrels) {
  const lines = [`// Barrel for ${b.area}`];
  for (const m of b.pub) {
    const spec = relSpec(b.rel, m.rel);
    if (chance(0.5)) lines.push(`export { ${m.sym}, type ${m.typeName} } from '${spec}';`);
    else lines.push(`export * from '${spec}';`);
    kinds.reexport++;
  }
  if (b.pub.length === 0) lines.push('export {};');
  emit(b.rel, lines.join('\n') + '\n', true);
}

// ---------- emit packages ----------
for (const P of pkgs) {
  const ctx = {
    specFor(m, t) {
      return chance(0.5) ? relSpec(m.rel, t.rel) : t.aliasPath; // package-local '@/' alias
    },
  };
  for (const m of P.mods) {
    const targets = chooseDeps(P.mods, m.index, int(2, 6));
    const { lines, syms } = importsFor(m, targets, ctx);
    if (P.p > 0 && chance(0.25)) {
      const Q = pkgs[int(0, P.p - 1)];
      const t = pick(Q.pub);
      lines.unshift(importLine(Q.name, [t.sym]));
      kinds.workspace++;
      syms.push(t.sym);
    }
    emit(m.rel, moduleBody(m, lines, [...new Set(syms)]), true);
  }
  const barrel = [`// Public API of ${P.name}`];
  for (const m of P.pub) {
    barrel.push(`export { ${m.sym}, type ${m.typeName} } from '${relSpec(`${P.root}/src/index.ts`, m.rel)}';`);
    kinds.reexport++;
  }
  emit(`${P.root}/src/index.ts`, barrel.join('\n') + '\n', true);
  const deps = {};
  for (let q = 0; q < P.p; q++) deps[`@bench/pkg-${q}`] = 'workspace:*';
  emit(`${P.root}/package.json`, JSON.stringify({
    name: P.name,
    version: '0.0.0',
    private: true,
    main: 'dist/index.js',
    module: 'dist/index.mjs',
    types: 'dist/index.d.ts',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.mjs', require: './dist/index.js' },
      './package.json': './package.json',
    },
    scripts: { build: 'tsup src/index.ts --format esm,cjs --dts' },
    dependencies: deps,
    peerDependencies: { react: '^18.0.0' },
  }, null, 2) + '\n', false);
  emit(`${P.root}/tsconfig.json`, `{
  // package-local alias: "@/x" is ${P.root}/src/x
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@/*": ["./src/*"] },
    "outDir": "dist",
    "rootDir": "src",
  },
  "include": ["src"],
}
`, false);
}

// ---------- emit routes ----------
const pageTargets = appMods;
function pageSource(kind, name, route) {
  const m = { sym: name, typeName: `${name}Props`, ext: 'tsx', rel: `${route}/page.tsx` };
  const lines = [];
  const syms = [];
  const n = int(2, 8);
  let usesDynamic = false;
  const dyn = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.15) {
      const b = pick(areaBarrels.filter((x) => x.pub.length));
      const t = pick(b.pub);
      lines.push(importLine(b.alias, [t.sym]));
      kinds.static++;
      syms.push(t.sym);
    } else if (r < 0.25) {
      const P = pick(pkgs);
      const t = pick(P.pub);
      lines.push(importLine(P.name, [t.sym]));
      kinds.workspace++;
      syms.push(t.sym);
    } else if (r < 0.33) {
      const t = pick(pageTargets.filter((x) => x.ext === 'tsx').slice(-2000));
      usesDynamic = true;
      dyn.push(`const Lazy${t.sym} = dynamic(() => import('${t.aliasPath}'));`);
      kinds.dynamic++;
      syms.push(`Lazy${t.sym}`);
    } else {
      // pages sit on top of the DAG: bias toward late (high-level) modules
      const t = pageTargets[Math.max(0, pageTargets.length - 1 - Math.floor(Math.pow(rand(), 3) * pageTargets.length))];
      lines.push(importLine(t.aliasPath, [t.sym]));
      kinds.static++;
      syms.push(t.sym);
    }
  }
  if (usesDynamic) lines.unshift("import dynamic from 'next/dynamic';");
  const allLines = [...new Set(lines)].concat(dyn.length ? ['', ...new Set(dyn)] : []);
  m.helpers = [];
  const body = [];
  body.push(`// ${kind} for ${route.replace('apps/web/app', '') || '/'}`);
  body.push(...allLines, '');
  body.push(...filler(m, syms, true));
  const usedSyms = [...new Set(syms)];
  const isDynamic = /\[/.test(route);
  body.push(`export default async function ${name}({ params }: { params: Record<string, string | string[]> }) {`);
  body.push(`  const deps = [${usedSyms.join(', ')}] as const;`);
  body.push(`  const score = ${m.helpers.map((h) => `${h}(deps.length)`).join(' + ')};`);
  body.push('  return (');
  body.push(`    <main data-score={score}${isDynamic ? ' data-params={JSON.stringify(params)}' : ''}>`);
  body.push(`      <h1>${sentence(int(2, 5))}</h1>`);
  body.push(`      {LABELS_${uidTag(m)}.map((label) => <p key={label}>{label}</p>)}`);
  body.push('    </main>');
  body.push('  );');
  body.push('}', '');
  return body.join('\n');
}

let pageNo = 0;
for (const r of routes) {
  pageNo++;
  emit(`${r.dir}/page.tsx`, pageSource('page', `Page${pageNo}`, r.dir), true);
}
let layoutNo = 0;
for (const d of [...layoutDirs].sort()) {
  layoutNo++;
  const b = pick(areaBarrels.filter((x) => x.area.startsWith('components/') && x.pub.length));
  const t = pick(b.pub);
  kinds.static++;
  emit(`${d}/layout.tsx`, `import { ${t.sym} } from '${b.alias}';

// Layout for ${d.replace('apps/web/app', '')}: ${sentence(10)}
export default function Layout${layoutNo}({ children }: { children: React.ReactNode }) {
  return (
    <div className="layout-${layoutNo}">
      <${t.sym} id="layout-${layoutNo}" />
      {children}
    </div>
  );
}
`, true);
}
for (const d of loadingDirs) {
  emit(`${d}/loading.tsx`, `export default function Loading() {\n  return <p aria-busy="true">${sentence(4)}</p>;\n}\n`, true);
}
for (const d of errorDirs) {
  emit(`${d}/error.tsx`, `'use client';

export default function ErrorBoundary({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert">
      <p>{error.message}</p>
      <button onClick={() => reset()}>Try again</button>
    </div>
  );
}
`, true);
}
for (const d of apiRoutes) {
  const t = pick(appMods.filter((x) => x.ext === 'ts'));
  kinds.static++;
  emit(`${d}/route.ts`, `import { NextResponse } from 'next/server';
import { ${t.sym} } from '${t.aliasPath}';

export async function GET(request: Request) {
  const url = new URL(request.url);
  return NextResponse.json({ value: ${t.sym}({ id: url.pathname }) });
}

export async function POST(request: Request) {
  const body = await request.json();
  return NextResponse.json({ ok: true, received: Object.keys(body).length });
}
`, true);
}

// ---------- fixed app files ----------
const navTarget = pick(areaBarrels.find((b) => b.area === 'components/nav').pub.length ? areaBarrels.find((b) => b.area === 'components/nav').pub : appMods.filter((x) => x.ext === 'tsx'));
emit('apps/web/app/layout.tsx', `import type { Metadata } from 'next';
import './globals.css';
import { ${navTarget.sym} } from '${navTarget.aliasPath}';

export const metadata: Metadata = { title: 'Bench', description: 'Synthetic monorepo' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <${navTarget.sym} id="nav" />
        {children}
      </body>
    </html>
  );
}
`, true);
kinds.css++;
kinds.static++;
emit('apps/web/app/globals.css', 'body { margin: 0; font-family: system-ui, sans-serif; }\n', false);
emit('apps/web/app/not-found.tsx', `export default function NotFound() {\n  return <h1>Not found</h1>;\n}\n`, true);
emit('apps/web/app/global-error.tsx', `'use client';

export default function GlobalError({ reset }: { reset: () => void }) {
  return (
    <html>
      <body>
        <button onClick={() => reset()}>Try again</button>
      </body>
    </html>
  );
}
`, true);
emit('apps/web/middleware.ts', `import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';

export function middleware(request: NextRequest) {
  if (!request.cookies.get('session')) {
    return NextResponse.redirect(new URL('/login', request.url));
  }
  return NextResponse.next();
}

export const config = { matcher: ['/settings/:path*', '/billing/:path*'] };
`, true);
emit('apps/web/next.config.mjs', `/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  transpilePackages: [${pkgs.map((P) => `'${P.name}'`).join(', ')}],
};

export default nextConfig;
`, true);

// ---------- config files ----------
const webDeps = { next: '14.2.5', react: '18.3.1', 'react-dom': '18.3.1' };
for (const P of pkgs) webDeps[P.name] = 'workspace:*';
emit('apps/web/package.json', JSON.stringify({
  name: 'web', version: '0.0.0', private: true,
  scripts: { dev: 'next dev', build: 'next build' },
  dependencies: webDeps,
  devDependencies: { typescript: '5.5.3', '@types/react': '18.3.3', '@types/node': '20.14.10' },
}, null, 2) + '\n', false);
emit('apps/web/tsconfig.json', `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@/*": ["./src/*"] },
    "plugins": [{ "name": "next" }]
  },
  "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx"],
  "exclude": ["node_modules"]
}
`, false);
emit('apps/web/next-env.d.ts', '/// <reference types="next" />\n/// <reference types="next/image-types/global" />\n', false);
emit('package.json', JSON.stringify({
  name: 'bench-monorepo', version: '0.0.0', private: true,
  workspaces: ['apps/*', 'packages/*'],
  packageManager: 'pnpm@9.6.0',
  devDependencies: { typescript: '5.5.3' },
}, null, 2) + '\n', false);
emit('pnpm-workspace.yaml', "packages:\n  - 'apps/*'\n  - 'packages/*'\n", false);
emit('tsconfig.base.json', JSON.stringify({
  compilerOptions: {
    target: 'ES2020', lib: ['dom', 'dom.iterable', 'esnext'], module: 'esnext', moduleResolution: 'bundler',
    jsx: 'preserve', strict: true, esModuleInterop: true, resolveJsonModule: true, isolatedModules: true,
    skipLibCheck: true, noEmit: true,
  },
}, null, 2) + '\n', false);
emit('.gitignore', 'node_modules/\ndist/\n.next/\n.perceo/cache/\n.perceo/*.db*\n', false);
emit('README.md', `# Synthetic Next.js monorepo (Perceo bench)\n\nGenerated by bench/gen-monorepo.mjs --modules ${N} --seed ${opts.seed}. Do not edit.\n`, false);

if (moduleCount !== N) throw new Error(`internal: module count ${moduleCount} != ${N}`);

// ---------- write ----------
let bytes = 0;
let moduleBytes = 0;
for (const [rel, content] of [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
  const abs = path.join(outDir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  const n = Buffer.byteLength(content);
  bytes += n;
  if (MODULE_EXT.test(rel)) moduleBytes += n;
}

if (opts.git) {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  };
  const git = (...args) => execFileSync('git', args, { cwd: outDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', `synthetic monorepo: ${N} modules (seed ${opts.seed})`);
}

const summary = {
  out: outDir,
  modules: moduleCount,
  files: files.size,
  pages: routes.length,
  layouts: layoutDirs.size,
  loading: loadingDirs.length,
  error: errorDirs.length,
  routeHandlers: apiRoutes.length,
  appModules: appMods.length,
  areaBarrels: areaBarrels.length,
  packages: pkgs.length,
  packageModules: pkgs.reduce((s, P) => s + P.mods.length + 1, 0),
  imports: kinds,
  totalMB: +(bytes / 1e6).toFixed(1),
  moduleMB: +(moduleBytes / 1e6).toFixed(1),
  avgModuleKB: +(moduleBytes / moduleCount / 1024).toFixed(2),
  git: opts.git,
};
console.log(JSON.stringify(summary, null, 2));
