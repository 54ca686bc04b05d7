#!/usr/bin/env bash
# Re-create the hash-pinned lock files from requirements*.in (needs network access to the package index).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet uv==0.13.8
python3 -m uv pip compile requirements.in --generate-hashes --python-version 3.11 --only-binary :all: -o requirements.lock
python3 -m uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 --only-binary :all: -o requirements-dev.lock
