#!/usr/bin/env bash
# Install incitewatch and everything it needs into ./.venv from hash-pinned lock files (wheels only, no sdists).
# Usage: scripts/install.sh [--dev]   (--dev adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "incitewatch needs Python 3.11")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
locks=(-r requirements.lock)
if [ "${1:-}" = "--dev" ]; then locks+=(-r requirements-dev.lock); fi
# --require-hashes: every file must match the lock; --only-binary: never build or run an sdist's setup code.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: "${locks[@]}"
# The project itself (no dependencies resolved here: they all came from the lock above).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
