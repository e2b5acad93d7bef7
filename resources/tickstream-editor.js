/**
 * Editor code shared by the node-red-contrib-tickstream node editors (tick-filter, tick-aggregate,
 * tick-subscribe, tick-indicator, tick-alert). Node-RED serves the package's resources/ folder at
 * resources/node-red-contrib-tickstream/, and each node's HTML loads this file with
 *   <script src="resources/node-red-contrib-tickstream/tickstream-editor.js"></script>
 * before its own script. It defines one global, TickstreamEditor; loading it again (one tag per
 * node file) only replaces it with an identical copy.
 *
 * The tables the runtime owns (bar steps, condition dialects) are not written here: the nodes
 * export them as editor settings (RED.settings.tickAggregateSteps, ...), read at use.
 * Plain ES5: the editor runs this file as it is.
 */
(function (global) {
  "use strict";
  var MODULE = "node-red-contrib-tickstream";
  var TS = {};

  /** A symbol as the runtime accepts it (lib/symbols.ts). */
  TS.SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._:\/\-^=*@!$&+#]{0,63}$/;
  /** One condition override: "code = flags" (lib/conditions.ts parseOverrides). */
  TS.OVERRIDE = /^(.+?)\s*=\s*(all|none|[lhv]*)$/i;
  /** The sessions of the session checkboxes, in their order. */
  TS.SESSIONS = ["pre", "regular", "post", "closed"];

  /** A message from node `type`'s catalog: `<type>.<key>` (works whatever `this` a validator gets). */
  TS.msg = function (type, key, args) {
    return global.RED._(MODULE + "/" + type + ":" + type + "." + key, args);
  };

  TS.blank = function (v) {
    return v === undefined || v === null || String(v).trim() === "";
  };

  /** Words of a list typed with spaces, commas or semicolons. */
  TS.words = function (v) {
    return String(v || "")
      .split(/[\s,;]+/)
      .filter(function (s) {
        return s !== "";
      });
  };

  // The id of the node whose edit dialog is open: its validators read the dialog, others their saved values.
  var editing = null;
  TS.editStart = function (node) {
    editing = node.id;
  };
  TS.editEnd = function () {
    editing = null;
  };
  /** A property's value: from the open dialog for the node being edited, else the saved one. */
  TS.current = function (node, name) {
    if (editing === node.id) {
      var el = $("#node-input-" + name);
      if (el.length) return el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
    }
    return node[name];
  };

  /** An editor setting a node exports from the runtime (registerType's settings). */
  TS.setting = function (name) {
    var s = global.RED && global.RED.settings;
    return s ? s[name] : undefined;
  };
  /** The bar steps a time unit allows (the runtime's ALLOWED_STEPS via RED.settings.tickAggregateSteps). */
  TS.barSteps = function (unit) {
    var steps = TS.setting("tickAggregateSteps") || {};
    return steps[unit] || [];
  };

  // Validators: two-argument form (Node-RED shows their message), messages from node `type`'s catalog.
  TS.v = {
    /** True when `test(v)` (called with the node as this) holds, else the message errors.<key>. */
    check: function (type, key, test) {
      return function (v, opt) {
        return test.call(this, v) ? true : TS.msg(type, "errors." + key);
      };
    },
    /** Empty, or a number of at least `min` (no bound when undefined). */
    numberAtLeast: function (type, min) {
      return function (v, opt) {
        if (TS.blank(v)) return true;
        var n = Number(v);
        if (!isFinite(n)) return TS.msg(type, "errors.number");
        return min === undefined || n >= min || TS.msg(type, "errors.at-least", { min: min });
      };
    },
    /** The upper end of a range whose lower end is property `lowName`. */
    rangeTop: function (type, lowName) {
      var base = TS.v.numberAtLeast(type);
      return function (v, opt) {
        var r = base.call(this, v, opt);
        if (r !== true || TS.blank(v)) return r;
        var low = TS.current(this, lowName);
        return TS.blank(low) || !(Number(low) > Number(v)) || TS.msg(type, "errors.range");
      };
    },
    /** A list of symbols. */
    symbols: function (type) {
      return function (v, opt) {
        var parts = TS.words(v);
        for (var i = 0; i < parts.length; i++)
          if (!TS.SYMBOL.test(parts[i])) return TS.msg(type, "errors.bad-symbol", { symbol: parts[i] });
        return true;
      };
    },
    /** Condition overrides, one per line or separated by commas or semicolons. */
    overrides: function (type) {
      return function (v, opt) {
        var parts = String(v || "").split(/[\n,;]+/);
        for (var i = 0; i < parts.length; i++) {
          var e = parts[i].trim();
          if (e !== "" && !TS.OVERRIDE.test(e)) return TS.msg(type, "errors.override", { entry: e });
        }
        return true;
      };
    },
    /** Empty (the default), or a whole number of at least 1 (a symbol limit); `key` names the message. */
    count: function (type, key) {
      return function (v, opt) {
        if (v === "" || v === undefined || v === null) return true;
        var n = Number(v);
        return (isFinite(n) && Math.floor(n) === n && n >= 1) || TS.msg(type, "errors." + key);
      };
    },
  };

  /** labelStyle of every node: italic when named. */
  TS.labelStyle = function () {
    return this.name ? "node_label_italic" : "";
  };

  /**
   * The session checkboxes: fills `.tickstream-sessions` in the dialog with one checkbox per
   * session (labels `<type>.session.<s>`), checked from node.sessions ('' = all).
   */
  TS.sessions = {
    prepare: function (node, type) {
      var selected = TS.words(node.sessions);
      var box = $(".tickstream-sessions").empty();
      TS.SESSIONS.forEach(function (s, i) {
        var label = $("<label></label>").css({ width: "auto", "margin-right": i < TS.SESSIONS.length - 1 ? "8px" : "0" });
        $('<input type="checkbox" class="tickstream-session">')
          .attr("data-session", s)
          .css({ width: "auto", "vertical-align": "top" })
          .prop("checked", selected.length === 0 || selected.indexOf(s) >= 0)
          .appendTo(label);
        label.append(" ", $("<span></span>").text(TS.msg(type, "session." + s)));
        box.append(label);
      });
    },
    /** The sessions ticked: '' for all (or none), else a comma list. */
    save: function () {
      var picked = [];
      $(".tickstream-session").each(function () {
        if ($(this).prop("checked")) picked.push($(this).attr("data-session"));
      });
      return picked.length === TS.SESSIONS.length || picked.length === 0 ? "" : picked.join(",");
    },
  };

  /**
   * The condition-dialect choices: options of #node-input-conditionDialect from the runtime's
   * dialects (RED.settings[settingName]), labels `<type>.dialect.<d>`, the node's value selected.
   */
  TS.dialects = function (node, type, settingName) {
    var select = $("#node-input-conditionDialect").empty();
    (TS.setting(settingName) || ["auto"]).forEach(function (d) {
      $("<option></option>")
        .val(d)
        .text(TS.msg(type, "dialect." + d))
        .appendTo(select);
    });
    select.val(node.conditionDialect || "auto");
  };

  global.TickstreamEditor = TS;
})(this);
