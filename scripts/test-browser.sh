#!/usr/bin/env bash
# Real-browser editor tests (test/browser/): headless Chromium from Debian's `chromium` package
# (no browser download) driven by puppeteer-core, against a real node-red process on Node-RED 4.1
# (the dev dependency) and on Node-RED 5 with Node 22 (installed into the git-ignored .nr5/ like
# scripts/test-nr5.sh does). Screenshots go to test/browser/screenshots/<version>/ (git-ignored).
# Assumes `npm run build` has run (npm run test:browser does it).
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "No Chromium at $CHROMIUM_PATH: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
# shellcheck source=scripts/nr5-env.sh
source scripts/nr5-env.sh
echo "Chromium: $("$CHROMIUM_PATH" --version 2>/dev/null || echo unknown)"
echo "Node-RED 4.1 on Node $(node --version): $(node -p "require('node-red/package.json').version")"
echo "Node-RED 5 on Node $(.nr5/node_modules/.bin/node --version): $(node -p "require('./.nr5/node_modules/node-red/package.json').version")"
CHROMIUM_PATH="$CHROMIUM_PATH" node node_modules/mocha/bin/mocha.js --no-config --timeout 120000 --reporter spec "test/browser/**/*.test.js" "$@"
