"use strict";
/**
 * examples/PostgreSQL and TimescaleDB ticks and bars.json against a real PostgreSQL. The
 * node-red-contrib-postgresql package is not in the registry this project reaches, so its node is
 * a stand-in that does what that node does with a message (support/postgresql-node.js).
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { Client } = require("pg");
const { startPostgres, suiteServer, waitFor } = require("./support/servers");
const { example, byId, loadTapped, unsubscribeAll, loggedErrors, root } = require("./support/flows");

const P = "expg";
const NAME = "PostgreSQL and TimescaleDB ticks and bars";

describe("PostgreSQL (real postgres; stand-in for the postgresql node)", function () {
  this.timeout(120000);
  // The suite's client: connected to a new database "market" with the example's tables.
  const live = suiteServer(startPostgres, {
    open: async (pg) => {
      const admin = new Client({ host: "127.0.0.1", port: pg.port, user: "postgres", database: "postgres" });
      await admin.connect();
      await admin.query("CREATE DATABASE market");
      await admin.end();
      const db = new Client({ host: "127.0.0.1", port: pg.port, user: "postgres", database: "market" });
      await db.connect();
      // The table definitions exactly as the example's comment gives them.
      const comment = JSON.parse(fs.readFileSync(path.join(root, "examples", NAME + ".json"), "utf8")).find((n) => n.id === P + "_ddl");
      const ddl = /```sql\n([\s\S]*?)```/.exec(comment.info)[1];
      await db.query(ddl);
      return db;
    },
    close: (db) => db.end().catch(() => {}),
  });

  it("inserts every tick (exact µs) and upserts bars with final/partial and integer count", async function () {
    const { server: pg, client: db } = live;
    const flow = example(NAME);
    Object.assign(byId(flow, P + "_cfg"), { port: pg.port });
    byId(flow, P + "_feed").options.ratePerSymbol = "30";
    Object.assign(byId(flow, P + "_agg"), { interval: 2, unit: "s" }); // 2-second bars instead of 1-minute ones
    const { ticks, done, bars, barsDone, late, barTicks, deployedUs, startedUs } = await loadTapped(flow, {
      ticks: P + "_ticks",
      done: P + "_insert_ticks",
      bars: P + "_agg",
      barsDone: P + "_upsert_bars",
      late: [P + "_agg", 1],
      barTicks: P + "_trades",
    });
    const symbols = ["AAPL", "MSFT", "TSLA", "NVDA", "AMZN"];
    await waitFor(() => ticks.length >= 300 && symbols.every((s) => bars.filter((b) => b.topic === s).length >= 2), {
      timeout: 60000,
      what: "300 ticks and two bars per symbol",
    });
    unsubscribeAll(P + "_ticks", P + "_trades");
    const volumeOf = (s) => bars.filter((b) => b.topic === s).reduce((a, b) => a + b.payload.volume, 0);
    const sizeOf = (s) => {
      const l = new Set(late.map((m) => m.payload.symbol + "|" + m.payload.id));
      return barTicks.filter((m) => m.payload.symbol === s && !l.has(s + "|" + m.payload.id)).reduce((a, m) => a + m.payload.size, 0);
    };
    await waitFor(
      () => symbols.every((s) => volumeOf(s) === sizeOf(s)) && done.length === ticks.length && barsDone.length === bars.length,
      { timeout: 30000, what: "every insert answered and the last bars closed" },
    ).catch((e) => {
      throw new Error(
        `${e.message}: inserts ${done.length}/${ticks.length}, bars ${barsDone.length}/${bars.length}, volume ${symbols.map((s) => volumeOf(s) + "/" + sizeOf(s))}; errors ${JSON.stringify(loggedErrors()).slice(0, 500)}`,
      );
    });
    assert.deepStrictEqual(loggedErrors(), [], "no query failed");
    const {
      rows: [{ n }],
    } = await db.query("SELECT count(*)::int AS n FROM ticks");
    assert.strictEqual(n, ticks.length, `ticks stored: ${n} of ${ticks.length}`);
    const { rows } = await db.query(
      "SELECT symbol, ts::text AS ts, (extract(epoch FROM time) * 1000000)::bigint::text AS t_us, price, size, conditions, id, exchange FROM ticks",
    );
    assert.ok(
      rows.every((r) => r.ts === r.t_us),
      "the timestamptz holds the exact microsecond",
    );
    const key = (s, ts, p, z, id) => [s, ts, p, z, id].join("|");
    assert.deepStrictEqual(
      rows.map((r) => key(r.symbol, r.ts, r.price, r.size, r.id)).sort(),
      ticks.map((m) => key(m.payload.symbol, String(m.payload.ts), m.payload.price, m.payload.size, m.payload.id)).sort(),
    );
    assert.ok(
      rows.some((r) => Array.isArray(r.conditions) && r.conditions.length > 0),
      "conditions as text[]",
    );
    const barRows = (
      await db.query(
        "SELECT symbol, extract(epoch FROM start)::bigint AS s, volume, count, final, partial, synthetic, revision FROM bars ORDER BY symbol, start",
      )
    ).rows;
    assert.strictEqual(barRows.length, new Set(bars.map((b) => b.topic + b.payload.start)).size);
    for (const s of symbols) {
      const mine = barRows.filter((b) => b.symbol === s);
      // The first bar is partial when it began before the deploy (it missed ticks); all others are complete.
      for (const b of mine) {
        const startUs = Number(b.s) * 1e6;
        if (startUs < deployedUs) assert.strictEqual(b.partial, true, `${s}: the bar that began before the deploy is marked partial`);
        if (startUs >= startedUs) assert.strictEqual(b.partial, false, `${s}: a bar that began after the deploy is complete`);
        assert.ok(b.final === true && b.synthetic === false && b.revision === 0 && Number.isInteger(b.count));
      }
      assert.strictEqual(
        mine.reduce((a, b) => a + b.volume, 0),
        sizeOf(s),
        `${s}: volume`,
      );
    }
    const partial = barRows.filter((b) => b.partial).length;
    assert.ok(partial <= symbols.length, `${partial} partial bars: at most the first of each symbol`);
    this.test.title += ` [${n} ticks, ${barRows.length} bars, ${partial} partial, ${late.length} late]`;
  });
});
