/**
 * Where a connection slot's events go: subscription confirmations and refusals to the users
 * holding those symbols, errors and state changes to every user, the serious ones to the log,
 * and connection drops and confirmed trade subscriptions to the backfill (gap tracking).
 */
import type { BackfillCoordinator } from "../backfill/coordinator";
import type { Slot, SlotEventArgs } from "../connection";
import type { FeedLog } from "./types";
import type { FeedUsers } from "./users";

export class SlotEventRouter {
  constructor(
    private readonly providerId: string,
    private readonly users: FeedUsers,
    private readonly log: FeedLog,
    private readonly backfill: BackfillCoordinator | null,
  ) {}

  route(slot: Slot, ...[topic, payload]: SlotEventArgs): void {
    const base = { connection: slot.index, ...payload };
    if (this.backfill !== null) {
      // A streaming connection dropped (not our own close): its trade symbols have a gap from now on.
      if (topic === "disconnected" && payload.wasOpen === true && slot.state !== "closing") this.backfill.disconnected(slot.desired.trades);
      else if (topic === "subscribed" && payload.channel === "trades") this.backfill.subscribed(payload.symbols);
    }
    switch (topic) {
      case "subscribed":
      case "unsubscribed":
        this.users.toHolders(topic, payload.symbols, payload.channel, base);
        return;
      case "rejected": {
        const symbols = payload.symbols;
        this.users.toHolders("error", symbols, payload.channel, { ...base, code: payload.code ?? "rejected" });
        this.log.warn(`${this.providerId}: symbols refused (${payload.code}): ${symbols.join(", ")}: ${payload.message}`);
        return;
      }
      case "warning":
        this.users.broadcast("error", { ...base, severity: "warning" });
        return;
      case "error":
        this.users.broadcast("error", base);
        if (payload.kind === "auth" || payload.kind === "plan" || payload.code === "connect_failing")
          this.log.error(`${this.providerId}: ${payload.message}`);
        else if (payload.code === "frame_too_large") this.log.warn(`${this.providerId}: ${payload.message}`);
        return;
      default:
        this.users.broadcast(topic, base);
    }
  }
}
