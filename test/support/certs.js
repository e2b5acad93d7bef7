"use strict";
/**
 * A private CA and a server certificate for 127.0.0.1/localhost, made with node's crypto only
 * (a minimal DER writer: no openssl binary, no dependency). ECDSA P-256, SHA-256.
 */
const crypto = require("crypto");

function len(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, content) => Buffer.concat([Buffer.from([tag]), len(content.length), content]);
const seq = (...parts) => tlv(0x30, Buffer.concat(parts));
const set = (...parts) => tlv(0x31, Buffer.concat(parts));
const explicit = (n, content) => tlv(0xa0 + n, content);
/** A DER INTEGER of the unsigned big-endian `buf`: no redundant leading zero, a zero before a high bit. */
function int(buf) {
  let i = 0;
  while (i < buf.length - 1 && buf[i] === 0) i++;
  const v = buf.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}
function oid(text) {
  const p = text.split(".").map(Number);
  const out = [40 * p[0] + p[1]];
  for (const v of p.slice(2)) {
    const b = [v & 0x7f];
    let x = v >> 7;
    while (x > 0) {
      b.unshift(0x80 | (x & 0x7f));
      x >>= 7;
    }
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
const utf8 = (s) => tlv(0x0c, Buffer.from(s, "utf8"));
const octets = (b) => tlv(0x04, b);
const bits = (b) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
function utcTime(d) {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return tlv(0x17, Buffer.from(s, "ascii"));
}
const name = (cn) => seq(set(seq(oid("2.5.4.3"), utf8(cn))));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

function certificate({ subject, issuer, publicKey, signingKey, ca, san }) {
  const now = Date.now();
  const exts = [];
  exts.push(seq(oid("2.5.29.19"), TRUE, octets(ca ? seq(TRUE) : seq())));
  if (ca) exts.push(seq(oid("2.5.29.15"), TRUE, octets(tlv(0x03, Buffer.from([0x01, 0x06])))));
  if (san) {
    const names = [tlv(0x82, Buffer.from("localhost", "ascii")), tlv(0x87, Buffer.from([127, 0, 0, 1]))];
    exts.push(seq(oid("2.5.29.17"), octets(seq(...names))));
  }
  const spki = publicKey.export({ type: "spki", format: "der" });
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(crypto.randomBytes(8)),
    ECDSA_SHA256,
    name(issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 7 * 86400_000))),
    name(subject),
    spki,
    explicit(3, seq(...exts)),
  );
  const sig = crypto.sign("sha256", tbs, signingKey);
  const der = seq(tbs, ECDSA_SHA256, bits(sig));
  return (
    "-----BEGIN CERTIFICATE-----\n" +
    der
      .toString("base64")
      .replace(/(.{64})/g, "$1\n")
      .trim() +
    "\n-----END CERTIFICATE-----\n"
  );
}

/** { caPem, certPem, keyPem }: a CA and a server certificate (127.0.0.1, localhost) it signed. */
function makeCerts() {
  const caKeys = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const srvKeys = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const caPem = certificate({
    subject: "tickstream test CA",
    issuer: "tickstream test CA",
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    ca: true,
  });
  const certPem = certificate({
    subject: "127.0.0.1",
    issuer: "tickstream test CA",
    publicKey: srvKeys.publicKey,
    signingKey: caKeys.privateKey,
    ca: false,
    san: true,
  });
  return { caPem, certPem, keyPem: srvKeys.privateKey.export({ type: "pkcs8", format: "pem" }) };
}

module.exports = { makeCerts };
