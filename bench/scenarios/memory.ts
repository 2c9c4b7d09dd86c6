// memory: the operator's RSS over N managed certificates (the burst's, all Ready) with zero
// unrelated Secrets in the cluster, then with many unrelated 10 KB Secrets in namespaces of
// their own. The operator watches every namespace here (a namespaced one would never see the
// unrelated Secrets). Each measurement is a fresh operator process: start, confirm every
// resource, settle, then read its peak (VmHWM), its settled RSS (median of the last samples)
// and its heap; two processes per case, to see the noise.
import { randomBytes } from "node:crypto";
import { metricSum, OperatorProcess } from "../support/operator-process.ts";
import { mapLimit, progress, sleep, waitFor, withRetries } from "../support/progress.ts";
import type { BenchContext, Scenario } from "../support/scenarios.ts";
import { summarizeCalls } from "../support/simulator-view.ts";
import { median, mib, seconds } from "../support/statistics.ts";
import { ensureFleet } from "./burst.ts";

const SETTLE_MS = 15_000;
const SECRET_BYTES = 10 * 1024;

interface Measurement {
  secondsToAllConfirmed: number | null;
  peakRssMiB: number;
  settledRssMiB: number;
  heapUsedMiB: number | null;
  dnsimpleCalls: number;
}

async function measure(ctx: BenchContext, label: string): Promise<Measurement> {
  const fleet = await ensureFleet(ctx);
  const keys = fleet.names.map((name) => `${fleet.namespace}/${name}`);
  fleet.simulator.resetCalls();
  const operator = await OperatorProcess.start({
    kubeconfig: ctx.kubeconfig,
    simulator: fleet.simulator,
    label,
  });
  let confirmedAt: number | undefined;
  try {
    confirmedAt = await waitFor(
      `${label}: every resource confirmed`,
      () => (keys.every((k) => operator.readyAt.has(k)) ? Date.now() : undefined),
      300_000,
      100,
    );
  } catch {
    progress(`${label}: ${operator.readyAt.size}/${keys.length} confirmed before the timeout`);
  }
  await sleep(SETTLE_MS);
  let heap: number | null = null;
  try {
    heap = metricSum(
      await operator.metrics(),
      "dnsimple_cert_operator_nodejs_heap_size_used_bytes",
    );
  } catch {
    heap = null;
  }
  const result: Measurement = {
    secondsToAllConfirmed:
      confirmedAt !== undefined ? seconds(confirmedAt - operator.spawnedAt) : null,
    peakRssMiB: mib(operator.peakRssBytes),
    settledRssMiB: mib(operator.settledRssBytes(SETTLE_MS - 2_000)),
    heapUsedMiB: heap === null ? null : mib(heap),
    dnsimpleCalls: summarizeCalls(fleet.simulator.calls()).total,
  };
  await operator.stop();
  progress(`${label}: ${JSON.stringify(result)}`);
  return result;
}

/** Waits until no DnsimpleCertificate is left outside the fleet's namespace. */
async function onlyFleetLeft(ctx: BenchContext, namespace: string): Promise<number> {
  try {
    await waitFor(
      "other scenarios' namespaces to be deleted",
      async () =>
        (await ctx.kube.listCertificates()).every((c) => c.metadata.namespace === namespace)
          ? true
          : undefined,
      300_000,
      2_000,
    );
    return 0;
  } catch {
    return (await ctx.kube.listCertificates()).filter((c) => c.metadata.namespace !== namespace)
      .length;
  }
}

export const memory: Scenario = {
  name: "memory",
  async run(ctx) {
    const fleet = await ensureFleet(ctx);
    const leftovers = await onlyFleetLeft(ctx, fleet.namespace);
    const unrelated = ctx.quick ? 2_000 : 20_000;
    const namespaces = ctx.quick ? 4 : 20;

    const without = [
      await measure(ctx, "memory/0 unrelated #1"),
      await measure(ctx, "memory/0 unrelated #2"),
    ];

    progress(`memory: creating ${unrelated} unrelated ${SECRET_BYTES / 1024} KB Secrets`);
    const noise = Array.from({ length: namespaces }, (_, i) => `bench-noise-${i}`);
    for (const ns of noise) await ctx.kube.createNamespace(ns);
    const createdStarted = Date.now();
    await mapLimit(
      Array.from({ length: unrelated }, (_, i) => i),
      32,
      (i) =>
        withRetries(`create unrelated Secret ${i}`, () =>
          ctx.kube.core.createNamespacedSecret({
            namespace: noise[i % namespaces] as string,
            body: {
              metadata: { name: `unrelated-${String(i).padStart(5, "0")}` },
              type: "Opaque",
              data: { blob: randomBytes(SECRET_BYTES).toString("base64") },
            },
          }),
        ),
    );
    const createSeconds = seconds(Date.now() - createdStarted);
    progress(`memory: created them in ${createSeconds}s`);

    const withNoise = [
      await measure(ctx, `memory/${unrelated} unrelated #1`),
      await measure(ctx, `memory/${unrelated} unrelated #2`),
    ];
    const settled = (ms: Measurement[]) => median(ms.map((m) => m.settledRssMiB));
    return {
      managedCertificates: fleet.names.length,
      ...(leftovers > 0 ? { otherCertificatesStillInCluster: leftovers } : {}),
      unrelatedSecrets: unrelated,
      unrelatedSecretBytes: SECRET_BYTES,
      unrelatedNamespaces: namespaces,
      secondsToCreateUnrelated: createSeconds,
      withoutUnrelated: without,
      withUnrelated: withNoise,
      settledRssDeltaMiB: Math.round((settled(withNoise) - settled(without)) * 10) / 10,
      peakRssDeltaMiB:
        Math.round(
          (median(withNoise.map((m) => m.peakRssMiB)) - median(without.map((m) => m.peakRssMiB))) *
            10,
        ) / 10,
    };
  },
};
