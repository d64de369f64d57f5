#!/usr/bin/env bash
# Set up everything (idempotent) and run the whole test suite: gamegen's tests and each plugin's own tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
tests=(tests); for p in plugins/*/tests; do [ -d "$p" ] && tests+=("$p"); done
exec .venv/bin/python -m pytest -q "${tests[@]}" "$@"
