"use strict";
/**
 * The provider descriptors (src/lib/providers/<id>.ts, listed once in providers/index.ts) are the
 * single source of truth: this checks that each one is complete and that everything derived from
 * it agrees: the catalog and help, the options' defaults and checks, the runtime it creates, the
 * backfill clients, the condition dialect, and the data the tick-feed editor receives.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const registry = require("../../dist/lib/providers");
const { checkOption, plainDescriptor } = require("../../dist/lib/providers/descriptor");
const { createHistoryClient } = require("../../dist/lib/backfill");
const { dialectOf } = require("../../dist/lib/conditions");
const { probeSymbol } = require("../../dist/lib/probe");
const { runtimeRegistrations, loadDefinition } = require("../support/editor-env");

const root = path.join(__dirname, "..", "..");
const catalog = require("../../locales/en-US/tick-feed.json")["tick-feed"];
const help = fs.readFileSync(path.join(root, "locales", "en-US", "tick-feed.html"), "utf8");
const editorHtml = fs.readFileSync(path.join(root, "src", "nodes", "tick-feed", "tick-feed.html"), "utf8");

function lookup(key) {
  return key
    .replace(/^tick-feed\./, "")
    .split(".")
    .reduce((o, k) => (o !== undefined && o !== null ? o[k] : undefined), catalog);
}

/** Settings that make each provider's factory succeed with every option at its default. */
function defaultSettings(d) {
  return {
    provider: d.id,
    url: d.urlRequired ? "ws://127.0.0.1:9/" : "",
    apiKey: d.credentials.apiKey === "required" ? "key" : "",
    apiSecret: d.credentials.apiSecret === "required" ? "secret" : "",
    options: d.id === "replay" ? { file: path.join(root, "data", "sample-session.jsonl.gz") } : {},
  };
}

/** The editor's type definition, run with the runtime's descriptors as Node-RED hands them over. */
function editorDefinition(settingsValue) {
  return loadDefinition(editorHtml, "tick-feed", { settings: { tickFeedProviders: settingsValue } });
}

const descriptors = registry.providers();

describe("provider descriptors", function () {
  it("the registry lists each provider once, each in its own module src/lib/providers/<id>.ts", function () {
    const ids = registry.providerIds();
    assert.strictEqual(new Set(ids).size, ids.length, ids.join());
    for (const id of ids) {
      assert.ok(fs.existsSync(path.join(root, "src", "lib", "providers", id + ".ts")), id);
      assert.ok(registry.isProviderId(id));
    }
    assert.strictEqual(registry.isProviderId("nope"), false);
    assert.strictEqual(registry.findProvider(42), undefined);
  });

  it("the catalog has exactly the registry's providers, with the descriptor's label", function () {
    assert.deepStrictEqual(Object.keys(catalog.provider).sort(), registry.providerIds().sort());
    for (const d of descriptors) assert.strictEqual(catalog.provider[d.id], d.label, d.id);
  });

  it("every provider has catalog placeholders for its URL and REST URL, and a help section", function () {
    const sections = [...help.matchAll(/<h4>([^<]+)<\/h4>/g)].map((m) => m[1].trim());
    for (const d of descriptors) {
      assert.strictEqual(typeof catalog.placeholder["url-" + d.id], "string", "url-" + d.id);
      assert.strictEqual(typeof catalog.placeholder["rest-" + d.id], "string", "rest-" + d.id);
      if ("restUrl" in d.backfill) assert.ok(catalog.placeholder["rest-" + d.id].includes(d.backfill.restUrl), d.id);
      assert.ok(sections.includes(d.id) || sections.includes(d.label), `help section for ${d.id} (have ${sections.join(", ")})`);
    }
  });

  it("every option has catalog texts, a default of its input's type that passes its own check, and one check per name", function () {
    const checks = new Map();
    for (const d of descriptors) {
      if (d.heading !== undefined) assert.strictEqual(typeof lookup(d.heading), "string", d.heading);
      const names = d.options.map((o) => o.name);
      assert.strictEqual(new Set(names).size, names.length, `${d.id}: option names unique`);
      for (const o of d.options) {
        const where = `${d.id}.${o.name}`;
        assert.ok(o.label !== undefined || o.placeholderLabel !== undefined, `${where}: a label`);
        for (const key of [o.label, o.placeholderLabel])
          if (key !== undefined) assert.strictEqual(typeof lookup(key), "string", `${where}: ${key}`);
        const type = { number: "number", checkbox: "boolean", text: "string", select: "string" }[o.input];
        assert.strictEqual(typeof o.default, type, `${where}: default ${JSON.stringify(o.default)} is a ${type}`);
        assert.strictEqual(checkOption(o.check, o.default), true, `${where}: default passes its check`);
        if (o.input === "select") {
          assert.ok(o.choices.length > 0, where);
          assert.strictEqual(o.choices[0].value, o.default, `${where}: the first choice is the default (what the select shows)`);
          for (const c of o.choices) assert.ok(c.text !== undefined || typeof lookup(c.label) === "string", `${where}: choice ${c.value}`);
        }
        if (o.check !== undefined) {
          if (checks.has(o.name)) assert.strictEqual(checks.get(o.name), o.check, `${where}: same check as the other providers' ${o.name}`);
          checks.set(o.name, o.check);
          assert.notStrictEqual(checkOption(o.check, o.check === "json" ? "{bad" : "-1"), true, `${where}: the check refuses a bad value`);
        }
      }
    }
  });

  it("each factory makes its provider with every option at its default, with the descriptor's limits", async function () {
    for (const d of descriptors) {
      const p = registry.createProvider(defaultSettings(d));
      try {
        assert.strictEqual(p.id, d.id);
        assert.deepStrictEqual(p.limits, d.limits, `${d.id}: limits`);
        assert.strictEqual(probeSymbol(p), d.testSymbol, `${d.id}: Test connection symbol`);
        if (d.url !== "")
          assert.ok(p.displayUrl().startsWith(d.url.replace(/\?.*$/, "")), `${d.id}: ${p.displayUrl()} is the default ${d.url}`);
      } finally {
        if (p.dispose) await p.dispose();
      }
    }
  });

  it("Test connection's symbol follows the option its descriptor names (AllTick market, Alpaca feed)", function () {
    const probe = (id, options) => probeSymbol(registry.createProvider({ ...defaultSettings(registry.descriptorOf(id)), options }));
    assert.strictEqual(probe("alltick", { market: "forex" }), "EURUSD");
    assert.strictEqual(probe("alltick", { market: "stock" }), "AAPL.US");
    assert.strictEqual(probe("alpaca", { feed: "crypto" }), "BTC/USD");
    assert.strictEqual(probe("alpaca", { feed: "test" }), "FAKEPACA");
    assert.strictEqual(probe("alpaca", { feed: "sip" }), "AAPL");
  });

  it("a key a provider requires is required by its factory too", function () {
    for (const d of descriptors.filter((x) => x.credentials.apiKey === "required")) {
      assert.throws(() => registry.createProvider({ ...defaultSettings(d), apiKey: "" }), /key|token|API/i, d.id);
    }
  });

  it("backfill: a history client exactly for the providers whose descriptor has a REST URL (its default)", function () {
    for (const d of descriptors) {
      const client = createHistoryClient({ ...defaultSettings(d), apiKey: "k", apiSecret: "s" }, "");
      if ("restUrl" in d.backfill) {
        assert.ok(!("unsupported" in client), `${d.id}: ${JSON.stringify(client)}`);
        assert.strictEqual(client.baseUrl, d.backfill.restUrl, d.id);
      } else assert.deepStrictEqual(client, { unsupported: d.backfill.unsupported }, d.id);
    }
  });

  it("the auto condition dialect of a provider's ticks is its descriptor's", function () {
    for (const d of descriptors) assert.strictEqual(dialectOf({ provider: d.id }, "auto"), d.conditions, d.id);
    assert.strictEqual(dialectOf({ provider: "unknown" }, "auto"), "none");
  });

  it("every provider that is not local has a mock server under test/mocks", function () {
    for (const d of descriptors) {
      if (d.id === "simulator") continue; // it is its own server (src/lib/simulator)
      assert.ok(fs.existsSync(path.join(root, "test", "mocks", d.id + "-server.js")), `test/mocks/${d.id}-server.js`);
    }
  });
});

