/** What every REST history client shares: its provider, the base URL in use, the secrets to mask. */
import type { ProviderId } from "../providers";
import type { RawTick } from "../types";
import { restBase, type RestSession } from "./http";
import type { Gap, GapInfo, HistoryClient } from "./types";

export abstract class RestHistory implements HistoryClient {
  readonly baseUrl: string;

  /** `restUrl`: the feed's REST URL setting (blank = `defaultUrl`). */
  constructor(
    readonly provider: ProviderId,
    restUrl: string,
    defaultUrl: string,
    readonly secrets: readonly string[],
  ) {
    this.baseUrl = restBase(restUrl, defaultUrl);
  }

  abstract pages(gap: Gap, rest: RestSession, signal: AbortSignal, info: GapInfo): AsyncGenerator<RawTick[], void, void>;
}
