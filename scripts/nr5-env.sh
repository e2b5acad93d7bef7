# Sourced (from the repository root) by scripts/test-nr5.sh and scripts/test-browser.sh: makes sure
# the git-ignored .nr5/ holds Node-RED $NR5_VERSION (default 5.0.7) and Node $NODE22_VERSION
# (default 22, the `node` package, which ships the binary) from the npm registry, so the dev
# dependency (4.1.x, used by `npm test`) is untouched.
NR5_VERSION="${NR5_VERSION:-5.0.7}"
NODE22_VERSION="${NODE22_VERSION:-22}"
if [ ! -x .nr5/node_modules/.bin/node ] || [ ! -f .nr5/node_modules/node-red/package.json ] \
   || [ "$(node -p "require('./.nr5/node_modules/node-red/package.json').version")" != "$NR5_VERSION" ]; then
  mkdir -p .nr5
  [ -f .nr5/package.json ] || echo '{"name":"tickstream-nr5","private":true}' > .nr5/package.json
  npm install --prefix .nr5 --no-audit --no-fund --no-save "node@${NODE22_VERSION}" "node-red@${NR5_VERSION}"
fi
