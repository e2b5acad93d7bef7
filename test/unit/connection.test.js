"use strict";
/** Slot (one connection) against real local servers: deadlines, one socket, backoff reset. */
const assert = require("assert");
const net = require("net");
const { Slot } = require("../../dist/lib/connection");
const { GenericServer } = require("../mocks/generic-server");
const { waitFor } = require("../support/wait");
const { fakeProvider, recordingHooks: hooks, QUIET } = require("../support/slot-rig");

/** Real time: every deadline a fraction of a second. */
const OPTS = { ...QUIET, backoff: { baseMs: 20, capMs: 50, floorMs: 5 }, healthyMs: 100, handshakeTimeoutMs: 200, authTimeoutMs: 200 };

/** A provider at `url` whose session calls ready() on open unless `silent`. */
const provider = (url, { silent = false } = {}) => fakeProvider({ url, autoReady: !silent });

/** Runs `fn(server)` against a fresh GenericServer, closed afterwards whatever happens. */
async function withServer(fn) {
  const server = new GenericServer();
  await server.start();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

describe("Slot (one connection)", function () {
  const slots = [];
  afterEach(async function () {
    await Promise.all(slots.splice(0).map((s) => s.dispose()));
  });

  it("gives up on a peer that accepts TCP but never completes the WebSocket handshake", async function () {
    const sockets = [];
    const tcp = net.createServer((s) => sockets.push(s)); // never answers the upgrade request
    await new Promise((r) => tcp.listen(0, "127.0.0.1", r));
    try {
      const h = hooks();
      const slot = new Slot(0, provider(`ws://127.0.0.1:${tcp.address().port}/`), OPTS, h);
      slots.push(slot);
      slot.start();
      await waitFor(() => sockets.length >= 2, { what: "a second attempt after the handshake timeout" });
      assert.ok(h.events.some((e) => e.topic === "reconnecting"));
      assert.ok(!h.states.includes("open"));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => tcp.close(r));
    }
  });

  it("reconnects when the provider's handshake (auth) does not complete in time", function () {
    return withServer(async (server) => {
      const h = hooks();
      // A roomy WebSocket handshake deadline: on a loaded machine the upgrade itself must not time out first.
      const slot = new Slot(0, provider(server.url, { silent: true }), { ...OPTS, handshakeTimeoutMs: 5000 }, h);
      slots.push(slot);
      slot.start();
      await waitFor(() => server.totalConnections >= 2, { what: "reconnect after the auth deadline" });
      const err = h.events.find((e) => e.topic === "error");
      assert.strictEqual(err.payload.code, "auth_timeout");
    });
  });

  it("never opens a second socket while one is connecting or open", function () {
    return withServer(async (server) => {
      const slot = new Slot(0, provider(server.url), OPTS, hooks());
      slots.push(slot);
      slot.start();
      slot.start();
      slot.retry();
      await waitFor(() => slot.state === "open", { what: "open" });
      slot.start();
      slot.retry();
      assert.strictEqual(server.totalConnections, 1);
      // stop and start again quickly: the old socket is closed before the new one opens
      const order = [];
      server.on("connection", (c) => order.push("open " + c.id));
      server.on("disconnect", (c) => order.push("close " + c.id));
      const stopped = slot.stop();
      slot.start(); // arrives while closing: reconnects after the close completes
      await stopped;
      await waitFor(() => slot.state === "open" && order.length === 2, { what: "reopened" });
      assert.deepStrictEqual(order, ["close 1", "open 2"]);
      assert.strictEqual(server.connections.size, 1);
    });
  });

  it("resets the backoff after a healthy period", function () {
    return withServer(async (server) => {
      const h = hooks();
      const slot = new Slot(0, provider(server.url), { ...OPTS, healthyMs: 100 }, h);
      slots.push(slot);
      slot.start();
      await waitFor(() => slot.state === "open", { what: "open" });
      server.dropAll();
      await waitFor(() => server.totalConnections === 2 && slot.state === "open", { what: "reconnected" });
      assert.strictEqual(slot.attempt, 1, "one failed cycle counted");
      await waitFor(() => slot.attempt === 0, { what: "reset after 100 ms of health" });
    });
  });
});
