/**
 * tick-aggregate's messages: a bar on output 1 (as a Bar, as InfluxDB [fields, tags], or as its
 * close for charts), a tick not aggregated on output 2 with msg.reason.
 */
import type { NodeMessage } from "node-red";
import type { AggregateOutput } from "../../lib/aggregate";
import type { RawTick } from "../../lib/types";
import type { Out } from "../common/input";
import { influxPayload } from "./settings";

export interface OutputProps {
  /** "bar" (default), "influx" (msg.payload = [fields, tags], msg.measurement) or "close" (msg.payload = the close, for charts). */
  output?: string;
  measurement?: string;
  /** msg.timestamp (ms) from the bar's start (default) or end. */
  labelOn?: string;
  /** InfluxDB output: write a whole-number volume as an integer field (shares). */
  intVolume?: boolean;
}

/** The aggregator's `emit`: each output as a message, handed to `send`. */
export function barEmitter(p: OutputProps, send: (m: Out) => void): (o: AggregateOutput) => void {
  const output = p.output === "influx" || p.output === "close" ? p.output : "bar";
  const measurement = p.measurement || "bars";
  const labelOn: "start" | "end" = p.labelOn === "end" ? "end" : "start";
  const intVolume = p.intVolume === true;
  return (o) => {
    if (o.type === "bar") {
      const bar = o.bar;
      const timestamp = Math.floor((labelOn === "end" ? bar.end : bar.start) / 1000);
      const msg: NodeMessage & Record<string, unknown> =
        output === "influx"
          ? { topic: bar.symbol, measurement, payload: influxPayload(bar, labelOn, intVolume), timestamp, bar }
          : output === "close"
            ? { topic: bar.symbol, payload: bar.close, timestamp, bar }
            : { topic: bar.symbol, payload: bar, timestamp };
      send([msg, null]);
    } else {
      const t = o.tick as Partial<RawTick> | null;
      const topic = t !== null && typeof t === "object" && typeof t.symbol === "string" ? t.symbol : undefined;
      send([null, { topic, payload: o.tick, reason: o.reason, message: o.message }]);
    }
  };
}
