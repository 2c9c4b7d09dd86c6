// The simulator's rate-limit windows replayed from its call log: a window opens with the first
// request after the last one closed and lasts `windowMs`, as the simulator counts them. Calls
// per window, and any kind of call counted per window (purchases, deliveries).
import type { ApiCall } from "../../src/simulator/call-log.ts";
import { seconds } from "./statistics.ts";

export interface Window {
  startedAt: number;
  calls: number;
  /** Seconds from the window's first call to its last. */
  busySeconds: number;
}

export function windowsOf(calls: readonly ApiCall[], windowMs: number): Window[] {
  return replay(calls, windowMs).map(({ startedAt, members }) => {
    const last = members[members.length - 1];
    const lastAt = last ? Date.parse(last.time) : startedAt;
    return { startedAt, calls: members.length, busySeconds: seconds(lastAt - startedAt) };
  });
}

/** Calls per window. */
export function callsPerWindow(calls: readonly ApiCall[], windowMs: number): number[] {
  return replay(calls, windowMs).map((w) => w.members.length);
}

/** The calls `which` picks, per window. */
export function countPerWindow(
  calls: readonly ApiCall[],
  windowMs: number,
  which: (call: ApiCall) => boolean,
): number[] {
  return replay(calls, windowMs).map((w) => w.members.filter(which).length);
}

/** Each window's start and its calls, in time order. */
function replay(
  calls: readonly ApiCall[],
  windowMs: number,
): { startedAt: number; members: ApiCall[] }[] {
  const sorted = [...calls].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const windows: { startedAt: number; members: ApiCall[] }[] = [];
  let current: { startedAt: number; members: ApiCall[] } | undefined;
  for (const call of sorted) {
    const t = Date.parse(call.time);
    if (!current || t >= current.startedAt + windowMs) {
      current = { startedAt: t, members: [] };
      windows.push(current);
    }
    current.members.push(call);
  }
  return windows;
}

/** When in each window the calls `which` picks came: [first, median, last], seconds after it opened. */
export function offsetsPerWindow(
  calls: readonly ApiCall[],
  windowMs: number,
  which: (call: ApiCall) => boolean,
): Array<[number, number, number] | null> {
  return replay(calls, windowMs).map(({ startedAt, members }) => {
    const offsets = members.filter(which).map((c) => Date.parse(c.time) - startedAt);
    if (offsets.length === 0) return null;
    const at = (i: number) => seconds(offsets[i] ?? 0);
    return [at(0), at(Math.floor(offsets.length / 2)), at(offsets.length - 1)];
  });
}
