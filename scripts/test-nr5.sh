#!/usr/bin/env bash
# Runs the whole suite on Node-RED 5 with Node 22 (the contract's second supported pair).
# Installs both from the npm registry into .nr5/ (git-ignored): Node 22 comes from the `node`
# package, which ships the binary; Node-RED 5 is a separate install, so the dev dependency
# (4.1.x, used by `npm test`) is untouched. Assumes `npm run build` has run.
# The tier comes from TEST_TIER (.mocharc.js): `fast` (what `npm test` runs) unless set or files
# are named: `TEST_TIER=slow bash scripts/test-nr5.sh` runs the slow tier.
set -euo pipefail
cd "$(dirname "$0")/.."
NR5_VERSION="${NR5_VERSION:-5.0.7}"
NODE22_VERSION="${NODE22_VERSION:-22}"
if [ ! -x .nr5/node_modules/.bin/node ] || [ ! -f .nr5/node_modules/node-red/package.json ] \
   || [ "$(node -p "require('./.nr5/node_modules/node-red/package.json').version")" != "$NR5_VERSION" ]; then
  mkdir -p .nr5
  [ -f .nr5/package.json ] || echo '{"name":"tickstream-nr5","private":true}' > .nr5/package.json
  npm install --prefix .nr5 --no-audit --no-fund --no-save "node@${NODE22_VERSION}" "node-red@${NR5_VERSION}"
fi
if [ $# -eq 0 ] && [ -z "${TEST_TIER:-}" ]; then export TEST_TIER=fast; fi
NODE22="$PWD/.nr5/node_modules/.bin/node"
echo "Node-RED $(node -p "require('./.nr5/node_modules/node-red/package.json').version") on Node $("$NODE22" --version)"
NODE_RED_PATH="$PWD/.nr5/node_modules/node-red" "$NODE22" node_modules/mocha/bin/mocha.js "$@"
