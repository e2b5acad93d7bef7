/** Wire symbol -> the spelling a user subscribed, for the providers that fold case on the wire. */
import type { ChannelLists, SessionContext } from "./types";

/** Maps wire symbols back to the subscribed spelling (exact first, then case-insensitive). */
export class SymbolResolver {
  private folded = new Map<string, string>();

  constructor(private readonly ctx: SessionContext) {}

  update(all: ChannelLists): void {
    this.folded = new Map();
    for (const s of all.trades) this.folded.set(s.toUpperCase(), s);
    for (const s of all.quotes) this.folded.set(s.toUpperCase(), s);
  }

  readonly resolve = (wire: string): string | undefined => {
    if (this.ctx.upstream("trades").has(wire) || this.ctx.upstream("quotes").has(wire)) return wire;
    return this.folded.get(wire.toUpperCase());
  };

  /** `resolve` for a wire field that may hold anything: undefined unless it is text naming a subscribed symbol. */
  find(wire: unknown): string | undefined {
    return typeof wire === "string" ? this.resolve(wire) : undefined;
  }
}
