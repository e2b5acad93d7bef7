"use strict";
/**
 * The shared editor code (resources/tickstream-editor.js) and the runtime agree: the bar steps
 * and condition dialects the editor offers and validates are the runtime's own tables, exported
 * by the nodes as editor settings; every node editor loads the shared code by the relative path
 * Node-RED serves it at; and every message the shared code builds is in the node's catalog.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { RESOURCE, runtimeEditorSettings, loadDefinition, templateOf } = require("../support/editor-env");
const { ALLOWED_STEPS } = require("../../dist/lib/aggregate");
const { CONDITION_DIALECTS } = require("../../dist/lib/conditions");
const { SESSIONS } = require("../../dist/lib/calendar");
const { resolveAggregate } = require("../../dist/nodes/tick-aggregate/settings");
const { DEFAULT_PARAMS } = require("../../dist/lib/indicators/indicators");
const { indicatorLabel } = require("../../dist/nodes/tick-indicator/settings");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");
const TAG = `<script src="resources/${pkg.name}/tickstream-editor.js"></script>`;
/** The node editors: all use the shared code. */
const SHARED = ["tick-feed", "tick-subscribe", "tick-filter", "tick-aggregate", "tick-indicator", "tick-alert"];

const htmlOf = (type) => fs.readFileSync(path.join(root, "src", "nodes", type, type + ".html"), "utf8");
const catalogOf = (type) => JSON.parse(fs.readFileSync(path.join(root, "locales", "en-US", type + ".json"), "utf8"));
const lookup = (catalog, key) => key.split(".").reduce((o, k) => (o !== undefined && o !== null ? o[k] : undefined), catalog);

/** The shared namespace, loaded the way the editor loads it, with the runtime's settings. */
function sharedCode(settings = runtimeEditorSettings()) {
  const ctx = vm.createContext({ RED: { _: (k) => String(k).replace(/^[^:]*:/, ""), settings }, console });
  vm.runInContext(fs.readFileSync(RESOURCE, "utf8"), ctx);
  return ctx.TickstreamEditor;
}

describe("shared editor code and the runtime", function () {
  it("the nodes export the runtime's bar steps and condition dialects to the editor", function () {
    const s = runtimeEditorSettings();
    assert.deepStrictEqual(s.tickAggregateSteps, JSON.parse(JSON.stringify(ALLOWED_STEPS)));
    assert.deepStrictEqual(s.tickAggregateDialects, [...CONDITION_DIALECTS]);
    assert.deepStrictEqual(s.tickFilterDialects, [...CONDITION_DIALECTS]);
  });

  it("the indicator editor's parameters and labels are the runtime's", function () {
    assert.deepStrictEqual(runtimeEditorSettings().tickIndicatorParams, JSON.parse(JSON.stringify(DEFAULT_PARAMS)));
    const def = loadDefinition(htmlOf("tick-indicator"), "tick-indicator");
    for (const [name, params] of Object.entries(DEFAULT_PARAMS)) {
      const blank = { indicator: name, period: "", fast: "", slow: "", signal: "", smooth: "", k: "" };
      assert.strictEqual(def.label.call(blank), indicatorLabel(name, params), `${name} with its defaults`);
    }
    assert.strictEqual(def.label.call({ indicator: "macd", fast: 5, slow: "", signal: 3 }), "MACD(5,26,3)");
  });

  it("the editor's interval validator accepts exactly the steps the runtime accepts, for every unit", function () {
    const def = loadDefinition(htmlOf("tick-aggregate"), "tick-aggregate");
    const disagree = [];
    for (const unit of Object.keys(ALLOWED_STEPS)) {
      for (let step = 1; step <= 61; step++) {
        const node = { id: "n1", barType: "time", unit, interval: step, _: (k) => k };
        const editor = def.defaults.interval.validate.call(node, step, {}) === true;
        let runtime = true;
        try {
          resolveAggregate({ barType: "time", unit, interval: step });
        } catch {
          runtime = false;
        }
        if (editor !== runtime) disagree.push(`${step}${unit}: editor ${editor}, runtime ${runtime}`);
      }
    }
    assert.deepStrictEqual(disagree, []);
  });

  it("no editor keeps its own copy of the tables: the dialect selects are filled from the runtime's list", function () {
    for (const type of ["tick-filter", "tick-aggregate"]) {
      const html = htmlOf(type);
      const form = templateOf(html, type);
      assert.doesNotMatch(html, /STEPS\s*=|\[\s*1,\s*2,\s*3,\s*4/, `${type}: no bar-step table`);
      assert.doesNotMatch(html + form, /<option value="(polygon|sip|tiingo)"/, `${type}: no dialect options`);
      assert.doesNotMatch(html, /'(polygon|sip|tiingo)'/, `${type}: no dialect names`);
      assert.match(form, /<select id="node-input-conditionDialect"[^>]*><\/select>/, `${type}: an empty dialect select`);
    }
  });

  it("the session checkboxes are the runtime's sessions", function () {
    assert.deepStrictEqual([...sharedCode().SESSIONS], [...SESSIONS]);
  });

  it("every node editor that uses it loads it by the relative path Node-RED serves, before its own script", function () {
    assert.ok(fs.existsSync(RESOURCE));
    for (const type of SHARED) {
      const html = htmlOf(type);
      const at = html.indexOf(TAG);
      assert.ok(at >= 0, `${type} loads ${TAG}`);
      assert.ok(at < html.indexOf('<script type="text/javascript">'), `${type}: before its own script`);
    }
    assert.ok(pkg.files.includes("resources"), 'package.json "files" ships resources/');
  });

  it("every catalog message the shared code builds exists: sessions, dialects and the validators' errors", function () {
    const missing = [];
    const need = (type, key) => {
      if (typeof lookup(catalogOf(type), `${type}.${key}`) !== "string") missing.push(`${type}.${key}`);
    };
    for (const type of ["tick-filter", "tick-aggregate", "tick-alert"]) for (const s of SESSIONS) need(type, "session." + s);
    for (const type of ["tick-filter", "tick-aggregate"]) for (const d of CONDITION_DIALECTS) need(type, "dialect." + d);
    // Every validator of every shared-code editor, on values it refuses: the message is a key of the node's catalog.
    const BAD = ["-1", "abc", "(bad)", "0", "1.5", "7", "I=q", "{bad", "1e99", " x "];
    for (const type of SHARED) {
      const def = loadDefinition(htmlOf(type), type);
      for (const [name, d] of Object.entries(def.defaults)) {
        if (typeof d.validate !== "function") continue;
        for (const v of BAD) {
          const node = { id: "n1", _: (k) => k };
          for (const [n, dd] of Object.entries(def.defaults)) node[n] = dd.value;
          node[name] = v;
          const r = d.validate.call(node, v, {});
          if (r === true) continue;
          assert.strictEqual(typeof r, "string", `${type}.${name}(${v}): true or a message`);
          if (!r.startsWith(type + ".")) missing.push(`${type}.${name}(${v}): ${r}`);
          else need(type, r.slice(type.length + 1));
        }
      }
    }
    assert.deepStrictEqual([...new Set(missing)], []);
  });

  it("the symbol limit: empty is the default, else a whole number of at least 1 (as the runtime reads it)", function () {
    const TS = sharedCode();
    const v = TS.v.count("tick-alert", "maxSymbols");
    for (const ok of ["", undefined, null, 1, "10000"]) assert.strictEqual(v(ok, {}), true, String(ok));
    for (const bad of [0, "0", "1.5", "x", -3]) assert.strictEqual(v(bad, {}), "tick-alert.errors.maxSymbols", String(bad));
  });
});
