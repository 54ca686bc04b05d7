#!/usr/bin/env bash
# System packages the browser tests need: Debian's Chromium (driven by Playwright from PyPI; Playwright never
# downloads a browser of its own here). Installed only when missing and when we may (root with apt-get);
# otherwise the browser tests skip and say why.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: /usr/bin/chromium missing and cannot apt-get install it here; browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
