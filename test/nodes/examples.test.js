"use strict";
/** Every example under examples/ (Import > Examples) deploys in a real runtime and produces what it promises. */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { helper } = require("../support/runtime");
const NODES = ["tick-feed", "tick-subscribe", "tick-filter", "tick-aggregate"].map((n) => require(`../../dist/nodes/${n}/${n}.js`));
const pkg = require("../../package.json");
const { waitFor } = require("../support/wait");

const dir = path.join(__dirname, "..", "..", "examples");
const CORE = new Set(["tab", "comment", "debug", "inject"]);

describe("examples", function () {
  afterEach(async function () {
    await helper.unload();
  });

  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    it(`"${file}" uses only our node types and core nodes, and deploys without errors`, async function () {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      const ours = new Set(Object.keys(pkg["node-red"].nodes));
      for (const n of flow) assert.ok(ours.has(n.type) || CORE.has(n.type), `${file}: unknown node type ${n.type}`);
      // Debug nodes become helper nodes so the test can see what reaches them; inject and comment nodes are dropped.
      const runnable = flow.filter((n) => n.type !== "inject" && n.type !== "comment").map((n) => (n.type === "debug" ? { id: n.id, z: n.z, type: "helper", wires: [] } : n));
      await helper.load(NODES, runnable);
      for (const n of flow.filter((x) => ours.has(x.type))) assert.ok(helper.getNode(n.id), `${file}: ${n.id} started`);
      const sub = flow.find((n) => n.type === "tick-subscribe");
      const firstDebug = flow.find((n) => n.type === "debug" && n.id === sub.wires[0].find((id) => flow.find((x) => x.id === id && x.type === "debug")));
      if (firstDebug) {
        let got = 0;
        helper.getNode(firstDebug.id).on("input", () => got++);
        await waitFor(() => got > 0, { timeout: 10000, what: `${file}: ticks reach ${firstDebug.name}` });
      }
      const filter = flow.find((n) => n.type === "tick-filter");
      if (filter) {
        // Whatever the time of day, every tick is either passed or rejected with a reason (second output).
        const seen = [];
        for (const w of filter.wires.flat()) helper.getNode(w).on("input", (m) => seen.push(m));
        await waitFor(() => seen.length > 0, { timeout: 10000, what: `${file}: the filter's outputs` });
        assert.ok(seen.every((m) => typeof m.session === "string"), "every tick is tagged with its session");
      }
    });
  }
});
