#!/usr/bin/env bash
# Sets up and runs every test of the project (the README's test command; .ci/run calls it).
# Installs what the tests need on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

command -v git >/dev/null || { echo "git is required" >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "== cargo test --workspace" >&2
status=0
cargo test --workspace --locked 2>&1 | tee "$log" || status=$?

# One closing line over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
