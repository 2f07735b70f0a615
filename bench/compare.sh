#!/usr/bin/env bash
# Compare Perceo's impact analysis with the I/O floor and with two JS dependency tools.
#
#   bench/compare.sh GEN_DIR
#
# GEN_DIR is a repo made by `node bench/gen-monorepo.mjs GEN_DIR --modules 10000`.
# Env:
#   PERCEO   perceo binary (default: <repo>/target/release/perceo); skipped if missing
#   SCRATCH  where dependency-cruiser, madge and typescript are installed
#            (default: /tmp/perceo-bench-tools; never inside the Perceo repo)
#   JS_HEAP_MB  --max-old-space-size for the JS tools (default 8192)
#
# (tsconfig paths are passed absolute: dependency-cruiser mis-resolves a relative
# --ts-config whose "extends" is relative.)
# The script makes ONE new commit in GEN_DIR (a one-line change to a component) so that
# HEAD~1..HEAD is non-empty, then times each tool with /usr/bin/time -v.
# All runs use a warm OS page cache (one untimed read pass first). Perceo's "cold" run starts
# without .perceo/cache (the graph cache), "warm" is a second run that has it.
# Perceo needs flows to report any: run it with PERCEO_PROJECT_DIR=GEN_DIR after `perceo init -y`
# at GEN_DIR and committing the flows (see bench/README.md).
# Prints a markdown table (tool, seconds, max RSS MB, notes) on stdout; progress on stderr.
set -euo pipefail

