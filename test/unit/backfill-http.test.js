"use strict";
/** RestSession: rate limits (Retry-After, X-RateLimit-Reset), retries, deadlines, masking. Fake transport and clock. */
const assert = require("assert");
const { RestSession, RestError, retryAfterMs, maskSecrets, errorText, DEFAULT_REST_OPTIONS } = require("../../dist/lib/backfill/http");

/** A transport answering from a list; a fake clock that sleeps instantly but advances. */
function harness(answers, opts = {}) {
  const h = { calls: [], sleeps: [], now: 1_000_000 };
  const get = async (url, headers, signal) => {
    h.calls.push({ url, headers, at: h.now });
    const a = answers.shift();
    if (a === undefined) throw new Error("no more answers");
    if (a instanceof Error) throw a;
    if (a.hang) {
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    return { status: a.status ?? 200, headers: a.headers ?? {}, body: a.body ?? "{}" };
  };
  const sleep = async (ms) => {
    h.sleeps.push(ms);
    h.now += ms;
  };
  h.session = new RestSession(get, sleep, () => h.now, { ...DEFAULT_REST_OPTIONS, ...opts }, ["SECRETKEY1"]);
  h.signal = new AbortController().signal;
  return h;
}

describe("backfill REST session", function () {
  it("waits a 429's Retry-After (seconds) and retries", async function () {
    const h = harness([
      { status: 429, headers: { "retry-after": "3" } },
      { status: 200, body: "[1]" },
    ]);
    const res = await h.session.request("http://x/a", {}, h.signal);
    assert.strictEqual(res.body, "[1]");
    assert.deepStrictEqual(h.sleeps, [3000]);
    assert.strictEqual(h.session.stats.rateLimited, 1);
  });

  it("reads Retry-After as an HTTP date and Alpaca's X-RateLimit-Reset (Unix seconds)", function () {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.strictEqual(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, now), 5000);
    assert.strictEqual(retryAfterMs({ "x-ratelimit-reset": String(now / 1000 + 7) }, now), 7000);
    assert.strictEqual(retryAfterMs({}, now), undefined);
  });

  it("fails with rate_limited instead of sitting out a wait longer than maxWaitMs", async function () {
    const h = harness([{ status: 429, headers: { "retry-after": "600" }, body: '{"error":"too many"}' }], { maxWaitMs: 60_000 });
    await assert.rejects(
      h.session.request("http://x/a", {}, h.signal),
      (e) => e instanceof RestError && e.code === "rate_limited" && /600 s/.test(e.message) && /too many/.test(e.message),
    );
    assert.deepStrictEqual(h.sleeps, []);
  });

  it("treats Binance's 418 (IP banned) like a 429 with its Retry-After", async function () {
    const h = harness([
      {
        status: 418,
        headers: { "retry-after": "7200" },
        body: '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1."}',
      },
    ]);
    await assert.rejects(h.session.request("http://x/a", {}, h.signal), (e) => e.code === "ip_banned" && /IP banned/.test(e.message));
  });

  it("retries 5xx and network errors with a growing backoff, then gives up", async function () {
    const h = harness(
      [{ status: 503 }, new Error("ECONNRESET"), { status: 500 }, { status: 502 }, { status: 500, body: '{"message":"down"}' }],
      { retries: 4, backoffMs: 100 },
    );
    await assert.rejects(h.session.request("http://x/a", {}, h.signal), (e) => e.code === "http_500" && /down/.test(e.message));
    assert.deepStrictEqual(h.sleeps, [100, 200, 400, 800]);
    assert.strictEqual(h.calls.length, 5);
  });

  it("fails at once on 4xx with the provider's message", async function () {
    const h = harness([{ status: 403, body: '{"status":"NOT_AUTHORIZED","message":"You are not entitled to this data."}' }]);
    await assert.rejects(
      h.session.request("http://x/a", {}, h.signal),
      (e) => e.code === "not_authorized" && e.status === 403 && /not entitled/.test(e.message),
    );
    assert.strictEqual(h.calls.length, 1);
  });

  it("never lets a key out in an error", async function () {
    const h = harness([{ status: 401, body: '{"error":"Unknown API Key SECRETKEY1"}' }]);
    await assert.rejects(
      h.session.request("http://x/a?apiKey=SECRETKEY1", {}, h.signal),
      (e) => !e.message.includes("SECRETKEY1") && /\*\*\*/.test(e.message),
    );
    assert.strictEqual(maskSecrets("https://h/p?apiKey=abc&x=1 and SECRETKEY1", ["SECRETKEY1"]), "https://h/p?apiKey=***&x=1 and ***");
  });

  it("paces requests minIntervalMs apart", async function () {
    const h = harness([{}, {}, {}], { minIntervalMs: 250 });
    for (let i = 0; i < 3; i++) await h.session.request("http://x/a", {}, h.signal);
    assert.deepStrictEqual(h.sleeps, [250, 250]);
  });

  it("gives up on a request that does not answer within timeoutMs", async function () {
    const h = harness([{ hang: true }], { timeoutMs: 30, retries: 0 });
    await assert.rejects(h.session.request("http://x/a", {}, h.signal), (e) => e.code === "timeout");
  });

  it("stops when aborted", async function () {
    const h = harness([{ hang: true }], { timeoutMs: 10_000 });
    const ctl = new AbortController();
    const p = h.session.request("http://x/a", {}, ctl.signal);
    ctl.abort();
    await assert.rejects(p, (e) => e.code === "aborted");
  });

  it("extracts error texts from the providers' bodies", function () {
    assert.strictEqual(errorText('{"status":"ERROR","error":"Unknown API Key"}'), "Unknown API Key");
    assert.strictEqual(errorText('{"code":-1121,"msg":"Invalid symbol."}'), "Invalid symbol.");
    assert.strictEqual(errorText('{"message":"forbidden."}'), "forbidden.");
    assert.strictEqual(errorText("Bad Gateway"), "Bad Gateway");
  });
});

describe("backfill REST session: provider rate windows", function () {
  it("a 429 without Retry-After waits the provider's window (Polygon: 12 s) instead of the short backoff", async function () {
    const sleeps = [];
    const answers = [
      { status: 429, headers: {}, body: '{"status":"ERROR","error":"You\'ve exceeded the maximum requests per minute"}' },
      { status: 200, headers: {}, body: "{}" },
    ];
    const s = new RestSession(
      async () => answers.shift(),
      async (ms) => sleeps.push(ms),
      () => 0,
      { ...DEFAULT_REST_OPTIONS, rateLimitMs: 12_000 },
      [],
    );
    await s.request("http://x", {}, new AbortController().signal);
    assert.deepStrictEqual(sleeps, [12_000]);
  });
});
