"use strict";
/**
 * What `npm pack` / `npm publish` ship: built from a copy of the sources with no dist/ at all,
 * the tarball still holds every node's compiled code, editor, catalog and help (prepack builds),
 * the shared editor code in resources/, and no sources or tests. Installed from the tarball, a
 * real node-red serves the shared editor code where the node editors load it and exports the
 * runtime's tables to the editor. The metadata names nothing made up.
 */
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const net = require("net");
const { execFile, spawn } = require("child_process");
const { waitFor } = require("../support/wait");

const root = path.join(__dirname, "..", "..");
const pkg = require("../../package.json");

function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_loglevel: "error" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

describe("npm package", function () {
  this.timeout(180000);
  let dir;
  let tarball;

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

  it("`npm pack` builds first (prepack) and ships resources/, dist/ with every node's code, editor, catalog and help", async function () {
    const out = await run("npm", ["pack", "--json"], dir);
    // Lifecycle output may precede the JSON report.
    const report = JSON.parse(out.slice(out.indexOf("\n[") >= 0 ? out.indexOf("\n[") + 1 : out.indexOf("[")));
    const files = new Set(report[0].files.map((f) => f.path));
    tarball = path.join(dir, report[0].filename);
    for (const [type, main] of Object.entries(pkg["node-red"].nodes)) {
      const base = path.posix.dirname(main);
      for (const f of [main, `${base}/${type}.html`, `${base}/locales/en-US/${type}.json`, `${base}/locales/en-US/${type}.html`]) {
        assert.ok(files.has(f), `${f} is in the package`);
      }
    }
    assert.ok(
      [...files].some((f) => f.startsWith("examples/")),
      "examples are in the package",
    );
    for (const f of fs.readdirSync(path.join(root, "resources")))
      assert.ok(files.has(`resources/${f}`), `resources/${f} is in the package`);
    assert.deepStrictEqual(
      [...files].filter((f) => /^(src|test|scripts|bench)\//.test(f)),
      [],
      "no sources or tests",
    );
  });

  it("installed from the tarball, node-red serves resources/ where the editors load it, and the runtime's tables in its settings", async function () {
    assert.ok(tarball !== undefined && fs.existsSync(tarball), "the tarball the first test packed");
    const tgz = tarball;
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-installed-"));
    const pkgDir = path.join(userDir, "node_modules", pkg.name);
    fs.mkdirSync(pkgDir, { recursive: true });
    await run("tar", ["-xzf", tgz, "-C", pkgDir, "--strip-components=1"], userDir);
    for (const dep of Object.keys(pkg.dependencies))
      fs.symlinkSync(path.join(root, "node_modules", dep), path.join(userDir, "node_modules", dep), "dir");
    const port = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    fs.writeFileSync(
      path.join(userDir, "package.json"),
      JSON.stringify({ name: "installed", private: true, dependencies: { [pkg.name]: "*" } }),
    );
    fs.writeFileSync(
      path.join(userDir, "settings.js"),
      `module.exports = { uiHost: "127.0.0.1", uiPort: ${port}, flowFile: "flows.json", credentialSecret: false, editorTheme: { tours: false }, diagnostics: { enabled: false }, telemetry: { enabled: false }, externalModules: { autoInstall: false } };\n`,
    );
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules", "node-red", "red.js"), "--userDir", userDir, "--settings", path.join(userDir, "settings.js")],
      { cwd: userDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    try {
      await waitFor(() => /Server now running/.test(log) || child.exitCode !== null, { timeout: 90000, what: "node-red started" });
      assert.strictEqual(child.exitCode, null, log);
      const base = `http://127.0.0.1:${port}/`;
      const resource = await fetch(base + `resources/${pkg.name}/tickstream-editor.js`);
      assert.strictEqual(resource.status, 200, "the shared editor code is served");
      assert.strictEqual(await resource.text(), fs.readFileSync(path.join(pkgDir, "resources", "tickstream-editor.js"), "utf8"));
      const editors = await (await fetch(base + "nodes", { headers: { Accept: "text/html" } })).text();
      const tag = `<script src="resources/${pkg.name}/tickstream-editor.js"></script>`;
      assert.ok(editors.split(tag).length - 1 >= 5, "the node editors load it by that relative path");
      const settings = await (await fetch(base + "settings")).json();
      const installed = (m) => require(path.join(pkgDir, "dist", "lib", m));
      assert.deepStrictEqual(settings.tickAggregateSteps, JSON.parse(JSON.stringify(installed("aggregate").ALLOWED_STEPS)));
      assert.deepStrictEqual(settings.tickAggregateDialects, [...installed("conditions").CONDITION_DIALECTS]);
      assert.deepStrictEqual(settings.tickFilterDialects, [...installed("conditions").CONDITION_DIALECTS]);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGINT");
        await exited;
      }
      fs.rmSync(userDir, { recursive: true, force: true });
    }
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
