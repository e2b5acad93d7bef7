"use strict";
// Test tiers (README "Tests"): TEST_TIER picks the files; unset, mocha runs only the files named
// on its command line (`npx mocha test/unit/dedup.test.js`).
//   unit: pure modules, seconds                        npm run test:unit
//   fast: unit + the nodes in a real runtime           npm test
//   slow: flood, every example's first minute, and the real node-red process (e2e)
//                                                      npm run test:slow
const SLOW = ["test/nodes/flood.test.js", "test/nodes/examples-output.test.js", "test/e2e/**/*.test.js"];
const TIERS = {
  unit: { spec: ["test/unit/**/*.test.js"] },
  fast: { spec: ["test/unit/**/*.test.js", "test/nodes/**/*.test.js"], ignore: SLOW },
  slow: { spec: SLOW },
};
const tier = process.env.TEST_TIER;
if (tier !== undefined && tier !== "" && !(tier in TIERS))
  throw new Error(`Unknown TEST_TIER "${tier}": use ${Object.keys(TIERS).join(", ")}.`);

module.exports = {
  ...(tier ? TIERS[tier] : {}),
  recursive: true,
  timeout: 20000,
  exit: false,
  reporter: "spec",
  // The dedup memory test measures the heap after a collection.
  "node-option": ["expose-gc"],
};
