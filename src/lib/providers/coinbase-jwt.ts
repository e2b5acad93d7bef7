/** Coinbase Advanced Trade authentication: the CDP API key's private key and the JWTs it signs (./coinbase.ts). */
import { createPrivateKey, randomBytes, sign, type KeyObject } from "crypto";

/** Signs the short-lived JWTs Coinbase accepts on WebSocket messages (CDP API keys). */
export class CoinbaseJwt {
  private readonly key: KeyObject;
  private readonly alg: "ES256" | "EdDSA";

  constructor(
    private readonly keyName: string,
    secret: string,
  ) {
    this.key = parsePrivateKey(secret);
    const type = this.key.asymmetricKeyType;
    if (type === "ec") this.alg = "ES256";
    else if (type === "ed25519") this.alg = "EdDSA";
    else throw new Error("Coinbase: the API secret must be an EC (ES256) or Ed25519 private key.");
  }

  /** A JWT valid from now for 120 s. `nowSec` for tests. */
  token(nowSec = Math.floor(Date.now() / 1000)): string {
    const header = { alg: this.alg, kid: this.keyName, nonce: randomBytes(16).toString("hex"), typ: "JWT" };
    const payload = { iss: "cdp", nbf: nowSec, exp: nowSec + 120, sub: this.keyName };
    const input = b64url(JSON.stringify(header)) + "." + b64url(JSON.stringify(payload));
    const sig =
      this.alg === "ES256"
        ? sign("sha256", Buffer.from(input), { key: this.key, dsaEncoding: "ieee-p1363" })
        : sign(null, Buffer.from(input), this.key);
    return input + "." + sig.toString("base64url");
  }
}

function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** PKCS#8 DER prefix of an Ed25519 private key (the 32-byte seed follows). */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The private key of a CDP API key: a PEM (EC "BEGIN EC PRIVATE KEY" or PKCS#8), possibly pasted
 * with literal "\n" sequences, or a base64 Ed25519 key (64 bytes: seed + public key, or the 32-byte seed).
 * Errors never quote the secret.
 */
export function parsePrivateKey(secret: string): KeyObject {
  const text = secret.trim().replace(/\\n/g, "\n");
  try {
    // A PEM pasted into a one-line field loses its line breaks: rebuild it from its base64 body.
    const pem = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
    if (pem !== null) {
      const body = pem[2].replace(/\s+/g, "");
      const lines = body.match(/.{1,64}/g) ?? [];
      return createPrivateKey({ key: `-----BEGIN ${pem[1]}-----\n${lines.join("\n")}\n-----END ${pem[1]}-----\n`, format: "pem" });
    }
    const raw = Buffer.from(text, "base64");
    if (raw.length === 64 || raw.length === 32) {
      return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]), format: "der", type: "pkcs8" });
    }
  } catch {
    // fall through to the error below, without the secret or the library's message (it may quote it)
  }
  throw new Error("Coinbase: the API secret is not a readable private key (paste the whole PEM, or the base64 Ed25519 key).");
}
