"use strict";
module.exports = {
  spec: ["test/**/*.test.js"],
  recursive: true,
  timeout: 20000,
  exit: false,
  reporter: "spec",
};
