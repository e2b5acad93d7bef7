"use strict";
/** tick-subscribe overload modes in the runtime (fast version; the figures come from test/slow/overload.slow.js). */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { waitFor } = require("../support/wait");
const { GenericServer, trade } = require("../mocks/generic-server");
const { mockPerTest } = require("../support/flow");
const { loadFlow } = require("../support/provider-flow");

describe("tick-subscribe overload (runtime)", function () {
  this.timeout(30000);
  const start = mockPerTest();

  async function run(sub) {
    const server = await start(new GenericServer());
    const flow = [
      { id: "f1", type: "tick-feed", provider: "generic", url: server.url },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "A B C D E", wires: [["out"], ["ev"]], ...sub },
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
    ];
    await loadFlow(flow);
    const out = [];
    const ev = [];
    helper.getNode("out").on("input", (m) => {
      out.push(m.payload);
      const until = Date.now() + 3; // a slow flow: 3 ms per message
      while (Date.now() < until);
    });
    helper.getNode("ev").on("input", (m) => ev.push(m));
    await waitFor(() => server.subscribed().size === 5, { what: "subscribed" });
    let id = 0;
    for (let f = 0; f < 20; f++) {
      const frame = [];
      for (let i = 0; i < 20; i++) frame.push(trade("ABCDE"[i % 5], ++id));
      server.send(frame);
    }
    return { out, ev, total: id };
  }

  it("conflate: a slow flow gets the newest tick per symbol, in order, and an overload event counts the rest", async function () {
    const { out, ev, total } = await run({ overload: "conflate", maxLagMs: 30 });
    await waitFor(() => ["A", "B", "C", "D", "E"].every((s) => out.some((t) => t.symbol === s && Number(t.id) > total - 5)), {
      what: "the newest tick of every symbol",
    });
    const overload = await waitFor(() => ev.find((m) => m.topic === "overload"), { what: "overload event" });
    assert.ok(out.length < total, `conflated: ${out.length} of ${total} delivered`);
    assert.strictEqual(overload.payload.mode, "conflate");
    assert.strictEqual(overload.payload.maxLagMs, 30);
    assert.ok(overload.payload.conflated > 0 && overload.payload.lagMs > 30);
    for (const s of "ABCDE") {
      const ids = out.filter((t) => t.symbol === s).map((t) => Number(t.id));
      assert.deepStrictEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        `${s} in order`,
      );
    }
    assert.strictEqual(ev.filter((m) => m.topic === "overload").length, 1, "rate-limited");
  });

  it("backpressure (default): the same slow flow gets every tick, in order, and no overload event", async function () {
    const { out, ev, total } = await run({});
    // 400 ticks at 3 ms each is 1.2 s of the flow's work alone: room for a loaded machine.
    await waitFor(() => out.length === total, { timeout: 15000, what: "every tick" });
    assert.deepStrictEqual(
      out.map((t) => Number(t.id)),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    assert.ok(!ev.some((m) => m.topic === "overload"));
  });
});
