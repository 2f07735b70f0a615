#!/usr/bin/env bash
# Event-bus throughput through a real Redis, next to redis-benchmark on the same server in
# the same run. Usage: bash bench/bus.sh   (starts its own Redis on port 16399)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
cargo build --release -q -p perceo-core --example bus_bench --manifest-path "$root/Cargo.toml"
url="$(bash "$root/tests/services/redis/redis.sh" start --port 16399)"
trap 'bash "$root/tests/services/redis/redis.sh" stop --port 16399' EXIT
echo "## perceo (each event: XADD to the stream + PUBLISH, ~300-byte JSON)"
"$CARGO_TARGET_DIR/release/examples/bus_bench" "$url"
echo
echo "## redis-benchmark $(redis-benchmark --version | awk '{print $2}') PUBLISH (50 clients, 5-byte payload)"
for p in 1 100; do
  rps=$(redis-benchmark -p 16399 --user perceo -a perceo-redis-pw -n 100000 -P "$p" --csv PUBLISH Perceo:bench hello 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
  echo "pipeline $p: $rps requests/s"
done
