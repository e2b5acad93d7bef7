/**
 * tick-indicator's messages: runs bars or ticks through the indicator bank and fills the output
 * messages (msg.payload = the value, msg.indicator, msg.indicators[key], the input in msg.bar /
 * msg.tick, msg.timestamp).
 */
import type { NodeMessage } from "node-red";
import { IndicatorBank, kindOf, pointFromBar, pointFromTick, type InputKind } from "../../lib/indicators/bank";
import type { IndicatorValue, Point } from "../../lib/indicators/indicators";
import type { Bar, Tick } from "../../lib/types";
import { indicatorKey, indicatorLabel, type IndicatorConfig } from "./settings";

type Msg = NodeMessage & Record<string, unknown>;
interface Result {
  value: IndicatorValue | null;
  ts: number;
  final: boolean;
}

export class IndicatorRunner {
  /** Values sent, and inputs skipped (no usable price). */
  values = 0;
  skipped = 0;
  readonly bank: IndicatorBank;
  readonly label: string;
  private readonly params: Readonly<IndicatorConfig["params"]>;
  /** msg.indicators[key]: every tick-indicator a message went through leaves its value there ("ema21", "macd12_26_9"), so two series can be compared downstream. */
  private readonly key: string;
  private readonly point: Point = { value: 0, high: 0, low: 0, close: 0, volume: 0 };

  constructor(private readonly cfg: IndicatorConfig) {
    this.bank = new IndicatorBank(cfg.name, cfg.params, cfg.maxSymbols);
    this.label = indicatorLabel(cfg.name, cfg.params);
    this.params = Object.freeze({ ...cfg.params });
    this.key = indicatorKey(cfg.name, cfg.params);
  }

  /** Runs one bar or tick; returns the value (null in warm-up) or undefined when nothing is to be sent. */
  private run(item: Bar | Tick, kind: InputKind): Result | undefined {
    let ts: number;
    let final: boolean;
    if (kind === "bar") {
      const b = item as Bar;
      if (!pointFromBar(b, this.cfg.source, this.point)) {
        this.skipped++;
        return undefined;
      }
      ts = b.start;
      final = b.final !== false;
    } else {
      const t = item as Tick;
      if (!pointFromTick(t, this.point)) {
        this.skipped++;
        return undefined;
      }
      ts = t.ts;
      final = true;
    }
    const r = this.bank.update(item.symbol, ts, this.point, final, kind === "bar");
    if (r === "old") return undefined;
    if (r === null && !this.cfg.emitWarmup) return undefined;
    this.values++;
    return { value: r, ts, final };
  }

  private fill(m: Msg, item: Bar | Tick, kind: InputKind, r: Result): void {
    m.topic = item.symbol;
    m.payload = r.value;
    m.indicator = { name: this.cfg.name, params: this.params, symbol: item.symbol, ts: r.ts, final: r.final };
    m[kind] = item;
    const prev = m.indicators;
    if (prev !== null && typeof prev === "object" && !Array.isArray(prev)) (prev as Record<string, unknown>)[this.key] = r.value;
    else m.indicators = { [this.key]: r.value };
    if (m.timestamp === undefined) m.timestamp = Math.floor(r.ts / 1000);
  }

  /** An array payload (batch mode): one message per value, and how many items were neither bar nor tick. */
  batch(items: unknown[]): { out: Msg[]; bad: number } {
    const out: Msg[] = [];
    let bad = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Bar | Tick;
      const kind = kindOf(item);
      if (kind === undefined) {
        bad++;
        continue;
      }
      const r = this.run(item, kind);
      if (r === undefined) continue;
      const o: Msg = { topic: item.symbol };
      this.fill(o, item, kind, r);
      out.push(o);
    }
    return { out, bad };
  }

  /** One message: fills it and returns true when it is to be sent; "bad" when it holds neither bar nor tick. */
  single(m: Msg): boolean | "bad" {
    const p = m.payload;
    let item: unknown = p;
    let kind = kindOf(p);
    if (kind === undefined && (typeof p === "number" || p === null)) {
      // tick-aggregate's "close price" output, or another tick-indicator's: the bar travels in msg.bar.
      if (kindOf(m.bar) === "bar") {
        item = m.bar;
        kind = "bar";
      } else if (kindOf(m.tick) === "tick") {
        item = m.tick;
        kind = "tick";
      }
    }
    if (kind === undefined) return "bad";
    const r = this.run(item as Bar | Tick, kind);
    if (r === undefined) return false;
    this.fill(m, item as Bar | Tick, kind, r);
    return true;
  }
}
