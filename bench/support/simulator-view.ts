// What the DNSimple simulator saw of a run: its call log summarized by operation, waiting for
// the operator to fall quiet, and double purchases (which are bugs).
import type { ApiCall } from "../../src/simulator/call-log.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { sleep } from "./progress.ts";

export interface CallSummary {
  total: number;
  byOperation: Record<string, number>;
  status429: number;
  errors: number;
}

export function summarizeCalls(calls: readonly ApiCall[]): CallSummary {
  const byOperation: Record<string, number> = {};
  let status429 = 0;
  let errors = 0;
  for (const call of calls) {
    const op = call.operation ?? `${call.method} ${call.path}`;
    byOperation[op] = (byOperation[op] ?? 0) + 1;
    if (call.status === 429) status429++;
    else if (call.status === null || call.status >= 400) errors++;
  }
  return { total: calls.length, byOperation, status429, errors };
}

/** Waits until the simulator has received no API call for `quietMs` (or `timeoutMs` passed). */
export async function waitQuiet(
  simulator: Simulator,
  quietMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let count = simulator.calls().length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = simulator.calls().length;
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return true;
    }
  }
  return false;
}

/** Purchases per resource beyond the first: a double purchase is a bug. */
export function duplicatePurchases(simulator: Simulator): number {
  const perName = new Map<string, number>();
  for (const certificate of simulator.certificates()) {
    if (certificate.origin.kind !== "order") continue;
    const key = `${certificate.domain}/${certificate.commonName}`;
    perName.set(key, (perName.get(key) ?? 0) + 1);
  }
  let extra = 0;
  for (const n of perName.values()) extra += Math.max(0, n - 1);
  return extra;
}
