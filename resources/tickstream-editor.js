/**
 * Editor code shared by the node-red-contrib-tickstream node editors. Node-RED serves the
 * package's resources/ folder at resources/node-red-contrib-tickstream/, and each node's HTML
 * loads this file with
 *   <script src="resources/node-red-contrib-tickstream/tickstream-editor.js"></script>
 * before its own script. It defines one global, TickstreamEditor; loading it again (one tag per
 * node file) only replaces it with an identical copy.
 *
 * The tables the runtime owns (bar steps, condition dialects, indicator parameters) are not
 * written here: the nodes export them as editor settings (RED.settings.tickAggregateSteps, ...),
 * read at use. Plain ES5: the editor runs this file as it is.
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

  // The node whose edit dialog is open (its validators read the dialog, others their saved
  // values), and the id prefix of its inputs (node-input, or node-config-input for a config node).
  var editing = null;
  var prefixes = {};
  TS.editStart = function (node) {
    editing = node.id;
  };
  TS.editEnd = function () {
    editing = null;
  };
  /** The dialog's input of property `name` while `node` is being edited (a jQuery object), else null. */
  TS.input = function (node, name) {
    if (editing !== node.id) return null;
    var el = $("#" + (prefixes[node.type] || "node-input") + "-" + name);
    return el.length ? el : null;
  };
  /** A property's value: from the open dialog for the node being edited, else the saved one. */
  TS.current = function (node, name) {
    var el = TS.input(node, name);
    if (el) return el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
    return node[name];
  };
  TS.isEditing = function (node) {
    return editing === node.id;
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

  /** label of every node: its name, else `summary` (a text, or a function called on the node). */
  TS.named = function (summary) {
    return function () {
      return this.name || (typeof summary === "function" ? summary.call(this) : summary);
    };
  };
  /** labelStyle of every node: italic when named. */
  TS.labelStyle = function () {
    return this.name ? "node_label_italic" : "";
  };
  /** inputLabels / outputLabels: port i is labelled `<type>.label.<keys[i]>`. */
  TS.portLabels = function (type, keys) {
    return function (i) {
      return this._(type + ".label." + keys[i || 0]);
    };
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

  // ---- Edit forms --------------------------------------------------------------------------
  // Node-RED builds an edit dialog from the node's template (<script type="text/html"
  // data-template-name="<type>">) when the dialog opens, fills its inputs #<prefix>-<prop> from
  // the node and watches them, and only then runs oneditprepare. TS.form writes that template
  // from a list of rows when the editor script loads, so the dialog finds plain markup.
  //
  // A row is one of:
  //  - a field row: { text|number|password|select|checkbox|textarea: prop, icon, label, cls, id,
  //    data, ...field options }: the label `<type>.label.<label or prop>` (label: null for none)
  //    before the field; a checkbox row puts its label after the box instead;
  //  - a composed row: { label, icon, for, cls, id, data, items: [...] }, items being fields,
  //    { span: key, cls, style }, an inline { label: key, for: prop }, { group: [items], cls, id }
  //    (a span around items), or markup strings; items stand one space apart;
  //  - { heading: key, icon }: a section title; { html: markup }: markup as it is;
  //  - "name", "maxSymbols", "sessions": the rows several nodes share (TS.ROWS). Every form has
  //    the Name row: last, unless the rows place it.
  // Field options: width (default 70% for text, password, select, textarea in a field row),
  // placeholder (a catalog key), hint (a literal placeholder), min, max, step, options (the select's
  // values, labelled `<type>.<prop>.<value>`), rows, style, autocomplete, before / unit (text just
  // before / after the input), label (a checkbox's own label key; false for none).
  // Catalog keys: "x.y" is `<type>.x.y`; a bare name is under label (placeholder for placeholders).

  var FIELD_KINDS = ["text", "number", "password", "select", "checkbox", "textarea"];
  var WIDE = { text: true, password: true, select: true, textarea: true };

  TS.ROWS = {
    name: { text: "name", icon: "tag", placeholder: "label.name", width: "" },
    maxSymbols: { number: "maxSymbols", icon: "database", min: 1, width: "100px" },
    sessions: { label: "sessions", icon: "sun-o", for: false, items: ['<span class="tickstream-sessions"></span>'] },
  };

  function esc(v) {
    return String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }
  /** ' name="value"' for each set value of `map`, in order. */
  function attrs(map) {
    var out = "";
    for (var k in map) if (map[k] !== undefined && map[k] !== null && map[k] !== "") out += " " + k + '="' + esc(map[k]) + '"';
    return out;
  }
  function kindOf(spec) {
    for (var i = 0; i < FIELD_KINDS.length; i++) if (spec[FIELD_KINDS[i]] !== undefined) return FIELD_KINDS[i];
    return null;
  }
  function styleOf(spec, width) {
    var parts = [];
    if (width) parts.push("width:" + width);
    if (spec.style) parts.push(spec.style);
    return parts.join("; ");
  }

  /** Markup builders for node `type`'s dialog: input ids `<prefix>-<prop>`, catalog keys `<type>.*`. */
  function Form(type, prefix) {
    this.type = type;
    this.prefix = prefix;
  }
  Form.prototype.key = function (k, group) {
    return this.type + "." + (k.indexOf(".") >= 0 ? k : group + "." + k);
  };
  Form.prototype.id = function (prop) {
    return this.prefix + "-" + prop;
  };
  Form.prototype.field = function (spec, inRow) {
    var kind = kindOf(spec);
    var prop = spec[kind];
    var width = spec.width !== undefined ? spec.width : inRow && WIDE[kind] ? "70%" : "";
    var a = { id: this.id(prop) };
    var out;
    if (kind === "select") {
      var type = this.type;
      out =
        "<select" +
        attrs({ id: a.id, style: styleOf(spec, width) }) +
        ">" +
        (spec.options || [])
          .map(function (o) {
            return "<option" + attrs({ value: o, "data-i18n": type + "." + prop + "." + o }) + "></option>";
          })
          .join("") +
        "</select>";
    } else if (kind === "checkbox") {
      out = '<input type="checkbox"' + attrs({ id: a.id, style: styleOf(spec, "auto; vertical-align:top") }) + " />";
      if (spec.label !== false)
        out += " <label" + attrs({ for: a.id, style: "width:auto", "data-i18n": this.key(spec.label || prop, "label") }) + "></label>";
    } else {
      if (spec.placeholder) a["data-i18n"] = "[placeholder]" + this.key(spec.placeholder, "placeholder");
      a.placeholder = spec.hint;
      a.min = spec.min;
      a.max = spec.max;
      a.step = spec.step;
      a.rows = spec.rows;
      a.autocomplete = spec.autocomplete;
      a.style = styleOf(spec, width);
      out = kind === "textarea" ? "<textarea" + attrs(a) + "></textarea>" : "<input" + attrs({ type: kind }) + attrs(a) + " />";
    }
    return (spec.before || "") + out + (spec.unit ? " " + spec.unit : "");
  };
  Form.prototype.item = function (item) {
    var self = this;
    if (typeof item === "string") return item;
    if (kindOf(item)) return this.field(item, false);
    if (item.span !== undefined)
      return "<span" + attrs({ class: item.cls, "data-i18n": this.key(item.span, "label"), style: item.style }) + "></span>";
    if (item.group !== undefined)
      return (
        "<span" +
        attrs({ class: item.cls, id: item.id }) +
        ">" +
        item.group
          .map(function (i) {
            return self.item(i);
          })
          .join(" ") +
        "</span>"
      );
    // An inline label, after other items of its row.
    return (
      "<label" +
      attrs({ for: this.id(item.for), style: "margin-left:10px; width:auto", "data-i18n": this.key(item.label, "label") }) +
      "></label>"
    );
  };
  /** A row's label: icon and text, text alone, or blank. */
  Form.prototype.label = function (row, forId) {
    var a = { for: forId };
    if (row.label === null) return "<label>&nbsp;</label>";
    if (!row.icon) return "<label" + attrs({ for: forId, "data-i18n": this.key(row.label, "label") }) + "></label>";
    return (
      "<label" + attrs(a) + '><i class="fa fa-' + row.icon + '"></i> <span data-i18n="' + this.key(row.label, "label") + '"></span></label>'
    );
  };
  Form.prototype.row = function (spec) {
    var self = this;
    if (typeof spec === "string") spec = TS.ROWS[spec];
    if (spec.html !== undefined) return spec.html;
    var row = spec;
    var kind = kindOf(spec);
    var body;
    if (spec.heading !== undefined) {
      body =
        '<label style="width:auto"><i class="fa fa-' +
        spec.icon +
        '"></i> <span data-i18n="' +
        this.key(spec.heading, "label") +
        '"></span></label>';
    } else if (kind === "checkbox") {
      body = "<label>&nbsp;</label> " + this.field(spec, true);
    } else {
      var items = kind ? [spec] : spec.items;
      if (kind) row = { label: spec.label === undefined ? spec[kind] : spec.label, icon: spec.icon };
      var first = null;
      for (var i = 0; i < items.length && first === null; i++) if (typeof items[i] === "object" && kindOf(items[i])) first = items[i];
      var forId = spec.for === false || first === null ? undefined : this.id(spec.for || first[kindOf(first)]);
      body =
        this.label(row, forId) +
        " " +
        items
          .map(function (it) {
            return kind ? self.field(it, true) : self.item(it);
          })
          .join(" ");
    }
    var data = {};
    for (var k in spec.data || {}) data["data-" + k] = spec.data[k];
    return '<div class="form-row' + (spec.cls ? " " + spec.cls : "") + '"' + attrs({ id: spec.id }) + attrs(data) + ">" + body + "</div>";
  };

  /** The markup of each form TS.form wrote, by node type (for tests and debugging). */
  TS.forms = {};

  /**
   * Writes node `type`'s edit form from `rows` (above) into its template, creating the template
   * when the HTML has none. opts.prefix: the input id prefix ("node-config-input" for a config node).
   */
  TS.form = function (type, rows, opts) {
    var prefix = (opts && opts.prefix) || "node-input";
    var f = new Form(type, prefix);
    if (rows.indexOf("name") < 0) rows = rows.concat("name");
    var markup = rows
      .map(function (r) {
        return f.row(r);
      })
      .join("\n");
    prefixes[type] = prefix;
    TS.forms[type] = markup;
    var el = $("script[data-template-name='" + type + "']");
    if (el.length === 0) el = $('<script type="text/html"' + attrs({ "data-template-name": type }) + "></script>").appendTo("body");
    el.text(markup);
    return markup;
  };

  global.TickstreamEditor = TS;
})(this);
