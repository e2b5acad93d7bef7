"use strict";
const assert = require("assert");
const { classifySocketError } = require("../../dist/lib/connection");
const { resolveOptions, parseCaPem } = require("../../dist/nodes/tick-feed/settings");
const { statusView } = require("../../dist/nodes/tick-subscribe/status");
const { DEFAULT_MAX_FRAME_BYTES, DEFAULT_FAIL_AFTER } = require("../../dist/lib/feed");
const { makeCerts } = require("../support/certs");

function err(message, props) {
  return Object.assign(new Error(message), props);
}

describe("connection edges (pure)", function () {
  it("names the socket errors a user can act on", function () {
    assert.strictEqual(
      classifySocketError(err("Max payload size exceeded", { code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" }), 1 << 20).code,
      "frame_too_large",
    );
    assert.match(
      classifySocketError(err("Max payload size exceeded", { code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" }), 1 << 20).message,
      /1 MiB/,
    );
    for (const code of [
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "CERT_HAS_EXPIRED",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "SELF_SIGNED_CERT_IN_CHAIN",
    ]) {
      assert.strictEqual(classifySocketError(err("x", { code }), 0).code, "tls_error", code);
    }
    const dns = classifySocketError(err("getaddrinfo ENOTFOUND nohost.invalid", { code: "ENOTFOUND", hostname: "nohost.invalid" }), 0);
    assert.strictEqual(dns.code, "dns_error");
    assert.match(dns.message, /Unknown host nohost\.invalid/);
    assert.strictEqual(classifySocketError(err("getaddrinfo EAI_AGAIN h", { code: "EAI_AGAIN" }), 0).code, "dns_error");
    assert.strictEqual(
      classifySocketError(err("connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED" }), 0).code,
      "connection_refused",
    );
    assert.strictEqual(classifySocketError(err("read ECONNRESET", { code: "ECONNRESET" }), 0), undefined);
    for (const f of [classifySocketError(err("x", { code: "CERT_HAS_EXPIRED" }), 0), dns])
      assert.strictEqual(f.kind, "transient", "these keep retrying");
  });

  it("feed options: frame limit in MiB (default 8), failure threshold (default 5, 0 = never), CA PEM checked", function () {
    const d = resolveOptions({});
    assert.strictEqual(d.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    assert.strictEqual(DEFAULT_MAX_FRAME_BYTES, 8 * 1024 * 1024);
    assert.strictEqual(d.failAfter, DEFAULT_FAIL_AFTER);
    assert.strictEqual(DEFAULT_FAIL_AFTER, 5);
    assert.strictEqual(d.ca, undefined);
    assert.strictEqual(resolveOptions({ maxFrameSize: "0.5" }).maxFrameBytes, 512 * 1024);
    assert.strictEqual(resolveOptions({ failAfter: "0" }).failAfter, 0);
    assert.strictEqual(resolveOptions({ failAfter: "" }).failAfter, 5);
    const { caPem } = makeCerts();
    assert.ok(resolveOptions({ ca: caPem }).ca.startsWith("-----BEGIN CERTIFICATE-----"));
    assert.ok(parseCaPem(caPem.replace(/\n/g, "\\n")), "a PEM pasted with literal \\n is fine");
    assert.throws(() => parseCaPem("hello"), /PEM text/);
    assert.throws(() => parseCaPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), /cannot be read/);
  });

  it("status: red while a connection keeps failing, normal colours otherwise", function () {
    const base = { connections: 1, open: 0, unplaced: 0, at: 0 };
    const v = statusView(
      { ...base, state: "reconnecting", waitMs: 100, failing: { code: "tls_error", message: "m", attempts: 5 } },
      1,
      0,
      0,
    );
    assert.deepStrictEqual([v.fill, v.key, v.params.code, v.params.attempts], ["red", "failing", "tls_error", 5]);
    assert.strictEqual(statusView({ ...base, state: "reconnecting", waitMs: 100 }, 1, 0, 0).fill, "yellow");
    assert.strictEqual(statusView({ ...base, state: "open", open: 1 }, 1, 0, 0).fill, "green");
  });
});
