"use strict";
/**
 * examples/Dashboard 2 prices, quotes and candles.json in a real node-red process with
 * @flowfuse/node-red-dashboard, opened in headless Chromium (puppeteer-core + /usr/bin/chromium):
 * candles appear and grow, the table shows one row per symbol, the price chart draws.
 * The screenshot is written to .integration/dashboard.png.
 */
const assert = require("assert");
const path = require("path");
const { httpRequest } = require("./support/servers");
const { startNodeRed } = require("./support/nodered");
const { launchChromium, openPage, screenshot } = require("../support/chromium");
const { root, example, byId } = require("./support/flows");

const P = "exdash";
describe("Dashboard 2 (real node-red process, headless Chromium)", function () {
  this.timeout(180000);
  let nr, port, chromium;

  before(async function () {
    const flow = example("Dashboard 2 prices, quotes and candles");
    byId(flow, P + "_feed").options.ratePerSymbol = "5";
    Object.assign(byId(flow, P + "_bars"), { interval: 2, unit: "s" }); // 2-second candles instead of 1-minute ones
    Object.assign(byId(flow, P + "_close"), { interval: 1, unit: "s" });
    nr = await startNodeRed(flow, { modules: ["@flowfuse/node-red-dashboard"], name: "dashboard" });
    port = nr.port;
  });

  after(async function () {
    if (chromium) await chromium.close();
    if (nr) await nr.stop();
  });

  it("shows live candles with volume (open bar updated, closed ones appended), quotes and price lines", async function () {
    const res = await httpRequest(port, "GET", "/dashboard/ticks");
    assert.strictEqual(res.status, 200);
    chromium = await launchChromium();
    const { page, errors } = await openPage(chromium.browser, `http://127.0.0.1:${port}/dashboard/ticks`, { width: 1280, height: 1000 });
    await page.waitForFunction(() => document.querySelectorAll("rect.tks-candle").length >= 4, { timeout: 60000, polling: 200 });
    await page.waitForFunction(() => document.querySelectorAll("tbody tr").length >= 5, { timeout: 30000, polling: 200 });
    const seen = await page.evaluate(() => ({
      candles: [...document.querySelectorAll("rect.tks-candle")].map((r) => ({
        start: Number(r.getAttribute("data-start")),
        final: r.getAttribute("data-final"),
        h: Number(r.getAttribute("height")),
      })),
      volumes: document.querySelectorAll("rect.tks-volume").length,
      rows: [...document.querySelectorAll("tbody tr")].map((tr) => tr.innerText.split(/\t|\n/)[0]),
      charts: document.querySelectorAll(".nrdb-ui-chart canvas, .nrdb-ui-chart svg, [class*=ui-chart] canvas").length,
    }));
    const shot = path.join(root, ".integration", "dashboard.png");
    await screenshot(page, shot);
    const starts = seen.candles.map((c) => c.start);
    assert.deepStrictEqual(
      starts,
      [...new Set(starts)].sort((a, b) => a - b),
      "one candle per bar, in time order",
    );
    assert.ok(
      starts.slice(1).every((s, i) => s - starts[i] >= 2e6),
      "2-second bars",
    );
    assert.ok(
      seen.candles.slice(0, -1).every((c) => c.final === "true"),
      "closed bars are final",
    );
    assert.strictEqual(seen.volumes, seen.candles.length, "a volume bar under each candle");
    assert.deepStrictEqual([...seen.rows].sort(), ["AAPL", "AMZN", "MSFT", "NVDA", "TSLA"], "one quote row per symbol");
    assert.ok(seen.charts >= 1, "the price chart is drawn");
    // The open candle is replaced by its updates, not appended: wait for a new bar and check no duplicate start.
    const n = seen.candles.length;
    await page.waitForFunction((k) => document.querySelectorAll("rect.tks-candle").length > k, { timeout: 30000, polling: 200 }, n);
    const later = await page.evaluate(() =>
      [...document.querySelectorAll("rect.tks-candle")].map((r) => Number(r.getAttribute("data-start"))),
    );
    assert.strictEqual(new Set(later).size, later.length, "no duplicate candle");
    assert.deepStrictEqual(errors, [], "no page errors");
    this.test.title += ` [${later.length} candles; screenshot ${path.relative(root, shot)}]`;
  });
});
