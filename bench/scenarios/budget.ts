// budget: DNSimple's real budget, 2,400 requests a window per token, with the window scaled from
// an hour to 36 s (quick: 400 per 12 s), and more work than it carries: R certificates of a short
// validity are issued first (they come due for renewal a few minutes later), then N new resources
// are created at once, so the renewal wave comes due while the new orders are queued for budget.
// Targets: zero 429s; every renewal landed before its old certificate expired (the smallest
// margin reported) while new orders go at the budget's pace; waiting orders shown as Queued
// (reconciles ending queued, the orders_queued metric by lane); and every window delivering what
// it bought (purchases and private keys per window, from the simulator's call log). The
// operator renews itself (autoRenew: false); renewal timing comes from each certificate's own
// validity (lifetimes.ts has the why of the arithmetic).

import type { ApiCall } from "../../src/simulator/call-log.ts";
import { CLOCK_SKEW_ALLOWANCE_MS } from "../../src/simulator/leaf-certificates.ts";
import { startSimulator } from "../../src/simulator/simulator.ts";
import { LifetimeWatch } from "../support/lifetime-watch.ts";
import { metricSum } from "../support/operator-process.ts";
import { mapLimit, progress, waitFor } from "../support/progress.ts";
import { callsPerWindow, countPerWindow, offsetsPerWindow } from "../support/rate-windows.ts";
import {
  type BenchContext,
  benchDomains,
  issueMany,
  operatorFigures,
  perCertificate,
  type Scenario,
  scrapeIntervalMs,
  specFor,
  waitAllReady,
} from "../support/scenarios.ts";
import { duplicatePurchases, summarizeCalls, waitQuiet } from "../support/simulator-view.ts";
import { round, seconds } from "../support/statistics.ts";

interface Plan {
  /** Certificates issued first, renewed during the burst. */
  renewing: number;
  /** New resources created at once after them. */
  fresh: number;
  rateLimit: number;
  windowMs: number;
  /** The renewing certificates' validity: due about `dueAfterMs` after issuance. */
  validityMs: number;
}

function planOf(ctx: BenchContext): Plan {
  return ctx.quick
    ? { renewing: 50, fresh: 500, rateLimit: 400, windowMs: 12_000, validityMs: 120_000 }
    : { renewing: 1000, fresh: 10_000, rateLimit: 2400, windowMs: 36_000, validityMs: 390_000 };
}

/** Two thirds of the lifetime (validity plus the backdated minute), from issuance. */
function dueAfterIssueMs(validityMs: number): number {
  return ((validityMs + CLOCK_SKEW_ALLOWANCE_MS) * 2) / 3 - CLOCK_SKEW_ALLOWANCE_MS;
}

/** The long validity of the new certificates: none of them comes due during the run. */
const LONG_VALIDITY_MS = 90 * 86_400_000;

/** Peaks of the queue gauges, by lane, sampled from the operator's /metrics. */
interface QueuePeaks {
  renewal: number;
  new: number;
  promised: number;
}

