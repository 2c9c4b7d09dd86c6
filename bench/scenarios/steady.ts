// steady: DNSimple calls per hour for N issued resources, with autoRenew false and with
// autoRenew true, measured over a window with a short --resync-interval and extrapolated to an
// hour. Targets: zero for false; one list per DNSimple domain per resync for true. Kubernetes
// writes in the window (Secrets, statuses) are counted too (target zero either way).
import { startSimulator } from "../../src/simulator/simulator.ts";
import { changed } from "../support/kubernetes.ts";
import { progress, sleep } from "../support/progress.ts";
import {
  type BenchContext,
  benchDomains,
  issueMany,
  operatorFigures,
  type Scenario,
} from "../support/scenarios.ts";
import { summarizeCalls } from "../support/simulator-view.ts";
import { round } from "../support/statistics.ts";

const RESYNC_MS = 10_000;
const DOMAINS = 5;

async function phase(
  ctx: BenchContext,
  autoRenew: boolean,
  n: number,
  windowMs: number,
): Promise<Record<string, unknown>> {
  const namespace = `bench-steady-${autoRenew ? "autorenew" : "plain"}`;
  const simulator = await startSimulator({
    token: `bench-steady-${autoRenew}-token`,
    domains: benchDomains(DOMAINS),
    issueDelayMs: 50,
    rateLimit: 1_000_000,
    log: () => {},
  });
  await ctx.kube.createNamespace(namespace);
  const label = `steady/autoRenew=${autoRenew}`;
  const run = await issueMany(ctx, {
    label,
    namespace,
    n,
    simulator,
    spec: { autoRenew },
    operatorFlags: [`--resync-interval=${RESYNC_MS / 1000}s`],
    timeoutMs: 300_000,
  });
  // Past the issuance: one full resync before the window opens.
  await sleep(RESYNC_MS + 2_000);
  const before = await ctx.kube.resourceVersions(namespace);
  simulator.resetCalls();
  progress(`${label}: measuring for ${windowMs / 1000}s`);
  await sleep(windowMs);
  const calls = summarizeCalls(simulator.calls());
  const after = await ctx.kube.resourceVersions(namespace);
  const perHour = (count: number) => round((count * 3_600_000) / windowMs, 1);
  const figures = {
    resources: n,
    ready: run.watcher.readyAt.size,
    domains: DOMAINS,
    resyncSeconds: RESYNC_MS / 1000,
    windowSeconds: windowMs / 1000,
    calls: calls.total,
    callsByOperation: calls.byOperation,
    callsPerHour: perHour(calls.total),
    targetPerHour: autoRenew ? (DOMAINS * 3_600_000) / RESYNC_MS : 0,
    status429: calls.status429,
    secretsRewritten: changed(before.secrets, after.secrets),
    statusesRewritten: changed(before.certificates, after.certificates),
    ...(await operatorFigures(run.operator)),
  };
  await run.operator.stop();
  await run.watcher.stop();
  await simulator.close();
  await ctx.kube.deleteNamespace(namespace);
  return figures;
}

export const steady: Scenario = {
  name: "steady",
  async run(ctx) {
    const n = ctx.quick ? 20 : 100;
    const windowMs = ctx.quick ? 20_000 : 120_000;
    return {
      note: `calls in a ${windowMs / 1000}s window with --resync-interval=${RESYNC_MS / 1000}s, times ${3600 / (windowMs / 1000)} for an hour; at the default 10m resync the autoRenew=true target is ${DOMAINS * 6}/h`,
      autoRenewFalse: await phase(ctx, false, n, windowMs),
      autoRenewTrue: await phase(ctx, true, n, windowMs),
    };
  },
};
