"use strict";
/**
 * Edges of the connection in a real runtime: the frame-size limit, failures that do not heal
 * (an untrusted certificate, refused handshakes) and a private CA.
 */
const assert = require("assert");
const https = require("https");
const { WebSocketServer } = require("ws");
const { helper } = require("../support/runtime");
const { collect, catchNodes, statusesOf, waitForStatus } = require("../support/flow");
const { waitFor } = require("../support/wait");
const { makeCerts } = require("../support/certs");
const { GenericServer, trade } = require("../mocks/generic-server");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");

function flow(url, feed = {}) {
  return [
    { id: "f1", type: "tick-feed", provider: "generic", url, backoffMin: 20, backoffMax: 60, ...feed },
    { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL", wires: [["out"], ["ev"]] },
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
    ...catchNodes(),
  ];
}

/**
 * Loads the flow against `url` with failAfter 3 and resolves, once f1 has raised connect_failing
 * on output 2, with that event and what ev and caught collected.
 */
async function untilFailing(url) {
  await helper.load([feedNode, subNode], flow(url, { failAfter: 3 }));
  const ev = collect("ev");
  const caught = collect("caught");
  const failing = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "connect_failing"), {
    what: "connect_failing event",
  });
  return { ev, caught, failing };
}

/** Waits until connect_failing has reached the catch node and s1 shows a red "failing" status. */
async function raisedAsFailing(caught) {
  await waitFor(() => caught.some((m) => m.payload.code === "connect_failing"), { what: "Catch node" });
  await waitForStatus("s1", (s) => s.fill === "red" && /failing/.test(s.text), "red failing");
}

describe("connection edges (runtime)", function () {
  this.timeout(30000);
  let server;
  let tls;
  afterEach(async function () {
    await helper.unload();
    if (server) await server.close();
    server = null;
    if (tls) {
      for (const c of tls.wss.clients) c.terminate();
      tls.wss.close();
      tls.http.closeAllConnections();
      await new Promise((r) => tls.http.close(r));
    }
    tls = null;
  });

  it("refuses a frame over the limit with a frame_too_large error, reconnects and streams on", async function () {
    server = new GenericServer();
    await server.start();
    await helper.load([feedNode, subNode], flow(server.url, { maxFrameSize: 0.01 }));
    const out = collect("out");
    const ev = collect("ev");
    const caught = collect("caught");
    await waitFor(() => server.subscribed().has("AAPL"), { what: "subscribed" });
    server.send(trade("AAPL", 1));
    await waitFor(() => out.length === 1, { what: "the first tick" });
    // 20 KB of ticks in one frame: over the 10 KiB limit.
    const big = [];
    for (let i = 0; i < 300; i++) big.push(trade("AAPL", 1000 + i));
    assert.ok(JSON.stringify(big).length > 0.01 * 1024 * 1024);
    server.send(big);
    const err = await waitFor(() => ev.find((m) => m.topic === "error" && m.payload.code === "frame_too_large"), {
      what: "frame_too_large event",
    });
    assert.strictEqual(err.payload.limit, 10486);
    assert.match(err.payload.message, /larger than allowed/);
    await waitFor(() => caught.some((m) => m.payload && m.payload.code === "frame_too_large"), { what: "catchable error" });
    await waitFor(() => server.totalConnections === 2 && server.subscribed().has("AAPL"), { what: "a normal reconnect" });
    server.send(trade("AAPL", 2));
    await waitFor(() => out.length === 2, { what: "ticks after the reconnect" });
    assert.deepStrictEqual(
      out.map((m) => m.payload.id),
      ["1", "2"],
      "nothing of the refused frame was delivered",
    );
    assert.strictEqual(helper.getNode("f1").core.status().state, "open");
  });

  it("keeps retrying refused handshakes, raises a catchable error and a red status after 3 attempts, and clears both when it connects", async function () {
    server = new GenericServer();
    server.upgradeStatus = 503;
    await server.start();
    const { ev, caught, failing } = await untilFailing(server.url);
    assert.strictEqual(failing.payload.cause, "http_503");
    assert.strictEqual(failing.payload.attempts, 3);
    assert.strictEqual(server.upgrades, 3, "raised on the third consecutive failure");
    await raisedAsFailing(caught);
    await waitFor(() => server.upgrades >= 5, { what: "retries go on" });
    assert.strictEqual(ev.filter((m) => m.payload.code === "connect_failing").length, 1, "raised once per run of failures");
    server.upgradeStatus = 0;
    await waitFor(() => server.subscribed().has("AAPL"), { what: "connects at last" });
    await waitForStatus("s1", (s) => s.fill === "green", "green again");
    const last = statusesOf("s1").at(-1);
    assert.strictEqual(last.fill, "green");
  });

  describe("TLS with a private CA (real wss:// server, certificate made in the test)", function () {
    let certs;
    before(function () {
      certs = makeCerts();
    });

    async function startTls() {
      const http = https.createServer({ key: certs.keyPem, cert: certs.certPem });
      const wss = new WebSocketServer({ server: http });
      const t = { http, wss, connections: 0 };
      wss.on("connection", (ws) => {
        t.connections++;
        ws.on("message", (data) => {
          const msg = JSON.parse(String(data));
          if (msg.action === "subscribe") ws.send(JSON.stringify(trade("AAPL", 42)));
        });
      });
      http.on("tlsClientError", () => (t.refused = (t.refused || 0) + 1));
      await new Promise((r) => http.listen(0, "127.0.0.1", r));
      t.url = `wss://127.0.0.1:${http.address().port}/`;
      return t;
    }

    it("without the CA: keeps retrying, then a catchable tls_error and a red status after 3 attempts", async function () {
      tls = await startTls();
      const { caught, failing } = await untilFailing(tls.url);
      assert.strictEqual(failing.payload.cause, "tls_error");
      assert.match(failing.payload.message, /certificate is not trusted/);
      await raisedAsFailing(caught);
      await waitFor(() => tls.refused >= 4, { what: "still retrying" });
      assert.strictEqual(tls.connections, 0);
    });

    it("with the CA pasted into the feed: verifies the server and streams", async function () {
      tls = await startTls();
      await helper.load([feedNode, subNode], flow(tls.url, { failAfter: 3, ca: certs.caPem }));
      const out = collect("out");
      await waitFor(() => out.length === 1, { what: "a tick over wss" });
      assert.strictEqual(out[0].payload.id, "42");
      assert.strictEqual(tls.refused || 0, 0);
    });

    it("a CA field that is not a certificate is a configuration error, not a crash", async function () {
      await helper.load(
        [feedNode, subNode],
        flow("wss://127.0.0.1:1/", { ca: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----" }),
      );
      assert.strictEqual(helper.getNode("f1").core, null);
      assert.match(helper.getNode("f1").configError, /CA certificate cannot be read/);
      await waitForStatus("s1", (s) => s.fill === "red", "red");
    });
  });
});
