// lifetimes: certificate lifetimes compressed to minutes, and the operator renewing them itself
// (autoRenew: false), continuously. N resources are issued at once (rate limit that never
// bites, issuance 50 ms to 1 s), then they renew for a span of ~3 renewal periods (quick: 100
// resources, a 2-minute validity, ~2), ended in the lull between two waves of renewals.
// Reported: renewals done (the simulator's renewal purchases, and the serial changes a watch
// saw), DNSimple calls per renewal by operation (floor 5: renewal order, renewal issue, one poll,
// download, private key), both as all calls between two moments when nothing was in flight over
// the renewals ordered between them, and as each landed renewal's own calls
// (support/renewal-calls.ts); 429s; how often any Secret was seen serving an expired
// certificate (the watch's status.notAfter against the clock every second, and the Secrets read
// at the end; target 0); the smallest margin between a renewal landing and the old
// certificate's expiry; Ready=False episodes (Expiring, Expired); the operator's peak RSS and
// reconciles.
//
// Renewal timing comes from each certificate's own validity, and the run shows it in two ways.
// The simulator backdates notBefore by a minute (CLOCK_SKEW_ALLOWANCE_MS), so a "3-minute"
// certificate lives 4 minutes by its own notBefore/notAfter, and two thirds of that is 100 s after
// issuance, not the 120 s two thirds of the validity setting would give. And the validity is
// jittered ±10% per issuance here, so lifetimes differ from certificate to certificate: the
// renewal orders still land at ~0.667 of each one's own lifetime (`orderedAtLifetimeFraction`,
// min to max), a few hundred ms after its own renewal time (`orderLateness`). Nothing global
// drives them: --resync-interval is 1h here, so the only resync in the run is the one at the
// operator's start; each renewal comes from the resource's own requeue at status.renewalTime.
//
// Flags: --resync-interval=1h (the default 10m would not fire within the span either; a short
// one, like steady's 10 s, would reconcile every resource each interval and could hide a missed
// renewal timer, ordering it late by up to one interval); --poll-interval=2s (default: the
// renewal issue answers `requesting`, the first poll 2 s later finds it issued, so one poll per
// renewal, and 2 s of each renewal's order-to-landing); --concurrency=4 (default: how fast a
// wave of renewals due together is worked off; the Expiring threshold leaves 2/9 of a lifetime,
// ~53 s at 3 minutes, from renewal time to landing). The issuer's renewal floor is 0s
// (bench/run.ts BENCH_ISSUER), so the floor never delays a renewal.
import { CLOCK_SKEW_ALLOWANCE_MS } from "../../src/simulator/leaf-certificates.ts";
import type { Purchase } from "../../src/simulator/model.ts";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import {
  type Landing,
  LifetimeWatch,
  normalSerial,
  readSecretCertificates,
} from "../support/lifetime-watch.ts";
import { operatorNodeArgs } from "../support/operator-process.ts";
import { progress, sleep } from "../support/progress.ts";
import { attributeRenewalCalls } from "../support/renewal-calls.ts";
import {
  type BenchContext,
  benchDomains,
  type IssueRun,
  issueMany,
  operatorFigures,
  type Scenario,
} from "../support/scenarios.ts";
import { type CallSummary, summarizeCalls } from "../support/simulator-view.ts";
import { median, quantile, round, seconds } from "../support/statistics.ts";

const RATE_LIMIT = 1_000_000;
const ISSUE_DELAY_MS = { min: 50, max: 1_000 };
const VALIDITY_JITTER = 0.1;
const OPERATOR_FLAGS = ["--resync-interval=1h"];
/** Order to landing, about: issue, the 2 s poll, download, Secret and status writes. */
const RENEWAL_WORK_MS = 3_000;

interface Plan {
  n: number;
  validityMs: number;
  /** Renewals each resource should get within the span, about. */
  renewals: number;
}

function planOf(ctx: BenchContext): Plan {
  return ctx.quick
    ? { n: 100, validityMs: 120_000, renewals: 2 }
    : { n: 1000, validityMs: 180_000, renewals: 3 };
}

/**
 * From issuance to renewal time for a certificate of this validity: two thirds of its lifetime
 * (notAfter - notBefore, the validity plus the backdating), less the backdating.
 */
function renewalDueAfterIssueMs(validityMs: number): number {
  return ((validityMs + CLOCK_SKEW_ALLOWANCE_MS) * 2) / 3 - CLOCK_SKEW_ALLOWANCE_MS;
}

/**
 * Varies the issuance delay (50 ms to 1 s) and the validity (±10%) every 250 ms, from a fixed
 * seed, so issuances do not line up with the poll and certificates have lifetimes of their own.
 */
