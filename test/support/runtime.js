"use strict";
/**
 * The Node-RED runtime the node tests run against: the dev dependency (4.1.x) by default, or
 * the one at $NODE_RED_PATH (scripts/test-nr5.sh points it at Node-RED 5 on Node 22).
 */
const path = require("path");
const helper = require("node-red-node-test-helper");

const runtimePath = process.env.NODE_RED_PATH ? require.resolve(path.resolve(process.env.NODE_RED_PATH)) : require.resolve("node-red");
helper.init(runtimePath);

module.exports = { helper, runtimePath };
