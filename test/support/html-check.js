"use strict";
/**
 * A strict HTML markup checker for the editor templates and help files: every element that is
 * not void must be closed explicitly, in order, and no end tag may appear without its start tag.
 * Stricter than a browser on purpose: browsers repair unbalanced markup silently (a missing
 * </select> swallows the next rows into the select), which is exactly what this catches.
 *
 * `<script>` and `<style>` contents are raw text; a `<script type="text/html">` (an editor
 * template or a help text) is checked as markup of its own.
 */

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
/** Parents whose content browsers restrict (anything else inside is moved or dropped by the parser). */
const ALLOWED_CHILDREN = {
  select: new Set(["option", "optgroup", "hr"]),
  optgroup: new Set(["option"]),
  option: new Set(),
  ul: new Set(["li", "script", "template"]),
  ol: new Set(["li", "script", "template"]),
  dl: new Set(["dt", "dd", "div", "script", "template"]),
};
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "div",
  "dl",
  "fieldset",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "ul",
]);

/** Line number of an offset. */
function lineOf(text, offset) {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Reads one tag starting at `i` (text[i] === "<"). Returns { end, name, closing, selfClosing, attrs }
 * or null when `<` does not start a tag (e.g. "a < b" in text).
 */
function readTag(text, i) {
  let j = i + 1;
  let closing = false;
  if (text[j] === "/") {
    closing = true;
    j++;
  }
  const m = /^[A-Za-z][A-Za-z0-9-]*/.exec(text.slice(j, j + 64));
  if (m === null) return null;
  const name = m[0].toLowerCase();
  j += m[0].length;
  const attrs = {};
  // Attributes: name, name=value, name="value", name='value'.
  for (;;) {
    while (j < text.length && /\s/.test(text[j])) j++;
    if (j >= text.length) return { error: "unterminated tag <" + name };
    if (text[j] === ">") return { end: j + 1, name, closing, selfClosing: false, attrs };
    if (text[j] === "/" && text[j + 1] === ">") return { end: j + 2, name, closing, selfClosing: true, attrs };
    const a = /^[^\s"'>/=]+/.exec(text.slice(j, j + 256));
    if (a === null) return { error: `bad character ${JSON.stringify(text[j])} in <${name}>` };
    j += a[0].length;
    let value = "";
    while (j < text.length && /\s/.test(text[j])) j++;
    if (text[j] === "=") {
      j++;
      while (j < text.length && /\s/.test(text[j])) j++;
      const q = text[j];
      if (q === '"' || q === "'") {
        const close = text.indexOf(q, j + 1);
        if (close < 0) return { error: `unterminated attribute value in <${name}>` };
        value = text.slice(j + 1, close);
        j = close + 1;
      } else {
        const v = /^[^\s>]+/.exec(text.slice(j));
        if (v === null) return { error: `missing attribute value in <${name}>` };
        value = v[0];
        j += v[0].length;
      }
    }
    const key = a[0].toLowerCase();
    if (Object.prototype.hasOwnProperty.call(attrs, key)) return { error: `duplicate attribute ${key} in <${name}>` };
    attrs[key] = value;
  }
}

/**
 * Checks `text` (markup); returns a list of problems ("line N: ..."), empty when well formed.
 * `base` is added to line numbers (for nested templates).
 */
function checkMarkup(text, base = 0) {
  const problems = [];
  const stack = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end < 0) {
        problems.push(`line ${base + lineOf(text, lt)}: unterminated comment`);
        break;
      }
      i = end + 3;
      continue;
    }
    if (text.startsWith("<!", lt)) {
      const end = text.indexOf(">", lt);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    const tag = readTag(text, lt);
    if (tag === null) {
      i = lt + 1;
      continue;
    }
    const line = base + lineOf(text, lt);
    if (tag.error) {
      problems.push(`line ${line}: ${tag.error}`);
      break;
    }
    i = tag.end;
    if (tag.closing) {
      if (VOID.has(tag.name)) {
        problems.push(`line ${line}: end tag </${tag.name}> of a void element`);
        continue;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) problems.push(`line ${line}: </${tag.name}> without a start tag`);
      else if (top.name !== tag.name) {
        problems.push(`line ${line}: </${tag.name}> closes <${top.name}> opened on line ${top.line}`);
        // Resynchronise on the matching start tag if there is one, so one mistake is reported once.
        const k = stack.map((e) => e.name).lastIndexOf(tag.name);
        if (k >= 0) stack.length = k;
      } else stack.pop();
      continue;
    }
    const parent = stack[stack.length - 1];
    if (parent !== undefined) {
      const allowed = ALLOWED_CHILDREN[parent.name];
      if (allowed !== undefined && !allowed.has(tag.name))
        problems.push(`line ${line}: <${tag.name}> inside <${parent.name}> (line ${parent.line})`);
      if (parent.name === "p" && BLOCK.has(tag.name))
        problems.push(`line ${line}: <${tag.name}> inside <p> (line ${parent.line}) ends the paragraph`);
    }
    if (VOID.has(tag.name) || tag.selfClosing) {
      if (tag.selfClosing && !VOID.has(tag.name))
        problems.push(`line ${line}: <${tag.name}/> is not a void element (the slash is ignored)`);
      continue;
    }
    if (tag.name === "script" || tag.name === "style" || tag.name === "textarea") {
      const endTag = "</" + tag.name;
      const close = text.toLowerCase().indexOf(endTag, i);
      if (close < 0) {
        problems.push(`line ${line}: <${tag.name}> is never closed`);
        break;
      }
      const type = (tag.attrs.type || "").toLowerCase();
      if (tag.name === "script" && (type === "text/html" || type === "text/x-red")) {
        for (const p of checkMarkup(text.slice(i, close), line - 1)) problems.push(p);
      }
      const gt = text.indexOf(">", close);
      i = gt < 0 ? text.length : gt + 1;
      continue;
    }
    stack.push({ name: tag.name, line });
  }
  for (const open of stack) problems.push(`line ${open.line}: <${open.name}> is never closed`);
  return problems;
}

module.exports = { checkMarkup };