function jitter(simulator: Simulator, validityMs: number): () => void {
  // mulberry32, seeded: the same sequence every run.
  let state = 15;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const tick = () =>
    simulator.updateSettings({
      issueDelayMs: Math.round(
        ISSUE_DELAY_MS.min + next() * (ISSUE_DELAY_MS.max - ISSUE_DELAY_MS.min),
      ),
      validityMs: Math.round(validityMs * (1 - VALIDITY_JITTER + 2 * VALIDITY_JITTER * next())),
    });
  tick();
  const timer = setInterval(tick, 250);
  return () => clearInterval(timer);
}

interface Mark {
  at: number;
  callIndex: number;
  purchaseIndex: number;
  /** Purchases whose certificate no status had shown yet when the mark was taken. */
  inFlight: number;
}

/**
 * Waits until every certificate purchased so far has reached its Secret (a status showed its
 * serial), then marks the call log and the purchase list in the same tick: between two such
 * marks, every call belongs to a renewal that started and landed between them.
 */
async function settled(
  simulator: Simulator,
  watch: LifetimeWatch,
  timeoutMs: number,
): Promise<Mark> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const purchases = simulator.purchases();
    const serials = new Map(
      simulator.certificates().map((c) => [c.id, normalSerial(c.serialNumber)]),
    );
    const inFlight = purchases.filter((p) => {
      const serial = serials.get(p.certificateId);
      return serial === undefined || !watch.seenSerials.has(serial);
    }).length;
    if (inFlight === 0 || Date.now() > deadline) {
      return {
        at: Date.now(),
        callIndex: simulator.calls().length,
        purchaseIndex: purchases.length,
        inFlight,
      };
    }
    await sleep(250);
  }
}

const stats = (values: readonly number[], digits = 2) =>
  values.length === 0
    ? null
    : {
        min: round(Math.min(...values), digits),
        median: round(median(values), digits),
        p95: round(quantile(values, 0.95), digits),
        max: round(Math.max(...values), digits),
      };

const perRenewal = (summary: CallSummary, renewals: number) =>
  Object.fromEntries(
    Object.entries(summary.byOperation)
      .sort((a, b) => b[1] - a[1])
      .map(([op, count]) => [op, renewals > 0 ? round(count / renewals, 3) : null]),
  );

/** One renewal purchase in the span, with its old certificate and the watch's landing. */
interface RenewalTiming {
  purchase: Purchase;
  orderedAtFraction: number;
  orderLatenessMs: number;
  lifetimeMs: number;
  landing: Landing | undefined;
  /** Old certificate's notAfter minus when the new one was seen in status. */
  marginMs: number | undefined;
  /** Landed after the point where the operator would call it Expiring. */
  pastExpiringThreshold: boolean;
}

function renewalTimings(
  simulator: Simulator,
  watch: LifetimeWatch,
  renewals: readonly Purchase[],
): RenewalTiming[] {
  const certificates = new Map(simulator.certificates().map((c) => [c.id, c]));
  const landingBySerial = new Map(watch.landings.map((l) => [l.held.serial, l]));
  return renewals.map((purchase) => {
    const old = certificates.get(purchase.oldCertificateId ?? -1);
    const fresh = certificates.get(purchase.certificateId);
    const notBefore = Date.parse(old?.notBefore ?? "");
    const notAfter = Date.parse(old?.notAfter ?? "");
    const lifetimeMs = notAfter - notBefore;
    const renewAt = notAfter - lifetimeMs / 3;
    const orderedAt = Date.parse(purchase.time);
    const landing = landingBySerial.get(normalSerial(fresh?.serialNumber) ?? "");
    const expiringAt = notAfter - (notAfter - renewAt) / 3;
    return {
      purchase,
      orderedAtFraction: (orderedAt - notBefore) / lifetimeMs,
      orderLatenessMs: orderedAt - renewAt,
      lifetimeMs,
      landing,
      marginMs: landing ? notAfter - landing.at : undefined,
      pastExpiringThreshold: landing !== undefined && landing.at > expiringAt,
    };
  });
}

/** Seconds between a resource's successive certificates reaching its Secret. */
function landingIntervals(landings: readonly Landing[], from: number, to: number): number[] {
  const byName = new Map<string, number[]>();
  for (const l of landings) {
    const list = byName.get(l.name) ?? [];
    list.push(l.at);
    byName.set(l.name, list);
  }
  const out: number[] = [];
  for (const times of byName.values()) {
    for (let i = 1; i < times.length; i++) {
      const at = times[i] as number;
      if (at >= from && at <= to) out.push((at - (times[i - 1] as number)) / 1000);
    }
  }
  return out;
}

