"use strict";
/**
 * End to end: the README's `npm start` path. Starts a real `node-red` process through
 * scripts/demo.js (in a temporary user directory, on a free port), checks that the editor
 * offers our nodes with their help, and that ticks from the demo flow reach the debug sidebar
 * (read over the editor's own comms WebSocket, as the browser does).
 */
const assert = require("assert");
const http = require("http");
const WebSocket = require("ws");
const { waitFor } = require("../support/wait");
const { startDemo } = require("../support/process");

function get(port, urlPath, accept) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, headers: { Accept: accept } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
  });
}

describe("demo (real node-red process)", function () {
  this.timeout(60000);
  let demo;
  let port;

  before(async function () {
    demo = await startDemo({ timeout: 40000 });
    port = demo.port;
  });

  after(async function () {
    if (demo) await demo.stop("SIGINT");
  });

  it("loads every node of the package without errors", async function () {
    const res = await get(port, "/nodes", "application/json");
    assert.strictEqual(res.status, 200);
    const sets = JSON.parse(res.body).filter((s) => s.module === "node-red-contrib-tickstream");
    const types = sets.flatMap((s) => s.types);
    for (const t of ["tick-feed", "tick-subscribe", "tick-filter", "tick-aggregate"]) assert.ok(types.includes(t), `${t} registered`);
    for (const s of sets) assert.ok(!s.err, `${s.name}: ${s.err}`);
    const html = await get(port, "/nodes", "text/html");
    for (const t of ["tick-feed", "tick-subscribe", "tick-filter", "tick-aggregate"]) {
      assert.match(html.body, new RegExp(`data-template-name="${t}"`));
      assert.match(html.body, new RegExp(`data-help-name="${t}"`));
    }
    const catalog = await get(port, "/locales/node-red-contrib-tickstream/tick-subscribe?lng=en-US", "application/json");
    assert.ok(JSON.parse(catalog.body)["tick-subscribe"].status.streaming, "message catalog served");
    const aggCatalog = await get(port, "/locales/node-red-contrib-tickstream/tick-aggregate?lng=en-US", "application/json");
    assert.ok(JSON.parse(aggCatalog.body)["tick-aggregate"].status.running, "tick-aggregate catalog served");
    assert.ok(!/\[error\]/.test(demo.log()), "no errors logged:\n" + demo.log());
  });

  it("streams simulator ticks and 5-second bars into the debug sidebar", async function () {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    const ticks = [];
    const bars = [];
    ws.on("message", (data) => {
      for (const m of JSON.parse(data.toString())) {
        if (m.topic === "debug" && m.data && m.data.name === "ticks") ticks.push(m.data);
        if (m.topic === "debug" && m.data && m.data.name === "bars") bars.push(m.data);
      }
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.send(JSON.stringify({ subscribe: "debug" }));
    try {
      await waitFor(() => new Set(ticks.map((t) => t.topic)).size >= 3, {
        timeout: 20000,
        what: "ticks of at least 3 symbols in the debug sidebar",
      });
      await waitFor(() => bars.some((b) => JSON.parse(b.msg).partial !== true), {
        timeout: 20000,
        what: "a complete 5-second bar in the debug sidebar",
      });
    } finally {
      ws.close();
    }
    const tick = JSON.parse(ticks[0].msg);
    assert.ok(["AAPL", "MSFT", "TSLA", "NVDA", "AMZN"].includes(tick.symbol));
    assert.strictEqual(tick.type, "trade");
    assert.ok(Number.isInteger(tick.ts) && tick.price > 0);
    const bar = JSON.parse(bars.find((b) => JSON.parse(b.msg).partial !== true).msg);
    assert.strictEqual(bar.end - bar.start, 5e6);
    assert.ok(
      bar.low <= bar.open && bar.open <= bar.high && bar.low <= bar.close && bar.close <= bar.high && bar.volume > 0 && bar.count > 0,
      JSON.stringify(bar),
    );
  });
});
