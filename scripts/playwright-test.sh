#!/usr/bin/env bash
# A real Playwright run through `perceo ci test` (Perceo's default runner): Debian's Chromium
# (installed when missing; no browser download), @playwright/test from npm, the fixture app
# in tests/fixtures/playwright-app with one passing and one failing flow.
# Prints `playwright-tests: N passed, M failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cargo build -q --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
perceo="$CARGO_TARGET_DIR/debug/perceo"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp -r "$root/tests/fixtures/playwright-app" "$work/app"
(cd "$work/app" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent --loglevel=error)
git -C "$work/app" init -q -b main
git -C "$work/app" add -A >/dev/null
git -C "$work/app" -c user.name=t -c user.email=t@t commit -qm fixture
status=0
"$perceo" --project-dir "$work/app" ci test --flows-from all --json > "$work/report.json" || status=$?
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi; }
q() { node -e "const r=require('$work/report.json'); const f=r.flows.find(x=>x.flowId==='$1'); process.stdout.write(String($2))"; }
check "exit code 1 when a flow fails" '[ "$status" = 1 ]'
check "add-to-cart passed with its Playwright test case" '[ "$(q add-to-cart "f.status+\":\"+f.cases.length")" = "passed:1" ]'
check "checkout failed with Playwright's message" '[ "$(q checkout "f.status+\":\"+/toHaveText/.test(f.failures[0])")" = "failed:true" ]'
# A flow whose only test is linked (as `perceo flows link-tests` writes it): Playwright runs
# that one test by `spec:line` from its suite's folder, not the rest of the spec.
cat > "$work/app/.perceo/flows/linked-cart.json" <<'JSON'
{ "id": "linked-cart", "name": "Cart, linked test", "priority": "high", "pages": ["/"],
  "tests": { "specs": [], "linked": [{ "spec": "e2e/cart.spec.js", "line": 3, "title": "adds an item to the cart @cart", "config": "playwright.config.js" }] } }
JSON
echo '{ "flows": [{ "id": "linked-cart" }] }' > "$work/selected.json"
linked_status=0
"$perceo" --project-dir "$work/app" ci test --flows-from "$work/selected.json" --json > "$work/linked.json" || linked_status=$?
ql() { node -e "const r=require('$work/linked.json'); const f=r.flows.find(x=>x.flowId==='linked-cart'); process.stdout.write(String($1))"; }
check "a linked test runs alone, by spec:line" '[ "$linked_status" = 0 ] && [ "$(ql "f.status+\":\"+f.cases.length+\":\"+f.cases[0].name")" = "passed:1:adds an item to the cart @cart" ]'

echo "playwright-tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
