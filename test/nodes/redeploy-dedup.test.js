"use strict";
/**
 * Dedup memory survives redeploys: a relay that replays its recent trades on every subscribe,
 * DEPLOYS full deploys and DEPLOYS partial deploys (the feed node changed, so it and its
 * subscribe node restart) in a real runtime: every trade is delivered once.
 */
const assert = require("assert");
const { helper } = require("../support/runtime");
const { waitFor } = require("../support/wait");
const { ReplayServer } = require("../mocks/replay-server");
const feedNode = require("../../dist/nodes/tick-feed/tick-feed.js");
const subNode = require("../../dist/nodes/tick-subscribe/tick-subscribe.js");

const DEPLOYS = Number(process.env.DEPLOYS || 100);

/**
 * helper.setFlows gives the runtime 300 ms to report "flows:started" and rejects after that,
 * although the deploy goes on; on a loaded machine a deploy can take longer. Wait for the
 * started event ourselves instead (the caller then waits for the resubscribe).
 */
async function deploy(flow, type, creds) {
  const started = new Promise((resolve) => helper._events.once("flows:started", resolve));
  try {
    await helper.setFlows(flow, type, creds);
  } catch (err) {
    if (!/timeout waiting event/.test(err.message)) throw err;
    await Promise.race([
      started,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${type} deploy did not start within 20 s`)), 20000)),
    ]);
  }
}

describe("dedup across redeploys (replaying relay, real runtime)", function () {
  this.timeout(60000 + DEPLOYS * 2000);
  let server;
  afterEach(async function () {
    await helper.unload();
    if (server) await server.close();
  });

  it(`${DEPLOYS} full and ${DEPLOYS} partial deploys deliver no trade twice`, async function () {
    server = new ReplayServer();
    await server.start();
    const flow = (gen) => [
      { id: "f1", type: "tick-feed", name: "feed " + gen, provider: "generic", url: server.url, backoffMin: 20, backoffMax: 60 },
      { id: "s1", type: "tick-subscribe", feed: "f1", symbols: "AAPL MSFT TSLA", wires: [["out"], []] },
      { id: "out", type: "helper" },
    ];
    const creds = { f1: { apiKey: "replay-key" } };
    const seen = new Map();
    let delivered = 0;
    let attached = null;
    const attach = () => {
      const node = helper.getNode("out");
      if (node === attached) return;
      attached = node;
      node.on("input", (m) => {
        delivered++;
        seen.set(m.payload.id, (seen.get(m.payload.id) || 0) + 1);
      });
    };
    const duplicates = () => [...seen.values()].reduce((a, n) => a + n - 1, 0);
    const settle = async (what) => {
      // The new subscribe was answered (replay sent) and fresh trades flow again.
      const subs = server.subscribes;
      await waitFor(() => server.subscribes > subs - 1 && server.connections.size === 1 && [...server.connections][0].symbols.size === 3, {
        what: `${what}: subscribed`,
      });
      const mark = server.nextId;
      await waitFor(() => [...seen.keys()].some((id) => Number(id) > mark), { what: `${what}: fresh trades` });
    };
    await helper.load([feedNode, subNode], flow(0), creds);
    attach();
    await settle("first deploy");
    const result = {};
    for (const type of ["full", "nodes"]) {
      const before = duplicates();
      const subsBefore = server.subscribes;
      for (let i = 1; i <= DEPLOYS; i++) {
        const subs = server.subscribes;
        await deploy(flow(`${type}-${i}`), type, creds);
        attach();
        await waitFor(() => server.subscribes > subs, { what: `${type} deploy ${i}: resubscribed` });
        await settle(`${type} deploy ${i}`);
      }
      result[type] = { deploys: DEPLOYS, resubscribes: server.subscribes - subsBefore, duplicates: duplicates() - before };
    }
    result.delivered = delivered;
    result.unique = seen.size;
    console.log("      redeploy figures:", JSON.stringify(result));
    assert.ok(result.full.resubscribes >= DEPLOYS && result.nodes.resubscribes >= DEPLOYS, "every deploy re-subscribed (and got a replay)");
    assert.strictEqual(result.full.duplicates, 0, "full deploys");
    assert.strictEqual(result.nodes.duplicates, 0, "partial deploys");
  });
});
