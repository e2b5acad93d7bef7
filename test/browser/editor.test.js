"use strict";
/**
 * The edit dialogs in a real browser (headless Debian Chromium driven by puppeteer-core) against a
 * real `node-red` process started the way `npm start` starts the demo (scripts/demo.js), on
 * Node-RED 4.1 (the dev dependency) and Node-RED 5 with Node 22 (.nr5/, see scripts/test-browser.sh).
 *
 * Generic on purpose, so fields and node types added later are covered: for every node type the
 * package registers,
 *  - its dialog opens with no page or console error and no raw catalog key;
 *  - every property or credential with a validator whose input is in the dialog: a bad value
 *    (found by asking the validator itself, trying the dialog's select options as context) marks
 *    the input in the dialog and, after Done, the node invalid; the original value makes it valid;
 *  - provider rows (data-providers) show and hide per provider;
 *  - tick-feed's Test connection against a local mock says ok for a good key and bad key for a wrong one.
 * Screenshots of every dialog (each tick-feed provider too) go to test/browser/screenshots/<version>/.
 */
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { PolygonServer } = require("../mocks/polygon-server");
const { startDemo } = require("../support/process");
const { CHROMIUM, launchChromium } = require("../support/chromium");
const { loadDefinition } = require("../support/editor-env");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");
const TYPES = Object.keys(pkg["node-red"].nodes);
const SHOTS = path.join(__dirname, "screenshots");
const GOOD_KEY = "browser-good-key-9f3e";

const TARGETS = [
  { name: "node-red-4.1", node: process.execPath, redPath: undefined },
  {
    name: "node-red-5",
    node: path.join(root, ".nr5", "node_modules", ".bin", "node"),
    redPath: path.join(root, ".nr5", "node_modules", "node-red"),
  },
];

/** Default property values of a type, read from its editor script (as the editor would, after the shared editor code). */
function defaultsOf(type) {
  return loadDefinition(fs.readFileSync(path.join(root, "dist", "nodes", type, type + ".html"), "utf8"), type);
}

/** One node of every type of the package on one tab (config nodes once, referenced by the others). */
function testFlow() {
  const flow = [{ id: "tab1", type: "tab", label: "tickstream editor test" }];
  const defs = Object.fromEntries(TYPES.map((t) => [t, defaultsOf(t)]));
  const configIds = {};
  for (const t of TYPES) if (defs[t].category === "config") configIds[t] = "cfg_" + t.replace(/\W/g, "_");
  TYPES.forEach((t, i) => {
    const d = defs[t];
    const n = { id: configIds[t] || "n_" + t.replace(/\W/g, "_"), type: t };
    if (d.category !== "config")
      Object.assign(n, { z: "tab1", x: 200, y: 80 + 60 * i, wires: Array.from({ length: d.outputs || 0 }, () => []) });
    for (const [name, prop] of Object.entries(d.defaults)) {
      n[name] = prop.type && configIds[prop.type] ? configIds[prop.type] : JSON.parse(JSON.stringify(prop.value));
    }
    flow.push(n);
  });
  return { flow, configIds };
}

/** Starts `target`'s Node-RED through scripts/demo.js on `flowFile`; resolves with { url, stop, log }. */
function startNodeRed(target, flowFile) {
  const env = { ...process.env };
  if (target.redPath) env.NODE_RED_PATH = target.redPath;
  else delete env.NODE_RED_PATH;
  // The info sidebar's rotating tips off: Node-RED 5's first tip can fire before its box exists
  // (a page error in red.min.js, "reading 'html'", seen on a busy machine); not ours to test.
  const userSettings = { editor: { view: { "view-show-tips": false } } };
  return startDemo({ node: target.node, env, args: ["--flow", flowFile], timeout: 60000, userSettings });
}

/**
 * In the page, with a dialog open: sets the context `select` first (when one is given: `{ id, value }`),
 * then field `name` to `value`; returns whether the field is marked invalid.
 */
