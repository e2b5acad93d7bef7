/**
 * The admin endpoint behind the "Test connection" button of the tick-feed dialog:
 *
 *   POST <httpAdminRoot>/tick-feed/test   (permission tick-feed.write)
 *   body: { id?, provider, url, options, <feed properties>, credentials: { apiKey, apiSecret } }
 *   answer: { result: "ok"|"auth"|"plan"|"limit"|"unreachable"|"timeout"|"config"|"busy", code, message, symbol, ms }
 *
 * It builds the feed from the dialog's values exactly as a deployed node would (so keys typed
 * but not deployed yet are tested); a credential sent as "__PWRD__" (the dialog's placeholder
 * for a stored secret) is taken from the stored credentials of node `id`. Only what a feed
 * would open is opened (the provider's WebSocket; the simulator's local server), within 10 s,
 * and everything is closed afterwards. No key ever appears in an answer or a log line.
 */
import type { NodeAPI } from "node-red";
import type { Request, Response } from "express";
import { createProvider } from "../../lib/providers";
import { probeFeed, type ProbeResult } from "../../lib/probe";
import { maskAndCut, SecretMasker, secretsIn } from "../../lib/secrets";
import { resolveOptions, resolveSettings, type TickFeedConfig } from "./settings";

/** Probes running at once (each holds at most one socket for up to 10 s). */
const MAX_PARALLEL = 3;
const PLACEHOLDER = "__PWRD__";
const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export type TestAnswer = Omit<ProbeResult, "outcome" | "symbol"> & { result: ProbeResult["outcome"] | "config" | "busy"; symbol?: string };

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function registerTestEndpoint(RED: NodeAPI): void {
  let running = 0;

  const handler = async (req: Request, res: Response): Promise<void> => {
    const body: Record<string, unknown> = req.body !== null && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
    const sent = body.credentials !== null && typeof body.credentials === "object" ? (body.credentials as Record<string, unknown>) : {};
    const id = text(body.id);
    let stored: Record<string, unknown> | undefined;
    const credential = (name: "apiKey" | "apiSecret"): string => {
      let v = text(sent[name]);
      if (v === PLACEHOLDER) {
        if (stored === undefined) stored = ((id !== "" ? RED.nodes.getCredentials(id) : undefined) ?? {}) as Record<string, unknown>;
        v = text(stored[name]);
      }
      // What the runtime does for a deployed node: "${NAME}" takes the key from the environment.
      const m = ENV_REF.exec(v.trim());
      return m !== null ? (process.env[m[1]] ?? "") : v;
    };
    const apiKey = credential("apiKey");
    const apiSecret = credential("apiSecret");
    const masker = new SecretMasker([apiKey, apiSecret, apiKey.trim(), apiSecret.trim(), ...secretsIn(text(body.url))]);
    // Templates of the generic provider may carry a key too.
    if (body.options !== null && typeof body.options === "object")
      for (const v of Object.values(body.options as Record<string, unknown>)) if (typeof v === "string") masker.addFrom(v);
    const answer = (a: TestAnswer): void => {
      res.json({ ...a, code: maskAndCut(masker, a.code, 60), message: maskAndCut(masker, a.message, 300) });
    };

    if (running >= MAX_PARALLEL) {
      answer({ result: "busy", code: "busy", message: "other connection tests are running", ms: 0 });
      return;
    }
    // The dialog's feed properties (CA, frame limit, ... included); never a backfill from a test.
    const { credentials: _c, id: _i, name: _n, ...props } = body;
    const config: TickFeedConfig = { ...props, dedup: false, backfill: "off" };
    if (config.provider === "replay") {
      // A replay reads a file on this machine: nothing to connect to, and no file probing from the admin API.
      answer({ result: "config", code: "replay", message: "a replay has no connection to test", ms: 0 });
      return;
    }
    let provider;
    try {
      provider = createProvider(resolveSettings(config, { apiKey, apiSecret }));
    } catch (err) {
      answer({ result: "config", code: "config", message: err instanceof Error ? err.message : String(err), ms: 0 });
      return;
    }
    running++;
    try {
      const r = await probeFeed(provider, resolveOptions(config));
      answer({ result: r.outcome, code: r.code, message: r.message, symbol: r.symbol, ms: r.ms });
    } catch (err) {
      answer({ result: "unreachable", code: "error", message: err instanceof Error ? err.message : String(err), ms: 0 });
    } finally {
      running--;
    }
  };

  RED.httpAdmin.post("/tick-feed/test", RED.auth.needsPermission("tick-feed.write"), (req: Request, res: Response) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.status(500).json({ result: "unreachable", code: "error", message: "internal error" });
    });
  });
}
