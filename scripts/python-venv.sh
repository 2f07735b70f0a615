#!/usr/bin/env bash
# Makes (once) a Python venv holding one pinned PyPI requirement, for the test scripts that
# use a Python tool (schemathesis, biopython). Safe to run again: a venv already made for
# the same requirement is kept.
# Usage: bash scripts/python-venv.sh VENV_DIR 'package==version'
set -euo pipefail
venv="$1"
requirement="$2"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirement" 2>/dev/null)" = "$requirement" ]; then
  exit 0
fi
echo "== installing $requirement into $venv" >&2
rm -rf "$venv"
if ! python3 -m venv "$venv" >/dev/null 2>&1; then
  # Debian's python3 keeps venv in its own package.
  rm -rf "$venv"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "$requirement"
echo "$requirement" > "$venv/.requirement"
