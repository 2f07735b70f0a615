#!/usr/bin/env bash
# Sets up and runs every test of the project (the README's test command; .ci/run calls it).
# Installs what the tests need on a fresh machine; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

command -v git >/dev/null || { echo "git is required" >&2; exit 1; }

log="$(mktemp)"
cleanup() {
  bash tests/services/neo4j/neo4j.sh stop --port "$NEO4J_PORT" >/dev/null 2>&1 || true
  bash tests/services/redis/redis.sh stop --port "$REDIS_PORT" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

# Services the tests need. Neo4j 5.26 Community, built from Maven Central artifacts (needs
# java 17 and mvn), on a loopback port; stopped on exit.
NEO4J_PORT="${PERCEO_TEST_NEO4J_PORT:-17687}"
echo "== starting Neo4j (tests/services/neo4j)" >&2
PERCEO_TEST_NEO4J_URI="$(bash tests/services/neo4j/neo4j.sh start --port "$NEO4J_PORT" --password perceo-test-pw --database perceo)"
export PERCEO_TEST_NEO4J_URI PERCEO_TEST_NEO4J_PASSWORD=perceo-test-pw PERCEO_TEST_NEO4J_DATABASE=perceo
# Redis from Debian's package (installed when missing), with an ACL user.
REDIS_PORT="${PERCEO_TEST_REDIS_PORT:-16379}"
echo "== starting Redis (tests/services/redis)" >&2
PERCEO_TEST_REDIS_URL="$(bash tests/services/redis/redis.sh start --port "$REDIS_PORT")"
export PERCEO_TEST_REDIS_URL
echo "== cargo test --workspace" >&2
status=0
# Tests that need Neo4j or Redis are #[ignore]d with the reason (a plain `cargo test` lists
# them as ignored); with the services started above, run them all.
cargo test --workspace --locked --no-fail-fast -- --include-ignored 2>&1 | tee "$log" || status=$?

# The minimal build of perceo-core (no Cargo features: configuration + impact, SQLite graph,
# in-memory bus): it links no network or server crate, and its tests pass.
echo "== cargo test -p perceo-core --no-default-features (the minimal build)" >&2
if cargo tree -p perceo-core --no-default-features --locked -e normal --prefix none \
  | grep -E '^(reqwest|hyper|axum|neo4rs|redis|rustls|zip) '; then
  echo "the minimal build of perceo-core links the crates above" >&2
  status=1
fi
cargo test -p perceo-core --no-default-features --locked --no-fail-fast 2>&1 | tee -a "$log" || status=$?

# One closing line over every test binary.
# The Node package: addon, loader/types freshness, node --test, npm and pnpm installs of the
# packed tarballs. Its closing line is folded into the total below.
echo "== Node package (scripts/npm-test.sh)" >&2
bash scripts/npm-test.sh 2>&1 | tee -a "$log" || status=$?

# The C ABI: header freshness, a C program against the shared and static libraries, valgrind.
echo "== C API (scripts/c-test.sh)" >&2
bash scripts/c-test.sh 2>&1 | tee -a "$log" || status=$?

# A real Playwright run (Debian's Chromium) through `perceo ci test`.
echo "== Playwright (scripts/playwright-test.sh)" >&2
bash scripts/playwright-test.sh 2>&1 | tee -a "$log" || status=$?

# The dashboard in headless Chromium (uses the Redis started above).
echo "== Dashboard (scripts/dashboard-test.sh)" >&2
bash scripts/dashboard-test.sh 2>&1 | tee -a "$log" || status=$?

# `perceo serve` against its OpenAPI document: schemathesis from PyPI (no 5xx, no schema
# violations).
echo "== perceo serve (scripts/schemathesis.sh)" >&2
bash scripts/schemathesis.sh 2>&1 | tee -a "$log" || status=$?

# Production funnels against Biopython's aligner on a synthetic GA4 export (issue 22).
echo "== Funnels vs Biopython (scripts/funnel-check.sh)" >&2
bash scripts/funnel-check.sh 2>&1 | tee -a "$log" || status=$?

# The deployment guide: its local commands run against the example app (uses the Neo4j and
# Redis started above), its references and flags checked.
echo "== Deployment guide (scripts/docs-test.sh)" >&2
bash scripts/docs-test.sh 2>&1 | tee -a "$log" || status=$?

# The CI templates (GitHub workflow + composite action, GitLab CI) run locally against the
# example app with the npm package packed from the addon npm-test.sh built; actionlint.
echo "== CI templates (scripts/ci-template-test.sh)" >&2
bash scripts/ci-template-test.sh 2>&1 | tee -a "$log" || status=$?

awk '/^test result:|^npm-tests:|^c-tests:|^playwright-tests:|^dashboard-tests:|^schemathesis-tests:|^funnel-tests:|^docs-tests:|^ci-template-tests:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
