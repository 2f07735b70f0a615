#!/usr/bin/env bash
# Requests per second and latency of `POST /observer/analyze` served by `perceo serve` on the
# example app, measured with wrk (Debian's package), against the same analysis called
# in-process (perceo-core/examples/serve_bench.rs: `Perceo::analyze_change_set` on one shared
# facade, no HTTP).
#
#   bench/serve.sh            # markdown table on stdout, progress on stderr
#
# Env: DURATION (wrk seconds per run, default 10), CONNECTIONS (default "1 4"), CALLS
# (in-process calls per run, default 300). Release builds; the server, wrk and the
# in-process runs share the machine (no separate load generator), so figures are a floor.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-1 4}"
CALLS="${CALLS:-300}"
log() { printf '%s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
log "building (release)"
cargo build -q --release --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
cargo build -q --release --locked -p perceo-core --example serve_bench --manifest-path "$root/Cargo.toml"
perceo="$CARGO_TARGET_DIR/release/perceo"
inproc="$CARGO_TARGET_DIR/release/examples/serve_bench"

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The example app with one change on a branch (as the tests and the demo do).
app="$work/shop"
cp -r "$root/examples/shop" "$app"
g() { git -C "$app" -c user.name=b -c user.email=b@b -c init.defaultBranch=main "$@"; }
g init -q && g add -A && g commit -qm base && g checkout -qb feature
printf '\nexport const MAX = 3;\n' >> "$app/src/lib/cart/store.ts"
g commit -qam change

# The request a client sends: the change set of `ci analyze`.
"$perceo" --project-dir "$app" ci analyze --base main --head feature --json -q > "$work/report.json"
python3 - "$work/report.json" > "$work/body.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"baseSha": r["baseSha"], "headSha": r["headSha"], "mergeBase": r["mergeBase"], "files": r["changes"]}))
PY
flows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["flows"]))' "$work/report.json")

key="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
PERCEO_SERVE_API_KEYS="$key" "$perceo" serve --port 0 --project-dir "$app" > "$work/url" 2> "$work/serve.log" &
server=$!
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url="$(head -n1 "$work/url")"

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
LUA
export BODY_FILE="$work/body.json" KEY="$key"
# Warm the server's graph cache and SQLite.
for _ in 1 2 3 4 5; do
  curl -sf -o /dev/null -H "Authorization: Bearer $key" -H 'content-type: application/json' \
    --data-binary @"$work/body.json" "$url/observer/analyze"
done

echo "| how | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|--:|--:|--:|--:|--:|"
for c in $CONNECTIONS; do
  log "wrk -c$c -d${DURATION}s POST /observer/analyze"
  threads=$(( c < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s "$work/post.lua" "$url/observer/analyze" > "$work/wrk-$c.txt"
  cat "$work/wrk-$c.txt" >&2
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk-$c.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk-$c.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$c.txt")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print "socket"}' "$work/wrk-$c.txt" | paste -sd' ')
  echo "| HTTP (perceo serve, wrk) | $c | $rps | $p50 | $p99 | ${errors:-0} |"
done
for t in $CONNECTIONS; do
  log "in-process: $CALLS calls on $t thread(s)"
  line=$("$inproc" "$app" main feature "$CALLS" "$t")
  log "$line"
  python3 - "$line" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"| in-process (Perceo::analyze_change_set) | {r['threads']} | {r['perSecond']} | {r['p50Ms']}ms | {r['p99Ms']}ms | 0 |")
PY
done
kill -TERM "$server"
wait "$server" || log "perceo serve exited $? on SIGTERM"
server=""
log "example app: $flows affected flow(s) for a one-line change to src/lib/cart/store.ts; $(nproc) CPU(s)"
