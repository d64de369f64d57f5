#!/usr/bin/env bash
# Set up gamegen (procedural generators only, offline) and build the example game's asset bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gamegen build examples/starter/gamegen.toml -o starter-bundle "$@"
