#!/usr/bin/env bash
# Property-based tests of `perceo serve` against its own OpenAPI document: schemathesis (from
# PyPI, cached in a venv under the cargo target dir) generates requests for every operation
# of /openapi.json, on the example app, and checks that no answer is a 5xx and that every
# answer matches the documented schema. A few hundred requests per operation at most, well
# under 3 minutes. The server must also stop cleanly on SIGTERM and log no 5xx.
# Prints `schemathesis: ok` (or the failures) and `schemathesis-tests: N passed, M failed`
# (one test per API operation); exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
SEED="${SCHEMATHESIS_SEED:-20261126}"

venv="$CARGO_TARGET_DIR/schemathesis-venv"
st="$venv/bin/schemathesis"
bash "$root/scripts/python-venv.sh" "$venv" "schemathesis==$SCHEMATHESIS_VERSION"

cargo build -q --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
perceo="$CARGO_TARGET_DIR/debug/perceo"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
  if [ -n "${KEEP_SCHEMATHESIS_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The example app in a git repository, as a server's checkout would be.
cp -r "$root/examples/shop" "$work/shop"
git -C "$work/shop" -c init.defaultBranch=main init -q
git -C "$work/shop" add -A
git -C "$work/shop" -c user.name=ci -c user.email=ci@localhost commit -qm shop
# Synced analytics events (as `perceo analytics sync` stores them), so the analytics endpoints
# answer with real correlations and gaps, whose schemas are then checked too.
"$perceo" --project-dir "$work/shop" config set analytics.provider mixpanel -q >/dev/null
t=$(( ($(date +%s) - 3600) * 1000 ))
day="$work/shop/.perceo/analytics/mixpanel/$(date -u -d "@$(( t / 1000 ))" +%F)"
mkdir -p "$day"
for u in u1 u2 u3; do
  printf '{"name":"view_item","timeMs":%d,"user":"%s","page":"/product/1","device":"mobile"}\n' "$t" "$u"
  printf '{"name":"add_to_cart","timeMs":%d,"user":"%s","page":"/product/1"}\n' $(( t + 1000 )) "$u"
  printf '{"name":"page_view","timeMs":%d,"user":"%s","page":"/orders/%s"}\n' $(( t + 2000 )) "$u" "$u"
  printf '{"name":"share_order","timeMs":%d,"user":"%s"}\n' $(( t + 3000 )) "$u"
done > "$day/seed.ndjson"

key="st-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
PERCEO_SERVE_API_KEYS="$key" "$perceo" serve --port 0 --project-dir "$work/shop" \
  > "$work/url" 2> "$work/serve.log" &
server=$!
for _ in $(seq 1 100); do
  [ -s "$work/url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; echo "schemathesis: perceo serve did not start"; echo "schemathesis-tests: 0 passed, 1 failed"; exit 1; }
  sleep 0.1
done
url="$(head -n1 "$work/url")"
echo "== schemathesis $SCHEMATHESIS_VERSION against $url/openapi.json (max $MAX_EXAMPLES examples per operation, seed $SEED)" >&2

status=0
# Run from the scratch folder: schemathesis keeps its example database in the working directory.
# One worker: with two, Hypothesis describes lambdas by parsing their source with `ast` on both
# threads at once, which CPython 3.11 does not survive ("AST constructor recursion depth
# mismatch", a RuntimeError reported as a failing operation).
cd "$work"
"$st" run "$url/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --header "Authorization: Bearer $key" \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
  --workers 1 --request-timeout 30 --no-shrink \
  --suppress-health-check too_slow,filter_too_much \
  --report junit --report-junit-path "$work/junit.xml" \
  > "$work/schemathesis.log" 2>&1 || status=$?
cat "$work/schemathesis.log" >&2

# SIGTERM: in-flight requests finish, the process exits 0.
kill -TERM "$server"
stopped=0
wait "$server" || stopped=$?
server=""
if [ "$stopped" -ne 0 ]; then
  echo "perceo serve exited $stopped on SIGTERM" >&2
  status=1
fi
if grep -q '"status":5[0-9][0-9]' "$work/serve.log"; then
  echo "the server logged 5xx answers:" >&2
  grep '"status":5[0-9][0-9]' "$work/serve.log" | head -20 >&2
  status=1
fi

# Counts from the JUnit report's root element (one test per operation, plus the stateful run).
attr() { grep -o "<testsuites[^>]*" "$work/junit.xml" 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0; }
tests=$(attr tests)
failed=$(( $(attr failures) + $(attr errors) ))
passed=$(( tests - failed ))
if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$tests" -gt 0 ]; then
  echo "schemathesis: ok"
else
  echo "schemathesis: FAILED (exit $status, $failed failing test(s) of $tests); see the log above"
  [ "$failed" -gt 0 ] || failed=1
fi
echo "schemathesis-tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$tests" -gt 0 ]
