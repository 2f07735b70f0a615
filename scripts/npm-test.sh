#!/usr/bin/env bash
# Builds the Node addon, checks the generated loader and types are fresh, runs the
# `node --test` suite, then packs @perceo/perceo (and its linux-x64-gnu package), installs
# the tarballs into scratch projects with npm and with pnpm, and runs `npx perceo` /
# `pnpm exec perceo` there. Prints `npm-tests: N passed, M failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
cd "$root/npm"
passed=0; failed=0
check() { # name, command...
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name" >&2; else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}

echo "== npm ci (napi-rs CLI, in npm/tools)" >&2
(cd tools && npm ci --no-audit --no-fund --silent --loglevel=error)
echo "== result types (tools/gen-types.mjs: generated from schema/openapi.json)" >&2
node tools/gen-types.mjs --check
echo "== napi build" >&2
tools/node_modules/.bin/napi build --platform --release --manifest-path ../perceo-node/Cargo.toml --output-dir . --js index.js --dts index.d.ts >&2
if ! git -C "$root" diff --quiet -- npm/index.js npm/index.d.ts; then
  echo "npm/index.js or npm/index.d.ts is stale: run 'npm run build' in npm/ and commit them" >&2
  git -C "$root" diff --stat -- npm/index.js npm/index.d.ts >&2
  exit 1
fi

echo "== node --test" >&2
check "node --test suite" node --test test/
check "index.d.ts type-checks what the tests read (tsc --strict)" \
  tools/node_modules/.bin/tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext test/types-check.ts

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp perceo.linux-x64-gnu.node npm/linux-x64-gnu/
(cd npm/linux-x64-gnu && npm pack --silent --pack-destination "$work" >/dev/null)
npm pack --silent --pack-destination "$work" >/dev/null
rm -f npm/linux-x64-gnu/perceo.linux-x64-gnu.node
main_tgz="$(ls "$work"/perceo-perceo-0*.tgz)"
platform_tgz="$(ls "$work"/perceo-perceo-linux-x64-gnu-*.tgz)"

# The example app in a git repo with a change on a branch.
app="$work/app"
cp -r "$root/examples/shop" "$app"
g() { git -C "$app" -c user.name=t -c user.email=t@t "$@"; }
g init -q -b main; g add -A; g commit -qm base; g checkout -qb feature
printf '\nexport const MAX = 3;\n' >> "$app/src/lib/cart/store.ts"; g commit -qam change

analyze_ok() { # runner...
  local out
  out="$("$@" --project-dir "$app" ci analyze --base main --head feature --json -q)" || return 1
  node -e 'const r = JSON.parse(process.argv[1]); if (!r.flows.some(f => f.id === "checkout")) process.exit(1)' "$out"
}

echo "== npm: install the tarballs, npx perceo" >&2
mkdir "$work/npm-project"
(cd "$work/npm-project" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent --ignore-scripts "$platform_tgz" "$main_tgz")
check "npx perceo --version" bash -c "cd '$work/npm-project' && npx perceo --version | grep -q '^perceo '"
check "npx perceo ci analyze --json" analyze_ok env PATH="$work/npm-project/node_modules/.bin:$PATH" perceo

echo "== pnpm: install the tarballs, pnpm exec perceo" >&2
npm install --prefix "$work/pnpm-tool" --no-audit --no-fund --silent pnpm@10
pnpm="$work/pnpm-tool/node_modules/.bin/pnpm"
mkdir "$work/pnpm-project"
(cd "$work/pnpm-project" && echo '{"name":"scratch","version":"1.0.0"}' > package.json && "$pnpm" add --silent "$platform_tgz" "$main_tgz" >/dev/null)
check "pnpm exec perceo --version" bash -c "cd '$work/pnpm-project' && '$pnpm' exec perceo --version | grep -q '^perceo '"
check "pnpm exec perceo ci analyze --json" analyze_ok "$pnpm" --dir "$work/pnpm-project" exec perceo

echo "npm-tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
