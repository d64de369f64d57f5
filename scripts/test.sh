#!/usr/bin/env bash
# Set up everything (idempotent) and run the whole test suite: gamegen's tests and each plugin's own tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export GAMEGEN_NO_IMPORT_SKIPS=1  # a missing test dependency (a broken ml extra) fails, never skips
tests=(tests); for p in plugins/*/tests; do [ -d "$p" ] && tests+=("$p"); done
packages=(gamegen); for p in plugins/*/gamegen_*/__init__.py; do packages+=("$(dirname "$p")"); done
.venv/bin/python -m mypy "${packages[@]}"  # typed seams stay typed (config: pyproject.toml)
exec .venv/bin/python -m pytest -q "${tests[@]}" "$@"
