#!/usr/bin/env node
// sveltekit-pages.mjs APP_DIR REPO_PREFIX OUT_PAGES_JSON [OUT_ROUTES_JSON]
//
// SvelteKit's own route manifest (`create_manifest_data` of @sveltejs/kit, the function
// `svelte-kit sync` and `vite dev` build their manifests with; run with APP_DIR's
// node_modules resolving @sveltejs/kit) as the pages file bench/realworld/reference.mjs
// takes in PAGES_JSON: every route with a page → its leaf `+page.svelte` (or `+page.ts` /
// `+page.server.ts` when there is no component) and what SvelteKit runs around it: the
// page's universal and server load files, and each layout node of the route (component,
// `+layout.ts`, `+layout.server.ts`), `+layout@…`/`+page@…` resets applied by SvelteKit,
// and the hooks (`src/hooks.server.ts`, `hooks.client.ts`, `hooks.ts`) that run for every page.
// Paths are repo-relative (REPO_PREFIX/…). OUT_ROUTES_JSON (optional) gets
// `[{ id, pattern: <URL pattern in Perceo's notation>, page }]` for comparing routes.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [appArg, prefix, out, routesOut] = process.argv.slice(2);
if (!out) { console.error('usage: sveltekit-pages.mjs APP_DIR REPO_PREFIX OUT_PAGES_JSON [OUT_ROUTES_JSON]'); process.exit(2); }
const app = path.resolve(appArg);
const require = createRequire(path.join(app, 'package.json'));
const kit = path.dirname(require.resolve('@sveltejs/kit/package.json'));
const { load_config } = await import(pathToFileURL(path.join(kit, 'src/core/config/index.js')));
const { default: create_manifest_data } = await import(pathToFileURL(path.join(kit, 'src/core/sync/create_manifest_data/index.js')));
const config = await load_config({ cwd: app });
const { nodes, routes, hooks } = create_manifest_data({ config, cwd: app });
// The hooks SvelteKit runs for every request (server) and every page (client, universal).
const appWide = [hooks?.server, hooks?.client, hooks?.universal].filter(Boolean).map((f) => path.posix.join(prefix, f));
const repo = (f) => f && path.posix.join(prefix, f);
const files = (node) => [node?.component, node?.universal, node?.server].filter(Boolean).map(repo);
const pages = {};
const table = [];
for (const route of routes) {
  if (!route.page) continue;
  const leaf = nodes[route.page.leaf];
  const page = repo(leaf.component || leaf.universal || leaf.server);
  const wrappers = [
    ...route.page.layouts.filter((i) => i !== undefined).flatMap((i) => files(nodes[i])),
    ...files(leaf).filter((f) => f !== page),
  ];
  // The root layout SvelteKit adds when the app has none is its own default file.
  pages[page] = [...new Set([...wrappers, ...appWide].filter((f) => !f.includes('node_modules')))];
  const pattern = '/' + route.id.split('/').filter((s) => s && !/^\(.+\)$/.test(s)).join('/');
  table.push({ id: route.id, pattern, page });
}
fs.writeFileSync(out, JSON.stringify(pages, null, 1));
if (routesOut) fs.writeFileSync(routesOut, JSON.stringify(table, null, 1));
console.error(`[sveltekit-pages] ${Object.keys(pages).length} pages of ${routes.length} routes -> ${out}`);
