#!/usr/bin/env bash
# Install everything and run the main job on the bundled sample: analyse the reports into a fresh local SQLite
# store (./demo.sqlite), link them into cross-outlet records, show them, and open the analyst's desk.
# Set DEMO_NO_SERVE=1 to stop before starting the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export INCITEWATCH_DB="$PWD/demo.sqlite"
rm -f demo.sqlite demo.sqlite-wal demo.sqlite-shm   # a fresh demo store each run
iw=.venv/bin/incitewatch
$iw ingest sample/articles
echo
echo "== releases (one record per release, every report as evidence)"
$iw releases
echo
echo "== attacks (each outlet's tolls side by side)"
$iw attacks
echo
echo "== actors"
$iw actors
echo
echo "== a user for the desk (one-time password below)"
$iw users add analyst --role analyst --reason "demo"
if [ "${DEMO_NO_SERVE:-0}" = "1" ]; then exit 0; fi
echo
echo "Open http://127.0.0.1:${PORT:-8000}/ and log in as 'analyst' with the password above (Ctrl-C stops)."
exec $iw serve --port "${PORT:-8000}"
