// kill -9 of the operator at random moments while certificates are being ordered and issued,
// several times over: every resource ends Ready and nothing is bought twice. (The bench runs a
// longer version; this one keeps `npm test` reasonable.)
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import { useNamespace } from "./support/kube.ts";
import { createCertificate, waitForReady } from "./support/operator.ts";

const ns = useNamespace("chaos");
const TOKEN = "chaos-test-token-9a";
const COUNT = 10;
const KILLS = 6;
let simulator: Simulator;
let current: ChildProcess | undefined;

function startOperatorProcess(): ChildProcess {
  return spawn(
    process.execPath,
    [
      join(import.meta.dirname, "..", "..", "src", "main.ts"),
      `--kubeconfig=${inject("kubeconfig")}`,
      `--dnsimple-base-url=${simulator.url}`,
      `--dnsimple-token=${TOKEN}`,
      "--dnsimple-account-id=33",
      `--watch-namespace=${ns.name}`,
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      "--poll-interval=200ms",
    ],
    { stdio: "ignore" },
  );
}

beforeAll(async () => {
  simulator = await startSimulator({
    token: TOKEN,
    accountId: 33,
    domains: ["example.com"],
    issueDelayMs: 300,
    // A little latency widens the windows between a call and the status write after it.
    latencyMs: 50,
    log: () => {},
  });
});

afterAll(async () => {
  current?.kill("SIGKILL");
  await simulator?.close();
});

describe("kill -9 at random moments", () => {
  it("ends with every resource Ready and one purchase each", async () => {
    current = startOperatorProcess();
    const names = Array.from({ length: COUNT }, (_, i) => `c${i}`);
    for (const name of names) {
      await createCertificate(ns.name, name, {
        domain: "example.com",
        name,
        secretName: `${name}-tls`,
      });
    }
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1300));
      const exited = once(current, "exit");
      current.kill("SIGKILL");
      await exited;
      current = startOperatorProcess();
    }
    for (const name of names) await waitForReady(ns.name, name, "True", undefined, 120_000);
    const bought = simulator
      .purchases()
      .map((p) => p.name)
      .sort();
    expect(bought).toEqual([...names].sort());
  }, 300_000);
});
