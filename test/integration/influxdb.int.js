"use strict";
/**
 * examples/InfluxDB ticks and 1-minute bars.json against a real InfluxDB 1.x (Debian influxdb)
 * through the real node-red-contrib-influxdb nodes; then the same nodes in their 2.0 mode
 * against a local HTTP endpoint that records the line protocol they send.
 */
const assert = require("assert");
const http = require("http");
const { startInflux, suiteServer, waitFor, nanosOf } = require("./support/servers");
const { helper, NODES, example, byId, loadTapped, unsubscribeAll, loggedErrors } = require("./support/flows");
const { GenericServer } = require("../mocks/generic-server");

const NAME = "InfluxDB ticks and 1-minute bars";
const P = "exinflux";
const key = (symbol, us, price, size) => `${symbol}|${us}|${price}|${size}`;

describe("InfluxDB (real influxd 1.x, node-red-contrib-influxdb)", function () {
  this.timeout(120000);
  const live = suiteServer(startInflux);
  let influx; // the running influxd, once the suite has started it
  before(() => (influx = live.server));
  let fake = null;
  after(async function () {
    if (fake) {
      fake.closeAllConnections();
      await new Promise((r) => fake.close(r));
    }
  });
  afterEach(async function () {
    await helper.unload();
  });

  function patched(db, { rate = 30, interval = 2 } = {}) {
    const flow = example(NAME);
    Object.assign(byId(flow, P + "_db"), { port: String(influx.port), database: db });
    byId(flow, P + "_feed").options.ratePerSymbol = String(rate);
    Object.assign(byId(flow, P + "_agg"), { interval, unit: "s" }); // 2-second bars instead of 1-minute ones: same code, shorter test
    return flow;
  }

  it("stores every simulated tick once at its exact microsecond, and every bar with final/partial", async function () {
    await influx.query("CREATE DATABASE market");
    const flow = patched("market");
    const { sent, ticks, bars, late, deployedUs, startedUs } = await loadTapped(flow, {
      sent: P + "_ticks",
      ticks: P + "_trades",
      bars: P + "_agg",
      late: [P + "_agg", 1],
    });
    const symbols = ["AAPL", "MSFT", "TSLA", "NVDA", "AMZN"];
    await waitFor(() => symbols.every((s) => bars.filter((b) => b.topic === s).length >= 2) && sent.length >= 300, {
      timeout: 60000,
      what: "300 ticks and two bars per symbol",
    });
    unsubscribeAll(P + "_ticks", P + "_trades");
    // The open bars close on the wall clock (no flush: a flushed bar would be partial), so wait
    // until the bars hold every tick that was not late.
    const lateIds = new Set();
    const sizeOf = (s) =>
      ticks.filter((m) => m.payload.symbol === s && !lateIds.has(s + "|" + m.payload.id)).reduce((a, m) => a + m.payload.size, 0);
    const volumeOf = (s) => bars.filter((b) => b.topic === s).reduce((a, b) => a + b.bar.volume, 0);
    await waitFor(
      () => {
        for (const m of late) lateIds.add(m.payload.symbol + "|" + m.payload.id);
        return symbols.every((s) => volumeOf(s) === sizeOf(s));
      },
      { timeout: 20000, what: "the last bars to close" },
    );
    const countTicks = async () => ((await influx.rows("SELECT count(price) FROM ticks", "market"))[0] || { count: 0 }).count;
    // Poll the store (an async query per turn) until it holds what was sent, for at most 30 s.
    let stored = 0;
    for (let i = 0; i < 300 && stored !== sent.length; i++) {
      stored = await countTicks();
      if (stored !== sent.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.strictEqual(ticks.length, sent.length, "both subscribe nodes saw the same ticks");
    assert.strictEqual(stored, sent.length, `ticks stored: ${stored} of ${sent.length}`);
    assert.deepStrictEqual(loggedErrors(), [], "no write failed");

    // Exact µs times: the stored points are the ticks, one for one.
    const rows = await influx.rows("SELECT * FROM ticks", "market", null);
    const storedKeys = rows.map((r) => key(r.symbol, nanosOf(r.time) / 1000n, r.price, r.size)).sort();
    const tickKeys = ticks.map((m) => key(m.payload.symbol, m.payload.ts, m.payload.price, m.payload.size)).sort();
    assert.deepStrictEqual(storedKeys, tickKeys, "every tick stored at its exact microsecond");
    const r0 = rows.find((r) => r.conditions !== null) || rows[0];
    assert.strictEqual(r0.provider, "simulator");
    assert.ok(typeof r0.exchange === "string" && r0.exchange.length > 0);
    assert.strictEqual(typeof r0.recvTs, "number");
    const keysInfo = await influx.rows("SHOW TAG KEYS FROM ticks", "market");
    assert.deepStrictEqual(keysInfo.map((r) => r.tagKey).sort(), ["exchange", "provider", "symbol", "type"]);

    // Bars: every one stored, the first per symbol marked partial, volume = the ticks' sizes.
    let barRows = [];
    for (let i = 0; i < 100; i++) {
      barRows = await influx.rows("SELECT * FROM bars", "market");
      if (barRows.length === bars.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.strictEqual(barRows.length, bars.length, `bars stored: ${barRows.length} of ${bars.length}`);
    for (const s of symbols) {
      const mine = barRows.filter((b) => b.symbol === s).sort((a, b) => a.time - b.time);
      for (const b of mine) {
        const startUs = b.time / 1000; // bars are on whole seconds: exact
        if (startUs < deployedUs) assert.strictEqual(b.partial, true, `${s}: the bar that began before the deploy is marked partial`);
        if (startUs >= startedUs) assert.strictEqual(b.partial, false, `${s}: a bar that began after the deploy is complete`);
      }
      assert.ok(mine.every((b) => b.final === true && b.synthetic === false && b.revision === 0));
      const volume = mine.reduce((a, b) => a + b.volume, 0);
      assert.strictEqual(volume, sizeOf(s), `${s}: bar volumes add up to the ticks' sizes`);
    }
    const types = Object.fromEntries((await influx.rows("SHOW FIELD KEYS FROM bars", "market")).map((r) => [r.fieldKey, r.fieldType]));
    assert.deepStrictEqual([types.final, types.partial, types.synthetic], ["boolean", "boolean", "boolean"]);
    // 1.x mode of the influxdb node cannot write integers (see the 2.0 test below for the integers).
    assert.strictEqual(types.count, "float");
    const partial = barRows.filter((b) => b.partial).length;
    assert.ok(partial <= symbols.length, `${partial} partial bars: at most the first of each symbol`);
    this.test.title += ` [${sent.length} ticks, ${barRows.length} bars (${partial} partial), ${lateIds.size} late]`;
  });

  it("keeps two trades of one symbol in the same microsecond (100 pairs: 200 of 200 stored)", async function () {
    // Dropped first so a retried attempt (see test/integration/mocharc.js) starts empty.
    await influx.query("DROP DATABASE sameus");
    await influx.query("CREATE DATABASE sameus");
    const relay = new GenericServer();
    await relay.start();
    try {
      const flow = patched("sameus");
      Object.assign(byId(flow, P + "_feed"), { provider: "generic", url: relay.url, options: {} });
      for (const id of [P + "_ticks", P + "_trades"]) byId(flow, id).symbols = "AAPL, MSFT";
      const { sent } = await loadTapped(flow, { sent: P + "_ticks" });
      await waitFor(() => relay.subscribed().has("AAPL") && relay.subscribed().has("MSFT"), { what: "subscriptions" });
      const base = Math.floor(Date.now() / 1000) * 1_000_000 + 123;
      const frames = [];
      for (let i = 0; i < 100; i++) {
        const us = base + i * 1000;
        frames.push([
          { symbol: "AAPL", price: 100 + i / 100, size: 1, time: us, id: "a" + i },
          { symbol: "AAPL", price: 100 + i / 100 + 0.005, size: 2, time: us, id: "b" + i },
          { symbol: "MSFT", price: 50, size: 3, time: us, id: "m" + i },
        ]);
      }
      for (const f of frames) relay.send(f);
      await waitFor(() => sent.length === 300, { timeout: 20000, what: "300 ticks sent" });
      let rows = [];
      for (let i = 0; i < 200; i++) {
        rows = await influx.rows("SELECT * FROM ticks", "sameus", null);
        if (rows.length >= 300) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const aapl = rows.filter((r) => r.symbol === "AAPL");
      assert.strictEqual(aapl.length, 200, `AAPL points stored: ${aapl.length} of 200`);
      assert.strictEqual(rows.filter((r) => r.symbol === "MSFT").length, 100);
      const perUs = new Map();
      for (const r of aapl) {
        const us = Number(nanosOf(r.time) / 1000n);
        perUs.set(us, (perUs.get(us) || 0) + 1);
      }
      assert.strictEqual(perUs.size, 100);
      for (const [us, n] of perUs) {
        assert.strictEqual(n, 2, `two points in ${us}`);
        assert.ok(us >= base && (us - base) % 1000 === 0, "at the exact microsecond");
      }
      assert.strictEqual(
        aapl.reduce((a, r) => a + r.size, 0),
        300,
        "no volume lost",
      );
    } finally {
      await helper.unload();
      await relay.close();
    }
  });

  it("batch output + format influxdb into the influxdb batch node: every tick stored at its exact microsecond", async function () {
    await influx.query("CREATE DATABASE batches");
    const flow = patched("batches");
    byId(flow, P + "_ticks").output = "batch";
    const out = byId(flow, P + "_influx_ticks");
    out.type = "influxdb batch"; // the same config node; the batch node takes the array of points as is
    const { sent } = await loadTapped(flow, { sent: P + "_ticks" });
    await waitFor(() => sent.reduce((a, m) => a + m.payload.length, 0) >= 300, { timeout: 60000, what: "300 ticks in batches" });
    unsubscribeAll(P + "_ticks");
    const points = sent.flatMap((m) => m.payload);
    let rows = [];
    for (let i = 0; i < 300; i++) {
      rows = await influx.rows("SELECT * FROM ticks", "batches", null);
      if (rows.length >= points.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepStrictEqual(loggedErrors(), [], "no write failed");
    assert.strictEqual(rows.length, points.length, `points stored: ${rows.length} of ${points.length}`);
    const k = (symbol, ns, price) => `${symbol}|${ns}|${price}`;
    assert.deepStrictEqual(
      rows.map((r) => k(r.symbol, String(nanosOf(r.time)), r.price)).sort(),
      points.map((p) => k(p.tags.symbol, p.timestamp, p.fields.price)).sort(),
    );
    this.test.title += ` [${points.length} ticks in ${sent.length} batches]`;
  });

  it("in the node's 2.0 mode: integer count/revision/volume, nanosecond tick times (line protocol as sent)", async function () {
    const lines = [];
    fake = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.url.startsWith("/api/v2/write"))
          lines.push(
            ...body
              .split("\n")
              .filter(Boolean)
              .map((l) => ({ url: req.url, line: l })),
          );
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise((r) => fake.listen(0, "127.0.0.1", r));
    try {
      const flow = patched("unused", { interval: 1 });
      Object.assign(byId(flow, P + "_db"), { influxdbVersion: "2.0", url: `http://127.0.0.1:${fake.address().port}` });
      // The one setting 2.0 mode needs for ticks: Time Precision = nanoseconds (this mode ignores msg.precision).
      byId(flow, P + "_influx_ticks").precisionV18FluxV20 = "ns";
      await helper.load(NODES, flow, { [P + "_db"]: { token: "t" } });
      await waitFor(() => lines.some((l) => l.line.startsWith("bars,")) && lines.some((l) => l.line.startsWith("ticks,")), {
        timeout: 30000,
        what: "tick and bar lines",
      });
      const tick = lines.find((l) => l.line.startsWith("ticks,"));
      assert.ok(/precision=ns/.test(tick.url), tick.url);
      assert.ok(/ \d{19}$/.test(tick.line), "tick time in ns: " + tick.line);
      const bar = lines.find((l) => l.line.startsWith("bars,")).line;
      for (const re of [/count=\d+i/, /revision=0i/, /volume=\d+i/, /final=T/, /partial=T/, /synthetic=F/])
        assert.ok(re.test(bar), `${re} in ${bar}`);
    } finally {
      // The 2.0 client retries failed writes for minutes: the endpoint stays up (answering 204)
      // until after() so nothing is left retrying.
      await helper.unload();
    }
  });
});
