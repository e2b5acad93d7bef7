"use strict";
/**
 * The package's shared editor code (resources/tickstream-editor.js) in a real browser
 * (test/support/editor-browser.js): it is served and loaded, carries the runtime's bar steps and
 * condition dialects, fills the dialect selects, and the session checkboxes of tick-filter,
 * tick-aggregate and tick-alert save what is ticked and show it again.
 */
const assert = require("assert");
const { describeEditor, rawKeys } = require("../support/editor-browser");

describeEditor((ed) => {
  describe("shared editor code (resources/tickstream-editor.js)", function () {
    it("is served and loaded; the editor has the runtime's bar steps and dialects, and fills the dialect selects from them", async function () {
      const { page, problems, openDialog, closeDialog, nodeIdOf } = ed;
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
      const { page, problems, openDialog, closeDialog, nodeIdOf } = ed;
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
        assert.strictEqual(await page.evaluate((nodeId) => RED.nodes.node(nodeId).sessions, id), "", `${type}: all ticked = every session`);
      }
      assert.deepStrictEqual(problems, []);
    });
  });
});
