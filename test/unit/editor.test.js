"use strict";
/**
 * The editor side of every node, without a browser: the editor script registers its type with
 * defaults that validate, a label and port labels; every catalog key the edit dialog or the
 * script uses exists in the node's message catalog (a missing key shows up as a raw key).
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { checkMarkup } = require("../support/html-check");

const root = path.join(__dirname, "..", "..");
const NODES = Object.keys(require("../../package.json")["node-red"].nodes);

/** Runs an editor script (after the shared editor code) with a stub RED and jQuery (no dialog open) and returns the type's definition. */
const { loadDefinition, templateOf } = require("../support/editor-env");

/** Every HTML file the package ships to the editor: node templates and help texts. */
function editorHtmlFiles() {
  const out = [];
  for (const dir of ["src/nodes", "locales"]) {
    for (const f of fs.readdirSync(path.join(root, dir), { recursive: true }))
      if (String(f).endsWith(".html")) out.push(path.join(dir, String(f)));
  }
  return out.sort();
}

function lookup(catalog, key) {
  return key.split(".").reduce((o, k) => (o !== undefined && o !== null ? o[k] : undefined), catalog);
}

describe("editor markup", function () {
  it("finds the editor and help files", function () {
    assert.ok(editorHtmlFiles().length >= 2 * NODES.length);
  });
  for (const file of editorHtmlFiles()) {
    it(`${file} is balanced, well nested markup`, function () {
      assert.deepStrictEqual(checkMarkup(fs.readFileSync(path.join(root, file), "utf8")), []);
    });
  }
  it("the checker catches the defects browsers repair silently", function () {
    assert.deepStrictEqual(checkMarkup('<script type="text/html"><div><select><option>a</option></div></script>'), [
      "line 1: </div> closes <select> opened on line 1",
    ]);
    assert.deepStrictEqual(checkMarkup("<div><select>\n<div>x</div></select></div>"), ["line 2: <div> inside <select> (line 1)"]);
    assert.deepStrictEqual(checkMarkup("<div>\n<span></div>"), ["line 2: </div> closes <span> opened on line 2"]);
    assert.deepStrictEqual(checkMarkup("<p>a</p></p>"), ["line 1: </p> without a start tag"]);
    assert.deepStrictEqual(checkMarkup('<input id="a" id="b">'), ["line 1: duplicate attribute id in <input>"]);
    assert.deepStrictEqual(checkMarkup("<ul><li>x</li>"), ["line 1: <ul> is never closed"]);
  });
});

