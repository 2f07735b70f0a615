// Prints every route of a React Router app's route config as React Router builds it:
// pattern, file (relative to the app folder), and the files of its parent routes.
// Usage: cd <app> && node --import tsx /tmp/rr-real/dump-config.mjs [appDirectory]
import path from 'node:path';
const appDir = process.argv[2] ?? 'app';
globalThis.__reactRouterAppDirectory = path.resolve(appDir);
const mod = await import(path.resolve(appDir, 'routes.ts'));
const tree = await mod.default;
const out = [];
const walk = (entries, parent, outer) => { for (const e of entries) {
  const p = e.path === undefined ? parent : (e.path.startsWith('/') ? e.path : (parent ? parent.replace(/\/$/, '') + '/' + e.path : e.path));
  const hasIndex = (e.children || []).some((c) => c.index && c.path === undefined);
  const file = path.posix.join(appDir, e.file);
  out.push({ pattern: '/' + (p || '').replace(/^\/|\/$/g, ''), file, index: !!e.index, page: !!(e.index || (e.path !== undefined && !hasIndex)), attached: outer });
  if (e.children) walk(e.children, p, [...outer, file]);
}};
walk(tree, '', []);
out.sort((a, b) => (a.pattern + '\0' + a.file < b.pattern + '\0' + b.file ? -1 : 1));
console.log(JSON.stringify(out, null, 1));
