"use strict";
// Places every node's editor HTML, message catalogs, help and icons next to its compiled .js,
// which is where Node-RED's registry looks for them:
//   dist/nodes/<node>/<node>.js            (tsc)
//   dist/nodes/<node>/<node>.html          (from src/nodes/<node>/<node>.html)
//   dist/nodes/<node>/locales/<lang>/<node>.json|html   (from locales/<lang>/<node>.json|html)
//   dist/nodes/<node>/icons/*              (from icons/)
// The shared editor code stays in resources/ (Node-RED serves <module>/resources/ itself); an editor
// that loads a resource which is not there fails the build.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const srcNodes = path.join(root, "src", "nodes");
const distNodes = path.join(root, "dist", "nodes");
const localesDir = path.join(root, "locales");
const iconsDir = path.join(root, "icons");

let problems = 0;
for (const node of fs.readdirSync(srcNodes)) {
  const from = path.join(srcNodes, node);
  if (!fs.statSync(from).isDirectory()) continue;
  if (!fs.existsSync(path.join(from, node + ".ts"))) continue; // a node folder still being written
  const to = path.join(distNodes, node);
  if (!fs.existsSync(path.join(to, node + ".js"))) {
    console.error(`copy-assets: ${node}: no compiled ${node}.js`);
    problems++;
    continue;
  }
  const html = path.join(from, node + ".html");
  if (!fs.existsSync(html)) {
    console.error(`copy-assets: ${node}: missing editor file ${path.relative(root, html)}`);
    problems++;
  } else {
    fs.copyFileSync(html, path.join(to, node + ".html"));
    const prefix = "resources/" + require(path.join(root, "package.json")).name + "/";
    for (const m of fs.readFileSync(html, "utf8").matchAll(/<script src="([^"]+)"/g)) {
      const file = m[1].startsWith(prefix) ? path.join(root, "resources", m[1].slice(prefix.length)) : null;
      if (file === null || !fs.existsSync(file)) {
        console.error(
          `copy-assets: ${node}: the editor loads ${m[1]}, which is not resources/ of this package (a relative "${prefix}<file>")`,
        );
        problems++;
      }
    }
  }
  if (fs.existsSync(localesDir)) {
    for (const lang of fs.readdirSync(localesDir)) {
      for (const ext of [".json", ".html"]) {
        const file = path.join(localesDir, lang, node + ext);
        if (!fs.existsSync(file)) continue;
        if (ext === ".json") JSON.parse(fs.readFileSync(file, "utf8")); // fail the build on a broken catalog
        fs.mkdirSync(path.join(to, "locales", lang), { recursive: true });
        fs.copyFileSync(file, path.join(to, "locales", lang, node + ext));
      }
    }
  }
  if (!fs.existsSync(path.join(localesDir, "en-US", node + ".json"))) {
    console.error(`copy-assets: ${node}: missing message catalog locales/en-US/${node}.json`);
    problems++;
  }
  if (fs.existsSync(iconsDir)) {
    fs.mkdirSync(path.join(to, "icons"), { recursive: true });
    for (const icon of fs.readdirSync(iconsDir)) fs.copyFileSync(path.join(iconsDir, icon), path.join(to, "icons", icon));
  }
}
if (problems) {
  console.error(`copy-assets: ${problems} problem(s)`);
  process.exit(1);
}
