"use strict";
/**
 * A generic-protocol relay with a replay buffer: it trades SYMBOLS continuously (one trade per
 * symbol every `everyMs`) and answers every subscribe with the last `replay` trades of each
 * symbol asked for, like relays and providers that re-send recent trades to a (re)subscriber.
 * A client without dedup memory across deploys delivers those replays again.
 */
const { GenericServer, trade } = require("./generic-server");

class ReplayServer extends GenericServer {
  constructor({ symbols = ["AAPL", "MSFT", "TSLA"], replay = 30, everyMs = 5 } = {}) {
    super();
    this.symbolsList = symbols;
    this.replay = replay;
    this.everyMs = everyMs;
    this.history = new Map(symbols.map((s) => [s, []]));
    this.nextId = 1;
    this.subscribes = 0;
    this.on("message", (msg, conn) => {
      if (msg.action !== "subscribe" || !Array.isArray(msg.symbols)) return;
      this.subscribes++;
      const frame = [];
      for (const s of msg.symbols) for (const t of this.history.get(s) || []) frame.push(t);
      if (frame.length > 0 && conn.ws.readyState === 1) conn.ws.send(JSON.stringify(frame));
    });
  }

  async start() {
    const url = await super.start();
    this.timer = setInterval(() => this.tick(), this.everyMs);
    return url;
  }

  tick() {
    const frame = [];
    const now = Date.now();
    for (const s of this.symbolsList) {
      const t = trade(s, this.nextId++, 100 + (this.nextId % 13) / 100, 10, now);
      const h = this.history.get(s);
      h.push(t);
      if (h.length > this.replay) h.shift();
      frame.push(t);
    }
    for (const c of this.connections)
      if (c.ws.readyState === 1 && c.symbols.size > 0) c.ws.send(JSON.stringify(frame.filter((t) => c.symbols.has(t.symbol))));
  }

  async close() {
    clearInterval(this.timer);
    await super.close();
  }
}

module.exports = { ReplayServer };
