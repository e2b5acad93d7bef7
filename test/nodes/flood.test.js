"use strict";
/**
 * Flood: the relay sends far faster than the flow can consume. The feed keeps no tick queue, so
 * the pressure must show up on the SERVER (its send buffer fills: TCP pushback), and every tick
 * must still arrive exactly once and in order.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");
const path = require("path");
const { spawn } = require("child_process");
const { waitFor } = require("../support/wait");

describe("flood into a slow flow", function () {
  this.timeout(300000);
  let relay;
  afterEach(async function () {
    await helper.unload();
    if (relay && relay.exitCode === null) {
      const exited = new Promise((resolve) => relay.once("exit", resolve));
      relay.kill("SIGTERM");
      await exited;
    }
  });

  it("pushes back on the provider instead of buffering, and loses nothing", async function () {
    const TOTAL = 150_000; // about 13 MB of frames: more than the loopback socket buffers hold
    relay = spawn(process.execPath, [path.join(__dirname, "..", "mocks", "flood-relay.js"), String(TOTAL), "50"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const reports = [];
    let buf = "";
    relay.stdout.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        reports.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    const { port } = await waitFor(() => reports.find((r) => r.port), { what: "relay listening" });
    const flow = [
      { id: "f1", type: "tick-feed", provider: "generic", url: `ws://127.0.0.1:${port}/` },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL", wires: [["slow"], []] },
      { id: "slow", type: "helper" },
    ];
    await helper.load([feedNode, subNode], flow);
    let received = 0;
    let inOrder = true;
    helper.getNode("slow").on("input", (msg) => {
      if (Number(msg.payload.id) !== received + 1) inOrder = false;
      received++;
      const until = process.hrtime.bigint() + 20_000n; // 20 µs of work per tick: far slower than the relay
      while (process.hrtime.bigint() < until);
    });
    // Wait for every tick while they keep coming: on a loaded machine (CPU shared by many
    // processes) the flow is just slower. Fails when nothing arrives for 15 s, or after 4 minutes.
    let last = -1;
    let lastAt = Date.now();
    await waitFor(
      () => {
        if (received !== last) {
          last = received;
          lastAt = Date.now();
        }
        if (Date.now() - lastAt > 15000) throw new Error(`no tick for 15 s after ${received} of ${TOTAL}`);
        return received === TOTAL;
      },
      { timeout: 240000, everyMs: 20, what: `all ${TOTAL} ticks` },
    );
    const done = await waitFor(() => reports.find((r) => r.done), { what: "relay report" });
    assert.ok(inOrder, "ticks in order");
    assert.ok(done.waits > 0, `the relay had to wait for the client: ${JSON.stringify(done)}`);
    assert.strictEqual(helper.getNode("f1").core.stats.duplicates, 0);
  });
});