export const lifetimes: Scenario = {
  name: "lifetimes",
  async run(ctx) {
    const plan = planOf(ctx);
    const { n, validityMs } = plan;
    const namespace = "bench-lifetimes";
    const label = "lifetimes";
    const dueAfterIssueMs = renewalDueAfterIssueMs(validityMs);
    const periodMs = dueAfterIssueMs + RENEWAL_WORK_MS;
    const simulator = await startSimulator({
      token: "bench-lifetimes-token",
      domains: benchDomains(10),
      issueDelayMs: ISSUE_DELAY_MS.min,
      validityMs,
      rateLimit: RATE_LIMIT,
      log: () => {},
    });
    const stopJitter = jitter(simulator, validityMs);
    await ctx.kube.createNamespace(namespace);
    const watch = new LifetimeWatch(ctx.kube, namespace);
    await watch.start();
    let run: IssueRun | undefined;
    try {
      run = await issueMany(ctx, {
        label,
        namespace,
        n,
        simulator,
        spec: { autoRenew: false },
        operatorFlags: OPERATOR_FLAGS,
        timeoutMs: ctx.quick ? 180_000 : 900_000,
      });
      const { operator, watcher, createStartedAt } = run;
      if (run.allReadyAt === undefined) {
        throw new Error(`not all Ready: ${JSON.stringify(watcher.notReadyReasons(run.names))}`);
      }
      const start = await settled(simulator, watch, 60_000);
      const issuance = summarizeCalls(simulator.calls().slice(0, start.callIndex));
      // The renewals come in waves as wide as the initial issuance took (each resource renews a
      // period after its last certificate): the span ends in the middle of the gap after the
      // wave that makes `plan.renewals`, so few renewals are in flight at its end.
      const spreadMs = start.at - createStartedAt;
      const spanMs = Math.round(plan.renewals * periodMs + Math.max(0, periodMs - spreadMs) / 2);
      progress(
        `${label}: issued ${n} in ${seconds(start.at - createStartedAt)}s; renewing for ${seconds(spanMs)}s (renewal due ${seconds(dueAfterIssueMs)}s after each issuance)`,
      );
      const ticker = setInterval(() => {
        const renewed = simulator.purchases().filter((p) => p.kind === "renewal").length;
        progress(
          `${label}: ${renewed} renewals ordered, ${watch.landings.length - n} landed, ${watch.expiredEpisodes.size} expired seen, ${seconds(Date.now() - start.at)}s into the span`,
        );
      }, 30_000);
      await sleep(spanMs);
      clearInterval(ticker);
      // The renewals in flight at the span's end finish before the count (new ones may start
      // meanwhile, and are then waited for too).
      const end = await settled(simulator, watch, Math.min(60_000, periodMs / 2));
      const secrets = await readSecretCertificates(ctx.kube, namespace);
      const readAt = Date.now();
      watch.sample(readAt);

      const purchases = simulator.purchases();
      const inSpan = purchases.slice(start.purchaseIndex, end.purchaseIndex);
      const renewals = inSpan.filter((p) => p.kind === "renewal");
      const otherPurchases = inSpan.length - renewals.length;
      const spanCalls = simulator.calls().slice(start.callIndex, end.callIndex);
      const calls = summarizeCalls(spanCalls);
      const allCalls = summarizeCalls(simulator.calls());
      const timings = renewalTimings(simulator, watch, renewals);
      const landed = timings.filter((t) => t.landing !== undefined && t.landing.at <= end.at);
      // Per renewal that was ordered and landed inside the span, its own calls.
      const attributed = attributeRenewalCalls(spanCalls, renewals);
      const ownCalls: Record<string, number> = {};
      let ownTotal = 0;
      for (const t of landed) {
        for (const [op, count] of Object.entries(
          attributed.byRenewal.get(t.purchase.certificateId) ?? {},
        )) {
          ownCalls[op] = (ownCalls[op] ?? 0) + count;
          ownTotal += count;
        }
      }
      const perLanded = (count: number) =>
        landed.length > 0 ? round(count / landed.length, 3) : null;
      const margins = landed.map((t) => (t.marginMs as number) / 1000);
      const seenRenewals = watch.landings.filter(
        (l) => l.previous !== undefined && l.at > start.at && l.at <= end.at,
      ).length;
      const perResource = new Map<string, number>();
      for (const p of renewals) perResource.set(p.name, (perResource.get(p.name) ?? 0) + 1);
      const counts = run.names.map((name) => perResource.get(name) ?? 0);
      const readyFalse: Record<string, number> = {};
      for (const e of watch.readyFalse) readyFalse[e.reason] = (readyFalse[e.reason] ?? 0) + 1;
      let secretsExpired = 0;
      let secretsUnreadable = 0;
      let secretsNotAsStatus = 0;
      for (const name of run.names) {
        const secret = secrets.get(`${name}-tls`);
        if (!secret || "problem" in secret) {
          secretsUnreadable++;
          continue;
        }
        if (secret.notAfter <= readAt) secretsExpired++;
        if (secret.serial !== watch.held.get(name)?.serial) secretsNotAsStatus++;
      }
      const lifetimesMs = timings.map((t) => t.lifetimeMs);
      const figures = {
        resources: n,
        lifetimeSeconds: validityMs / 1000,
        validityJitter: `±${VALIDITY_JITTER * 100}% per issuance`,
        certificateLifetimeSeconds: {
          min: seconds(Math.min(...lifetimesMs)),
          max: seconds(Math.max(...lifetimesMs)),
          note: `notAfter - notBefore: the validity plus ${CLOCK_SKEW_ALLOWANCE_MS / 1000}s of backdated notBefore`,
        },
        renewalDueSecondsAfterIssue: seconds(dueAfterIssueMs),
        issueDelayMs: `${ISSUE_DELAY_MS.min}..${ISSUE_DELAY_MS.max}`,
        rateLimitPerHour: RATE_LIMIT,
        operatorFlags: `${OPERATOR_FLAGS.join(" ")}, defaults otherwise (--poll-interval=2s, --concurrency=4), --log-level=debug`,
        operatorNodeArgs: operatorNodeArgs().join(" "),
        secondsToIssueAll: seconds(run.allReadyAt - createStartedAt),
        initialIssuanceCallsPerCertificate: round(issuance.total / n, 3),
        spanSeconds: seconds(end.at - start.at),
        spanPlannedSeconds: seconds(spanMs),
        renewals: renewals.length,
        renewalsSeenByWatch: seenRenewals,
        renewalsPerResource: {
          mean: round(renewals.length / n, 2),
          min: Math.min(...counts),
          max: Math.max(...counts),
        },
        otherPurchasesInSpan: otherPurchases,
        inFlightAtEnd: end.inFlight,
        dnsimpleCallsInSpan: calls.total,
        callsInSpanPerRenewal: renewals.length > 0 ? round(calls.total / renewals.length, 3) : null,
        callsInSpanPerRenewalByOperation: perRenewal(calls, renewals.length),
        minimumCallsPerRenewal: 5,
        ownCallsPerLandedRenewal: {
          renewals: landed.length,
          total: perLanded(ownTotal),
          ...Object.fromEntries(
            Object.entries(ownCalls)
              .sort((a, b) => b[1] - a[1])
              .map(([op, count]) => [op, perLanded(count)]),
          ),
        },
        callsOfNoRenewalInSpan: attributed.unattributed,
        status429: allCalls.status429,
        otherErrorAnswers: allCalls.errors,
        expired: watch.expiredEpisodes.size,
        expiredSampledResourceSeconds: watch.expiredResourceSamples,
        expirySamples: watch.samplerTicks,
        secretsAtEnd: {
          read: secrets.size,
          expired: secretsExpired,
          unreadable: secretsUnreadable,
          notTheStatusSerial: secretsNotAsStatus,
        },
        minMarginSeconds: margins.length > 0 ? round(Math.min(...margins), 1) : null,
        marginSeconds: stats(margins, 1),
        landedPastExpiringThreshold: timings.filter((t) => t.pastExpiringThreshold).length,
        orderedAtLifetimeFraction: stats(
          timings.map((t) => t.orderedAtFraction),
          4,
        ),
        orderLatenessMs: stats(
          timings.map((t) => t.orderLatenessMs),
          0,
        ),
        orderToLandingMs: stats(
          landed.map((t) => (t.landing as Landing).at - Date.parse(t.purchase.time)),
          0,
        ),
        secondsBetweenLandings: stats(landingIntervals(watch.landings, start.at, end.at), 1),
        readyFalseEpisodes: readyFalse,
        ...(await operatorFigures(operator)),
      };
      progress(
        `${label}: ${renewals.length} renewals, ${calls.total} calls, ${watch.expiredEpisodes.size} expired, min margin ${figures.minMarginSeconds}s`,
      );
      return figures;
    } finally {
      await run?.operator.stop();
      await run?.watcher.stop();
      stopJitter();
      await watch.stop();
      await simulator.close();
      await ctx.kube.deleteNamespace(namespace);
    }
  },
};
