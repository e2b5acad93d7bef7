"use strict";
/**
 * examples/Bollinger bands on the dashboard.json in a real node-red process with
 * @flowfuse/node-red-dashboard, opened in headless Chromium (puppeteer-core + /usr/bin/chromium):
 * ui-chart turns each tick-indicator message (+ the close from the change node) into four
 * points (close, upper, middle, lower) and the page draws the chart without errors.
 * The screenshot is written to .integration/signals-bollinger.png.
 */
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { httpRequest } = require("./support/servers");
const { startNodeRed } = require("./support/nodered");
const { launchChromium, openPage, screenshot } = require("../support/chromium");
const { root } = require("./support/flows");
const { waitFor } = require("../support/wait");

describe("Bollinger bands on Dashboard 2 (real node-red process, headless Chromium)", function () {
  this.timeout(180000);
  let nr, chromium;

  before(async function () {
    // The example as shipped (debug nodes are core nodes here), plus a console debug node on the
    // chart's output that prints the points ui-chart computed (msg._datapoint).
    const flow = JSON.parse(fs.readFileSync(path.join(root, "examples", "Bollinger bands on the dashboard.json"), "utf8"));
    flow.find((n) => n.id === "exb_chart").wires = [["exb_points"]];
    flow.push({
      id: "exb_points",
      type: "debug",
      z: "exb_tab",
      name: "POINTS",
      active: true,
      tosidebar: false,
      console: true,
      tostatus: false,
      complete: "_datapoint",
      targetType: "msg",
      wires: [],
    });
    nr = await startNodeRed(flow, { modules: ["@flowfuse/node-red-dashboard"], name: "signals" });
  });

  after(async function () {
    if (chromium) await chromium.close();
    if (nr) await nr.stop();
  });

  it("ui-chart gets close, upper, middle and lower points from each indicator message, and the page draws it", async function () {
    // 20 one-second bars of warm-up, then one message per bar.
    await waitFor(() => /category: 'lower'/.test(nr.output), { timeout: 90000, what: "points computed by ui-chart" });
    const block = nr.output.slice(nr.output.indexOf("[debug:POINTS]"));
    const categories = [...block.matchAll(/category: '(\w+)'/g)].slice(0, 4).map((m) => m[1]);
    assert.deepStrictEqual(categories, ["close", "upper", "middle", "lower"]);
    const ys = [...block.matchAll(/y: ([\d.]+)/g)].slice(0, 4).map((m) => Number(m[1]));
    assert.ok(ys.every((y) => y > 0) && ys[1] >= ys[2] && ys[2] >= ys[3], `upper >= middle >= lower: ${ys}`);

    const res = await httpRequest(nr.port, "GET", "/dashboard/signals");
    assert.strictEqual(res.status, 200);
    chromium = await launchChromium();
    const { page, errors } = await openPage(chromium.browser, `http://127.0.0.1:${nr.port}/dashboard/signals`, {
      width: 1280,
      height: 900,
    });
    await page.waitForFunction(
      () => document.querySelectorAll(".nrdb-ui-chart canvas, .nrdb-ui-chart svg, [class*=ui-chart] canvas").length >= 1,
      { timeout: 60000, polling: 200 },
    );
    const shot = path.join(root, ".integration", "signals-bollinger.png");
    await screenshot(page, shot);
    assert.deepStrictEqual(errors, [], "no page errors");
    assert.doesNotMatch(nr.output, /\[error\]/, "node-red logged no error");
    this.test.title += ` [screenshot ${path.relative(root, shot)}]`;
  });
});
