#!/usr/bin/env node
// rr-pages.mjs ROUTES_JSON APP_DIR OUT_JSON
//
// React Router's own route tree (`react-router routes --json`, run in APP_DIR) as the pages
// file bench/realworld/reference.mjs takes in PAGES_JSON: every route that renders at a URL
// of its own (an index route, or a route with a path and no pathless index child — the rule
// compare-react-router.py uses) → the modules that wrap it (its parent routes, outermost
// first, `root.tsx` included) and the entry modules that render every route
// (`app/entry.server.*`, `app/entry.client.*`). Paths are repo-relative (APP_DIR/app/<file>).
// Run from the repository root.
import fs from 'node:fs';
import path from 'node:path';

const [routesJson, appDir, out] = process.argv.slice(2);
if (!out) { console.error('usage: rr-pages.mjs ROUTES_JSON APP_DIR OUT_JSON'); process.exit(2); }
const tree = JSON.parse(fs.readFileSync(routesJson, 'utf8'));
const file = (f) => path.posix.normalize(path.posix.join(appDir, 'app', f));
// React Router's entry modules render every route (app/entry.server.*, app/entry.client.*).
const appWide = fs.readdirSync(path.join(appDir, 'app')).filter((f) => /^entry\.(server|client)\.[jt]sx?$/.test(f)).map((f) => file(f));
const pages = {};
function walk(route, parents) {
  const children = route.children || [];
  const hasIndexChild = children.some((c) => c.index && !c.path);
  const rendersItself = route.index || (route.path !== undefined && route.path !== null && !hasIndexChild);
  if (rendersItself && parents.length) pages[file(route.file)] = [...parents.map(file), ...appWide];
  for (const c of children) walk(c, [...parents, route.file]);
}
for (const root of Array.isArray(tree) ? tree : [tree]) walk(root, []);
fs.writeFileSync(out, JSON.stringify(pages, null, 1));
console.error(`[rr-pages] ${Object.keys(pages).length} pages -> ${out}`);
