/**
 * The tick-feed editor's dialog helpers, served from the package's resources/ folder like
 * tickstream-editor.js and loaded by tick-feed.html before its own script, which keeps the node's
 * definition (RED.nodes.registerType) and its form. It defines one global, TickFeedEditor: a
 * function of the shared editor code (the TickstreamEditor the node's script holds; Node-RED
 * loads the package's resource scripts in any order, so this file reads nothing global when it
 * loads) returning the helpers below.
 *
 * Everything provider-specific comes from the provider descriptors the runtime exports as the
 * editor setting tickFeedProviders: the provider select, the option rows and their checks, the
 * credentials each provider needs, and the "Test connection" request. Plain ES5.
 */
(function (global) {
  "use strict";

  global.TickFeedEditor = function (TS) {
    var blank = TS.blank;
    // The providers as the runtime describes them (one descriptor per provider module,
    // src/lib/providers/): the tick-feed node exports them as the setting tickFeedProviders.
    function providers() {
      return (RED.settings && RED.settings.tickFeedProviders) || [];
    }
    function descriptor(id) {
      var list = providers();
      for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
      return null;
    }
    /** The check of each provider option by name (text options with a check; the same name checks alike everywhere). */
    function optionChecks() {
      var out = {};
      providers().forEach(function (p) {
        p.options.forEach(function (o) {
          if (o.check) out[o.name] = o.check;
        });
      });
      return out;
    }
    /** true / false whether a credential is set (typed in the dialog or stored); null when unknown (not loaded yet). */
    function hasCredential(node, name) {
      var el = TS.input(node, name);
      if (el) return String(el.val() || "").trim() !== "";
      var c = node.credentials;
      if (!c) return null;
      // A value typed in this editor session is known (the runtime trims it: blanks are no key);
      // '__PWRD__' stands for a stored one. Otherwise the server's has_ flag says.
      if (typeof c[name] === "string") return c[name] === "__PWRD__" || c[name].trim() !== "";
      if (c["has_" + name] !== undefined) return c["has_" + name] === true;
      return null;
    }
    /** The credential message for the dialog's provider, or true. */
    function credentialCheck(node) {
      var p = TS.current(node, "provider");
      var d = descriptor(p);
      if (!d) return true;
      var need = d.credentials;
      var label = node._("tick-feed.provider." + p);
      var key = hasCredential(node, "apiKey");
      var secret = hasCredential(node, "apiSecret");
      if (need.apiKey === "paired" || need.apiSecret === "paired") {
        if (key !== null && secret !== null && key !== secret) return node._("tick-feed.errors.key-pair", { provider: label });
        return true;
      }
      if (need.apiKey === "required" && key === false) return node._("tick-feed.errors.key-required", { provider: label });
      if (need.apiSecret === "required" && secret === false) return node._("tick-feed.errors.secret-required", { provider: label });
      return true;
    }
    function checkOption(node, kind, v) {
      if (blank(v)) return true;
      if (kind === "json") {
        try {
          JSON.parse(String(v));
          return true;
        } catch (err) {
          return err ? node._("tick-feed.errors.json") : true;
        }
      }
      var n = Number(v);
      if (kind === "positive") return (isFinite(n) && n > 0) || node._("tick-feed.errors.positive");
      return (isFinite(n) && n >= 0) || node._("tick-feed.errors.non-negative");
    }
    /** The dialog's option rows of provider `p` (each row belongs to one provider). */
    function rowsOf(p) {
      return $(".tickstream-provider-row").filter(function () {
        return String($(this).data("providers")) === p;
      });
    }
    /** The provider options of the dialog's provider (inputs with data-opt in its rows). */
    function dialogOptions() {
      var out = {};
      rowsOf($("#node-config-input-provider").val()).each(function () {
        $(this)
          .find(".tickstream-opt")
          .each(function () {
            var el = $(this);
            var name = el.data("opt");
            if (el.attr("type") === "checkbox") {
              out[name] = el.is(":checked");
              return;
            }
            var v = String(el.val() || "").trim();
            if (v !== "") out[name] = v;
          });
      });
      return out;
    }
    /** "Test connection": the dialog's values (keys typed but not deployed included) go to the admin endpoint. */
    function testConnection(node) {
      var out = $("#tickstream-test-result");
      var button = $("#tickstream-test");
      var body = { id: node.id, options: dialogOptions(), credentials: {} };
      $('[id^="node-config-input-"]').each(function () {
        var name = this.id.substring("node-config-input-".length);
        if (name === "apiKey" || name === "apiSecret") body.credentials[name] = $(this).val();
        else if (name !== "name") body[name] = $(this).attr("type") === "checkbox" ? $(this).prop("checked") : $(this).val();
      });
      button.prop("disabled", true);
      out
        .removeClass("tickstream-test-ok tickstream-test-bad")
        .empty()
        .append($('<i class="fa fa-spinner fa-spin"></i>'), document.createTextNode(" " + node._("tick-feed.test.running")));
      function show(result, detail) {
        var ok = result === "ok";
        out
          .empty()
          .addClass(ok ? "tickstream-test-ok" : "tickstream-test-bad")
          .append(
            $('<i class="fa"></i>').addClass(ok ? "fa-check" : "fa-exclamation-triangle"),
            document.createTextNode(" " + node._("tick-feed.test." + result) + (detail ? " (" + detail + ")" : ""))
          );
        out.attr("data-result", result);
      }
      $.ajax({
        url: "tick-feed/test",
        type: "POST",
        contentType: "application/json",
        dataType: "json",
        data: JSON.stringify(body),
        timeout: 20000,
      })
        .done(function (r) {
          show(r && r.result ? r.result : "failed", r && r.result !== "ok" ? r.message : "");
        })
        .fail(function (xhr) {
          show(xhr && xhr.status === 401 ? "denied" : "failed", xhr && xhr.status ? "HTTP " + xhr.status : "");
        })
        .always(function () {
          button.prop("disabled", false);
        });
    }
    /** The provider select: one option per descriptor, then the node's provider chosen. */
    function buildProviderList(node) {
      var select = $("#node-config-input-provider").empty();
      providers().forEach(function (p) {
        $("<option></option>")
          .val(p.id)
          .text(node._("tick-feed.provider." + p.id))
          .appendTo(select);
      });
      select.val(node.provider || "simulator");
    }
    /** One input of a provider option, holding the saved value (or the option's default). */
    function optionInput(node, p, o, saved) {
      var input;
      if (o.input === "select") {
        input = $("<select></select>");
        o.choices.forEach(function (c) {
          $("<option></option>")
            .val(c.value)
            .text(c.label ? node._(c.label) : c.text)
            .appendTo(input);
        });
      } else if (o.input === "checkbox") {
        input = $('<input type="checkbox">').css({ width: "auto", "vertical-align": "top" });
      } else {
        input = $("<input>").attr("type", o.input);
        if (o.input === "number") input.attr({ min: o.min, step: "any" });
        input.attr(
          "placeholder",
          o.placeholderLabel ? node._(o.placeholderLabel) : o.placeholder !== undefined ? o.placeholder : String(o.default)
        );
      }
      input.attr({ id: "tickstream-opt-" + p.id + "-" + o.name, "data-opt": o.name }).addClass("tickstream-opt");
      if (o.width) input.css("width", o.width);
      var v = saved[o.name];
      if (o.input === "checkbox") input.prop("checked", v === undefined ? o.default === true : v === true || v === "true");
      else if (v !== undefined) input.val(typeof v === "string" ? v : JSON.stringify(v));
      else if (o.input === "select") input.val(String(o.default));
      return input;
    }
    /** The option rows of every provider (each row a tickstream-provider-row of its provider). */
    function buildOptionRows(node, saved) {
      var box = $("#tickstream-provider-options").empty();
      providers().forEach(function (p) {
        var row = null;
        function newRow() {
          row = $('<div class="form-row tickstream-provider-row"></div>').attr("data-providers", p.id).appendTo(box);
        }
        if (p.heading) {
          newRow();
          $('<label style="width:auto"></label>').text(node._(p.heading)).appendTo(row);
        }
        p.options.forEach(function (o) {
          // Elements of a row are apart by one space, as in hand-written markup.
          if (!o.inline || row === null) newRow();
          else row.append(" ");
          var id = "tickstream-opt-" + p.id + "-" + o.name;
          if (o.label) {
            var label = $("<label></label>").attr("for", id).text(node._(o.label)).appendTo(row);
            if (o.inline) label.css({ "margin-left": "10px", width: "auto" });
            row.append(" ");
          }
          row.append(optionInput(node, p, o, saved));
        });
      });
    }

    return {
      descriptor: descriptor,
      optionChecks: optionChecks,
      credentialCheck: credentialCheck,
      checkOption: checkOption,
      dialogOptions: dialogOptions,
      rowsOf: rowsOf,
      testConnection: testConnection,
      buildProviderList: buildProviderList,
      buildOptionRows: buildOptionRows,
    };
  };
})(this);
