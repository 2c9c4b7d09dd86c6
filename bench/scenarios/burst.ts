// burst: N resources created at once, issuance nearly instant (50 ms), a rate limit that never
// bites. How long until all are Ready, what it costs in DNSimple calls, in Kubernetes writes
// (kube-apiserver's own counters) and in reconciles, whether any 429 came back, and the
// operator's peak memory. Leaves the issued resources (and their simulator) for restart and
// memory.
import { startSimulator } from "../../src/simulator/simulator.ts";
import {
  requestSnapshot,
  requestsBetween,
  tallyRequests,
  waitWritesQuiet,
} from "../support/apiserver-requests.ts";
import { operatorNodeArgs } from "../support/operator-process.ts";
import { progress } from "../support/progress.ts";
import {
  type BenchContext,
  benchDomains,
  issueMany,
  operatorFigures,
  perCertificate,
  type Scenario,
} from "../support/scenarios.ts";
import { duplicatePurchases, summarizeCalls, waitQuiet } from "../support/simulator-view.ts";
import { median, perEach, round, seconds } from "../support/statistics.ts";

export const BURST_ISSUE_DELAY_MS = 50;
export const BURST_RATE_LIMIT = 1_000_000;

/**
 * The fewest calls a certificate can cost: order, issue, one poll (the issue answer says
 * `requesting`), download, private key. (Plus one whoami per operator start, shared by all.)
 */
export const MINIMUM_CALLS_PER_CERTIFICATE = 5;

export function burstSize(ctx: BenchContext): number {
  return ctx.quick ? 100 : 10_000;
}

export const burst: Scenario = {
  name: "burst",
  async run(ctx) {
    const n = burstSize(ctx);
    const namespace = "bench-burst";
    const simulator = await startSimulator({
      token: "bench-burst-token",
      domains: benchDomains(10),
      issueDelayMs: BURST_ISSUE_DELAY_MS,
      rateLimit: BURST_RATE_LIMIT,
      log: () => {},
    });
    ctx.atExit.push(() => simulator.close());
    await ctx.kube.createNamespace(namespace);
    // From before the operator starts: its start-up writes (the issuer's status) count too.
    const requestsBefore = await requestSnapshot(ctx.kube);
    const run = await issueMany(ctx, {
      label: "burst",
      namespace,
      n,
      simulator,
      // 1,000 took 44 to 55 s on the reference machine; 10,000 with ample room.
      timeoutMs: ctx.quick ? 180_000 : 1_800_000,
    });
    const { operator, watcher, names, createStartedAt } = run;
    // Let the last reconciles finish before counting: no DNSimple call, no Kubernetes write.
    await waitQuiet(simulator, 3_000, 30_000);
    const writesQuiet = await waitWritesQuiet(ctx.kube, 3_000, 60_000);
    const requests = tallyRequests(
      requestsBetween(requestsBefore, await requestSnapshot(ctx.kube)),
      {
        "dnsimplecertificates create": n,
      },
    );
    const calls = summarizeCalls(simulator.calls());
    const reconciles = Object.fromEntries(operator.actions);
    const reconcileTotal = Object.values(reconciles).reduce((sum, k) => sum + k, 0);
    const readyTimes = names
      .map((name) => watcher.readyAt.get(name))
      .filter((t): t is number => t !== undefined)
      .map((t) => t - createStartedAt);
    const figures = {
      resources: n,
      ready: readyTimes.length,
      issueDelayMs: BURST_ISSUE_DELAY_MS,
      rateLimitPerHour: BURST_RATE_LIMIT,
      operatorFlags: "defaults (--poll-interval=2s, --concurrency=4), --log-level=debug",
      operatorNodeArgs: operatorNodeArgs().join(" "),
      secondsToCreateAll: seconds(run.createdAllAt - createStartedAt),
      secondsToAllReady:
        run.allReadyAt !== undefined ? seconds(run.allReadyAt - createStartedAt) : null,
      secondsToFirstReady: readyTimes.length > 0 ? seconds(Math.min(...readyTimes)) : null,
      secondsToHalfReady: readyTimes.length > 0 ? seconds(median(readyTimes)) : null,
      readyPerSecond:
        run.allReadyAt !== undefined
          ? round(n / ((run.allReadyAt - createStartedAt) / 1000), 1)
          : null,
      dnsimpleCalls: calls.total,
      callsPerCertificate: round(calls.total / n, 3),
      minimumCallsPerCertificate: MINIMUM_CALLS_PER_CERTIFICATE,
      callsPerCertificateByOperation: perCertificate(calls, n),
      status429: calls.status429,
      otherErrorAnswers: calls.errors,
      purchases: simulator.purchases().length,
      duplicatePurchases: duplicatePurchases(simulator),
      kubernetesWritesPerCertificateTotal: round(requests.totalWrites / n, 3),
      kubernetesWritesPerCertificate: perEach(requests.writes, n),
      kubernetesWritesTotal: requests.totalWrites,
      kubernetesWrites: requests.writes,
      ...(Object.keys(requests.failedWrites).length > 0
        ? { kubernetesWritesFailed: requests.failedWrites }
        : {}),
      kubernetesWritesByHarness: requests.byHarness,
      controlPlaneWrites: requests.controlPlaneWrites,
      ...(writesQuiet ? {} : { kubernetesWritesStillGoing: true }),
      kubernetesReads: requests.reads,
      reconcilesPerCertificateTotal: round(reconcileTotal / n, 3),
      reconcilesPerCertificate: perEach(reconciles, n),
      ...(readyTimes.length < n ? { notReady: watcher.notReadyReasons(names) } : {}),
      ...(await operatorFigures(operator)),
    };
    await operator.stop();
    await watcher.stop();
    ctx.fleet = { namespace, simulator, names };
    progress(`burst: ${calls.total} DNSimple calls, ${calls.status429} 429s`);
    return figures;
  },
};

/** The burst's issued resources: reused when burst ran before, else issued now. */
export async function ensureFleet(ctx: BenchContext): Promise<NonNullable<BenchContext["fleet"]>> {
  if (!ctx.fleet || ctx.fleet.names.length !== burstSize(ctx)) {
    progress("no issued resources from burst yet: running the burst first (not reported)");
    await burst.run(ctx);
  }
  if (!ctx.fleet) throw new Error("burst left no resources");
  return ctx.fleet;
}
