#!/usr/bin/env bash
# bench/realworld/run.sh — real-world accuracy of Perceo's page impact against dependency-cruiser.
#
# Usage:
#   bench/realworld/run.sh [NAME=REPO:APP_DIR:APP_SRC ...]
# Default repos (working copies made with `git clone -q <mirror> /tmp/realworld/<name>`):
#   midday=/tmp/realworld/midday:apps/dashboard:apps/dashboard   (Next.js app router)
#   civitai=/tmp/realworld/civitai:.:src                          (Next.js pages router at the root)
# A mirror that lacks a blob (midday: apps/website/public/images/notification-center.gif) fails the
# checkout; exclude the path with sparse-checkout (`core.sparseCheckout true`, `/*` and `!/<path>`
# in .git/info/sparse-checkout, then `git read-tree -mu --reset HEAD`); replay.mjs does this itself.
# APP_DIR is the Perceo project (`perceo init -y --dir APP_DIR` is run when APP_DIR/.perceo is
# missing); APP_SRC is where the app's sample is drawn from (the app dir, or src/ for a root app).
#
# Needs: git, node >= 20, npm (registry access once), /usr/bin/time, and the Perceo binary
#   ($PERCEO, default ~/.cache/perceo/target/release/perceo; never built here).
#   dependency-cruiser and typescript@5 are installed into $TOOLS (default /tmp/realworld/tools)
#   when missing. typescript must be 5.x: the 7.x package has no JS API and depcruise needs it.
# Environment:
#   OUT=/tmp/realworld/out     raw outputs (tsconfigs, depcruise JSON, reference/perceo/compare JSON,
#                              timings, replay, tables.md)
#   METHOD=auto|why|touch      how Perceo is asked (auto: `why` when the binary has it)
#   REPLAY=midday              which repo gets the 20-commit replay (empty: none); REPLAY_N=20
#   SKIP_TIMING=1              skip the timing runs
#   FULL=1                     also compare every candidate file, not only the sample ($OUT/<name>-all.*)
# Writes:
#   bench/realworld/<name>.sample.txt   the deterministic sample (30 app + 15 packages/ files)
#   $OUT/<name>.{tsconfig,depcruise,reference,perceo,compare,timing}.json, $OUT/<name>.replay.json
#   $OUT/tables.md                      the Markdown tables used in RESULTS.md
# Progress goes to stderr. Scratch copies: <repo>-touch (touch method), <repo>-replay (replay).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-/tmp/realworld/out}"
TOOLS="${TOOLS:-/tmp/realworld/tools}"
PERCEO="${PERCEO:-$HOME/.cache/perceo/target/release/perceo}"
METHOD="${METHOD:-auto}"
REPLAY="${REPLAY-midday}"
REPLAY_N="${REPLAY_N:-20}"
export TOOLS PERCEO
mkdir -p "$OUT"
say() { echo "[run] $*" >&2; }

