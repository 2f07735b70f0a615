#!/usr/bin/env bash
# Sets up and runs every test of the project (the README's test command; .ci/run calls it).
# Installs what the tests need on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

command -v git >/dev/null || { echo "git is required" >&2; exit 1; }

echo "== cargo test --workspace" >&2
cargo test --workspace --locked
