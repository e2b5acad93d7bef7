/**
 * tick-feed: the config node that owns the connection(s) to one provider. All logic lives in
 * FeedCore; this file maps node properties to it and closes it on redeploy.
 */
import type { Node, NodeAPI, NodeDef } from "node-red";
import { FeedCore } from "../../lib/feed";
import { createProvider, editorDescriptors } from "../../lib/providers";
import { SecretMasker } from "../../lib/secrets";
import type { TickFeedNode } from "./api";
import { PACKAGE_DIR, resolveOptions, resolveSettings, type TickFeedConfig } from "./settings";
import { registerTestEndpoint } from "./test-connection";

interface TickFeedDef extends NodeDef, TickFeedConfig {}

interface Credentials {
  apiKey: unknown;
  apiSecret: unknown;
}

function credentialText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export = function register(RED: NodeAPI): void {
  function TickFeed(this: Node<Credentials>, config: TickFeedDef): void {
    RED.nodes.createNode(this, config);
    const node: TickFeedNode = Object.assign(this, { core: null as FeedCore | null, configError: null as string | null });
    try {
      // Relative replay paths: like the core file node (fileWorkingDirectory), then the user directory, then this package.
      const s = RED.settings as unknown as { fileWorkingDirectory?: unknown; userDir?: unknown };
      const dirs = [
        typeof s.fileWorkingDirectory === "string" && s.fileWorkingDirectory !== "" ? s.fileWorkingDirectory : process.cwd(),
        s.userDir,
        PACKAGE_DIR,
      ].filter((d): d is string => typeof d === "string" && d !== "");
      const settings = resolveSettings(
        config,
        { apiKey: credentialText(this.credentials?.apiKey), apiSecret: credentialText(this.credentials?.apiSecret) },
        dirs,
      );
      const provider = createProvider(settings);
      node.core = new FeedCore(provider, resolveOptions(config), {
        warn: (text) => node.warn(text),
        error: (text) => node.error(text),
      });
    } catch (err) {
      // A config error may quote what was configured (a template holding a key): mask it.
      const masker = new SecretMasker([credentialText(this.credentials?.apiKey), credentialText(this.credentials?.apiSecret)]);
      masker.addFrom(typeof config.url === "string" ? config.url : "");
      if (config.options !== null && typeof config.options === "object")
        for (const v of Object.values(config.options)) if (typeof v === "string") masker.addFrom(v);
      node.configError = masker.mask(err instanceof Error ? err.message : String(err));
      node.error(RED._("tick-feed.errors.config", { error: node.configError }));
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      const core = node.core;
      node.core = null;
      if (core === null) {
        done();
        return;
      }
      // FeedCore.close is bounded; the extra guard makes `done` certain even if it were not.
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(guard);
        done();
      };
      const guard = setTimeout(finish, 5000);
      core.close().then(finish, finish);
    });
  }

  RED.nodes.registerType("tick-feed", TickFeed, {
    credentials: {
      apiKey: { type: "password" },
      apiSecret: { type: "password" },
    },
    // The provider descriptors, for the editor (RED.settings.tickFeedProviders): its provider
    // list, key rows and option rows are built from them.
    settings: { tickFeedProviders: { value: editorDescriptors(), exportable: true } },
  });

  registerTestEndpoint(RED);
};
