// kill -9 of the operator at random moments while certificates are being ordered and issued,
// several times over: every resource ends Ready and nothing is bought twice. (The bench runs a
// longer version; this one keeps `npm test` reasonable.)
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useNamespace } from "./support/kube.ts";
import {
  createCertificates,
  ensureTestIssuer,
  spawnOperator,
  waitForReady,
} from "./support/operator.ts";
import { purchasedNames, useSimulator } from "./support/simulator.ts";

const ns = useNamespace("chaos");
const TOKEN = "chaos-test-token-9a";
const COUNT = 10;
const KILLS = 6;
const env = useSimulator({
  token: TOKEN,
  accountId: 33,
  domains: ["example.com"],
  issueDelayMs: 300,
  // A little latency widens the windows between a call and the status write after it.
  latencyMs: 50,
});
// The ClusterDnsimpleIssuer spawnOperator names (--default-cluster-issuer).
beforeAll(() => ensureTestIssuer(ns.name));

let current: ChildProcess | undefined;

function startOperatorProcess(): ChildProcess {
  return spawnOperator(ns.name, env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    "--dnsimple-account-id=33",
    "--health-addr=127.0.0.1:0",
    "--metrics-addr=127.0.0.1:0",
    "--poll-interval=200ms",
  ]);
}

afterAll(() => {
  current?.kill("SIGKILL");
});

describe("kill -9 at random moments", () => {
  it("ends with every resource Ready and one purchase each", async () => {
    current = startOperatorProcess();
    const names = Array.from({ length: COUNT }, (_, i) => `c${i}`);
    await createCertificates(ns.name, names);
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1300));
      const exited = once(current, "exit");
      current.kill("SIGKILL");
      await exited;
      current = startOperatorProcess();
    }
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 120_000);
    expect(purchasedNames(env.simulator)).toEqual([...names].sort());
  }, 300_000);
});
