"use strict";
/** A minimal sink for the benchmark: hands every message to the pipeline's hook (global.__benchSink), and passes it on when wired. */
module.exports = function (RED) {
  function BenchCounter(config) {
    RED.nodes.createNode(this, config);
    const sink = global.__benchSink;
    const passOn = Array.isArray(config.wires) && config.wires.some((w) => w.length > 0);
    this.on("input", (msg, send, done) => {
      sink(msg);
      if (passOn) send(msg);
      done();
    });
  }
  RED.nodes.registerType("bench-counter", BenchCounter);
};
