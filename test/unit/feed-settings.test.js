"use strict";
const assert = require("assert");
const { resolveSettings, resolveOptions } = require("../../dist/nodes/tick-feed/settings");
const { statusView } = require("../../dist/nodes/tick-subscribe/status");

describe("tick-feed settings", function () {
  it("defaults to the simulator and validates provider and URL", function () {
    assert.strictEqual(resolveSettings({}, undefined).provider, "simulator");
    assert.throws(() => resolveSettings({ provider: "nasdaq" }, {}), /Unknown provider/);
    assert.throws(() => resolveSettings({ provider: "generic", url: "http://x" }, {}), /ws:\/\//);
    const s = resolveSettings({ provider: "polygon", url: " wss://x/stocks ", options: { a: 1 } }, { apiKey: " k ", apiSecret: undefined });
    assert.deepStrictEqual(s, { provider: "polygon", url: "wss://x/stocks", apiKey: "k", apiSecret: "", options: { a: 1 } });
  });

  it("turns editor strings into options with sane defaults", function () {
    const o = resolveOptions({
      backoffMin: "200",
      backoffMax: "100",
      pingInterval: "0",
      staleTimeout: "",
      dedup: false,
      dedupWindow: "30",
      maxConnections: "3",
    });
    assert.deepStrictEqual(o.backoff, { baseMs: 200, capMs: 200, floorMs: 200 });
    assert.strictEqual(o.pingMs, 0, "0 turns pings off");
    assert.strictEqual(o.staleMs, undefined, "empty = provider default");
    assert.strictEqual(o.dedup, false);
    assert.strictEqual(o.dedupWindow.horizonUs, 30_000_000);
    assert.strictEqual(o.maxConnections, 3);
    const d = resolveOptions({});
    assert.strictEqual(d.backoff.baseMs, 1000);
    assert.strictEqual(d.dedup, true);
  });
});

describe("tick-subscribe status", function () {
  const base = { connections: 1, open: 1, unplaced: 0, at: 1000 };
  it("uses the contract's colours", function () {
    assert.deepStrictEqual(statusView({ ...base, state: "open" }, 3, 12.4, 1000), {
      fill: "green",
      shape: "dot",
      key: "streaming",
      params: { symbols: 3, rate: 12 },
    });
    assert.strictEqual(statusView({ ...base, state: "connecting" }, 1, 0, 1000).fill, "yellow");
    const r = statusView({ ...base, state: "reconnecting", waitMs: 5000 }, 1, 0, 2500);
    assert.deepStrictEqual([r.fill, r.shape, r.key, r.params.seconds], ["yellow", "ring", "reconnecting-in", 4]);
    assert.deepStrictEqual(
      [statusView({ ...base, state: "failed", error: { code: "http_401", message: "" } }, 1, 0, 1000)].map((v) => [v.fill, v.key]),
      [["red", "auth-failed"]],
    );
    assert.strictEqual(statusView({ ...base, state: "open", unplaced: 2 }, 3, 0, 1000).fill, "red");
    assert.strictEqual(statusView({ ...base, state: "idle" }, 0, 0, 1000).fill, "grey");
  });
});
