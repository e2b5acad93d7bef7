"use strict";
/**
 * A node's editor script outside a browser, as the editor runs it: the package's resource scripts
 * it loads (resources/tickstream-editor.js, a node's own helpers) run first, RED.settings holding
 * what the runtime exports to the editor (each node's registerType(type, ctor, { settings })), and
 * a stub jQuery (no dialog open). Used by the editor unit tests and the browser test's flow builder.
 */
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");
const RESOURCE = path.join(root, "resources", "tickstream-editor.js");

let registrations = null;

/** What each node module of the package registers with Node-RED, by type: `{ type, ctor, opts }`, through a stub RED. */
function runtimeRegistrations() {
  if (registrations !== null) return registrations;
  const out = {};
  const noop = () => undefined;
  const RED = {
    nodes: {
      registerType: (type, ctor, opts) => (out[type] = { type, ctor, opts }),
      createNode: noop,
      getNode: noop,
      getCredentials: noop,
    },
    httpAdmin: { get: noop, post: noop, put: noop, delete: noop, use: noop },
    auth: { needsPermission: () => (_req, _res, next) => next() },
    settings: {},
    log: { info: noop, warn: noop, error: noop, debug: noop, trace: noop },
    _: (k) => k,
  };
  for (const main of Object.values(pkg["node-red"].nodes)) require(path.join(root, main))(RED);
  registrations = out;
  return out;
}

/** The editor settings the nodes export (exportable ones, by name, as JSON carries them). */
function runtimeEditorSettings() {
  const out = {};
  for (const { opts } of Object.values(runtimeRegistrations()))
    for (const [name, s] of Object.entries((opts && opts.settings) || {}))
      if (s.exportable) out[name] = JSON.parse(JSON.stringify(s.value));
  return out;
}

/** The editor script blocks of a node's HTML (not its templates, not <script src>). */
function editorScripts(html) {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

/** Runs node `type`'s editor script; returns its registered definition and the form it wrote, if any. */
function loadEditor(html, type, extra = {}) {
  const registered = {};
  const jq = () => ({
    length: 0,
    val: () => undefined,
    on: () => {},
    each: () => {},
    prop: () => false,
    toggle: () => {},
    data: () => undefined,
    attr: () => undefined,
    empty: () => jq(),
    text: () => undefined,
    appendTo: () => jq(),
  });
  const RED = {
    nodes: { registerType: (t, def) => (registered[t] = def) },
    _: (k) => String(k).replace(/^[^:]*:/, ""),
    settings: { ...runtimeEditorSettings(), ...(extra.settings || {}) },
  };
  const context = vm.createContext({ RED, $: jq, console });
  // The package's resource scripts the HTML loads (the shared code, a node's own helpers), in order.
  for (const m of html.matchAll(new RegExp(`<script src="resources/${pkg.name}/([^"]+)"></script>`, "g"))) {
    const file = path.join(root, "resources", m[1]);
    vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
  }
  for (const script of editorScripts(html)) vm.runInContext(script, context);
  return { def: registered[type], template: context.TickstreamEditor ? context.TickstreamEditor.forms[type] : undefined };
}

/**
 * Runs node `type`'s editor script (src/nodes or dist/nodes) and returns its registered definition.
 * RED._ returns the key without its node-set namespace ("<module>/<set>:").
 */
function loadDefinition(html, type, extra = {}) {
  return loadEditor(html, type, extra).def;
}

/** The markup of node `type`'s edit dialog: the form its script writes (TS.form), else its template as written. */
function templateOf(html, type) {
  const written = loadEditor(html, type).template;
  if (written !== undefined) return written;
  const m = new RegExp(`<script type="text/html" data-template-name="${type}">([\\s\\S]*?)</script>`).exec(html);
  return m ? m[1] : "";
}

module.exports = { RESOURCE, runtimeRegistrations, runtimeEditorSettings, loadDefinition, templateOf, editorScripts };
