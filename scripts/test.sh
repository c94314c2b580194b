#!/usr/bin/env bash
# The checks, then the whole test suite: ruff, mypy (config in pyproject.toml) and
# "no model change without its migration" first, failing the run if either fails;
# then the suite on SQLite with a coverage figure, then on PostgreSQL when
# 127.0.0.1:5432 answers.
# Browser journeys need Debian's Chromium (/usr/bin/chromium); without it they are
# skipped with a loud warning, unless FANGKONG_REQUIRE_BROWSER=1 (CI), where a
# missing browser fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FANGKONG_VAR_DIR="${FANGKONG_VAR_DIR:-$(pwd)/var/test}"
mkdir -p "$FANGKONG_VAR_DIR"
workers="${FANGKONG_TEST_WORKERS:-2}"
if [ ! -x /usr/bin/chromium ]; then
  echo "!!! /usr/bin/chromium is missing: browser journeys will be SKIPPED." >&2
  echo "!!! Install it with: apt-get install -y chromium fonts-noto-cjk" >&2
fi

src="$(pwd)/src${PYTHONPATH:+:$PYTHONPATH}"
echo "==> ruff (lint and format; rules in pyproject.toml)"
.venv/bin/ruff check src tests conftest.py benchmarks scripts
.venv/bin/ruff format --check src tests conftest.py benchmarks scripts
echo "==> mypy"
PYTHONPATH="$src" .venv/bin/python -m mypy
echo "==> migrations match the models"
PYTHONPATH="$src" env -u DATABASE_URL \
  .venv/bin/python -m django makemigrations --check --dry-run --settings=fangkong.settings

echo "==> tests on SQLite (with coverage)"
env -u DATABASE_URL .venv/bin/python -m pytest -n "$workers" \
  --cov=fangkong --cov-report=term:skip-covered "$@"

if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "==> tests on PostgreSQL (127.0.0.1:5432)"
  DATABASE_URL="${FANGKONG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/fangkong}" \
    .venv/bin/python -m pytest -n "$workers" "$@"
else
  echo "!!! PostgreSQL at 127.0.0.1:5432 does not answer: PostgreSQL tests SKIPPED." >&2
  if [ "${FANGKONG_REQUIRE_POSTGRES:-0}" = "1" ]; then exit 1; fi
fi
