#!/usr/bin/env bash
# Installs everything Fangkong needs into this checkout: a virtualenv with the
# pinned Python packages, and the front-end libraries from the npm registry,
# copied into static/vendor so that nothing is fetched at run time.
# Safe to run again: it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.fangkong-installed
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing Python packages (pinned in requirements.lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

vendor=src/fangkong/static/vendor
lockhash=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat "$vendor/.stamp" 2>/dev/null)" != "$lockhash" ]; then
  echo "==> installing front-end libraries (npm ci, package-lock.json)"
  command -v npm >/dev/null 2>&1 || { echo "npm is required (apt-get install -y npm)" >&2; exit 1; }
  npm ci --no-audit --no-fund --silent
  mkdir -p "$vendor"
  cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
  cp node_modules/echarts/dist/echarts.min.js "$vendor/echarts.min.js"
  echo "$lockhash" > "$vendor/.stamp"
fi
mkdir -p var
