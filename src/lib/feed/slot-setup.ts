/** What a feed hands each of its slots: timing options and the secret masker. */
import type { SlotOptions } from "../connection";
import type { Provider } from "../providers/types";
import { SecretMasker } from "../secrets";
import { DEFAULT_FAIL_AFTER, DEFAULT_MAX_FRAME_BYTES, type FeedOptions } from "./types";

/** The slot options: the feed's, with the provider's timing where the feed has none. */
export function slotOptionsOf(provider: Provider, opts: FeedOptions): SlotOptions {
  const t = provider.timing;
  return {
    backoff: opts.backoff,
    healthyMs: opts.healthyMs,
    handshakeTimeoutMs: opts.handshakeTimeoutMs,
    closeTimeoutMs: opts.closeTimeoutMs,
    pingMs: opts.pingMs ?? t.pingMs,
    staleMs: opts.staleMs ?? t.staleMs,
    authTimeoutMs: opts.authTimeoutMs ?? t.authTimeoutMs,
    heartbeatMs: t.heartbeatMs,
    maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    ca: opts.ca,
    failAfter: opts.failAfter ?? DEFAULT_FAIL_AFTER,
  };
}

/** A masker that knows the provider's credentials and any secret in its URL or options. */
export function maskerFor(provider: Provider): SecretMasker {
  const s = provider.settings;
  const m = new SecretMasker([s.apiKey, s.apiSecret]);
  m.addFrom(s.url);
  for (const v of Object.values(s.options)) if (typeof v === "string") m.addFrom(v);
  return m;
}
