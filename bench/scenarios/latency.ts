// latency: from resource creation to Ready, minus the simulator's issuance delay, one resource
// at a time, with polling only (--poll-interval=2s) and with the webhook trigger
// (--webhook-addr/--webhook-token, the simulator's webhookUrl pointing at it). Issuance delays
// vary from 0.5 s to 3.5 s (the same sequence in both modes), so the pickup lag is not an
// artifact of one delay lining up with the poll interval.
//
// Reported per mode: latency minus delay (the issue's figure), and its two parts: creation to
// the issue request (ordering), and issuance done (the simulator's own record) to Ready (pickup).
import { randomBytes } from "node:crypto";
import { freePort } from "../../src/localcluster/processes.ts";
import { startSimulator } from "../../src/simulator/simulator.ts";
import { ReadyWatcher } from "../support/kubernetes.ts";
import { OperatorProcess, operatorHasWebhook } from "../support/operator-process.ts";
import { progress } from "../support/progress.ts";
import { type BenchContext, benchDomains, type Scenario, specFor } from "../support/scenarios.ts";
import { summarizeCalls } from "../support/simulator-view.ts";
import { median, quantile, round } from "../support/statistics.ts";

const POLL = "2s";

function delays(n: number): number[] {
  // A fixed permutation of n evenly spread delays in [500, 3500) ms.
  return Array.from({ length: n }, (_, i) => 500 + Math.round((((i * 7) % n) * 3000) / n));
}

const stats = (values: number[]) => ({
  medianMs: Math.round(median(values)),
  p95Ms: Math.round(quantile(values, 0.95)),
  maxMs: Math.round(Math.max(...values)),
});

async function mode(
  ctx: BenchContext,
  webhook: boolean,
  samples: number,
): Promise<Record<string, unknown>> {
  const namespace = `bench-latency-${webhook ? "webhook" : "polling"}`;
  const simulator = await startSimulator({
    token: `bench-latency-${webhook}-token`,
    domains: benchDomains(1),
    rateLimit: 1_000_000,
    log: () => {},
  });
  await ctx.kube.createNamespace(namespace);
  const hookToken = randomBytes(16).toString("hex");
  const hookPort = webhook ? await freePort() : undefined;
  const watcher = new ReadyWatcher(ctx.kube, namespace);
  await watcher.start();
  const operator = await OperatorProcess.start({
    kubeconfig: ctx.kubeconfig,
    simulator,
    namespace,
    label: `latency/${webhook ? "webhook" : "polling"}`,
    flags: [
      `--poll-interval=${POLL}`,
      ...(webhook ? [`--webhook-addr=127.0.0.1:${hookPort}`, `--webhook-token=${hookToken}`] : []),
    ],
  });
  if (webhook) {
    simulator.updateSettings({
      webhookUrl: `http://127.0.0.1:${hookPort}/webhook/${hookToken}`,
    });
  }
  const latencyMinusDelay: number[] = [];
  const ordering: number[] = [];
  const pickup: number[] = [];
  const delaysMs = delays(samples);
  for (let i = 0; i < samples; i++) {
    const name = `l${String(i).padStart(3, "0")}`;
    const delay = delaysMs[i] as number;
    simulator.updateSettings({ issueDelayMs: delay });
    const createdAt = Date.now();
    await ctx.kube.createCertificate(namespace, name, specFor(simulator, name, 0));
    const ok = await watcher.waitAll([name], 60_000, `latency ${name}`);
    if (!ok) throw new Error(`${name} not Ready after 60s`);
    const readyAt = watcher.readyAt.get(name) ?? Number.NaN;
    const commonName = `${name}.${simulator.domains[0]?.name}`;
    const issued = simulator
      .certificates()
      .find((c) => c.commonName === commonName && c.state === "issued");
    const issuance = simulator.issuances().find((r) => r.certificateId === issued?.id);
    const issueCall = simulator
      .calls()
      .find(
        (c) =>
          c.operation === "issueLetsencryptCertificate" && c.path.endsWith(`/${issued?.id}/issue`),
      );
    latencyMinusDelay.push(readyAt - createdAt - delay);
    if (issueCall) ordering.push(Date.parse(issueCall.time) - createdAt);
    if (issuance) pickup.push(readyAt - Date.parse(issuance.time));
  }
  const calls = summarizeCalls(simulator.calls());
  const deliveries = simulator.webhookDeliveries();
  const figures = {
    samples,
    pollInterval: POLL,
    issueDelayMs: `${Math.min(...delaysMs)}..${Math.max(...delaysMs)}`,
    latencyMinusDelay: stats(latencyMinusDelay),
    creationToIssueRequest: stats(ordering),
    issuedToReady: stats(pickup),
    getCertificateCallsPerCertificate: round((calls.byOperation.getCertificate ?? 0) / samples, 2),
    callsPerCertificate: round(calls.total / samples, 2),
    ...(webhook
      ? {
          webhookDeliveries: deliveries.length,
          webhookDeliveriesAccepted: deliveries.filter((d) => d.status !== null && d.status < 300)
            .length,
        }
      : {}),
    peakRssMiB: round(operator.peakRssBytes / 1024 / 1024, 1),
  };
  await operator.stop();
  await watcher.stop();
  await simulator.close();
  await ctx.kube.deleteNamespace(namespace);
  return figures;
}

export const latency: Scenario = {
  name: "latency",
  async run(ctx) {
    const samples = ctx.quick ? 6 : 30;
    const polling = await mode(ctx, false, samples);
    progress(`latency/polling: ${JSON.stringify(polling.latencyMinusDelay)}`);
    const hasWebhook = await operatorHasWebhook();
    const webhook = hasWebhook
      ? await mode(ctx, true, samples)
      : { skipped: "the operator has no --webhook-addr flag yet: awaiting the receiver" };
    return { polling, webhook };
  },
};
