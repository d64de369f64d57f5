#!/usr/bin/env bash
# Create .venv (if missing) and install gamegen with the first-party plugins.
#   scripts/setup.sh        core only: procedural generators, no torch (what a terrain-only build script needs)
#   scripts/setup.sh --dev  everything the tests need: the ML extra (CPU torch pinned), dev tools, Node checkers
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
pip install --upgrade pip setuptools wheel
plugins=(); for p in plugins/*/; do [ -f "$p/pyproject.toml" ] && plugins+=(-e "$p"); done
if [ "${1:-}" = "--dev" ]; then
  pip install -c constraints-dev.txt -e ".[ml,dev]" "${plugins[@]}"
  if [ -f tools/js/package.json ]; then
    npm ci --prefix tools/js --no-audit --no-fund --loglevel=error
  fi
else
  pip install -c constraints-dev.txt -e . "${plugins[@]}"
fi
