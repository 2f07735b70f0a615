#!/usr/bin/env bash
# Builds perceo and runs the main job, `perceo ci analyze`, on the bundled example app
# (examples/shop) in a throwaway git repository: a base commit, then a change to the cart
# store and to the workspace UI package. Needs only Rust and git: no services.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
echo "Building perceo (release)..." >&2
cargo build --release --locked -q -p perceo-cli --manifest-path "$root/Cargo.toml"
perceo="$CARGO_TARGET_DIR/release/perceo"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/shop/." "$work/"
cd "$work"
git init -q -b main
git add -A
git -c user.name=demo -c user.email=demo@example.com commit -q -m "base: the shop"
git checkout -q -b feature
printf '\nexport const MAX_QUANTITY = 10;\n' >> src/lib/cart/store.ts
printf '\nexport const BADGE_TONE = "info";\n' >> packages/ui/src/Badge.tsx
git -c user.name=demo -c user.email=demo@example.com commit -q -am "feature: cart limit and badge tone"

echo "\$ perceo flows list" >&2
"$perceo" flows list
echo >&2
echo "\$ perceo ci analyze --base main --head feature" >&2
"$perceo" ci analyze --base main --head feature
