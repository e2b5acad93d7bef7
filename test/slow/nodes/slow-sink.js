"use strict";
/** A deliberately slow flow node for the overload tests: burns `burnUs` µs of CPU per message and hands every message to global.__slowSink. */
module.exports = function (RED) {
  function SlowSink(config) {
    RED.nodes.createNode(this, config);
    const burn = BigInt(Math.round(Number(config.burnUs || 1000)) * 1000);
    this.on("input", (msg, send, done) => {
      const until = process.hrtime.bigint() + burn;
      while (process.hrtime.bigint() < until);
      if (global.__slowSink) global.__slowSink(msg);
      done();
    });
  }
  RED.nodes.registerType("slow-sink", SlowSink);
};