function setField(prefix, name, value, select) {
  if (select)
    $("#" + select.id)
      .val(select.value)
      .trigger("change");
  const input = $("#" + prefix + "-" + name);
  input.val(value).trigger("change");
  return input.hasClass("input-error");
}

/** Raw catalog keys of our types in a text (what the editor shows when a key is missing). */
function rawKeys(text) {
  const re = new RegExp(`\\b(?:${TYPES.map((t) => t.replace(/[-]/g, "\\-")).join("|")})\\.[a-zA-Z][\\w-]*\\.[\\w.-]+`, "g");
  return text.match(re) || [];
}

for (const target of TARGETS) {
  describe(`editor in Chromium, ${target.name}`, function () {
    this.timeout(120000);
    let red;
    let browser;
    let chromium;
    let page;
    let polygon;
    const problems = []; // page errors and console errors
    const external = []; // requests to other hosts (refused)
    let shotDir;
    let configIds;

    before(async function () {
      assert.ok(fs.existsSync(target.node), `${target.node} (scripts/test-browser.sh installs .nr5)`);
      assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM}: install Debian's chromium package`);
      shotDir = path.join(SHOTS, target.name);
      fs.rmSync(shotDir, { recursive: true, force: true });
      fs.mkdirSync(shotDir, { recursive: true });
      console.log(`      screenshots: ${shotDir}`);
      polygon = new PolygonServer({ validKey: GOOD_KEY });
      await polygon.start();
      const t = testFlow();
      configIds = t.configIds;
      const flowFile = path.join(os.tmpdir(), `tickstream-browser-flow-${process.pid}-${target.name}.json`);
      fs.writeFileSync(flowFile, JSON.stringify(t.flow));
      red = await startNodeRed(target, flowFile);
      chromium = await launchChromium();
      browser = chromium.browser;
      page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1000 });
      page.on("pageerror", (err) =>
        problems.push(
          `page error: ${err.message} ${String(err.stack || "")
            .split("\n")
            .slice(1, 3)
            .join(" ")}`,
        ),
      );
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        const where = msg.location() && msg.location().url ? msg.location().url : "";
        // Tests never reach the internet: requests to other hosts are refused below, and the
        // editor's note that one failed (e.g. the flow library catalogue) is not our error.
        if (where !== "" && !where.startsWith(red.url)) return;
        problems.push(`console error: ${msg.text()}${where ? " (" + where + ")" : ""}`);
      });
      await page.setRequestInterception(true);
      page.on("request", (req) => {
        if (req.url().startsWith(red.url) || req.url().startsWith("data:")) req.continue();
        else if (/catalogue\.json/.test(req.url())) {
          // The palette manager's flow-library catalogue: answer as an empty catalogue would (no internet here).
          external.push(req.url());
          req.respond({
            status: 200,
            contentType: "application/json",
            headers: { "Access-Control-Allow-Origin": "*" },
            body: JSON.stringify({ name: "offline", updated_at: new Date().toISOString(), modules: [] }),
          });
        } else {
          external.push(req.url());
          req.abort();
        }
      });
      await page.goto(red.url, { waitUntil: "networkidle2", timeout: 60000 });
      await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node("tab1") !== null && RED.nodes.getType("tick-feed"), {
        timeout: 60000,
      });
      // Let the editor settle (palette, sidebar, deploy button).
      await page.waitForSelector("#red-ui-header-button-deploy", { timeout: 30000 });
    });

    after(async function () {
      if (chromium) await chromium.close();
      if (red) await red.stop();
      if (polygon) await polygon.close();
    });

    it("loads the editor with no page or console errors, and the palette manager on", async function () {
      if (external.length > 0)
        console.log(`      requests to other hosts (refused; the catalogue answered empty): ${[...new Set(external)].join(", ")}`);
      assert.deepStrictEqual(problems, []);
      const palette = await page.evaluate(() => {
        const ext = RED.settings.get("externalModules") || {};
        return { allowInstall: !(ext.palette && ext.palette.allowInstall === false), item: $("#menu-item-edit-palette").length };
      });
      assert.ok(palette.allowInstall, "palette installs allowed");
      assert.ok(palette.item > 0, "Manage palette is in the menu");
      for (const t of TYPES) assert.ok(await page.evaluate((type) => !!RED.nodes.getType(type), t), `${t} registered in the editor`);
    });

    /** Opens the edit dialog of node `id` (config or not) and waits until it is ready. */
    async function openDialog(id) {
      await page.evaluate((nodeId) => {
        const n = RED.nodes.node(nodeId);
        if (n._def.category === "config") RED.editor.editConfig("", n.type, n.id);
        else RED.editor.edit(n);
      }, id);
      const isConfig = await page.evaluate((nodeId) => RED.nodes.node(nodeId)._def.category === "config", id);
      const ok = isConfig ? "#node-config-dialog-ok" : "#node-dialog-ok";
      await page.waitForSelector(ok, { visible: true, timeout: 20000 });
      // The tray slides in; wait until its inputs are laid out and visible.
      await page.waitForFunction((btn) => $(btn).is(":visible") && !$(".red-ui-tray").is(":animated"), { timeout: 10000 }, ok);
      return {
        isConfig,
        prefix: isConfig ? "node-config-input" : "node-input",
        ok,
        cancel: isConfig ? "#node-config-dialog-cancel" : "#node-dialog-cancel",
      };
    }

    async function closeDialog(button) {
      await page.evaluate((btn) => $(btn).trigger("click"), button);
      // The tray and its buttons leave the DOM once closed.
      await page.waitForFunction((btn) => $(btn).length === 0, { timeout: 20000 }, button);
    }

    // A failed test must not leave a dialog open for the next one.
    afterEach(async function () {
      if (!page) return;
      for (let i = 0; i < 3; i++) {
        const open = await page.evaluate(() => $("#node-config-dialog-cancel, #node-dialog-cancel").length > 0);
        if (!open) break;
        await page.evaluate(() => $("#node-config-dialog-cancel, #node-dialog-cancel").last().trigger("click"));
        await page.waitForFunction(() => !$(".red-ui-tray").is(":animated"), { timeout: 5000 }).catch(() => undefined);
        await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
      }
    });

    async function shot(name) {
      await page.evaluate(() => new Promise((r) => setTimeout(r, 300))); // the tray's slide-in transition
      const file = path.join(shotDir, name + ".png");
      const tray = await page.$(".red-ui-tray");
      if (tray) await tray.screenshot({ path: file });
      else await page.screenshot({ path: file });
      return file;
    }

    function nodeIdOf(type) {
      return configIds[type] || "n_" + type.replace(/\W/g, "_");
    }

    for (const type of TYPES) {
      describe(type, function () {
        it("opens its dialog with no error and no raw catalog key (screenshot)", async function () {
          problems.length = 0;
          const d = await openDialog(nodeIdOf(type));
          const text = await page.evaluate(() => {
            const tray = $(".red-ui-tray").last();
            const parts = [tray.text()];
            tray.find("input, textarea").each(function () {
              parts.push($(this).attr("placeholder") || "", $(this).attr("title") || "");
            });
            tray.find("option").each(function () {
              parts.push($(this).text());
            });
            return parts.join("\n");
          });
          await shot(type);
          await closeDialog(d.cancel);
          assert.deepStrictEqual(rawKeys(text), [], "raw catalog keys in the dialog");
          assert.deepStrictEqual(problems, [], "no page or console errors");
        });

        it("marks every validated field invalid for a bad value, in the dialog and on the node, and valid again for a good one", async function () {
          // Two dialog round trips per validated field (tick-feed has over a dozen): minutes on a busy machine.
          this.timeout(360000);
          problems.length = 0;
          const id = nodeIdOf(type);
          let d = await openDialog(id);
          // Every property/credential with a validator whose input is in the dialog; for each a bad value and the context it needs.
          const plan = await page.evaluate(
            (nodeId, prefix) => {
              const node = RED.nodes.node(nodeId);
              const typeDef = node._def;
              const CANDIDATES = ["-1", "abc", "(bad)", "http://x", "7", "1.5", "0", "2", "{bad", "I=q", "1e99", "  ", ""];
              const groups = [
                ["defaults", typeDef.defaults],
                ["credentials", typeDef.credentials || {}],
              ];
              const selects = $(".red-ui-tray select[id^='" + prefix + "-'], .red-ui-tray select.tickstream-opt").toArray();
              const out = [];
              // A candidate is typed into the input first: validators may read the dialog (context and credentials).
              function badFor(prop, name) {
                const input = $("#" + prefix + "-" + name);
                const was = input.val();
                try {
                  for (const c of CANDIDATES) {
                    input.val(c);
                    let r;
                    try {
                      r = prop.validate.call(node, input.val(), {});
                    } catch (e) {
                      r = "threw " + e.message;
                    }
                    if (r !== true) return { value: c, message: typeof r === "string" ? r : String(r) };
                  }
                  return null;
                } finally {
                  input.val(was);
                }
              }
              for (const [group, defs] of groups) {
                for (const name of Object.keys(defs)) {
                  const def = defs[name];
                  if (typeof def.validate !== "function") continue;
                  const input = $("#" + prefix + "-" + name);
                  if (input.length === 0) continue;
                  if (input.is("select") || input.attr("type") === "checkbox") continue; // choices, not typed values
                  let bad = badFor(def, name);
                  let context = null;
                  // Not invalid in the current context: try one select option at a time (e.g. bar type, provider).
                  for (let i = 0; bad === null && i < selects.length; i++) {
                    const sel = $(selects[i]);
                    const was = sel.val();
                    const options = sel
                      .find("option")
                      .toArray()
                      .map((o) => o.value);
                    for (const o of options) {
                      sel.val(o);
                      bad = badFor(def, name);
                      if (bad !== null) {
                        context = { select: selects[i].id, value: o, original: was };
                        break;
                      }
                    }
                    sel.val(was);
                  }
                  out.push({ group, name, bad, context, original: input.val() });
                }
              }
              return out;
            },
            id,
            d.prefix,
          );
          await closeDialog(d.cancel);
          const unchecked = plan.filter((p) => p.bad === null).map((p) => p.name);
          assert.deepStrictEqual(unchecked, [], "validated fields with no value the validator refuses");
          assert.ok(plan.length > 0, "validated fields in the dialog");
          for (const p of plan) {
            d = await openDialog(id);
            const inContext = p.context && { id: p.context.select, value: p.context.value };
            const marked = await page.evaluate(setField, d.prefix, p.name, p.bad.value, inContext);
            assert.ok(
              marked,
              `${p.name} = ${JSON.stringify(p.bad.value)}${p.context ? ` (${p.context.select} = ${p.context.value})` : ""}: marked in the dialog`,
            );
            assert.deepStrictEqual(rawKeys(p.bad.message), [], `${p.name}: message "${p.bad.message}" from the catalog`);
            await shot(`${type}-invalid-${p.name}`);
            await closeDialog(d.ok);
            const after = await page.evaluate((nodeId) => {
              const n = RED.nodes.node(nodeId);
              return { valid: n.valid, provider: n.provider, credentials: n.credentials, errors: n.validationErrors };
            }, id);
            assert.strictEqual(after.valid, false, `${p.name}: the node is invalid after Done ${JSON.stringify(after)}`);
            // Back to the original context and value: valid again.
            d = await openDialog(id);
            const original = p.context && { id: p.context.select, value: p.context.original };
            const fixed = !(await page.evaluate(setField, d.prefix, p.name, p.original, original));
            assert.ok(fixed, `${p.name} = ${JSON.stringify(p.original)}: not marked`);
            await closeDialog(d.ok);
            const valid = await page.evaluate((nodeId) => RED.nodes.node(nodeId).valid, id);
            assert.strictEqual(valid, true, `${p.name}: valid again after Done`);
          }
          assert.deepStrictEqual(problems, [], "no page or console errors");
        });
      });
    }

    describe("shared editor code (resources/tickstream-editor.js)", function () {
      it("is served and loaded; the editor has the runtime's bar steps and dialects, and fills the dialect selects from them", async function () {
        problems.length = 0;
        const { ALLOWED_STEPS } = require("../../dist/lib/aggregate");
        const { CONDITION_DIALECTS } = require("../../dist/lib/conditions");
        const seen = await page.evaluate(() => ({
          ns: typeof window.TickstreamEditor,
          steps: RED.settings.tickAggregateSteps,
          agg: RED.settings.tickAggregateDialects,
          flt: RED.settings.tickFilterDialects,
        }));
        assert.strictEqual(seen.ns, "object", "TickstreamEditor is defined");
        assert.deepStrictEqual(seen.steps, JSON.parse(JSON.stringify(ALLOWED_STEPS)));
        assert.deepStrictEqual(seen.agg, [...CONDITION_DIALECTS]);
        assert.deepStrictEqual(seen.flt, [...CONDITION_DIALECTS]);
        for (const type of ["tick-filter", "tick-aggregate"]) {
          const id = nodeIdOf(type);
          await page.evaluate((nodeId) => (RED.nodes.node(nodeId).conditionDialect = "sip"), id);
          const d = await openDialog(id);
          const select = await page.evaluate(() => ({
            values: $("#node-input-conditionDialect option")
              .toArray()
              .map((o) => o.value),
            texts: $("#node-input-conditionDialect option")
              .toArray()
              .map((o) => $(o).text()),
            value: $("#node-input-conditionDialect").val(),
          }));
          await closeDialog(d.cancel);
          await page.evaluate((nodeId) => (RED.nodes.node(nodeId).conditionDialect = "auto"), id);
          assert.deepStrictEqual(select.values, [...CONDITION_DIALECTS], `${type}: dialect options`);
          assert.strictEqual(select.value, "sip", `${type}: the node's dialect is selected`);
          assert.ok(
            select.texts.every((t) => t !== "" && rawKeys(t).length === 0),
            `${type}: option labels ${select.texts}`,
          );
        }
        assert.deepStrictEqual(problems, []);
      });

      it("session checkboxes: what is ticked is saved, and shown again when the dialog reopens", async function () {
        problems.length = 0;
        for (const type of ["tick-filter", "tick-aggregate", "tick-alert"]) {
          const id = nodeIdOf(type);
          let d = await openDialog(id);
          const labels = await page.evaluate(() =>
            $(".red-ui-tray .tickstream-session")
              .toArray()
              .map((c) => $(c).parent().text().trim()),
          );
          assert.strictEqual(labels.length, 4, `${type}: four session checkboxes`);
          assert.deepStrictEqual(rawKeys(labels.join(" ")), [], `${type}: labels ${labels}`);
          await page.evaluate(() =>
            $(".tickstream-session[data-session='closed'], .tickstream-session[data-session='pre']").prop("checked", false),
          );
          await closeDialog(d.ok);
          assert.strictEqual(await page.evaluate((nodeId) => RED.nodes.node(nodeId).sessions, id), "regular,post", `${type}: saved`);
          d = await openDialog(id);
          const ticked = await page.evaluate(() =>
            $(".tickstream-session")
              .toArray()
              .filter((c) => $(c).prop("checked"))
              .map((c) => $(c).attr("data-session")),
          );
          assert.deepStrictEqual(ticked, ["regular", "post"], `${type}: shown again`);
          await page.evaluate(() => $(".tickstream-session").prop("checked", true));
          await closeDialog(d.ok);
          assert.strictEqual(
            await page.evaluate((nodeId) => RED.nodes.node(nodeId).sessions, id),
            "",
            `${type}: all ticked = every session`,
          );
        }
        assert.deepStrictEqual(problems, []);
      });
    });

    describe("tick-feed providers", function () {
      it("shows and hides provider rows and the key rows per provider (screenshot per provider)", async function () {
        problems.length = 0;
        const d = await openDialog(configIds["tick-feed"]);
        const providers = await page.evaluate(() =>
          $("#node-config-input-provider option")
            .toArray()
            .map((o) => o.value),
        );
        assert.ok(providers.length >= 10, providers.join());
        const wrong = [];
        for (const p of providers) {
          const seen = await page.evaluate((prov) => {
            $("#node-config-input-provider").val(prov).trigger("change");
            const rows = $(".tickstream-provider-row")
              .toArray()
              .map((r) => ({
                providers: String($(r).data("providers")).split(" "),
                visible: $(r).is(":visible"),
                id: $(r).find("[id]").first().attr("id"),
              }));
            return { rows, key: $("#tickstream-row-key").is(":visible"), text: $(".red-ui-tray").last().text() };
          }, p);
          for (const r of seen.rows)
            if (r.visible !== r.providers.includes(p)) wrong.push(`${p}: ${r.id} ${r.visible ? "shown" : "hidden"}`);
          const needsKey = ["alltick", "polygon", "alpaca", "finnhub", "twelvedata", "tiingo", "coinbase", "generic"].includes(p);
          if (seen.key !== needsKey) wrong.push(`${p}: key row ${seen.key ? "shown" : "hidden"}`);
          assert.deepStrictEqual(rawKeys(seen.text), [], `${p}: raw catalog keys`);
          await shot(`tick-feed-provider-${p}`);
        }
        await closeDialog(d.cancel);
        assert.deepStrictEqual(wrong, []);
        assert.deepStrictEqual(problems, []);
      });

      it("a keyed provider without a key is invalid before deploy; with a key typed it is valid", async function () {
        const id = configIds["tick-feed"];
        let d = await openDialog(id);
        await page.evaluate((url) => {
          $("#node-config-input-provider").val("polygon").trigger("change");
          $("#node-config-input-url").val(url).trigger("change");
          $("#node-config-input-apiKey").val("").trigger("change");
        }, polygon.url);
        assert.ok(await page.evaluate(() => $("#node-config-input-apiKey").hasClass("input-error")), "key field marked");
        await shot("tick-feed-polygon-no-key");
        await closeDialog(d.ok);
        assert.strictEqual(await page.evaluate((nodeId) => RED.nodes.node(nodeId).valid, id), false, "no key: invalid");
        d = await openDialog(id);
        await page.evaluate((key) => $("#node-config-input-apiKey").val(key).trigger("change"), GOOD_KEY);
        assert.ok(await page.evaluate(() => !$("#node-config-input-apiKey").hasClass("input-error")));
        await closeDialog(d.ok);
        assert.strictEqual(await page.evaluate((nodeId) => RED.nodes.node(nodeId).valid, id), true, "key typed: valid");
      });

      it("Test connection reports ok for a good key and bad key for a wrong one (keys typed, not deployed)", async function () {
        problems.length = 0;
        const d = await openDialog(configIds["tick-feed"]);
        const results = {};
        for (const [key, label] of [
          [GOOD_KEY, "good"],
          ["browser-wrong-key-11", "bad"],
        ]) {
          await page.evaluate(
            (url, k) => {
              $("#tickstream-test-result").removeAttr("data-result").empty();
              $("#node-config-input-provider").val("polygon").trigger("change");
              $("#node-config-input-url").val(url).trigger("change");
              $("#node-config-input-apiKey").val(k).trigger("change");
            },
            polygon.url,
            key,
          );
          await page.evaluate(() => $("#tickstream-test").trigger("click"));
          await page.waitForSelector("#tickstream-test-result[data-result]", { timeout: 15000 });
          results[label] = await page.evaluate(() => ({
            result: $("#tickstream-test-result").attr("data-result"),
            text: $("#tickstream-test-result").text(),
          }));
          await shot(`tick-feed-test-connection-${label}`);
        }
        await closeDialog(d.cancel);
        assert.strictEqual(results.good.result, "ok", JSON.stringify(results.good));
        assert.strictEqual(results.bad.result, "auth", JSON.stringify(results.bad));
        for (const r of Object.values(results)) {
          assert.deepStrictEqual(rawKeys(r.text), [], r.text);
          assert.ok(!r.text.includes(GOOD_KEY) && !r.text.includes("browser-wrong-key-11"), "no key in the result");
        }
        assert.deepStrictEqual(problems, []);
      });
    });
  });
}