GEN_DIR=${1:?usage: bench/compare.sh GEN_DIR}
GEN_DIR=$(cd "$GEN_DIR" && pwd)
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PERCEO=${PERCEO:-$REPO_ROOT/target/release/perceo}
case "$PERCEO" in /*) ;; *) PERCEO=$PWD/$PERCEO ;; esac
SCRATCH=${SCRATCH:-/tmp/perceo-bench-tools}
JS_HEAP_MB=${JS_HEAP_MB:-8192}
WORK=$(mktemp -d /tmp/perceo-compare.XXXXXX)

log() { printf '%s\n' "$*" >&2; }

case "$SCRATCH/" in "$REPO_ROOT"/*) log "SCRATCH must be outside the repo ($REPO_ROOT)"; exit 2 ;; esac
[ -d "$GEN_DIR/.git" ] || { log "$GEN_DIR is not a git repo (run bench/gen-monorepo.mjs first)"; exit 2; }

# ---- tools ----
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq time >&2
fi
if [ ! -x "$SCRATCH/node_modules/.bin/depcruise" ] || [ ! -x "$SCRATCH/node_modules/.bin/madge" ]; then
  log "installing dependency-cruiser, madge, typescript into $SCRATCH"
  mkdir -p "$SCRATCH"
  npm install --prefix "$SCRATCH" --no-audit --no-fund dependency-cruiser madge typescript >&2
fi
DEPCRUISE=$SCRATCH/node_modules/.bin/depcruise
MADGE=$SCRATCH/node_modules/.bin/madge
DC_VER=$("$DEPCRUISE" --version 2>/dev/null || echo '?')
MADGE_VER=$("$MADGE" --version 2>/dev/null || echo '?')

cd "$GEN_DIR"

# ---- one-file change so HEAD~1..HEAD is non-empty ----
TARGET=$(git ls-files 'apps/web/src/components/*.tsx' | LC_ALL=C sort | sed -n 1p)
[ -n "$TARGET" ] || { log "no component file found"; exit 2; }
N_TOUCH=$(git rev-list --count HEAD)
printf '\nexport const benchTouch%s = %s;\n' "$N_TOUCH" "$N_TOUCH" >> "$TARGET"
git add "$TARGET"
GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid \
GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid \
  git -c commit.gpgsign=false commit -q -m "bench: touch $TARGET"
log "changed $TARGET (commit $(git rev-parse --short HEAD))"

# ---- measurement helpers ----
SRC_LIST=$WORK/sources.txt
find apps packages -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' \) \
  -not -path '*/node_modules/*' -print0 > "$SRC_LIST"
N_FILES=$(tr -cd '\0' < "$SRC_LIST" | wc -c)
N_BYTES=$(xargs -0 cat < "$SRC_LIST" | wc -c)
xargs -0 cat < "$SRC_LIST" > /dev/null   # warm the page cache (untimed)

ROWS=()
# run NAME NOTE CMD...  -> appends "| NAME | secs | MB | note |" to ROWS
run() {
  local name=$1 note=$2; shift 2
  local tf=$WORK/$(echo "$name" | tr -c 'A-Za-z0-9' '_').time
  local of=${tf%.time}.out
  log "running: $name"
  local rc=0
  /usr/bin/time -v -o "$tf" "$@" > "$of" 2> "$of.err" || rc=$?
  local el rss secs mb
  el=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tf")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
  secs=$(awk -v t="$el" 'BEGIN { n = split(t, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; printf "%.2f", s }')
  mb=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
  if [ "$rc" -ne 0 ]; then
    note="${note:+$note; }FAILED rc=$rc: $(tail -n 1 "$of.err" | cut -c1-120)"
  fi
  LAST_OUT=$of
  ROWS+=("| $name | $secs | $mb | $note |")
}

add_note() { # append text to the notes cell of the last row
  local row=${ROWS[-1]% |}
  case "$row" in *"| ") ROWS[-1]="$row$1 |" ;; *) ROWS[-1]="$row; $1 |" ;; esac
}

json_count() { # FILE EXPR -> number (or ?)
  node -e 'try { const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2])); } catch (e) { console.log("?"); }' "$1" "$2"
}

# (a) I/O floor
run "cat (I/O floor)" "$N_FILES files, $((N_BYTES / 1000000)) MB" \
  bash -c "xargs -0 cat < '$SRC_LIST' > /dev/null"

# (b)/(c) Perceo
if [ -x "$PERCEO" ]; then
  rm -rf .perceo/cache
  run "perceo ci analyze (cold)" "first run" "$PERCEO" ci analyze --base HEAD~1 --head HEAD --json
  FLOWS=$(json_count "$LAST_OUT" '(j.flows || []).length')
  add_note "flows=$FLOWS"
  run "perceo ci analyze (warm)" "second run (graph cache present)" "$PERCEO" ci analyze --base HEAD~1 --head HEAD --json
else
  ROWS+=("| perceo ci analyze (cold) | - | - | skipped: $PERCEO not found |")
  ROWS+=("| perceo ci analyze (warm) | - | - | skipped: $PERCEO not found |")
fi

# (d) dependency-cruiser
export NODE_OPTIONS="--max-old-space-size=$JS_HEAP_MB"
run "dependency-cruiser $DC_VER" "" \
  "$DEPCRUISE" --no-config --ts-pre-compilation-deps --ts-config "$GEN_DIR/apps/web/tsconfig.json" --output-type json apps packages
DC_MODS=$(json_count "$LAST_OUT" 'j.modules.length')
DC_UNRES=$(json_count "$LAST_OUT" 'j.modules.reduce((s, m) => s + m.dependencies.filter((d) => d.couldNotResolve).length, 0)')
add_note "modules=$DC_MODS, unresolved deps=$DC_UNRES"

# (e) madge
run "madge $MADGE_VER" "" \
  "$MADGE" --json --ts-config "$GEN_DIR/apps/web/tsconfig.json" --extensions ts,tsx apps packages
MADGE_MODS=$(json_count "$LAST_OUT" 'Object.keys(j).length')
add_note "modules=$MADGE_MODS"
unset NODE_OPTIONS

# ---- report ----
echo "Repo: $GEN_DIR ($N_FILES source files, $((N_BYTES / 1000000)) MB), change: $TARGET"
echo "Host: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; warm page cache"
echo
echo "| tool | seconds | max RSS MB | notes |"
echo "|------|--------:|-----------:|-------|"
printf '%s\n' "${ROWS[@]}"
log "raw outputs kept in $WORK"
