"use strict";
/**
 * Backfill throughput: a Polygon feed (FeedCore, no Node-RED) against the local mock; the socket
 * is down while N trades happen, then the gap is fetched (pages of `--page` rows over local HTTP),
 * deduplicated and delivered. Prints the time from reconnect to the `done` event, the rate, and
 * the heap growth. Usage: node bench/backfill.js [--trades 50000] [--page 50000]
 */
const { FeedCore, DEFAULT_FEED_OPTIONS } = require("../dist/lib/feed");
const { createProvider } = require("../dist/lib/providers");
const { DEFAULT_BACKFILL } = require("../dist/lib/backfill/coordinator");
const { PolygonServer } = require("../test/mocks/polygon-server");

const arg = (name, dflt) => {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("trades", 50000);
const PAGE = arg("page", 50000);

function until(cond, ms = 120000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = () => (cond() ? resolve() : Date.now() - t0 > ms ? reject(new Error("timeout")) : setTimeout(check, 2));
    check();
  });
}

(async () => {
  const server = new PolygonServer({ validKey: "k", pageSize: PAGE });
  await server.start();
  const provider = createProvider({ provider: "polygon", url: server.url, apiKey: "k", apiSecret: "", options: { stallSec: 0 } });
  const feed = new FeedCore(provider, {
    ...DEFAULT_FEED_OPTIONS,
    backoff: { baseMs: 20, capMs: 50, floorMs: 10 },
    backfill: { ...DEFAULT_BACKFILL, enabled: true, restUrl: server.restBase, maxTrades: N + 10 },
  });
  let delivered = 0;
  let backfilled = 0;
  let done = null;
  const user = {
    id: "u",
    onTicks: (ticks) => {
      delivered += ticks.length;
      for (const t of ticks) if (t.backfill) backfilled++;
    },
    onEvent: (topic, p) => {
      if (topic === "backfill" && p.state !== "start") done = p;
    },
    onStatus: () => undefined,
  };
  feed.register(user);
  feed.setSymbols(user, { trades: ["AAPL"], quotes: [] });
  await until(() => server.topics().has("T.AAPL"));
  const base = BigInt(Date.now() - 10 * 60_000) * 1000000n;
  server.trade("AAPL", { i: 0, ns: base });
  await until(() => delivered === 1);
  server.rejectStatus = 503;
  server.dropAll();
  await until(() => server.connections.size === 0);
  const history = [];
  for (let i = 1; i <= N; i++)
    history.push({
      sip_timestamp: base + BigInt(i) * 10000000n,
      participant_timestamp: base,
      price: 100 + (i % 100) / 100,
      size: 100,
      exchange: 4,
      conditions: [0],
      id: String(i),
      sequence_number: i,
      tape: 3,
    });
  server.history.get("AAPL").push(...history);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  server.rejectStatus = null;
  await until(() => server.topics().has("T.AAPL"));
  const t0 = process.hrtime.bigint();
  server.trade("AAPL", { i: N + 1, ns: base + BigInt(N + 1) * 10000000n });
  await until(() => done !== null);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const heap1 = process.memoryUsage().heapUsed;
  console.log(
    `backfill of ${N} trades, pages of ${PAGE}: ${done.state}, delivered ${done.delivered} (flagged ${backfilled}), ${done.requests} requests, ${ms.toFixed(0)} ms, ${Math.round(done.delivered / (ms / 1000))} trades/s, heap +${((heap1 - heap0) / 1048576).toFixed(1)} MB`,
  );
  await feed.close();
  await server.close();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
