#!/usr/bin/env bash
# Set up and serve the Hebi demo city on http://127.0.0.1:8000 (SQLite under var/).
# Extra arguments go to `fangkong demo` (e.g. --persons 100000, --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/fangkong demo "$@"