export const budget: Scenario = {
  name: "budget",
  async run(ctx) {
    const plan = planOf(ctx);
    const namespace = "bench-budget";
    const label = "budget";
    const simulator = await startSimulator({
      token: "bench-budget-token",
      domains: benchDomains(10),
      issueDelayMs: 50,
      validityMs: plan.validityMs,
      rateLimit: plan.rateLimit,
      rateLimitWindowMs: plan.windowMs,
      log: () => {},
    });
    await ctx.kube.createNamespace(namespace);
    const watch = new LifetimeWatch(ctx.kube, namespace);
    await watch.start();
    const peaks: QueuePeaks = { renewal: 0, new: 0, promised: 0 };
    let sampler: NodeJS.Timeout | undefined;
    const run = await issueMany(ctx, {
      label,
      namespace,
      n: plan.renewing,
      simulator,
      spec: { autoRenew: false },
      timeoutMs: 20 * plan.windowMs,
      scale: plan.renewing + plan.fresh,
    });
    const { operator, watcher } = run;
    try {
      if (run.allReadyAt === undefined) throw new Error("the renewing certificates did not issue");
      const issuedAt = run.allReadyAt;
      simulator.updateSettings({ validityMs: LONG_VALIDITY_MS });
      let sampling = false;
      sampler = setInterval(
        () => {
          if (sampling) return;
          sampling = true;
          operator
            .metrics()
            .then((samples) => {
              const lane = (l: string) =>
                metricSum(samples, "dnsimple_cert_operator_orders_queued", (s) => s.lane === l);
              peaks.renewal = Math.max(peaks.renewal, lane("renewal"));
              peaks.new = Math.max(peaks.new, lane("new"));
              const promised = "dnsimple_cert_operator_dnsimple_requests_promised";
              peaks.promised = Math.max(peaks.promised, metricSum(samples, promised));
            })
            .catch(() => {})
            .finally(() => {
              sampling = false;
            });
        },
        scrapeIntervalMs(plan.renewing + plan.fresh),
      );

      const fresh = Array.from({ length: plan.fresh }, (_, i) => `n${String(i).padStart(5, "0")}`);
      const createStartedAt = Date.now();
      await mapLimit(fresh, 32, (name, i) =>
        ctx.kube.createCertificate(namespace, name, specFor(simulator, name, i, {})),
      );
      progress(`${label}: created ${plan.fresh} new in ${seconds(Date.now() - createStartedAt)}s`);
      // The budget carries limit - reserve a window at about five calls a certificate.
      const windows = Math.ceil(((plan.fresh + 2 * plan.renewing) * 5.2) / (plan.rateLimit - 10));
      const freshReadyAt = await waitAllReady(
        watcher,
        fresh,
        (windows + 10) * plan.windowMs,
        label,
        createStartedAt,
      );
      // Every renewing certificate renewed once: the watch saw its second serial.
      const renewedNames = () =>
        new Set(watch.landings.filter((l) => l.previous !== undefined).map((l) => l.name));
      const renewalsDueBy = issuedAt + plan.validityMs + 10 * plan.windowMs;
      await waitFor(
        `${label}: every renewing certificate renewed`,
        () => (renewedNames().size >= plan.renewing ? true : undefined),
        Math.max(1_000, renewalsDueBy - Date.now()),
        500,
      ).catch(() =>
        progress(`${label}: ${renewedNames().size}/${plan.renewing} renewed by the deadline`),
      );
      await waitQuiet(simulator, 3_000, 60_000);
      clearInterval(sampler);

      const calls = simulator.calls();
      const summary = summarizeCalls(calls);
      const purchases = simulator.purchases();
      const renewalLandings = watch.landings.filter((l) => l.previous !== undefined);
      const margins = renewalLandings.map((l) => ((l.previous?.notAfter ?? 0) - l.at) / 1000);
      const perWindow = callsPerWindow(calls, plan.windowMs);
      const reconciles = Object.fromEntries(operator.actions);
      const figures = {
        resources: plan.renewing + plan.fresh,
        renewing: plan.renewing,
        fresh: plan.fresh,
        rateLimit: plan.rateLimit,
        rateLimitWindowSeconds: plan.windowMs / 1000,
        timeScale: round(3_600_000 / plan.windowMs, 0),
        renewingValiditySeconds: plan.validityMs / 1000,
        renewalDueSecondsAfterIssue: seconds(dueAfterIssueMs(plan.validityMs)),
        freshReady: fresh.filter((n) => watcher.readyAt.has(n)).length,
        secondsToAllFreshReady:
          freshReadyAt !== undefined ? seconds(freshReadyAt - createStartedAt) : null,
        freshPerWindowAtBudget: round((plan.rateLimit - 10) / 5, 1),
        freshReadyPerWindow:
          freshReadyAt !== undefined
            ? round((plan.fresh * plan.windowMs) / (freshReadyAt - createStartedAt), 1)
            : null,
        renewalsOrdered: purchases.filter((p) => p.kind === "renewal").length,
        renewalsLanded: renewalLandings.length,
        renewedResources: renewedNames().size,
        expired: watch.expiredEpisodes.size,
        minMarginSeconds: margins.length > 0 ? round(Math.min(...margins), 1) : null,
        status429: summary.status429,
        otherErrorAnswers: summary.errors,
        dnsimpleCalls: summary.total,
        callsPerCertificate: round(summary.total / (plan.fresh + 2 * plan.renewing), 3),
        callsByOperation: perCertificate(summary, 1),
        callsPerWindow: perWindow,
        purchasesPerWindow: countPerWindow(calls, plan.windowMs, isPurchase),
        deliveredPerWindow: countPerWindow(calls, plan.windowMs, isDelivery),
        // When in each window its purchases and deliveries came ([first, median, last] seconds
        // after it opened): a purchase late in a window finishes in the next.
        purchaseSecondsIntoWindow: offsetsPerWindow(calls, plan.windowMs, isPurchase),
        deliverySecondsIntoWindow: offsetsPerWindow(calls, plan.windowMs, isDelivery),
        windowsWithPurchasesAndNoDelivery: 0,
        peakQueued: { renewal: peaks.renewal, new: peaks.new },
        peakRequestsPromised: peaks.promised,
        reconcilesEndingQueued: reconciles.queued ?? 0,
        readyFalseEpisodes: countBy(watch.readyFalse.map((e) => e.reason)),
        duplicatePurchases: duplicatePurchases(simulator),
        ...(await operatorFigures(operator)),
      };
      figures.windowsWithPurchasesAndNoDelivery = figures.purchasesPerWindow.filter(
        (p, i) => p > 0 && (figures.deliveredPerWindow[i] ?? 0) === 0,
      ).length;
      progress(
        `${label}: ${figures.freshReady}/${plan.fresh} new Ready, ${figures.renewedResources}/${plan.renewing} renewed, ${figures.expired} expired, ${summary.status429} 429s, min margin ${figures.minMarginSeconds}s`,
      );
      return figures;
    } finally {
      clearInterval(sampler);
      await operator.stop();
      await watcher.stop();
      await watch.stop();
      await simulator.close();
      await ctx.kube.deleteNamespace(namespace);
    }
  },
};

function isPurchase(call: ApiCall): boolean {
  return (
    call.operation === "purchaseLetsencryptCertificate" ||
    call.operation === "purchaseRenewalLetsencryptCertificate"
  );
}

/** A certificate delivered: its private key, the last of its requests. */
function isDelivery(call: ApiCall): boolean {
  return call.operation === "getCertificatePrivateKey";
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
