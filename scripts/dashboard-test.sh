#!/usr/bin/env bash
# The dashboard in real headless Chromium (Debian's, installed when missing) driven by
# playwright-core from npm, plus its JSON API. Needs PERCEO_TEST_REDIS_URL (scripts/test.sh
# starts Redis). Screenshots go to $PERCEO_ARTIFACTS (default target dir/artifacts).
# Prints `dashboard-tests: N passed, M failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
export PERCEO_ARTIFACTS="${PERCEO_ARTIFACTS:-$CARGO_TARGET_DIR/artifacts}"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cargo build -q --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
export PERCEO="$CARGO_TARGET_DIR/debug/perceo"
cd "$root/tests/dashboard"
npm ci --no-audit --no-fund --silent --loglevel=error
status=0
node --test dashboard.test.mjs > "$CARGO_TARGET_DIR/dashboard-tests.log" 2>&1 || status=$?
cat "$CARGO_TARGET_DIR/dashboard-tests.log" >&2
pass=$(grep -E '^# pass' "$CARGO_TARGET_DIR/dashboard-tests.log" | awk '{print $3}')
fail=$(grep -E '^# fail' "$CARGO_TARGET_DIR/dashboard-tests.log" | awk '{print $3}')
echo "screenshots: $PERCEO_ARTIFACTS" >&2
echo "dashboard-tests: ${pass:-0} passed, ${fail:-1} failed"
exit "$status"
