#!/usr/bin/env bash
# Perceo's production funnels against an independent aligner (issue 22): a seeded synthetic
# GA4 export with every journey kind, through `perceo analytics sync` and `correlate`, compared
# figure by figure with the README's rules computed by Biopython's PairwiseAligner (PyPI,
# cached in a venv under the cargo target dir). Prints `funnel-tests: N passed, M failed`
# (one test per compared figure); exits non-zero on any difference.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
BIOPYTHON_VERSION="${BIOPYTHON_VERSION:-1.88}"

venv="$CARGO_TARGET_DIR/biopython-venv"
bash "$root/scripts/python-venv.sh" "$venv" "biopython==$BIOPYTHON_VERSION"

cargo build -q --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
"$venv/bin/python" "$root/bench/analytics/funnel_check.py" --perceo "$CARGO_TARGET_DIR/debug/perceo" 2>&1 | tee "$log" || status=$?
line="$(grep -o 'funnel-check: [0-9]* of [0-9]* figures agree' "$log" || true)"
if [ -z "$line" ]; then
  echo "funnel-tests: 0 passed, 1 failed"
  exit 1
fi
agree="$(echo "$line" | awk '{print $2}')"
total="$(echo "$line" | awk '{print $4}')"
echo "funnel-tests: $agree passed, $((total - agree)) failed"
exit "$status"
