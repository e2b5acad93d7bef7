/**
 * The feed's status from its connection slots: pure functions (no timers, no clock of their own),
 * so each state the user can see is tested from plain slot records.
 */
import type { Slot } from "../connection";
import type { SecretMasker } from "../secrets";
import type { FeedStatus } from "./types";

/** What the status reads of a slot. */
export type SlotStatusView = Pick<Slot, "state" | "failure" | "retryAt" | "failing" | "failedAttempts" | "connects" | "isActive">;

/**
 * The status the feed shows. In order: a failed slot (the user must fix something) wins; then a
 * slot waiting to retry (the one that waits longest gives the wait); then one connecting
 * (`reconnecting` once any slot connected before); then all open; else idle. A slot that keeps
 * failing before it is ready adds `failing` (unless the state is `failed`).
 */
export function feedStatusOf(slots: readonly SlotStatusView[], unplaced: number, now: number): FeedStatus {
  let connections = 0;
  let open = 0;
  let failed: SlotStatusView | undefined;
  let waiting: SlotStatusView | undefined;
  let connecting = false;
  let lastError: { code: string; message: string } | undefined;
  for (const s of slots) {
    if (s.state === "idle" || s.state === "closed" || s.state === "closing") continue;
    connections++;
    if (s.failure !== null) lastError = { code: s.failure.code, message: s.failure.message };
    switch (s.state) {
      case "open":
        open++;
        break;
      case "failed":
        failed = failed ?? s;
        break;
      case "backoff":
        if (waiting === undefined || s.retryAt > waiting.retryAt) waiting = s;
        break;
      default:
        connecting = true;
    }
  }
  let failing: FeedStatus["failing"];
  for (const s of slots) if (s.failing !== null && s.isActive && s.state !== "open") failing = { ...s.failing, attempts: s.failedAttempts };
  let status: FeedStatus;
  if (failed !== undefined && failed.failure !== null) {
    status = {
      state: "failed",
      connections,
      open,
      error: { code: failed.failure.code, message: failed.failure.message },
      unplaced,
      at: now,
    };
  } else if (waiting !== undefined) {
    status = { state: "reconnecting", connections, open, waitMs: Math.max(0, waiting.retryAt - now), unplaced, at: now };
    if (lastError) status.error = lastError;
  } else if (connecting) {
    const anyConnectedBefore = slots.some((s) => s.connects > 1);
    status = { state: anyConnectedBefore ? "reconnecting" : "connecting", connections, open, unplaced, at: now };
  } else if (connections > 0 && open === connections) {
    status = { state: "open", connections, open, unplaced, at: now };
  } else {
    status = { state: "idle", connections, open, unplaced, at: now };
  }
  if (failing !== undefined && status.state !== "failed") status.failing = failing;
  return status;
}

/** The status with the feed's secrets masked in its texts (a new object; the input is left alone). */
export function maskStatus(status: FeedStatus, masker: SecretMasker): FeedStatus {
  const out = { ...status };
  if (out.error !== undefined) out.error = { code: out.error.code, message: masker.mask(out.error.message) };
  if (out.failing !== undefined) out.failing = { ...out.failing, message: masker.mask(out.failing.message) };
  return out;
}

/** Whether the users would see the same thing (the time and message texts do not count). */
export function sameStatus(prev: FeedStatus, next: FeedStatus): boolean {
  return (
    prev.state === next.state &&
    prev.open === next.open &&
    prev.connections === next.connections &&
    prev.unplaced === next.unplaced &&
    prev.waitMs === next.waitMs &&
    prev.error?.code === next.error?.code &&
    prev.failing?.code === next.failing?.code &&
    prev.failing?.attempts === next.failing?.attempts
  );
}
