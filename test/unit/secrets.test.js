"use strict";
const assert = require("assert");
const { SecretMasker, secretsIn, maskAndCut, MASK } = require("../../dist/lib/secrets");

const KEY = "PKx9Z2QeLm7Tq4Rv";
const SECRET = 's3cr3t/with+odd&chars="quoted"';

describe("secret masking", function () {
  const m = new SecretMasker([KEY, SECRET]);

  it("masks literal keys wherever they appear", function () {
    assert.strictEqual(m.mask(`auth failed for ${KEY}.`), `auth failed for ${MASK}.`);
    assert.strictEqual(m.mask(`x${KEY}${KEY}y`), `x${MASK}${MASK}y`);
    assert.ok(!m.mask(`{"action":"auth","params":"${KEY}"}`).includes(KEY));
  });

  it("masks the URL-encoded, form-encoded and JSON-escaped forms of a secret", function () {
    for (const form of [
      encodeURIComponent(SECRET),
      new URLSearchParams({ a: SECRET }).toString().slice(2),
      JSON.stringify(SECRET).slice(1, -1),
    ]) {
      const out = m.mask(`server said: ${form} is wrong`);
      assert.ok(!out.includes(form), out);
      assert.ok(out.includes(MASK));
    }
    const twice = JSON.stringify(JSON.stringify({ secret: SECRET }));
    assert.ok(!m.mask(twice).includes("odd&chars"), m.mask(twice));
  });

  it("masks a secret cut at either end of a truncated sample", function () {
    assert.strictEqual(m.mask(`{"key":"${KEY.slice(0, 7)}`), `{"key":"${MASK}`);
    assert.strictEqual(m.mask(`${KEY.slice(-6)}","x":1}`), `${MASK}","x":1}`);
    assert.strictEqual(maskAndCut(m, `xx ${KEY} yy`, 5), `xx **…`);
  });

  it("masks values of secret-named parameters it was never told about, any case", function () {
    const names = [
      "apiKey",
      "api_key",
      "key",
      "token",
      "apiToken",
      "access_token",
      "password",
      "secret",
      "client_secret",
      "sig",
      "X-API-KEY",
      "APIKEY",
      "Token",
    ];
    for (const n of names) {
      const url = `wss://h.example/ws?symbols=AAPL&${n}=zz-unknown-value-1&x=2`;
      const out = m.mask(`connect to ${url} failed`);
      assert.ok(!out.includes("zz-unknown-value-1"), `${n}: ${out}`);
      assert.ok(out.includes("symbols=AAPL") && out.includes("x=2"), out);
      const json = m.mask(`{"${n}":"zz-unknown-value-2","symbol":"AAPL"}`);
      assert.ok(!json.includes("zz-unknown-value-2"), `${n}: ${json}`);
      assert.ok(json.includes('"symbol":"AAPL"'), json);
    }
  });

  it("masks URL user-info, bearer credentials and JWT-shaped tokens", function () {
    assert.strictEqual(m.mask("wss://bob:hunter22@h.example/ws"), `wss://${MASK}@h.example/ws`);
    assert.strictEqual(m.mask("Authorization: Bearer abc.def-ghi"), `Authorization: Bearer ${MASK}`);
    const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJvcmdhbml6YXRpb25zIn0.c2lnbmF0dXJl";
    assert.strictEqual(m.mask(`{"type":"subscribe","j":"${jwt}"}`), `{"type":"subscribe","j":"${MASK}"}`);
  });

  it("leaves ordinary text alone", function () {
    const text = "No data for 10000 ms: reconnecting. AAPL, MSFT refused (symbol_limit).";
    assert.strictEqual(m.mask(text), text);
    assert.strictEqual(new SecretMasker(["abc"]).mask("abc def"), "abc def", "3-character values are not masked by value");
  });

  it("masks multi-line (PEM) secrets line by line", function () {
    const pem =
      "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oK6Nk8Alqz2hoAoGCCqGSM49\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----";
    const pm = new SecretMasker([pem]);
    assert.ok(!pm.mask(JSON.stringify({ secret: pem })).includes("MHcCAQEEIBkg4LVWM9nu"));
    assert.ok(!pm.mask("line: MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oK6Nk8Alqz2hoAoGCCqGSM49").includes("MHcCAQEE"));
  });

  it("finds the secrets a configured URL or template carries", function () {
    assert.deepStrictEqual(secretsIn("wss://u:pw1234@h/ws?token=tok%2B1&a=1").sort(), ["pw1234", "tok%2B1", "tok+1"].sort());
    assert.deepStrictEqual(secretsIn('{"action":"auth","key":"$key"}'), [], "placeholders are not secrets");
    assert.deepStrictEqual(secretsIn('{"action":"auth","apiKey":"literal-key-1"}'), ["literal-key-1"]);
    const fm = new SecretMasker();
    fm.addFrom("wss://h/ws?apiKey=from-url-9");
    assert.strictEqual(fm.mask("refused from-url-9"), `refused ${MASK}`);
  });

  it("masks deep values (events) without touching non-strings", function () {
    const ev = { code: "auth_failed", message: `bad ${KEY}`, n: 3, list: [KEY, 1], nested: { reason: `x ${SECRET}` } };
    const out = m.maskDeep(ev);
    assert.deepStrictEqual(out, { code: "auth_failed", message: `bad ${MASK}`, n: 3, list: [MASK, 1], nested: { reason: `x ${MASK}` } });
    assert.strictEqual(ev.message, `bad ${KEY}`, "the input is not modified");
  });
});
