"use strict";
/**
 * The edit dialogs in a real browser (test/support/editor-browser.js: headless Debian Chromium
 * against a real `node-red`, on Node-RED 4.1 and 5).
 *
 * Generic on purpose, so fields and node types added later are covered: the editor loads with no
 * page or console error, and for every node type the package registers,
 *  - its dialog opens with no page or console error and no raw catalog key (screenshot);
 *  - every property or credential with a validator whose input is in the dialog: a bad value
 *    (found by asking the validator itself, trying the dialog's select options as context) marks
 *    the input in the dialog and, after Done, the node invalid; the original value makes it valid.
 * The shared editor code: editor-shared-code.test.js; tick-feed's providers: editor-feed.test.js.
 */
const assert = require("assert");
const { TYPES, describeEditor, setField, rawKeys } = require("../support/editor-browser");

describeEditor((ed) => {
  it("loads the editor with no page or console errors, and the palette manager on", async function () {
    const { page, problems, external } = ed;
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

  for (const type of TYPES) {
    describe(type, function () {
      it("opens its dialog with no error and no raw catalog key (screenshot)", async function () {
        const { page, problems, openDialog, closeDialog, shot, nodeIdOf } = ed;
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
        const { page, problems, openDialog, closeDialog, shot, nodeIdOf } = ed;
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
});
