// paced: N resources created at once against a rate limit scaled down from DNSimple's hour:
// 120 requests per 60 s window (quick: 40 per 20 s, the same 120 a minute, so the small run
// reaches the limit too). N certificates need about 5 calls each, several windows' worth, so
// the budget is really in play. Targets: all Ready, zero 429s, the operator's request rate
// tracking the budget from the X-RateLimit headers. Reported: calls per window (replaying the
// simulator's windows from its call log: a window opens with the first request after the last
// one closed) and when in each window the operator stopped, calls per minute over the run
// against 120, the operator's idea of the remaining budget against the simulator's, and what
// the first window's budget went on (purchases against certificates downloaded).
import { startSimulator } from "../../src/simulator/simulator.ts";
import { metricSum } from "../support/operator-process.ts";
import { progress } from "../support/progress.ts";
import { countPerWindow, windowsOf } from "../support/rate-windows.ts";
import {
  benchDomains,
  issueMany,
  operatorFigures,
  perCertificate,
  type Scenario,
} from "../support/scenarios.ts";
import { duplicatePurchases, summarizeCalls, waitQuiet } from "../support/simulator-view.ts";
import { round, seconds } from "../support/statistics.ts";

/** The operator keeps this many requests in hand (DEFAULT_RATE_LIMIT_RESERVE). */
const RESERVE = 10;

export const paced: Scenario = {
  name: "paced",
  async run(ctx) {
    const n = ctx.quick ? 20 : 100;
    const windowMs = ctx.quick ? 20_000 : 60_000;
    const limit = ctx.quick ? 40 : 120;
    const namespace = "bench-paced";
    const simulator = await startSimulator({
      token: "bench-paced-token",
      domains: benchDomains(5),
      issueDelayMs: 1_000,
      rateLimit: limit,
      rateLimitWindowMs: windowMs,
      log: () => {},
    });
    await ctx.kube.createNamespace(namespace);

    const neededWindows = Math.ceil((n * 5.2) / (limit - RESERVE)) + 3;
    const run = await issueMany(ctx, {
      label: "paced",
      namespace,
      n,
      simulator,
      timeoutMs: neededWindows * windowMs,
    });
    await waitQuiet(simulator, 3_000, 30_000);
    const calls = simulator.calls();
    const summary = summarizeCalls(calls);
    const windows = windowsOf(calls, windowMs);
    const first = calls[0];
    const last = calls[calls.length - 1];
    const spanMinutes =
      first && last ? (Date.parse(last.time) - Date.parse(first.time)) / 60_000 : 0;
    let knownRemaining: number | undefined;
    try {
      knownRemaining = metricSum(
        await run.operator.metrics(),
        "dnsimple_cert_operator_dnsimple_rate_limit_remaining",
      );
    } catch {
      knownRemaining = undefined;
    }
    const lastWindow = windows[windows.length - 1];
    // What the first window's budget went on: purchases against certificates downloaded.
    const firstWindowCalls = first
      ? calls.filter((c) => Date.parse(c.time) < Date.parse(first.time) + windowMs)
      : [];
    const firstWindowOps = summarizeCalls(firstWindowCalls).byOperation;
    const figures = {
      resources: n,
      ready: run.watcher.readyAt.size,
      rateLimit: limit,
      rateLimitWindowSeconds: windowMs / 1000,
      budgetPerMinute: round((limit * 60_000) / windowMs, 0),
      operatorReserve: RESERVE,
      issueDelayMs: 1_000,
      secondsToAllReady:
        run.allReadyAt !== undefined ? seconds(run.allReadyAt - run.createStartedAt) : null,
      status429: summary.status429,
      dnsimpleCalls: summary.total,
      callsPerCertificate: round(summary.total / n, 3),
      callsPerCertificateByOperation: perCertificate(summary, n),
      callsPerWindow: windows.map((w) => w.calls),
      busySecondsPerWindow: windows.map((w) => w.busySeconds),
      callsPerMinuteOverRun: spanMinutes > 0 ? round(summary.total / spanMinutes, 1) : null,
      refusedLocally: run.operator.counts.warnings,
      remainingPerSimulator: lastWindow ? limit - lastWindow.calls : null,
      remainingPerOperatorMetric: knownRemaining ?? null,
      firstWindow: {
        calls: firstWindowCalls.length,
        purchases: firstWindowOps.purchaseLetsencryptCertificate ?? 0,
        certificatesDownloaded: firstWindowOps.getCertificatePrivateKey ?? 0,
      },
      purchasesPerWindow: countPerWindow(
        calls,
        windowMs,
        (c) => c.operation === "purchaseLetsencryptCertificate",
      ),
      deliveredPerWindow: countPerWindow(
        calls,
        windowMs,
        (c) => c.operation === "getCertificatePrivateKey",
      ),
      secondsToFirstReady:
        run.watcher.readyAt.size > 0
          ? seconds(Math.min(...run.watcher.readyAt.values()) - run.createStartedAt)
          : null,
      duplicatePurchases: duplicatePurchases(simulator),
      ...(run.watcher.readyAt.size < n ? { notReady: run.watcher.notReadyReasons(run.names) } : {}),
      ...(await operatorFigures(run.operator)),
    };
    progress(
      `paced: ${JSON.stringify({ windows: figures.callsPerWindow, status429: summary.status429 })}`,
    );
    await run.operator.stop();
    await run.watcher.stop();
    await simulator.close();
    await ctx.kube.deleteNamespace(namespace);
    return figures;
  },
};
