#!/usr/bin/env bash
# Runs the whole suite on Node-RED 5 with Node 22 (the contract's second supported pair).
# Installs both from the npm registry into .nr5/ (git-ignored; scripts/nr5-env.sh). Assumes
# `npm run build` has run.
# The tier comes from TEST_TIER (.mocharc.js): `fast` (what `npm test` runs) unless set or files
# are named: `TEST_TIER=slow bash scripts/test-nr5.sh` runs the slow tier.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/nr5-env.sh
source scripts/nr5-env.sh
if [ $# -eq 0 ] && [ -z "${TEST_TIER:-}" ]; then export TEST_TIER=fast; fi
NODE22="$PWD/.nr5/node_modules/.bin/node"
echo "Node-RED $(node -p "require('./.nr5/node_modules/node-red/package.json').version") on Node $("$NODE22" --version)"
NODE_RED_PATH="$PWD/.nr5/node_modules/node-red" "$NODE22" node_modules/mocha/bin/mocha.js "$@"
