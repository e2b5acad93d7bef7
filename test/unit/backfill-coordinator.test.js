"use strict";
/** The backfill coordinator with a fake history client and feed: gaps, bounds, boundary dedup, unsupported providers, disposal. */
const assert = require("assert");
const { BackfillCoordinator, DEFAULT_BACKFILL } = require("../../dist/lib/backfill/coordinator");
const { waitFor } = require("../support/wait");

const tick = (symbol, ts, id) => ({ symbol, type: "trade", price: 1, size: 1, ts, recvTs: ts, id: String(id), provider: "polygon" });

const made = [];
function harness(client, settings = {}) {
  const h = { events: [], delivered: [], seen: new Set(), now: 1000, wanted: new Set(["A", "B"]) };
  h.env = {
    now: () => h.now,
    key: (t) => t.id,
    deliver: (ticks) => {
      let n = 0;
      for (const t of ticks) {
        if (h.seen.has(t.symbol + t.id)) continue;
        h.seen.add(t.symbol + t.id);
        h.delivered.push(t);
        n++;
      }
      return n;
    },
    event: (symbol, p) => h.events.push({ symbol, ...p }),
    wanted: (s) => h.wanted.has(s),
    warn: () => undefined,
  };
  h.c = new BackfillCoordinator(client, { ...DEFAULT_BACKFILL, enabled: true, quietMs: 20, ...settings }, h.env);
  made.push(h);
  h.live = (t) => {
    h.seen.add(t.symbol + t.id);
    h.c.live(t);
  };
  return h;
}

/** A client serving `history` (symbol -> ticks) for any gap, one page. */
function fakeClient(history, gaps = []) {
  return {
    provider: "polygon",
    baseUrl: "http://x",
    secrets: [],
    async *pages(gap) {
      gaps.push({ ...gap });
      yield (history[gap.symbol] || []).filter((t) => t.ts >= gap.fromTs && t.ts <= gap.toTs).map((t) => ({ ...t }));
    },
  };
}

describe("backfill coordinator", function () {
  afterEach(() => made.splice(0).forEach((h) => h.c.dispose()));
  it("one gap per symbol from its last live trade to its first after the reconnect; boundary trades not repeated", async function () {
    const hist = {
      A: [tick("A", 100, 1), tick("A", 200, 2), tick("A", 300, 3), tick("A", 400, 4)],
      B: [tick("B", 150, 9), tick("B", 250, 10)],
    };
    const gaps = [];
    const h = harness(fakeClient(hist, gaps));
    h.c.subscribed(["A", "B"]);
    h.live(hist.A[0]);
    h.live(hist.B[0]);
    h.c.disconnected(["A", "B"]);
    h.c.subscribed(["A", "B"]);
    h.live(hist.A[3]);
    await waitFor(() => h.events.filter((e) => e.state === "done").length === 1);
    assert.deepStrictEqual(gaps[0], { symbol: "A", fromTs: 100, fromId: "1", toTs: 400, toId: "4", maxTrades: 50000 });
    assert.deepStrictEqual(
      h.delivered.map((t) => [t.id, t.backfill]),
      [
        ["2", true],
        ["3", true],
      ],
    );
    // B stays quiet: filled up to "now" after quietMs.
    h.now += 100_000;
    await waitFor(() => h.events.filter((e) => e.state === "done").length === 2);
    assert.deepStrictEqual(
      h.delivered.slice(2).map((t) => t.id),
      ["10"],
    );
    const done = h.events.find((e) => e.symbol === "A" && e.state === "done");
    assert.strictEqual(done.duplicates, 2);
  });

  it("a provider without history reports each gap as failed: unsupported", async function () {
    const h = harness({ unsupported: "Twelve Data has bars only" });
    h.c.subscribed(["A"]);
    h.live(tick("A", 100, 1));
    h.c.disconnected(["A"]);
    h.live(tick("A", 500, 2));
    await waitFor(() => h.events.length === 1);
    assert.deepStrictEqual(h.events[0], {
      symbol: "A",
      state: "failed",
      from: 100,
      to: 500,
      code: "unsupported",
      reason: "Twelve Data has bars only",
    });
  });

  it("a symbol unsubscribed before its gap is fetched is skipped; dispose stops everything", async function () {
    const h = harness(fakeClient({ A: [tick("A", 200, 2)] }));
    h.c.subscribed(["A"]);
    h.live(tick("A", 100, 1));
    h.c.disconnected(["A"]);
    h.wanted.delete("A");
    h.live(tick("A", 300, 3));
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(h.events.length, 0);
    h.wanted.add("A");
    h.c.disconnected(["A"]);
    h.c.subscribed(["A"]);
    h.c.dispose();
    assert.strictEqual(h.c.busy, false);
  });

  it("a drop before any trade of the symbol starts the gap at its subscription", async function () {
    const gaps = [];
    const h = harness(fakeClient({}, gaps));
    h.now = 1000;
    h.c.subscribed(["A"]);
    h.c.disconnected(["A"]);
    h.live(tick("A", 5000, 7));
    await waitFor(() => gaps.length === 1);
    assert.strictEqual(gaps[0].fromTs, 1000);
    assert.strictEqual(gaps[0].fromId, undefined);
  });
});
