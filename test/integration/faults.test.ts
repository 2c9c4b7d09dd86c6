// A bad network: 30% of DNSimple calls fail (15% answered 500, 15% dropped without an answer,
// both before DNSimple acts on them). Every resource still ends Ready, nothing is bought twice,
// and the total calls stay within a stated multiple of a fault-free run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import { useNamespace } from "./support/kube.ts";
import {
  createCertificate,
  type RunningOperator,
  startOperator,
  waitForReady,
} from "./support/operator.ts";

const ns = useNamespace("faults");
const TOKEN = "faults-test-token-5e";
const COUNT = 5;
/** A fault-free issuance costs about 6 calls; allow the retries 30% faults cause, and then some. */
const MAX_CALLS_PER_CERTIFICATE = 6 * 4;
let simulator: Simulator;
let operator: RunningOperator;

beforeAll(async () => {
  simulator = await startSimulator({
    token: TOKEN,
    accountId: 12,
    domains: ["example.com"],
    issueDelayMs: 200,
    errorRate: 0.15,
    dropRate: 0.15,
    log: () => {},
  });
  operator = await startOperator(ns.name, simulator, [
    `--dnsimple-token=${TOKEN}`,
    "--dnsimple-account-id=12",
  ]);
});

afterAll(async () => {
  await operator?.stop();
  await simulator?.close();
});

describe("under 30% failing DNSimple calls", () => {
  it("all resources end Ready, none bought twice, calls bounded", async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `flaky${i}`);
    for (const name of names) {
      await createCertificate(ns.name, name, {
        domain: "example.com",
        name,
        secretName: `${name}-tls`,
      });
    }
    // Retries back off (5 s doubling, and 30 s before re-ordering after an unanswered order):
    // with 30% of calls failing, a resource can need a few minutes.
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 280_000);

    const purchases = simulator.purchases();
    for (const name of names) {
      expect(
        purchases.filter((p) => p.name === name),
        name,
      ).toHaveLength(1);
    }
    const calls = simulator.calls();
    const faulted = calls.filter((c) => c.fault !== null).length;
    expect(faulted).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(COUNT * MAX_CALLS_PER_CERTIFICATE);
    process.stderr.write(
      `[faults] ${COUNT} certificates: ${calls.length} DNSimple calls, ${faulted} faulted\n`,
    );
  }, 300_000);
});
