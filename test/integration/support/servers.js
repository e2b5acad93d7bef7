"use strict";
/**
 * Real servers for the integration tier, from the Debian packages: each on 127.0.0.1 on a free
 * port, with its data in a fresh temporary directory, stopped (and the directory removed) by
 * stop(), which the test files call in after() hooks so it runs when a test fails too. A process
 * exit hook kills whatever is still running.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");
const { spawn, execFileSync } = require("child_process");
const { waitFor } = require("../../support/wait");
const { freePort, canConnect } = require("../../support/process");
const { helper } = require("../../support/runtime");

const running = new Set();
function killAll() {
  for (const s of running) {
    try {
      s.child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
}
process.on("exit", killAll);
// An interrupted run (Ctrl-C, a CI timeout) leaves no server behind either.
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    killAll();
    process.exit(128 + (sig === "SIGINT" ? 2 : 15));
  });
}

function which(cmd, candidates = []) {
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** Starts `cmd args` and waits until `ready()` is true; the child's output is kept for errors. */
async function startProcess(name, cmd, args, { ready, dir, timeout = 30000, spawnOpts = {} }) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...spawnOpts });
  const server = { name, child, dir, output: "", exited: false };
  child.stdout.on("data", (d) => (server.output = (server.output + d).slice(-20000)));
  child.stderr.on("data", (d) => (server.output = (server.output + d).slice(-20000)));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.once("exit", () => (server.exited = true));
  server.exitedPromise = exited;
  running.add(server);
  let ok = false;
  const until = Date.now() + timeout;
  while (Date.now() < until && !server.exited) {
    if (await ready()) {
      ok = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!ok) {
    await stop(server);
    throw new Error(`${name} did not start (${cmd} ${args.join(" ")}):\n${server.output}`);
  }
  return server;
}

/** Stops a server started here: SIGTERM, then SIGKILL after 5 s; removes its directory. */
async function stop(server) {
  if (!server) return;
  if (!server.exited) {
    server.child.kill("SIGTERM");
    const t = setTimeout(() => server.child.kill("SIGKILL"), 5000);
    await server.exitedPromise;
    clearTimeout(t);
  }
  running.delete(server);
  if (server.dir) fs.rmSync(server.dir, { recursive: true, force: true });
}

/**
 * For a describe against one real server: before its tests, `start()` (startRedis, ...) and then
 * `open(server)`, which resolves with the suite's client(s) of it (if it has any); after them, the
 * test flow unloaded, `close(client)`, the server stopped, whatever failed. Returns `{ server,
 * client }`, filled in once the tests run.
 */
function suiteServer(start, { open = async () => null, close = async () => undefined } = {}) {
  const live = { server: null, client: null };
  before(async function () {
    live.server = await start();
    live.client = await open(live.server);
  });
  after(async function () {
    await helper.unload();
    if (live.client != null) await close(live.client);
    await stop(live.server);
  });
  return live;
}

function tmpdir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tickstream-it-${name}-`));
}

function httpRequest(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: body ? { "Content-Type": "application/x-www-form-urlencoded" } : {} },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function startInflux() {
  const bin = which("influxd");
  if (!bin) throw new Error("influxd not found: install the Debian package influxdb (.ci/run does)");
  const dir = tmpdir("influx");
  const port = await freePort();
  const rpc = await freePort();
  const conf = path.join(dir, "influxdb.conf");
  fs.writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`,
  );
  const server = await startProcess("influxd", bin, ["-config", conf], {
    dir,
    ready: async () =>
      (await canConnect(port)) &&
      (await httpRequest(port, "GET", "/ping").then(
        (r) => r.status === 204,
        () => false,
      )),
  });
  server.port = port;
  /** Runs InfluxQL; returns the parsed JSON (epoch ns unless told). */
  server.query = async (q, db, epoch = "ns") => {
    const res = await httpRequest(
      port,
      "POST",
      `/query?${epoch ? "epoch=" + epoch : ""}${db ? "&db=" + encodeURIComponent(db) : ""}`,
      "q=" + encodeURIComponent(q),
    );
    if (res.status !== 200) throw new Error(`InfluxDB ${res.status}: ${res.body}`);
    const json = JSON.parse(res.body);
    const err = json.results && json.results.find((r) => r.error);
    if (err) throw new Error("InfluxDB: " + err.error);
    return json;
  };
  /** Rows of a SELECT as objects; with epoch null, time is the RFC 3339 text with every nanosecond digit. */
  server.rows = async (q, db, epoch = "ns") => {
    const json = await server.query(q, db, epoch);
    const series = (json.results[0] && json.results[0].series) || [];
    return series.flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
  };
  return server;
}

async function startRedis() {
  const bin = which("redis-server");
  if (!bin) throw new Error("redis-server not found: install the Debian package redis-server (.ci/run does)");
  const dir = tmpdir("redis");
  const port = await freePort();
  const server = await startProcess(
    "redis-server",
    bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "no"],
    { dir, ready: () => canConnect(port) },
  );
  server.port = port;
  return server;
}

async function startMosquitto() {
  const bin = which("mosquitto", ["/usr/sbin/mosquitto"]);
  if (!bin) throw new Error("mosquitto not found: install the Debian package mosquitto (.ci/run does)");
  const dir = tmpdir("mqtt");
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\n`);
  fs.chmodSync(conf, 0o644);
  const server = await startProcess("mosquitto", bin, ["-c", conf], { dir, ready: () => canConnect(port) });
  server.port = port;
  return server;
}

async function startPostgres() {
  const versions = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)) : [];
  const binDir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => fs.existsSync(path.join(d, "initdb")));
  if (!binDir) throw new Error("PostgreSQL not found: install the Debian package postgresql (.ci/run does)");
  const dir = tmpdir("pg");
  const port = await freePort();
  // PostgreSQL refuses to run as root: run it as the postgres user the package creates.
  const opts = {};
  if (process.getuid && process.getuid() === 0) {
    opts.uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    opts.gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, opts.uid, opts.gid);
  }
  const data = path.join(dir, "data");
  execFileSync(path.join(binDir, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], {
    ...opts,
    cwd: dir,
    stdio: "pipe",
  });
  const server = await startProcess(
    "postgres",
    path.join(binDir, "postgres"),
    [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ],
    {
      dir,
      spawnOpts: { ...opts, cwd: dir },
      ready: async () => {
        if (!(await canConnect(port))) return false;
        const { Client } = require("pg");
        const c = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
        try {
          await c.connect();
          await c.end();
          return true;
        } catch {
          return false;
        }
      },
    },
  );
  server.port = port;
  return server;
}

/** Exact nanoseconds (BigInt) of an RFC 3339 time as InfluxDB writes it (UTC, up to 9 fraction digits). */
function nanosOf(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error("not an RFC 3339 time: " + text);
  return BigInt(Date.parse(m[1] + "Z")) * 1_000_000n + BigInt((m[2] || "").padEnd(9, "0"));
}

module.exports = {
  nanosOf,
  startInflux,
  startRedis,
  startMosquitto,
  startPostgres,
  stop,
  suiteServer,
  freePort,
  canConnect,
  httpRequest,
  waitFor,
};
