// A rate limit that a burst would blow (the simulator's window scaled down from an hour to
// 3 seconds): the operator reads the budget from the X-RateLimit headers and waits for the
// reset instead of running into 429s; every resource ends Ready, nothing is bought twice.
import { describe, expect, it } from "vitest";
import { useNamespace } from "./support/kube.ts";
import { createCertificates, useOperator, waitForReady } from "./support/operator.ts";
import { purchasedNames, purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("ratelimit");
const TOKEN = "ratelimit-test-token-41";
const COUNT = 8;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 44,
    domains: ["example.com"],
    issueDelayMs: 200,
    rateLimit: 25,
    rateLimitWindowMs: 3_000,
  },
  flags: [`--dnsimple-token=${TOKEN}`, "--dnsimple-account-id=44"],
});

describe("a tight DNSimple rate limit", () => {
  it("is respected from the headers: no 429, all Ready, one purchase each", async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `r${i}`);
    await createCertificates(ns.name, names);
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 120_000);
    const calls = env.simulator.calls();
    // The burst needed more calls than one window allows: the limit was really in play.
    expect(calls.length).toBeGreaterThan(25);
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    expect(purchasedNames(env.simulator)).toEqual([...names].sort());
  }, 300_000);

  it("lives through a 429 storm: retried after the reset, never a second purchase", async () => {
    env.simulator.addOneShotFault({
      path: "/v2/44/**",
      action: "status",
      status: 429,
      body: { message: "API rate limit exceeded" },
      times: 12,
    });
    const names = ["storm1", "storm2", "storm3"];
    await createCertificates(ns.name, names);
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 120_000);
    expect(env.simulator.calls().filter((c) => c.status === 429).length).toBe(12);
    for (const name of names) {
      expect(purchasesOf(env.simulator, name), name).toHaveLength(1);
    }
  }, 300_000);
});
