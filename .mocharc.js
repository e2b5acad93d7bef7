"use strict";
module.exports = {
  spec: ["test/**/*.test.js"],
  recursive: true,
  timeout: 20000,
  exit: false,
  reporter: "spec",
  // The dedup memory test measures the heap after a collection.
  "node-option": ["expose-gc"],
};
