#!/usr/bin/env bash
# One analysis of the example app (main..feature) through the Rust API, the C API, the Node
# package and the CLI, in one run. Build first: scripts/c-test.sh and scripts/npm-test.sh
# (or `npm run build` in npm/) leave the C library and the addon in place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
N="${N:-20}"
cargo build --release -q -p perceo-core --example analyze_bench -p perceo-cli --manifest-path "$root/Cargo.toml"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
app="$work/app"; cp -r "$root/examples/shop" "$app"
g() { git -C "$app" -c user.name=t -c user.email=t@t "$@"; }
g init -q -b main; g add -A; g commit -qm base; g checkout -qb feature
printf '\nexport const MAX = 3;\n' >> "$app/src/lib/cart/store.ts"; g commit -qam change
"$CARGO_TARGET_DIR/release/perceo" --project-dir "$app" graph sync -q >/dev/null

"$CARGO_TARGET_DIR/release/examples/analyze_bench" "$app" main feature "$N"

# C: the test program prints its own timing line.
gcc -O2 -I"$root/include" "$root/tests/c/analyze.c" -o "$work/analyze-c" -L"$CARGO_TARGET_DIR/release" -lperceo -Wl,-rpath,"$CARGO_TARGET_DIR/release" -lpthread
"$work/analyze-c" "$app" 2>/dev/null | grep '^bench:' | sed 's/^bench:/c:/'

node -e '
  const { Perceo } = require(process.argv[1]); const n = +process.argv[3];
  (async () => {
    const p = Perceo.open(process.argv[2]);
    let t = process.hrtime.bigint(); await p.analyze({ base: "main", head: "feature" });
    const first = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await p.analyze({ base: "main", head: "feature" });
    console.log(`node: first call ${first.toFixed(2)} ms, then mean ${(Number(process.hrtime.bigint() - t) / 1e6 / n).toFixed(2)} ms over ${n} calls`);
  })();' "$root/npm/index.js" "$app" "$N"

start=$(date +%s%N)
for _ in $(seq "$N"); do "$CARGO_TARGET_DIR/release/perceo" --project-dir "$app" ci analyze --base main --head feature --json -q >/dev/null; done
echo "cli: mean $(( ($(date +%s%N) - start) / N / 1000 )) µs per process over $N runs (start-up and open included)"
