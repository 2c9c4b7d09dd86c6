// burst: N resources created at once, issuance nearly instant (50 ms), a rate limit that never
// bites. How long until all are Ready, what it costs in DNSimple calls, whether any 429 came
// back, and the operator's peak memory. Leaves the issued resources (and their simulator) for
// restart and memory.
import { startSimulator } from "../../src/simulator/simulator.ts";
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
import { median, round, seconds } from "../support/statistics.ts";

export const BURST_ISSUE_DELAY_MS = 50;
export const BURST_RATE_LIMIT = 1_000_000;

/**
 * The fewest calls a certificate can cost: order, issue, one poll (the issue answer says
 * `requesting`), download, private key. (Plus one whoami per operator start, shared by all.)
 */
export const MINIMUM_CALLS_PER_CERTIFICATE = 5;

export function burstSize(ctx: BenchContext): number {
  return ctx.quick ? 100 : 1000;
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
    const run = await issueMany(ctx, {
      label: "burst",
      namespace,
      n,
      simulator,
      timeoutMs: ctx.quick ? 180_000 : 900_000,
    });
    const { operator, watcher, names, createStartedAt } = run;
    // Let the last reconciles finish before counting.
    await waitQuiet(simulator, 3_000, 30_000);
    const calls = summarizeCalls(simulator.calls());
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
