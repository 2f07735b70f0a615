#!/usr/bin/env bash
# Builds perceo and runs it on the bundled example app (examples/shop) in a throwaway copy.
# Needs only Rust and git: no services, embedded defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
cargo build --release --locked -p perceo-cli --manifest-path "$root/Cargo.toml" >&2
perceo="$CARGO_TARGET_DIR/release/perceo"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/shop/." "$work/"
rm -rf "$work/.perceo/config.json"
cd "$work"
echo "\$ perceo init" >&2
"$perceo" init
echo "\$ perceo config show" >&2
"$perceo" config show