describe("node editors", function () {
  for (const type of NODES) {
    describe(type, function () {
      const html = fs.readFileSync(path.join(root, "src", "nodes", type, type + ".html"), "utf8");
      const catalog = JSON.parse(fs.readFileSync(path.join(root, "locales", "en-US", type + ".json"), "utf8"));

      it("writes an edit form of balanced, well nested markup", function () {
        const form = templateOf(html, type);
        assert.ok(form.includes('class="form-row'), "the form has rows");
        assert.deepStrictEqual(checkMarkup(form), []);
      });

      it("has an input for every property in its edit form, by the id Node-RED binds", function () {
        const def = loadDefinition(html, type);
        const form = templateOf(html, type);
        const prefix = def.category === "config" ? "node-config-input" : "node-input";
        // Set in oneditsave from other controls: the session checkboxes, the reject-output box, the provider options.
        const OTHER = { sessions: true, outputs: type === "tick-filter", options: type === "tick-feed" };
        const missing = [...Object.keys(def.defaults), ...Object.keys(def.credentials || {})].filter(
          (p) => !OTHER[p] && !form.includes(`id="${prefix}-${p}"`),
        );
        assert.deepStrictEqual(missing, []);
      });

      it("uses only catalog keys that exist in its own catalog", function () {
        const keys = new Set();
        for (const m of (html + templateOf(html, type)).matchAll(/data-i18n="([^"]+)"/g))
          for (const k of m[1].split(";")) keys.add(k.replace(/^\[[a-z]+\]/, ""));
        // RED._ outside a node's own this._ must name the node set: <module>/<set>:<key>.
        for (const m of html.matchAll(/\b_\('([^']+)'/g))
          keys.add(m[1].replace(new RegExp(`^${require("../../package.json").name}/${type}:`), ""));
        for (const m of html.matchAll(/RED\._\('([^':]+)'/g))
          assert.fail(
            `RED._('${m[1]}') has no namespace: the editor shows the raw key (use this._ or '${require("../../package.json").name}/${type}:${m[1]}')`,
          );
        assert.ok(keys.size > 0);
        // A key built at run time ('...url-' + provider) must exist for every provider.
        const providers = Object.keys(require("../../locales/en-US/tick-feed.json")["tick-feed"].provider);
        // ... and the Test connection results.
        const results = ["ok", "auth", "plan", "limit", "unreachable", "timeout", "config", "busy", "denied", "failed"];
        const expanded = [...keys].flatMap((k) =>
          k.endsWith("-") || k.endsWith(".provider.")
            ? providers.map((p) => k + p)
            : k.endsWith(".test.")
              ? results.map((r) => k + r)
              : [k],
        );
        const missing = expanded.filter((k) => !k.startsWith(type + ".") || typeof lookup(catalog, k) !== "string");
        assert.deepStrictEqual(missing, [], `keys missing from locales/en-US/${type}.json`);
      });

      it("calls registerType with a literal type and an inline object, the shape node-red-dev validate can read", function () {
        assert.match(html, new RegExp(`RED\\.nodes\\.registerType\\('${type}', \\{`));
      });

      it("registers its type with defaults that pass their own validation, a label and port labels", function () {
        const def = loadDefinition(html, type);
        assert.ok(def, `${type} registered`);
        assert.strictEqual(def.category, type === "tick-feed" ? "config" : "market data");
        const node = { _: (k) => k };
        for (const [name, d] of Object.entries(def.defaults)) node[name] = d.value;
        for (const [name, d] of Object.entries(def.defaults)) {
          if (typeof d.validate === "function")
            assert.strictEqual(d.validate.call(node, d.value), true, `${name} default ${JSON.stringify(d.value)} is valid`);
        }
        assert.strictEqual(typeof def.label.call(node), "string");
        if (def.outputLabels)
          for (let i = 0; i < (def.outputs || 0); i++) assert.strictEqual(typeof def.outputLabels.call(node, i), "string");
      });

      it("declares every validator with two arguments (v, opt), so Node-RED shows its message", function () {
        const def = loadDefinition(html, type);
        const one = [];
        for (const group of [def.defaults, def.credentials || {}]) {
          for (const [name, d] of Object.entries(group)) if (typeof d.validate === "function" && d.validate.length !== 2) one.push(name);
        }
        assert.deepStrictEqual(one, []);
      });
    });
  }
});

/** A node of `type` with its defaults, `props` on top, and a catalog-key translator. */
function editorNode(type, props) {
  const html = fs.readFileSync(path.join(root, "src", "nodes", type, type + ".html"), "utf8");
  const def = loadDefinition(html, type);
  const node = { id: "n1", _: (k, args) => (args ? k + " " + JSON.stringify(args) : k) };
  for (const [name, d] of Object.entries(def.defaults)) node[name] = d.value;
  Object.assign(node, props);
  const catalog = JSON.parse(fs.readFileSync(path.join(root, "locales", "en-US", type + ".json"), "utf8"));
  /** What the validator of `name` says about the node's value: true or the catalog key (checked to exist). */
  node.check = (name, group = "defaults") => {
    const r = def[group][name].validate.call(node, group === "defaults" ? node[name] : undefined, {});
    if (r === true) return true;
    assert.strictEqual(typeof r, "string", `${name}: true or a message`);
    const key = r.split(" ")[0];
    assert.strictEqual(typeof lookup(catalog, key), "string", `${key} is in the catalog`);
    return key;
  };
  return node;
}

describe("editor validators (saved values, no dialog open)", function () {
  it("tick-feed: URL scheme, numbers, and a key for every provider that needs one", function () {
    assert.strictEqual(editorNode("tick-feed", { url: "http://x" }).check("url"), "tick-feed.errors.url");
    assert.strictEqual(editorNode("tick-feed", { url: "wss://relay.example/ws" }).check("url"), true);
    assert.strictEqual(editorNode("tick-feed", { provider: "generic", url: "" }).check("url"), "tick-feed.errors.url-required");
    for (const [name, bad] of [
      ["backoffMin", "0"],
      ["backoffMax", "-5"],
      ["pingInterval", "-1"],
      ["staleTimeout", "x"],
      ["symbolsPerConnection", "1.5"],
      ["maxConnections", "-1"],
      ["dedupWindow", "0"],
    ]) {
      assert.notStrictEqual(editorNode("tick-feed", { [name]: bad }).check(name), true, `${name} = ${bad}`);
      assert.strictEqual(editorNode("tick-feed", { [name]: "" }).check(name), true, `${name} empty = default`);
    }
    assert.strictEqual(
      editorNode("tick-feed", { backoffMin: 5000, backoffMax: 1000 }).check("backoffMax"),
      "tick-feed.errors.backoff-order",
    );
    assert.strictEqual(editorNode("tick-feed", { options: { ratePerSymbol: "-1" } }).check("options"), "tick-feed.errors.positive");
    assert.strictEqual(editorNode("tick-feed", { options: { subscribeTemplate: "{bad" } }).check("options"), "tick-feed.errors.json");
    for (const p of ["alltick", "polygon", "finnhub", "twelvedata", "tiingo"]) {
      assert.strictEqual(
        editorNode("tick-feed", { provider: p, credentials: { has_apiKey: false } }).check("provider"),
        "tick-feed.errors.key-required",
        p,
      );
      assert.strictEqual(editorNode("tick-feed", { provider: p, credentials: { has_apiKey: true } }).check("provider"), true, p);
      assert.strictEqual(editorNode("tick-feed", { provider: p, credentials: { apiKey: "typed" } }).check("provider"), true, p);
      // Credentials not loaded yet (a deployed flow before its dialog was opened): not flagged.
      assert.strictEqual(editorNode("tick-feed", { provider: p }).check("provider"), true, p);
    }
    assert.strictEqual(
      editorNode("tick-feed", { provider: "alpaca", credentials: { has_apiKey: true, has_apiSecret: false } }).check("provider"),
      "tick-feed.errors.secret-required",
    );
    // Blanks typed as a key are no key (the runtime trims), whatever has_apiKey says.
    assert.strictEqual(
      editorNode("tick-feed", { provider: "polygon", credentials: { apiKey: "  ", has_apiKey: true } }).check("provider"),
      "tick-feed.errors.key-required",
    );
    assert.strictEqual(
      editorNode("tick-feed", { provider: "coinbase", credentials: { has_apiKey: true, has_apiSecret: false } }).check("provider"),
      "tick-feed.errors.key-pair",
    );
    assert.strictEqual(
      editorNode("tick-feed", { provider: "coinbase", credentials: { has_apiKey: false, has_apiSecret: false } }).check("provider"),
      true,
    );
    for (const p of ["simulator", "binance", "generic"])
      assert.strictEqual(
        editorNode("tick-feed", { provider: p, url: "ws://h/", credentials: { has_apiKey: false } }).check("provider"),
        true,
        p,
      );
  });

  it("tick-subscribe: symbols", function () {
    assert.strictEqual(editorNode("tick-subscribe", { symbols: "AAPL, (bad)" }).check("symbols"), "tick-subscribe.errors.bad-symbol");
    assert.strictEqual(editorNode("tick-subscribe", { symbols: "AAPL, BRK.B BTC/USD" }).check("symbols"), true);
  });

  it("tick-aggregate: the interval follows the bar type and unit; thresholds, delays, overrides", function () {
    assert.strictEqual(editorNode("tick-aggregate", { interval: 7, unit: "s" }).check("interval"), "tick-aggregate.errors.step");
    assert.strictEqual(editorNode("tick-aggregate", { interval: 5, unit: "s" }).check("interval"), true);
    assert.strictEqual(editorNode("tick-aggregate", { interval: 7, unit: "s", barType: "tick" }).check("interval"), true);
    assert.strictEqual(
      editorNode("tick-aggregate", { barType: "tick", threshold: 2.5 }).check("threshold"),
      "tick-aggregate.errors.tick-threshold",
    );
    assert.strictEqual(
      editorNode("tick-aggregate", { barType: "volume", threshold: 0 }).check("threshold"),
      "tick-aggregate.errors.threshold",
    );
    assert.strictEqual(editorNode("tick-aggregate", { closeDelay: -1 }).check("closeDelay"), "tick-aggregate.errors.at-least");
    assert.strictEqual(
      editorNode("tick-aggregate", { conditionOverrides: "I=v, X" }).check("conditionOverrides"),
      "tick-aggregate.errors.override",
    );
    assert.strictEqual(editorNode("tick-aggregate", { maxSymbols: 0 }).check("maxSymbols"), "tick-aggregate.errors.max-symbols");
  });

  it("tick-filter: symbols, ranges, outlier window, overrides", function () {
    assert.strictEqual(editorNode("tick-filter", { include: "(bad)" }).check("include"), "tick-filter.errors.bad-symbol");
    assert.strictEqual(editorNode("tick-filter", { priceMin: "x" }).check("priceMin"), "tick-filter.errors.number");
    assert.strictEqual(editorNode("tick-filter", { priceMin: 10, priceMax: 5 }).check("priceMax"), "tick-filter.errors.range");
    assert.strictEqual(editorNode("tick-filter", { outlierWindow: 2 }).check("outlierWindow"), "tick-filter.errors.outlier-window");
    assert.strictEqual(editorNode("tick-filter", { outlierPct: 0 }).check("outlierPct"), "tick-filter.errors.positive");
    assert.strictEqual(editorNode("tick-filter", { rate: -1 }).check("rate"), "tick-filter.errors.at-least");
    assert.strictEqual(editorNode("tick-filter", { conditionOverrides: "I=q" }).check("conditionOverrides"), "tick-filter.errors.override");
  });
});
