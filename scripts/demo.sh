#!/usr/bin/env bash
# Install everything and run the main job on the bundled sample: analyse the reports into a local SQLite store
# (./demo.sqlite) and show what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export INCITEWATCH_DB="${INCITEWATCH_DB:-$PWD/demo.sqlite}"
.venv/bin/incitewatch ingest sample/articles
.venv/bin/incitewatch stats
echo
echo "== search: Ramadan"
.venv/bin/incitewatch search Ramadan
echo
first=$(.venv/bin/incitewatch search --json Mogadishu | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["id"])')
echo "== show $first"
.venv/bin/incitewatch show "$first"
