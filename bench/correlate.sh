#!/usr/bin/env bash
# Analytics correlation (issue 7): generated sessions aligned against generated flows with
# FlowSet::correlate, next to the textbook full-matrix walk_baseline on a sample, in one run.
# Usage: bash bench/correlate.sh [--sessions N] [--flows F] [--sample S] [--json]
#        (defaults: 1000000 sessions, 100 flows, baseline sample of 20000 sessions)
# Exits non-zero if FlowSet::matches disagrees with walk_baseline on the sample.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
cargo run --release -q -p perceo-core --example correlate_bench --manifest-path "$root/Cargo.toml" -- "$@"