describe("the tick-feed editor's provider data is the runtime's", function () {
  const reg = runtimeRegistrations()["tick-feed"];

  it("tick-feed registers the descriptors as the exportable setting tickFeedProviders, as plain JSON", function () {
    assert.strictEqual(reg.type, "tick-feed");
    const setting = reg.opts.settings.tickFeedProviders;
    assert.strictEqual(setting.exportable, true);
    assert.deepStrictEqual(setting.value, descriptors.map(plainDescriptor));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(setting.value)), setting.value, "survives JSON (the settings endpoint)");
    assert.deepStrictEqual(
      setting.value.map((d) => d.id),
      registry.providerIds(),
    );
  });

  it("the editor script has no hand list of providers: no provider option, key map or backfill list", function () {
    for (const d of descriptors) {
      assert.ok(!editorHtml.includes(`<option value="${d.id}"`), `${d.id}: <option> written by hand`);
      assert.ok(
        !new RegExp(`data-providers="${d.id}"`).test(editorHtml) || d.properties !== undefined,
        `${d.id}: option rows written by hand`,
      );
    }
    assert.ok(!/\bKEYS\b|withHistory|OPT_CHECKS/.test(editorHtml));
  });

  it("the editor's key checks and option checks say what the descriptors say", function () {
    const def = editorDefinition(reg.opts.settings.tickFeedProviders.value);
    const check = (props, name, group = "defaults") => {
      const node = { id: "n1", _: (k) => k };
      for (const [n, x] of Object.entries(def.defaults)) node[n] = x.value;
      Object.assign(node, props);
      return def[group][name].validate.call(node, node[name], {});
    };
    for (const d of descriptors) {
      const noKey = check({ provider: d.id, url: "ws://h/", credentials: { has_apiKey: false, has_apiSecret: false } }, "provider");
      assert.strictEqual(noKey, d.credentials.apiKey === "required" ? "tick-feed.errors.key-required" : true, d.id);
      const keyOnly = check({ provider: d.id, url: "ws://h/", credentials: { has_apiKey: true, has_apiSecret: false } }, "provider");
      const wantKeyOnly =
        d.credentials.apiSecret === "required"
          ? "tick-feed.errors.secret-required"
          : d.credentials.apiSecret === "paired"
            ? "tick-feed.errors.key-pair"
            : true;
      assert.strictEqual(keyOnly, wantKeyOnly, d.id);
      assert.strictEqual(check({ provider: d.id, url: "" }, "url"), d.urlRequired ? "tick-feed.errors.url-required" : true, d.id);
      for (const o of d.options) {
        if (o.check === undefined) continue;
        for (const v of [o.default, "-1", "0", "{bad", "abc", "2.5"]) {
          assert.strictEqual(
            check({ provider: d.id, options: { [o.name]: v } }, "options"),
            checkOption(o.check, v),
            `${d.id}.${o.name} = ${JSON.stringify(v)}`,
          );
        }
      }
    }
  });
});
