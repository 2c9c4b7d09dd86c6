// Request-budget admission against the simulator with its window scaled from an hour to 6 s and a
// budget that carries about five certificates a window: the orders the budget cannot finish wait
// (Issuing=True reason Queued with an estimate, a Normal Queued Event, the orders_queued metric by
// lane), every window delivers what it bought, nothing runs into a 429, and all end Ready.
import { describe, expect, it } from "vitest";
import { useNamespace, waitFor } from "./support/kube.ts";
import { createCertificates, eventsFor, useOperator, waitForReady } from "./support/operator.ts";
import { purchasedNames } from "./support/simulator.ts";

const ns = useNamespace("request-budget");
const TOKEN = "request-budget-token-7d21";
// Four windows' worth and more (about six certificates a window): the last orders are queued more
// than two windows ahead in the first window, before the window's length is measured (the paced
// bench's stall of 2026-12-04: taken for DNSimple's hour, they waited an hour past their turn).
const COUNT = 24;
const WINDOW_MS = 6_000;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 45,
    domains: ["example.com"],
    issueDelayMs: 100,
    rateLimit: 40,
    rateLimitWindowMs: WINDOW_MS,
  },
  flags: [`--dnsimple-token=${TOKEN}`, "--dnsimple-account-id=45"],
});

async function queuedOrders(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${env.operator.metricsPort}/metrics`);
  const text = await response.text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith('dnsimple_cert_operator_orders_queued{lane="new"}'));
  return Number(line?.split(" ")[1] ?? 0);
}

describe("a request budget smaller than the burst", () => {
  it("queues the orders it cannot finish, says when, and delivers in every window", async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `q${i}`);
    await createCertificates(ns.name, names);

    const waiting = await waitFor("orders queued in the new lane (metric)", async () => {
      const n = await queuedOrders();
      return n > 0 ? n : undefined;
    });
    expect(waiting).toBeLessThan(COUNT);

    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 180_000);

    const queuedEvents = (await Promise.all(names.map((n) => eventsFor(ns.name, n))))
      .flat()
      .filter((e) => e.reason === "Queued");
    expect(queuedEvents.length).toBeGreaterThan(0);
    for (const event of queuedEvents) {
      expect(event.type).toBe("Normal");
      expect(event.message).toMatch(/request budget.*expected at about \d{4}-\d\d-\d\dT/);
      expect(event.message).not.toContain(TOKEN);
    }

    const calls = env.simulator.calls();
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    expect(purchasedNames(env.simulator)).toEqual([...names].sort());
    // The simulator's first window opens with the first request: what it bought, it delivered.
    const start = Date.parse(calls[0]?.time ?? "");
    const firstWindow = calls.filter((c) => Date.parse(c.time) < start + WINDOW_MS);
    const bought = firstWindow.filter((c) => c.operation === "purchaseLetsencryptCertificate");
    const keys = firstWindow.filter((c) => c.operation === "getCertificatePrivateKey");
    expect(bought.length).toBeGreaterThan(0);
    expect(keys.length).toBeGreaterThan(0);
    expect(bought.length - keys.length).toBeLessThanOrEqual(1);
    // Once all are Ready nothing waits any more.
    expect(await queuedOrders()).toBe(0);
  }, 300_000);
});
