// A bad network: 30% of DNSimple calls fail (15% answered 500, 15% dropped without an answer,
// both before DNSimple acts on them). Every resource still ends Ready, nothing is bought twice,
// and the total calls stay within a stated multiple of a fault-free run.
import { describe, expect, it } from "vitest";
import { useNamespace } from "./support/kube.ts";
import { createCertificates, useOperator, waitForReady } from "./support/operator.ts";
import { purchasesOf } from "./support/simulator.ts";

const ns = useNamespace("faults");
const TOKEN = "faults-test-token-5e";
const COUNT = 5;
/** A fault-free issuance costs about 6 calls; allow the retries 30% faults cause, and then some. */
const MAX_CALLS_PER_CERTIFICATE = 6 * 4;
const env = useOperator({
  namespace: ns,
  simulator: {
    token: TOKEN,
    accountId: 12,
    domains: ["example.com"],
    issueDelayMs: 200,
    errorRate: 0.15,
    dropRate: 0.15,
  },
  flags: [`--dnsimple-token=${TOKEN}`, "--dnsimple-account-id=12"],
});

describe("under 30% failing DNSimple calls", () => {
  it("all resources end Ready, none bought twice, calls bounded", async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `flaky${i}`);
    await createCertificates(ns.name, names);
    // Retries back off (5 s doubling, and 30 s before re-ordering after an unanswered order):
    // with 30% of calls failing, a resource can need a few minutes.
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 280_000);

    for (const name of names) expect(purchasesOf(env.simulator, name), name).toHaveLength(1);
    const calls = env.simulator.calls();
    const faulted = calls.filter((c) => c.fault !== null).length;
    expect(faulted).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(COUNT * MAX_CALLS_PER_CERTIFICATE);
    process.stderr.write(
      `[faults] ${COUNT} certificates: ${calls.length} DNSimple calls, ${faulted} faulted\n`,
    );
  }, 300_000);
});
