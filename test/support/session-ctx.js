"use strict";
/**
 * A fake SessionContext for provider parser tests: records ticks, sent messages (with their
 * replaceKey) and every other call in order.
 */
function fakeCtx({ provider, apiKey = "K", apiSecret = "", options = {}, upstream = {}, recvTs = 1700000000000000 } = {}) {
  const c = { ticks: [], sent: [], keys: [], calls: [], frameRecvTs: recvTs };
  c.settings = { provider, url: "", apiKey, apiSecret, options };
  c.tick = (t) => c.ticks.push(t);
  c.send = (m, key) => {
    c.sent.push(m);
    c.keys.push(key);
  };
  for (const name of ["ready", "fail", "warn", "malformed", "subscribed", "unsubscribed", "rejected"])
    c[name] = (...a) => c.calls.push([name, ...a]);
  c.now = () => recvTs;
  c.upstream = (ch) => new Set(upstream[ch] || []);
  /** Calls of one kind, without the name. */
  c.of = (name) => c.calls.filter((x) => x[0] === name).map((x) => x.slice(1));
  /** Empties the named records ("ticks", "sent", "keys", "calls"): a test then sees only what comes next. */
  c.forget = (...records) => records.forEach((r) => (c[r].length = 0));
  return c;
}

/** Feeds one frame (object/array JSON-encoded, string as is) to a session. */
function feed(session, frame) {
  session.message(Buffer.from(typeof frame === "string" ? frame : JSON.stringify(frame)), false);
}

/** A SubscriptionChange from plain lists. */
function change(add = {}, remove = {}, all = add) {
  const l = (o) => ({ trades: o.trades || [], quotes: o.quotes || [] });
  return { add: l(add), remove: l(remove), all: l(all) };
}

/**
 * Readies session `s` for data as the feed does: opens it when `open`, subscribes the `upstream`
 * lists ({ trades, quotes }), then feeds it the provider's acknowledgements `acks`; returns it.
 */
function readySession(s, upstream, { open = false, acks = [] } = {}) {
  if (open) s.open();
  s.subscribe(change(upstream));
  for (const ack of acks) feed(s, ack);
  return s;
}

module.exports = { fakeCtx, feed, change, readySession };
