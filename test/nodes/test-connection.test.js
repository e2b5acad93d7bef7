"use strict";
/**
 * The tick-feed dialog's "Test connection" endpoint in a real runtime: POST /tick-feed/test with the
 * dialog's values, against local provider mocks. Keys typed but not deployed are used; "__PWRD__"
 * means the stored key of the deployed node; no answer or log line ever contains a key.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const { PolygonServer } = require("../mocks/polygon-server");
const { AlpacaServer } = require("../mocks/alpaca-server");

const GOOD = "good-key-5f1b2c";
const BAD = "wrong-key-77e0aa";

function post(body) {
  return helper
    .request()
    .post("/tick-feed/test")
    .send(body)
    .expect(200)
    .then((res) => res.body);
}

/** Everything the runtime logged while `fn` ran. */
async function logged(fn) {
  const log = helper.log();
  assert.ok(log && Array.isArray(log.args), "the runtime log is observed");
  const before = log.args.length;
  const r = await fn();
  return { r, lines: log.args.slice(before).map((a) => JSON.stringify(a)) };
}

describe("tick-feed Test connection (admin endpoint)", function () {
  this.timeout(30000);
  let polygon;

  beforeEach(async function () {
    polygon = new PolygonServer({ validKey: GOOD });
    await polygon.start();
    await helper.load([feedNode], [{ id: "f1", type: "tick-feed", provider: "polygon", url: polygon.url }], { f1: { apiKey: GOOD } });
  });
  afterEach(async function () {
    await helper.unload();
    await polygon.close();
  });

  it("reports ok for a good key typed in the dialog (not deployed) and closes its socket", async function () {
    const started = Date.now();
    const r = await post({ provider: "polygon", url: polygon.url, credentials: { apiKey: GOOD } });
    assert.strictEqual(r.result, "ok", JSON.stringify(r));
    assert.ok(Date.now() - started < 10000);
    assert.ok(
      polygon.received.some((m) => m.msg && m.msg.action === "subscribe"),
      "the probe subscribed its symbol",
    );
    await new Promise((resolve) => (polygon.connections.size === 0 ? resolve() : polygon.once("close", resolve)));
  });

  it("reports a bad key as auth, without echoing it", async function () {
    const { r, lines } = await logged(() => post({ provider: "polygon", url: polygon.url, credentials: { apiKey: BAD } }));
    assert.strictEqual(r.result, "auth", JSON.stringify(r));
    assert.ok(!JSON.stringify(r).includes(BAD));
    assert.ok(!lines.join("\n").includes(BAD));
  });

  it("uses the deployed node's stored key for the __PWRD__ placeholder", async function () {
    const r = await post({ id: "f1", provider: "polygon", url: polygon.url, credentials: { apiKey: "__PWRD__" } });
    assert.strictEqual(r.result, "ok", JSON.stringify(r));
    assert.ok(!JSON.stringify(r).includes(GOOD));
    // A placeholder of a node that stores no key is no key at all.
    const none = await post({ id: "nope", provider: "polygon", url: polygon.url, credentials: { apiKey: "__PWRD__" } });
    assert.strictEqual(none.result, "config");
  });

  it("says the plan does not allow it", async function () {
    polygon.noWebsocketPlan = true;
    const r = await post({ provider: "polygon", url: polygon.url, credentials: { apiKey: GOOD } });
    assert.strictEqual(r.result, "plan", JSON.stringify(r));
  });

  it("reports a refused upgrade with HTTP 429 as a limit, a closed port as unreachable, both within 10 s", async function () {
    polygon.rejectStatus = 429;
    const limited = await post({ provider: "polygon", url: polygon.url, credentials: { apiKey: GOOD } });
    assert.strictEqual(limited.result, "limit", JSON.stringify(limited));
    const port = polygon.http.address().port;
    await polygon.close();
    const started = Date.now();
    const r = await post({ provider: "polygon", url: `ws://127.0.0.1:${port}/stocks`, credentials: { apiKey: GOOD } });
    assert.strictEqual(r.result, "unreachable", JSON.stringify(r));
    assert.ok(Date.now() - started < 10000);
    polygon = new PolygonServer({ validKey: GOOD });
    await polygon.start();
  });

  it("a key sent in the URL's query is masked in the answer", async function () {
    const r = await post({ provider: "generic", url: `ws://127.0.0.1:1/?token=${GOOD}`, credentials: { apiKey: GOOD } });
    assert.strictEqual(r.result, "unreachable");
    assert.ok(!JSON.stringify(r).includes(GOOD), JSON.stringify(r));
  });

  it("refuses what is not a feed: a non-WebSocket URL, an unknown provider, a keyed provider without a key", async function () {
    assert.strictEqual((await post({ provider: "generic", url: "http://127.0.0.1/" })).result, "config");
    assert.strictEqual((await post({ provider: "nope" })).result, "config");
    assert.strictEqual((await post({ provider: "replay", file: "/etc/passwd" })).result, "config");
    assert.strictEqual((await post({ provider: "polygon", url: polygon.url, credentials: { apiKey: "" } })).result, "config");
  });

  it("tests the simulator with no key and no network", async function () {
    const r = await post({ provider: "simulator" });
    assert.strictEqual(r.result, "ok", JSON.stringify(r));
  });

  it("checks Alpaca's key and secret through the same handshake", async function () {
    const alpaca = new AlpacaServer({});
    const url = await alpaca.start();
    try {
      const good = await post({ provider: "alpaca", url, credentials: { apiKey: alpaca.key, apiSecret: alpaca.secret } });
      assert.strictEqual(good.result, "ok", JSON.stringify(good));
      const bad = await post({ provider: "alpaca", url, credentials: { apiKey: alpaca.key, apiSecret: "not-the-secret" } });
      assert.strictEqual(bad.result, "auth", JSON.stringify(bad));
      assert.ok(!JSON.stringify(bad).includes("not-the-secret"));
    } finally {
      await alpaca.close();
    }
  });
});
