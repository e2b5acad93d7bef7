/**
 * One connection slot (slot.ts) and the small modules around it. The import path
 * `lib/connection` stays what it was before the split.
 */
export { Slot } from "./slot";
export type { SlotDeps, SlotFailing, SlotOptions, SlotState } from "./options";
export type { SlotErrorPayload, SlotEventArgs, SlotEvents, SlotEventTopic, SlotHooks, SymbolsPayload } from "./events";
export { type Clock, NextTurn, OneShot, realClock, type TimerHandle } from "./clock";
export { classifyError, classifyRefusal, classifySocketError, HTTP_429_RETRY_MS, refusedStatus } from "./failure";
export { checkPeriodMs, CHECKS_PER_PERIOD, healthCheckEveryMs, HealthMonitor, MIN_CHECK_MS, SLOT_MAX_CHECK_MS } from "./health";
export { FLOW_TURN_MS, READ_TURN_BUDGET_MS, ReadBudget } from "./read-budget";
export { Reconnects } from "./retry";
export { SendQueue, sendGapMs } from "./send-queue";
export { emptySets, Subscriptions } from "./subscriptions";
export { closeSocket, SocketClose, type SlotSocket, type SocketFactory, socketOptions } from "./socket";
