/** What a tick-feed node offers the nodes that use it (types only). */
import type { Node } from "node-red";
import type { FeedCore } from "../../lib/feed";

export interface TickFeedNode extends Node {
  /** The feed; null when the configuration is invalid (then `configError` says why). */
  core: FeedCore | null;
  configError: string | null;
}
