#!/usr/bin/env node
// nuxt-pages.mjs REPO SRC_DIR OUT_PAGES_JSON
//
// Nuxt's page routes by its documented conventions (not Perceo's code), as the pages file
// bench/realworld/reference.mjs takes in PAGES_JSON: every `.vue` file under SRC_DIR/pages is
// a page, except a parent whose folder holds an `index.vue` (that child is its page); what Nuxt runs around it: `app.vue`, its layout (`definePageMeta({ layout: 'x' })`,
// else `layouts/default.vue`; `layout: false` none), the parent page of each folder above it
// (`pages/settings.vue` wraps `pages/settings/**`), global middleware
// (`middleware/*.global.*`), the named middleware its and its parents' `definePageMeta` list,
// and every
// plugin (`plugins/*`, which run for every page). Paths are repo-relative.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const [repoArg, src, out] = process.argv.slice(2);
if (!out) { console.error('usage: nuxt-pages.mjs REPO SRC_DIR OUT_PAGES_JSON'); process.exit(2); }
const repo = path.resolve(repoArg);
const tracked = execFileSync('git', ['-C', repo, 'ls-files', '-z', '--', src], { maxBuffer: 1 << 28 })
  .toString().split('\0').filter(Boolean);
const under = (dir, re) => tracked.filter((f) => f.startsWith(`${src}/${dir}/`) && re.test(f));
// A parent page (`settings.vue` beside `settings/` holding an `index.vue`) renders only with
// one of its children: its URL is its index child's, so it is a wrapper, not a page.
const isParentOnly = (f) => tracked.includes(f.replace(/\.vue$/, '/index.vue'));
const pages = under('pages', /\.vue$/).filter((f) => !isParentOnly(f));
const layouts = Object.fromEntries(under('layouts', /\.vue$/).map((f) => [path.posix.basename(f, '.vue'), f]));
const middleware = under('middleware', /\.(ts|js|mjs)$/);
const globalMiddleware = middleware.filter((f) => /\.global\.(ts|js|mjs)$/.test(f));
const named = (name) => middleware.find((f) => path.posix.basename(f).replace(/\.(ts|js|mjs)$/, '') === name);
const plugins = under('plugins', /\.(ts|js|mjs)$/).filter((f) => path.posix.dirname(f) === `${src}/plugins`);
const appVue = tracked.filter((f) => f === `${src}/app.vue`);
const result = {};
const metaOf = (file) => /definePageMeta\s*\(\s*\{([\s\S]*?)\}\s*\)/.exec(fs.readFileSync(path.join(repo, file), 'utf8'))?.[1] ?? '';
const middlewareOf = (meta) => {
  const listed = /middleware\s*:\s*(\[[^\]]*\]|['"][\w.-]+['"])/.exec(meta)?.[1] ?? '';
  return [...listed.matchAll(/['"]([\w.-]+)['"]/g)].map((m) => named(m[1])).filter(Boolean);
};
for (const page of pages) {
  const meta = metaOf(page);
  const layoutName = /layout\s*:\s*(false|['"]([\w-]+)['"])/.exec(meta);
  const layout = layoutName ? (layoutName[1] === 'false' ? null : layouts[layoutName[2]]) : layouts.default;
  const parents = [];
  for (let dir = path.posix.dirname(page); dir !== `${src}/pages` && dir.startsWith(`${src}/pages`); dir = path.posix.dirname(dir)) {
    const parent = `${dir}.vue`;
    if (tracked.includes(parent)) parents.push(parent);
  }
  // Route middleware of every matched route runs: the page's and its parents'.
  const pageMiddleware = [page, ...parents].flatMap((f) => middlewareOf(metaOf(f)));
  result[page] = [...new Set([...appVue, ...(layout ? [layout] : []), ...parents, ...globalMiddleware, ...pageMiddleware, ...plugins])];
}
fs.writeFileSync(out, JSON.stringify(result, null, 1));
console.error(`[nuxt-pages] ${pages.length} pages -> ${out}`);
