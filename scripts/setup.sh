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
plugins=(); plugin_tests=()
for p in plugins/*; do
  [ -f "$p/pyproject.toml" ] && plugins+=(-e "$p") && plugin_tests+=(-e "$p[test]")
done
if [ "${1:-}" = "--dev" ]; then
  # each first-party plugin with its test extra: the real consumers its tests read its files back with
  pip install -c constraints-dev.txt -e ".[ml,dev]" "${plugin_tests[@]}"
  if [ -f tools/js/package.json ]; then
    npm ci --prefix tools/js --no-audit --no-fund --loglevel=error
  fi
  # the gallery's browser tests drive Debian's Chromium headless (Playwright uses it, never downloads a browser)
  if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
else
  pip install -c constraints-dev.txt -e . "${plugins[@]}"
fi
