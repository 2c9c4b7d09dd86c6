// Two (then three) operator processes with leader election on one Lease: one leader reconciles,
// no certificate is bought twice, the standby takes over after the leader is killed (within
// the lease duration) and after SIGTERM (at once: the Lease is released), and a leader whose
// Lease is taken stops.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKubeConfig, freePort, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  createCertificates,
  ensureTestIssuer,
  spawnOperator,
  waitForReady,
} from "./support/operator.ts";
import { purchasedNames, useSimulator } from "./support/simulator.ts";

const ns = useNamespace("leader");
const TOKEN = "leader-test-token-77";
const LEASE = { duration: 4_000, renewDeadline: 3_000, retry: 500 };
const env = useSimulator({
  token: TOKEN,
  accountId: 88,
  domains: ["example.com"],
  issueDelayMs: 200,
});
// The ClusterDnsimpleIssuer spawnOperator names (--default-cluster-issuer).
beforeAll(() => ensureTestIssuer(ns.name));

const replicas: Replica[] = [];

afterAll(() => {
  for (const replica of replicas) replica.process.kill("SIGKILL");
});

interface Replica {
  name: string;
  process: ChildProcess;
  metricsPort: number;
  exited: Promise<number | null>;
}

async function startReplica(name: string): Promise<Replica> {
  const metricsPort = await freePort();
  const child = spawnOperator(ns.name, env.simulator, [
    `--dnsimple-token=${TOKEN}`,
    "--health-addr=127.0.0.1:0",
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    "--poll-interval=200ms",
    "--leader-elect=true",
    `--leader-election-namespace=${ns.name}`,
    `--lease-duration=${LEASE.duration}ms`,
    `--renew-deadline=${LEASE.renewDeadline}ms`,
    `--retry-period=${LEASE.retry}ms`,
  ]);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const replica = { name, process: child, metricsPort, exited };
  replicas.push(replica);
  return replica;
}

/** The replica's own view: its leader_election_status gauge (undefined until it answers). */
async function leads(replica: Replica): Promise<boolean | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${replica.metricsPort}/metrics`)).text();
    const line = text
      .split("\n")
      .find((l) => l.startsWith("dnsimple_cert_operator_leader_election_status "));
    return line ? line.endsWith(" 1") : undefined;
  } catch {
    return undefined;
  }
}

async function leaderAmong(candidates: Replica[]): Promise<Replica> {
  return waitFor(
    "a leader",
    async () => {
      const views = await Promise.all(candidates.map(leads));
      const leaders = candidates.filter((_, i) => views[i] === true);
      expect(leaders.length).toBeLessThanOrEqual(1);
      return leaders[0];
    },
    30_000,
  );
}

describe("leader election", () => {
  it("one leader reconciles; failover after a kill and after SIGTERM; nothing bought twice", async () => {
    const a = await startReplica("a");
    const b = await startReplica("b");
    const first = await leaderAmong([a, b]);
    const standby = first === a ? b : a;
    // The standby answers too (once its metrics server is up), and does not lead.
    await waitFor("the standby's view", async () =>
      (await leads(standby)) === false ? true : undefined,
    );

    await createCertificates(ns.name, ["one", "two"]);
    await waitForReady(ns.name, "one", "True");
    await waitForReady(ns.name, "two", "True");

    // Killed: the standby takes over once the Lease has not been renewed for its duration.
    const killedAt = Date.now();
    first.process.kill("SIGKILL");
    await first.exited;
    const second = await leaderAmong([standby]);
    const afterKill = Date.now() - killedAt;
    process.stderr.write(`[leader] failover after SIGKILL: ${afterKill} ms\n`);
    expect(afterKill).toBeLessThan(LEASE.duration + 3 * LEASE.retry + 2_000);

    await createCertificate(ns.name, "three", {
      domain: "example.com",
      name: "three",
      secretName: "three-tls",
    });
    await waitForReady(ns.name, "three", "True");

    // SIGTERM: the leader releases the Lease; a new standby takes over at once.
    const c = await startReplica("c");
    await waitFor("c's metrics", async () => ((await leads(c)) === false ? true : undefined));
    const termAt = Date.now();
    second.process.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    await leaderAmong([c]);
    const afterTerm = Date.now() - termAt;
    process.stderr.write(`[leader] failover after SIGTERM: ${afterTerm} ms\n`);
    expect(afterTerm).toBeLessThan(LEASE.duration);

    await createCertificate(ns.name, "four", {
      domain: "example.com",
      name: "four",
      secretName: "four-tls",
    });
    await waitForReady(ns.name, "four", "True");
    expect(purchasedNames(env.simulator)).toEqual(["four", "one", "three", "two"]);
  });

  it("a leader whose Lease is taken stops at once", async () => {
    const leader = await leaderAmong(replicas.filter((r) => r.process.exitCode === null));
    const api = adminKubeConfig().makeApiClient(CoordinationV1Api);
    const lease = await api.readNamespacedLease({
      namespace: ns.name,
      name: "dnsimple-cert-operator",
    });
    lease.spec = {
      ...lease.spec,
      holderIdentity: "intruder",
      leaseDurationSeconds: 3600,
      renewTime: new Date().toISOString().replace("Z", "000Z") as unknown as Date,
    };
    await api.replaceNamespacedLease({
      namespace: ns.name,
      name: "dnsimple-cert-operator",
      body: lease,
    });
    // It notices at its next renewal and exits (Kubernetes would restart it as a standby).
    expect(await leader.exited).toBe(1);
  });
});
