"use strict";
/**
 * What `npm pack` / `npm publish` ship: built from a copy of the sources with no dist/ at all,
 * the tarball still holds every node's compiled code, editor, catalog and help (prepack builds),
 * and no sources or tests. The metadata names nothing made up.
 */
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFile } = require("child_process");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");

function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_loglevel: "error" } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe("npm package", function () {
  this.timeout(180000);
  let dir;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-pack-"));
    for (const entry of fs.readdirSync(root)) {
      // A fresh clone: everything tracked, nothing built.
      if (["node_modules", "dist", ".git", ".demo", ".nr5", "bench", "test"].includes(entry) || entry.startsWith(".")) continue;
      fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    assert.ok(!fs.existsSync(path.join(dir, "dist")));
  });

  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`npm pack` builds first (prepack) and ships dist/ with every node's code, editor, catalog and help", async function () {
    const out = await run("npm", ["pack", "--dry-run", "--json"], dir);
    // Lifecycle output may precede the JSON report.
    const report = JSON.parse(out.slice(out.indexOf("\n[") >= 0 ? out.indexOf("\n[") + 1 : out.indexOf("[")));
    const files = new Set(report[0].files.map((f) => f.path));
    for (const [type, main] of Object.entries(pkg["node-red"].nodes)) {
      const base = path.posix.dirname(main);
      for (const f of [main, `${base}/${type}.html`, `${base}/locales/en-US/${type}.json`, `${base}/locales/en-US/${type}.html`]) {
        assert.ok(files.has(f), `${f} is in the package`);
      }
    }
    assert.ok([...files].some((f) => f.startsWith("examples/")), "examples are in the package");
    assert.deepStrictEqual([...files].filter((f) => /^(src|test|scripts|bench)\//.test(f)), [], "no sources or tests");
  });

  it("has honest metadata: a prepack build and no placeholder addresses", function () {
    assert.match(pkg.scripts.prepack, /npm run build/);
    const text = JSON.stringify(pkg);
    assert.doesNotMatch(text, /example\.(invalid|com|org)/);
    for (const field of ["repository", "homepage", "bugs"]) {
      if (pkg[field] === undefined) continue;
      const url = typeof pkg[field] === "string" ? pkg[field] : pkg[field].url;
      assert.match(url, /^(git\+)?https:\/\/(github\.com|gitlab\.com)\//, `${field} points at a real host`);
    }
  });
});
