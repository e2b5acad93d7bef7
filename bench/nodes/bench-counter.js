"use strict";
/** A minimal sink for the benchmark: hands every message to the pipeline's hook (global.__benchSink). */
module.exports = function (RED) {
  function BenchCounter(config) {
    RED.nodes.createNode(this, config);
    const sink = global.__benchSink;
    this.on("input", (msg, send, done) => {
      sink(msg);
      done();
    });
  }
  RED.nodes.registerType("bench-counter", BenchCounter);
};
