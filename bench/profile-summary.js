"use strict";
/** Prints the top self-time functions of a .cpuprofile: node bench/profile-summary.js <file> [top] */
const fs = require("fs");
const prof = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const top = Number(process.argv[3] || 25);
const self = new Map();
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = prof.timeDeltas;
const counts = new Map();
for (let i = 0; i < prof.samples.length; i++) counts.set(prof.samples[i], (counts.get(prof.samples[i]) || 0) + (dt[i] || 0));
let total = 0;
for (const [id, us] of counts) {
  const n = byId.get(id);
  const f = n.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*node_modules\//, "").replace(/^.*\/(dist|bench)\//, "$1/")}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) || 0) + us);
  total += us;
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [k, us] of rows) console.log(((us / total) * 100).toFixed(1).padStart(5) + "%  " + k);
