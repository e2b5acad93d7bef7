"use strict";
/**
 * Stand-in for node-red-contrib-postgresql (types `postgreSQLConfig` and `postgresql`), which the
 * npm registry reachable here does not have. It does what that node's documentation and source
 * say it does with a message (shared/spec/sinks.md, section 3), with the same `pg` client:
 * SQL = msg.query or the node's query; msg.params (non-empty array) as $1..$n, else
 * msg.queryParameters as named $name parameters (a $name with no key fails the message,
 * null/undefined become NULL, each distinct name becomes one positional parameter);
 * msg.payload = rows, msg.pgsql = {command, rowCount}; errors go to done(err).
 * So the integration tier checks our example's messages against a real PostgreSQL, but not
 * that package's own code.
 */
const { Pool } = require("pg");

function named(sql, values) {
  const names = [];
  const text = sql.replace(/\$([a-zA-Z][a-zA-Z0-9_]*)\b/g, (m, name) => {
    if (!Object.prototype.hasOwnProperty.call(values, name)) throw new Error("Missing Parameters: " + name);
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return "$" + (i + 1);
  });
  return { text, params: names.map((n) => (values[n] === undefined ? null : values[n])) };
}

module.exports = function (RED) {
  function PostgreSQLConfig(n) {
    RED.nodes.createNode(this, n);
    this.pool = new Pool({
      host: n.host,
      port: Number(n.port),
      database: n.database,
      user: n.user,
      password: n.password || undefined,
      max: Number(n.max) || 10,
      idleTimeoutMillis: Number(n.idle) || 1000,
    });
    this.pool.on("error", (err) => this.error(err.message));
    this.on("close", (done) => {
      this.pool.end().then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType("postgreSQLConfig", PostgreSQLConfig);

  function PostgreSQL(n) {
    RED.nodes.createNode(this, n);
    const node = this;
    const config = RED.nodes.getNode(n.postgreSQLConfig);
    node.on("input", async (msg, send, done) => {
      try {
        const sql = msg.query || n.query;
        let q;
        if (Array.isArray(msg.params) && msg.params.length > 0) q = { text: sql, params: msg.params };
        else if (msg.queryParameters && typeof msg.queryParameters === "object") q = named(sql, msg.queryParameters);
        else q = { text: sql, params: [] };
        const res = await config.pool.query(q.text, q.params);
        msg.payload = res.rows;
        msg.pgsql = { command: res.command, rowCount: res.rowCount };
        send(msg);
        done();
      } catch (err) {
        msg.payload = err.message + "\n" + (msg.query || n.query);
        done(err);
      }
    });
  }
  RED.nodes.registerType("postgresql", PostgreSQL);
};
