"use strict";
/**
 * node bench/core.js [--ticks 200000] [--rounds 7]   (after npm run build)
 *
 * CPU cost per tick of our own per-frame path, without Node-RED and without socket reads: a
 * FeedCore on the generic provider is connected to a local server and subscribed to the bench's
 * 100 symbols, then the bench feed's frames (5% duplicates) are handed to the connection's
 * frame handler one by one: frame text -> lossless JSON -> field mapping -> fixed-shape Tick ->
 * dedup -> delivery to a user that builds one Node-RED-like message per tick. Reports the median
 * and the lowest of --rounds rounds in CPU ns per tick (process CPU time, so far less sensitive to
 * other jobs on a shared machine than `npm run bench`'s wall-clock ratios). Compare two trees by
 * running it in each.
 */
const { FeedCore, DEFAULT_FEED_OPTIONS } = require("../dist/lib/feed");
const { createGeneric } = require("../dist/lib/providers/generic");
const { GenericServer } = require("../test/mocks/generic-server");
const { SYMBOLS, makeFrames } = require("./feed");

const argv = process.argv.slice(2);
function opt(name, dflt) {
  const i = argv.indexOf("--" + name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
}
const TICKS = opt("ticks", 200000);
const ROUNDS = opt("rounds", 7);

/** The feed's first connection slot (internal: FeedCore keeps its slots in its placement part). */
const firstSlot = (core) => (core.placement ? core.placement.slots : core.slots)[0];

async function waitConnected(core, server) {
  const until = Date.now() + 10000;
  while (!(firstSlot(core) && firstSlot(core).ws && server.subscribed().size === SYMBOLS.length)) {
    if (Date.now() > until) throw new Error("no connection within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function round(server, bufs, expected, r) {
  // A new URL per round: the dedup memory that survives redeploys is keyed by the feed's identity.
  const provider = createGeneric({ provider: "generic", url: `${server.url}?round=${r}`, apiKey: "", apiSecret: "", options: {} });
  const core = new FeedCore(provider, { ...DEFAULT_FEED_OPTIONS, lingerMs: 0 });
  let delivered = 0;
  let sink = 0;
  const user = {
    id: "bench",
    onTicks(ticks) {
      for (let i = 0; i < ticks.length; i++) {
        const msg = [{ _msgid: "m" + ++delivered, topic: ticks[i].symbol, payload: ticks[i] }, null];
        sink += msg.length;
      }
    },
    onEvent() {},
    onStatus() {},
  };
  core.register(user);
  core.setSymbols(user, { trades: SYMBOLS, quotes: [] });
  await waitConnected(core, server);
  const slot = firstSlot(core);
  const ws = slot.ws;
  // All frames are handed over in one go: paced reading (which would hold most of them for later
  // event-loop turns) is not part of the per-frame path measured here (internal field).
  slot.reading.paced = false;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < bufs.length; i++) slot.onMessage(ws, bufs[i], false);
  const cpu = process.cpuUsage(cpu0);
  await core.close();
  if (delivered !== expected || sink !== 2 * expected) throw new Error(`delivered ${delivered} ticks, expected ${expected}`);
  return ((cpu.user + cpu.system) * 1000) / TICKS;
}

async function main() {
  const server = new GenericServer();
  await server.start();
  try {
    for (const perFrame of [1, 50]) {
      const feed = makeFrames(TICKS, perFrame);
      const bufs = feed.frames.map((f) => Buffer.from(f));
      const ns = [];
      for (let r = 0; r < ROUNDS; r++) ns.push(await round(server, bufs, feed.unique, `${perFrame}-${r}`));
      ns.sort((a, b) => a - b);
      console.log(
        `${perFrame} tick(s)/frame: ${Math.round(ns[Math.floor(ns.length / 2)])} CPU ns per tick (median of ${ROUNDS}; lowest ${Math.round(ns[0])})`,
      );
    }
  } finally {
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
