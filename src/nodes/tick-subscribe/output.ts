/**
 * tick-subscribe's tick messages: one message per tick (msg.topic from the template), or in batch
 * mode one array of the ticks read in one event-loop turn (at most 10,000); as Tick objects or as
 * what node-red-contrib-influxdb writes.
 */
import { randomBytes } from "crypto";
import type { Node } from "node-red";
import { InfluxTickFormatter, INFLUX_PRECISION } from "../../lib/influx";
import { parsePartitions, TopicTemplate } from "../../lib/topic";
import type { Tick } from "../../lib/types";

export interface OutputProps {
  /** "tick" (default): one message per tick; "batch": msg.payload = array of the ticks read together (at most 10,000). */
  output?: string;
  /** "object" (default): msg.payload = Tick; "influxdb": what node-red-contrib-influxdb writes as is. */
  format?: string;
  /** msg.topic template: {symbol} (default), {type}, {provider}, {partition}. */
  topic?: string;
  /** Number of partitions for {partition} (integer >= 1, default 1). */
  partitions?: string | number;
  /** InfluxDB measurement (format influxdb; default "ticks"). */
  measurement?: string;
}

/** The output settings, checked once at deploy. */
export function outputSettings(config: OutputProps): { influx: InfluxTickFormatter | null; template: TopicTemplate } {
  const format = config.format === undefined || config.format === "" ? "object" : config.format;
  if (format !== "object" && format !== "influxdb") throw new Error(`Unknown format "${format}": use object or influxdb.`);
  const partitions = parsePartitions(config.partitions);
  return {
    influx: format === "influxdb" ? new InfluxTickFormatter(config.measurement) : null,
    template: new TopicTemplate(config.topic, partitions),
  };
}

/**
 * Message ids: a random per-process prefix plus a counter: unique like Node-RED's own random
 * ids, without a random draw per tick.
 */
const ID_PREFIX = randomBytes(6).toString("hex") + "-";
let idCounter = 0;
function nextMsgId(): string {
  return ID_PREFIX + ++idCounter;
}

/** Batch mode: most ticks in one message. */
const MAX_BATCH = 10_000;

export class TickOutput {
  private pending: Tick[] | null = null;
  private flushHandle: NodeJS.Immediate | null = null;
  private readonly influx: InfluxTickFormatter | null;
  private readonly template: TopicTemplate;

  constructor(
    private readonly node: Node,
    private readonly batch: boolean,
    settings: ReturnType<typeof outputSettings>,
  ) {
    this.influx = settings.influx;
    this.template = settings.template;
  }

  /** Sends the pending batch (batch mode). */
  readonly flush = (): void => {
    if (this.flushHandle !== null) clearImmediate(this.flushHandle);
    this.flushHandle = null;
    const ticks = this.pending;
    this.pending = null;
    if (ticks === null || ticks.length === 0) return;
    const influx = this.influx;
    if (influx === null) this.node.send([{ _msgid: nextMsgId(), topic: "ticks", payload: ticks }, null]);
    else
      this.node.send([
        { _msgid: nextMsgId(), topic: "ticks", precision: INFLUX_PRECISION, payload: ticks.map((t) => influx.batchPoint(t)) },
        null,
      ]);
  };

  readonly deliver = (ticks: Tick[]): void => {
    if (this.batch) {
      // Everything read in this event-loop turn goes out as one message (flushed before the
      // next turn's reads); a full batch goes out at once, so the buffer stays bounded.
      if (this.pending === null) {
        this.pending = ticks;
        this.flushHandle = setImmediate(this.flush);
      } else {
        for (let i = 0; i < ticks.length; i++) this.pending.push(ticks[i]);
      }
      if (this.pending.length >= MAX_BATCH) this.flush();
      return;
    }
    // One send per tick: each tick is its own message with its own id. (Sending an array of
    // messages in one call would make Node-RED deep-clone every message after the first
    // and give them all the same _msgid.)
    const { influx, template, node } = this;
    for (let i = 0; i < ticks.length; i++) {
      const t = ticks[i];
      const topic = template.isSymbol ? t.symbol : template.render(t.symbol, t.type, t.provider);
      if (influx === null) node.send([{ _msgid: nextMsgId(), topic, payload: t }, null]);
      else
        node.send([
          { _msgid: nextMsgId(), topic, measurement: influx.measurement, precision: INFLUX_PRECISION, payload: influx.outPayload(t) },
          null,
        ]);
    }
  };

  /** Drops the pending batch (on close). */
  close(): void {
    if (this.flushHandle !== null) clearImmediate(this.flushHandle);
    this.flushHandle = null;
    this.pending = null;
  }
}
