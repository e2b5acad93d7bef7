"use strict";
/**
 * A node that only passes each message on (when wired; unwired it just completes it): the cost
 * of a plain Node-RED hop, for comparison with ours under the same send pattern.
 */
module.exports = function (RED) {
  function BenchPass(config) {
    RED.nodes.createNode(this, config);
    const passOn = Array.isArray(config.wires) && config.wires.some((w) => w.length > 0);
    this.on("input", (msg, send, done) => {
      if (passOn) send(msg);
      done();
    });
  }
  RED.nodes.registerType("bench-pass", BenchPass);
};
