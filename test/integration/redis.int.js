"use strict";
/** examples/Redis list, latest price and stream.json against a real redis-server through node-red-contrib-redis. */
const assert = require("assert");
const Redis = require("ioredis"); // the client node-red-contrib-redis itself uses
const { startRedis, suiteServer, waitFor } = require("./support/servers");
const { example, byId, loadTapped, unsubscribeAll, loggedErrors } = require("./support/flows");

const P = "exredis";

describe("Redis (real redis-server, node-red-contrib-redis)", function () {
  this.timeout(120000);
  const live = suiteServer(startRedis, {
    open: async (redis) => {
      const client = new Redis({ host: "127.0.0.1", port: redis.port, lazyConnect: true });
      await client.connect();
      return client;
    },
    close: (client) => client.disconnect(),
  });

  it("list per symbol (no node in between), latest trade per symbol in a hash, and a stream", async function () {
    const { server: redis, client } = live;
    const flow = example("Redis list, latest price and stream");
    byId(flow, P + "_cfg").options = JSON.stringify({ host: "127.0.0.1", port: redis.port });
    byId(flow, P + "_feed").options.ratePerSymbol = "30";
    const got = await loadTapped(
      flow,
      Object.fromEntries(["list", "last", "stream", "hset", "xadd"].map((name) => [name, P + "_" + name])),
    );
    await waitFor(() => got.list.length >= 300, { timeout: 60000, what: "300 ticks" });
    unsubscribeAll(P + "_list", P + "_last", P + "_stream");
    // redis-command passes each message on with the reply once Redis has answered.
    await waitFor(() => got.hset.length === got.last.length && got.xadd.length === got.stream.length, {
      timeout: 30000,
      what: "every HSET and XADD answered",
    });
    const symbols = [...new Set(got.list.map((m) => m.payload.symbol))];
    // redis-out does not report completion: poll until the lists hold every tick.
    let total = 0;
    for (let i = 0; i < 300; i++) {
      total = 0;
      for (const s of symbols) total += await client.llen("ticks:" + s);
      if (total >= got.list.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.strictEqual(total, got.list.length, `list entries: ${total} of ${got.list.length}`);
    for (const s of symbols) {
      const stored = (await client.lrange("ticks:" + s, 0, -1)).map((j) => JSON.parse(j));
      const sent = got.list.filter((m) => m.payload.symbol === s).map((m) => m.payload);
      assert.deepStrictEqual(stored, JSON.parse(JSON.stringify(sent)), `ticks:${s} holds the Ticks in order, µs ts exact`);
      const last = got.last.filter((m) => m.payload.symbol === s).pop().payload;
      const h = await client.hgetall("last:" + s);
      assert.deepStrictEqual(
        h,
        { price: String(last.price), size: String(last.size), ts: String(last.ts), exchange: String(last.exchange), provider: "simulator" },
        `last:${s}`,
      );
    }
    const entries = await client.xrange("ticks", "-", "+");
    assert.strictEqual(entries.length, got.stream.length, `stream entries: ${entries.length} of ${got.stream.length}`);
    const fields = entries.map(([, f]) =>
      Object.fromEntries(f.reduce((acc, v, i) => (i % 2 ? acc[acc.length - 1].push(v) : acc.push([v]), acc), [])),
    );
    assert.deepStrictEqual(
      fields.map((f) => f.ts + f.symbol),
      got.stream.map((m) => String(m.payload.ts) + m.payload.symbol),
      "stream entries in order with exact ts",
    );
    assert.deepStrictEqual(
      got.xadd.map((m) => typeof m.payload),
      got.xadd.map(() => "string"),
      "XADD answered with entry ids",
    );
    assert.deepStrictEqual(loggedErrors(), []);
    this.test.title += ` [${total} list entries, ${symbols.length} hashes, ${entries.length} stream entries]`;
  });
});