if [ $# -eq 0 ]; then
  set -- midday=/tmp/realworld/midday:apps/dashboard:apps/dashboard civitai=/tmp/realworld/civitai:.:src
fi

# ---- tools ----
if [ ! -x "$TOOLS/node_modules/.bin/depcruise" ] || ! node -e "require('$TOOLS/node_modules/typescript').parseConfigFileTextToJson" 2>/dev/null; then
  say "installing dependency-cruiser and typescript@5 into $TOOLS"
  npm install --silent --prefix "$TOOLS" dependency-cruiser 'typescript@5' >&2
fi
DEPCRUISE="$TOOLS/node_modules/.bin/depcruise"
[ -x "$PERCEO" ] || { say "no Perceo binary at $PERCEO"; exit 2; }
# copy the binary: another build may replace it mid-run
cp "$PERCEO" "$OUT/perceo"; PERCEO="$OUT/perceo"; export PERCEO
if [ "$METHOD" = auto ]; then
  if "$PERCEO" why --help >/dev/null 2>&1; then METHOD=why; else METHOD=touch; fi
fi
say "perceo $("$PERCEO" --version) (method: $METHOD), depcruise $("$DEPCRUISE" --version), typescript $(node -p "require('$TOOLS/node_modules/typescript').version")"
{
  echo "perceo=$("$PERCEO" --version) method=$METHOD"
  echo "depcruise=$("$DEPCRUISE" --version) typescript=$(node -p "require('$TOOLS/node_modules/typescript').version") node=$(node --version)"
} > "$OUT/versions.txt"

names=()
for spec in "$@"; do
  name="${spec%%=*}"; rest="${spec#*=}"
  repo="${rest%%:*}"; rest="${rest#*:}"
  app="${rest%%:*}"; appsrc="${rest#*:}"
  names+=("$name")
  say "== $name: $repo (app $app, sample from $appsrc + packages/)"
  echo "$name sha=$(git -C "$repo" rev-parse HEAD) date=$(git -C "$repo" log -1 --format=%cI) app=$app" >> "$OUT/versions.txt"

  # 1. reference: tsconfig mapping workspace packages to source, depcruise, graph -> pages
  node "$HERE/gen-tsconfig.mjs" "$repo" "$app" "$OUT/$name.tsconfig.json"
  node "$HERE/sample.mjs" "$repo" "$appsrc" "$HERE/$name.sample.txt"
  roots=("$appsrc"); [ -d "$repo/packages" ] && roots+=(packages)
  say "depcruise ${roots[*]} (timed)"
  ( cd "$repo" && NODE_OPTIONS=--max-old-space-size=8192 /usr/bin/time -v "$DEPCRUISE" --no-config \
      --ts-pre-compilation-deps --ts-config "$OUT/$name.tsconfig.json" --output-type json "${roots[@]}" \
      > "$OUT/$name.depcruise.json" 2> "$OUT/$name.depcruise.time" ) || { tail -20 "$OUT/$name.depcruise.time" >&2; exit 1; }
  node "$HERE/reference.mjs" "$repo" "$app" "$OUT/$name.depcruise.json" "$HERE/$name.sample.txt" "$OUT/$name.reference.json"

  # 2. Perceo
  if [ ! -f "$repo/$app/.perceo/config.json" ]; then
    say "perceo init -y --dir $app"
    ( cd "$repo" && "$PERCEO" init -y --dir "$app" >&2 )
  fi
  node "$HERE/perceo-answer.mjs" "$METHOD" "$repo" "$app" "$HERE/$name.sample.txt" "$OUT/$name.perceo.json"

  # 3. compare
  node "$HERE/compare.mjs" "$name" "$OUT/$name.reference.json" "$OUT/$name.perceo.json" "$OUT/$name.compare.json"

  # 3b. optional: every candidate file instead of the sample (slow with the touch method:
  #     one commit + ci analyze per file, ~4 files/s)
  if [ -n "${FULL:-}" ]; then
    say "full run: every candidate source file"
    node "$HERE/sample.mjs" "$repo" "$appsrc" "$OUT/$name.all.txt" all
    node "$HERE/reference.mjs" "$repo" "$app" "$OUT/$name.depcruise.json" "$OUT/$name.all.txt" "$OUT/$name-all.reference.json"
    node "$HERE/perceo-answer.mjs" "$METHOD" "$repo" "$app" "$OUT/$name.all.txt" "$OUT/$name-all.perceo.json"
    node "$HERE/compare.mjs" "$name-all" "$OUT/$name-all.reference.json" "$OUT/$name-all.perceo.json" "$OUT/$name-all.compare.json"
    names+=("$name-all")
  fi

  # 4. timing (one run each; page cache warmed by the cat run first)
  if [ -z "${SKIP_TIMING:-}" ]; then
    say "timing"
    t() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
    ( cd "$repo"
      git ls-files -z -- "${roots[@]}" | grep -zE '\.(ts|tsx|js|jsx|mjs|cjs)$' > "$OUT/$name.srclist"
      nfiles=$(tr -cd '\0' < "$OUT/$name.srclist" | wc -c)
      xargs -0 cat < "$OUT/$name.srclist" > /dev/null          # warm the page cache
      cat_t=$(t sh -c "xargs -0 cat < '$OUT/$name.srclist'")
      rm -rf "$app/.perceo/cache"
      cold=$(t "$PERCEO" --project-dir "$app" ci analyze --base HEAD~1 --head HEAD --json --on-empty none)
      "$PERCEO" --project-dir "$app" ci analyze --base HEAD~1 --head HEAD --json --on-empty none > "$OUT/$name.warm.json" 2>/dev/null
      warm=$(t "$PERCEO" --project-dir "$app" ci analyze --base HEAD~1 --head HEAD --json --on-empty none)
      dc=$(grep -E 'Elapsed|Maximum resident' "$OUT/$name.depcruise.time" | awk -F': ' '{print $2}' | paste -sd' ')
      node -e '
        const [name, nfiles, cat, cold, warm, dc, load] = process.argv.slice(1);
        const w = require(process.argv[8]);
        const [dcWall, dcRss] = dc.split(" ");
        const sec = s => s.split(":").reduce((a, x) => a * 60 + +x, 0);
        const o = { name, sourceFiles: +nfiles, cat: { s: +cat.split(" ")[0], rssKB: +cat.split(" ")[1] },
          perceoCold: { s: +cold.split(" ")[0], rssKB: +cold.split(" ")[1] }, perceoWarm: { s: +warm.split(" ")[0], rssKB: +warm.split(" ")[1] },
          depcruise: { s: sec(dcWall), rssKB: +dcRss }, perceoModules: w.totals.modules, perceoEdges: w.totals.edges, load };
        require("fs").writeFileSync(process.argv[9], JSON.stringify(o, null, 1));
        console.error("[run] timing", JSON.stringify(o));
      ' "$name" "$nfiles" "$cat_t" "$cold" "$warm" "$dc" "$(cut -d' ' -f1-3 /proc/loadavg)" "$OUT/$name.warm.json" "$OUT/$name.timing.json"
    )
  fi

  # 5. commit replay
  if [ "$name" = "$REPLAY" ]; then
    say "replaying the $REPLAY_N most recent source commits"
    node "$HERE/replay.mjs" "$repo" "$app" "$OUT/$name.replay.json" "$REPLAY_N"
  fi
done

node "$HERE/report.mjs" "$OUT" "${names[@]}" > "$OUT/tables.md"
say "tables -> $OUT/tables.md"
cat "$OUT/tables.md"
