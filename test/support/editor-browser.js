"use strict";
/**
 * The real-browser editor rig of test/browser/: a real `node-red` process started the way
 * `npm start` starts the demo (scripts/demo.js) with one node of every type of the package on one
 * tab, and headless Debian Chromium (puppeteer-core) on its editor, on Node-RED 4.1 (the dev
 * dependency) and Node-RED 5 with Node 22 (.nr5/, see scripts/test-browser.sh).
 *
 * `describeEditor(body)` makes one describe block per target with its own Node-RED and browser,
 * and calls `body(ed)` inside it; `ed` holds the page (once the block's before hook has run), the
 * page and console errors seen so far (`problems`), the requests to other hosts (`external`) and
 * the dialog helpers. Screenshots go to test/browser/screenshots/<version>/, emptied once a run.
 */
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { startDemo } = require("./process");
const { CHROMIUM, launchChromium } = require("./chromium");
const { loadDefinition } = require("./editor-env");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");
const TYPES = Object.keys(pkg["node-red"].nodes);
const SHOTS = path.join(__dirname, "..", "browser", "screenshots");

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

const cleared = new Set(); // screenshot folders emptied in this run

/** Loads the editor of `red` in a new page of `browser`; page and console errors go to `ed.problems`. */
async function openEditor(ed, browser, red) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  page.on("pageerror", (err) =>
    ed.problems.push(
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
    ed.problems.push(`console error: ${msg.text()}${where ? " (" + where + ")" : ""}`);
  });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    if (req.url().startsWith(red.url) || req.url().startsWith("data:")) req.continue();
    else if (/catalogue\.json/.test(req.url())) {
      // The palette manager's flow-library catalogue: answer as an empty catalogue would (no internet here).
      ed.external.push(req.url());
      req.respond({
        status: 200,
        contentType: "application/json",
        headers: { "Access-Control-Allow-Origin": "*" },
        body: JSON.stringify({ name: "offline", updated_at: new Date().toISOString(), modules: [] }),
      });
    } else {
      ed.external.push(req.url());
      req.abort();
    }
  });
  await page.goto(red.url, { waitUntil: "networkidle2", timeout: 60000 });
  await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node("tab1") !== null && RED.nodes.getType("tick-feed"), {
    timeout: 60000,
  });
  // Let the editor settle (palette, sidebar, deploy button).
  await page.waitForSelector("#red-ui-header-button-deploy", { timeout: 30000 });
  return page;
}

/** Registers the hooks of one target's Node-RED and browser in the current describe block; returns `ed` (see the top). */
function editorSession(target) {
  let red;
  let chromium;
  const ed = { page: undefined, configIds: undefined, shotDir: path.join(SHOTS, target.name), problems: [], external: [] };

  before(async function () {
    assert.ok(fs.existsSync(target.node), `${target.node} (scripts/test-browser.sh installs .nr5)`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM}: install Debian's chromium package`);
    if (!cleared.has(ed.shotDir)) {
      cleared.add(ed.shotDir);
      fs.rmSync(ed.shotDir, { recursive: true, force: true });
      fs.mkdirSync(ed.shotDir, { recursive: true });
      console.log(`      screenshots: ${ed.shotDir}`);
    }
    const t = testFlow();
    ed.configIds = t.configIds;
    const flowFile = path.join(os.tmpdir(), `tickstream-browser-flow-${process.pid}-${target.name}.json`);
    fs.writeFileSync(flowFile, JSON.stringify(t.flow));
    red = await startNodeRed(target, flowFile);
    chromium = await launchChromium();
    ed.page = await openEditor(ed, chromium.browser, red);
  });

  after(async function () {
    if (chromium) await chromium.close();
    if (red) await red.stop();
  });

  /** Opens the edit dialog of node `id` (config or not) and waits until it is ready. */
  ed.openDialog = async function (id) {
    const page = ed.page;
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
  };

  ed.closeDialog = async function (button) {
    await ed.page.evaluate((btn) => $(btn).trigger("click"), button);
    // The tray and its buttons leave the DOM once closed.
    await ed.page.waitForFunction((btn) => $(btn).length === 0, { timeout: 20000 }, button);
  };

  // A failed test must not leave a dialog open for the next one.
  afterEach(async function () {
    const page = ed.page;
    if (!page) return;
    for (let i = 0; i < 3; i++) {
      const open = await page.evaluate(() => $("#node-config-dialog-cancel, #node-dialog-cancel").length > 0);
      if (!open) break;
      await page.evaluate(() => $("#node-config-dialog-cancel, #node-dialog-cancel").last().trigger("click"));
      await page.waitForFunction(() => !$(".red-ui-tray").is(":animated"), { timeout: 5000 }).catch(() => undefined);
      await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    }
  });

  ed.shot = async function (name) {
    const page = ed.page;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300))); // the tray's slide-in transition
    const file = path.join(ed.shotDir, name + ".png");
    const tray = await page.$(".red-ui-tray");
    if (tray) await tray.screenshot({ path: file });
    else await page.screenshot({ path: file });
    return file;
  };

  ed.nodeIdOf = function (type) {
    return ed.configIds[type] || "n_" + type.replace(/\W/g, "_");
  };

  return ed;
}

/** One describe block per target (Node-RED 4.1, 5), each with its own Node-RED and browser; `body(ed)` adds the tests. */
function describeEditor(body) {
  for (const target of TARGETS) {
    describe(`editor in Chromium, ${target.name}`, function () {
      this.timeout(120000);
      body(editorSession(target));
    });
  }
}

module.exports = { TYPES, describeEditor, setField, rawKeys };
