"use strict";
/**
 * tick-feed's dialog per provider in a real browser (test/support/editor-browser.js): provider
 * rows (data-providers) and key rows show and hide per provider (a screenshot each); a keyed
 * provider without a key is invalid; Test connection against a local Polygon mock says ok for a
 * good key and bad key for a wrong one.
 */
const assert = require("assert");
const { PolygonServer } = require("../mocks/polygon-server");
const { describeEditor, rawKeys } = require("../support/editor-browser");

const GOOD_KEY = "browser-good-key-9f3e";

describeEditor((ed) => {
  describe("tick-feed providers", function () {
    let polygon;

    before(async function () {
      polygon = new PolygonServer({ validKey: GOOD_KEY });
      await polygon.start();
    });

    after(async function () {
      if (polygon) await polygon.close();
    });

    it("shows and hides provider rows and the key rows per provider (screenshot per provider)", async function () {
      const { page, problems, configIds, openDialog, closeDialog, shot } = ed;
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
        for (const r of seen.rows) if (r.visible !== r.providers.includes(p)) wrong.push(`${p}: ${r.id} ${r.visible ? "shown" : "hidden"}`);
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
      const { page, configIds, openDialog, closeDialog, shot } = ed;
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
      const { page, problems, configIds, openDialog, closeDialog, shot } = ed;
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
