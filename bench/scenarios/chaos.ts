// chaos: kill -9 of the operator at random moments while N certificates are being ordered and
// issued, over several rounds (the long version of test/integration/chaos.test.ts). Each round
// has a namespace and a simulator of its own and N new resources; the operator is SIGKILLed a
// few times at random moments after it is running, and a fresh process started after each
// kill. Targets: every resource ends Ready, zero duplicate purchases (the simulator's count of
// orders against the resources), and the DNSimple calls per certificate within a stated
// multiple of a fault-free round measured the same way (round 0: same size, same simulator
// settings, one operator, no kill). Full: 50 resources per round, 4 rounds of 5-8 kills;
// quick: 15 resources, 2 rounds of 3-5 kills. A round stops killing once every resource is
// Ready (a kill then would not land during issuance), so `kills` may fall short of the plan.
//
// The issuance delay and a little added latency per call keep certificates between order,
// issue, polls and download long enough for kills to land there. Right after each kill (the
// operator is dead, so nothing moves) the resources are listed and classified: how many had an
// order intent open in status (and of those, how many DNSimple had already bought: an answer
// the kill lost), how many were ordered, requesting, issued but not yet written, Ready.
//
// The kill schedule (kills per round, delay after each start) comes from a seeded generator;
// the seed is in the JSON, and BENCH_CHAOS_SEED=<seed> repeats the schedule (not the exact
// interleaving: the machine's timing still varies).
import { randomInt } from "node:crypto";
import { startSimulator } from "../../src/simulator/simulator.ts";
import { ReadyWatcher, readyCondition } from "../support/kubernetes.ts";
import { OperatorProcess } from "../support/operator-process.ts";
import { mapLimit, progress, sleep } from "../support/progress.ts";
import {
  type BenchContext,
  benchDomains,
  perCertificate,
  type Scenario,
  specFor,
  waitAllReady,
} from "../support/scenarios.ts";
import { summarizeCalls, waitQuiet } from "../support/simulator-view.ts";
import { round, seconds } from "../support/statistics.ts";

const ISSUE_DELAY_MS = 2_500;
/** Added to every DNSimple call: widens the windows between a call and the status write. */
const LATENCY_MS = 50;
/**
 * Calls per certificate may grow to this multiple of the fault-free round's. A restart should
 * cost at most one read per unfinished certificate (getCertificate, or one listCertificates
 * for an order whose answer was lost) plus the new process's whoami, and that read mostly
 * replaces a poll the killed process would have made: measured 1.0-1.25x. Twice the
 * fault-free cost leaves room for that and fails on anything systematic (a restart that issues,
 * downloads or lists again for everything in flight, a retry loop).
 */
const BOUND_RATIO = 2;

interface Plan {
  resources: number;
  rounds: number;
  killsMin: number;
  killsMax: number;
  /** A kill comes this long after the operator reports "operator running". */
  killDelayMinMs: number;
  killDelayMaxMs: number;
  /**
   * Per round. Generous: an order whose outcome a kill left unknown waits out the operator's
   * 30 s grace before it is placed again, and a failure backoff can reach 5 minutes.
   */
  timeoutMs: number;
}

function planFor(ctx: BenchContext): Plan {
  return ctx.quick
    ? {
        resources: 15,
        rounds: 2,
        killsMin: 3,
        killsMax: 5,
        killDelayMinMs: 100,
        killDelayMaxMs: 1_500,
        timeoutMs: 420_000,
      }
    : {
        resources: 50,
        rounds: 4,
        killsMin: 5,
        killsMax: 8,
        killDelayMinMs: 100,
        killDelayMaxMs: 1_500,
        timeoutMs: 420_000,
      };
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function seedFromEnv(): number {
  const given = process.env.BENCH_CHAOS_SEED;
  if (given === undefined || given === "") return randomInt(0, 2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`BENCH_CHAOS_SEED must be a non-negative integer, got "${given}"`);
  }
  return seed;
}

/** Where the resources stood when a kill landed. */
interface AtKill {
  /** status.pendingOrder set and DNSimple has no such order: the kill came before the POST. */
  orderIntentOpen: number;
  /** status.pendingOrder set but DNSimple bought it: the kill lost the order's answer. */
  orderAnswerLost: number;
  /** Ordered (id in status), not yet issued at DNSimple (`new`). */
  ordered: number;
  /** Issue requested, DNSimple still issuing (`requesting`). */
  requesting: number;
  /** Issued at DNSimple, the Secret not written (Ready) yet: download, verify, write. */
  issued: number;
  ready: number;
  /** No status of the operator's yet. */
  untouched: number;
}

const emptyAtKill = (): AtKill => ({
  orderIntentOpen: 0,
  orderAnswerLost: 0,
  ordered: 0,
  requesting: 0,
  issued: 0,
  ready: 0,
  untouched: 0,
});

function addAtKill(into: AtKill, from: AtKill): void {
  for (const key of Object.keys(into) as (keyof AtKill)[]) into[key] += from[key];
}

const add = (into: Record<string, number>, key: string, n = 1) => {
  into[key] = (into[key] ?? 0) + n;
};

interface RoundResult {
  resources: number;
  kills: number;
  killAtSeconds: number[];
  ready: number;
  endReady: number;
  secondsToAllReady: number | null;
  purchases: number;
  duplicatePurchases: number;
  dnsimpleCalls: number;
  callsByOperation: Record<string, number>;
  callsPerCertificate: number;
  callsPerCertificateByOperation: Record<string, number>;
  status429: number;
  otherErrorAnswers: number;
  atKills: AtKill;
  killsWithOrderInFlight: number;
  operatorStarts: number;
  events: Record<string, number>;
  reconciles: Record<string, number>;
  warnings: Record<string, number>;
  warningCount: number;
  errorCount: number;
  notReady?: Record<string, number>;
}

async function runRound(
  ctx: BenchContext,
  plan: Plan,
  index: number,
  kills: number,
  random: () => number,
): Promise<RoundResult> {
  const label = `chaos/${index === 0 ? "fault-free" : `round ${index}`}`;
  const namespace = `bench-chaos-${index}`;
  const n = plan.resources;
  const simulator = await startSimulator({
    token: `bench-chaos-${index}-token`,
    domains: benchDomains(5),
    issueDelayMs: ISSUE_DELAY_MS,
    latencyMs: LATENCY_MS,
    rateLimit: 1_000_000,
    log: () => {},
  });
  await ctx.kube.createNamespace(namespace);
  const watcher = new ReadyWatcher(ctx.kube, namespace);
  await watcher.start();
  const names = Array.from({ length: n }, (_, i) => `c${String(i).padStart(3, "0")}`);
  const lives: OperatorProcess[] = [];
  const events: Record<string, number> = {};
  const startOperator = async (): Promise<OperatorProcess> => {
    const operator = await OperatorProcess.start({
      kubeconfig: ctx.kubeconfig,
      simulator,
      namespace,
      label: `${label} operator ${lives.length + 1}`,
    });
    operator.onLine((line) => {
      if (typeof line.event === "string") add(events, line.event);
    });
    lives.push(operator);
    return operator;
  };
  const allReady = () => names.every((name) => watcher.readyAt.has(name));

  /** Lists the resources right after a kill (nothing moves then) and classifies them. */
  const classify = async (): Promise<AtKill> => {
    // A request the dead process sent may still be in the simulator's added latency: let it
    // land, so an order it completes counts as bought.
    await sleep(LATENCY_MS * 4);
    const at = emptyAtKill();
    const bought = new Set(simulator.purchases().map((p) => `${p.name}.${p.domain}`));
    const states = new Map(simulator.certificates().map((c) => [c.id, c.state]));
    for (const resource of await ctx.kube.listCertificates(namespace)) {
      const status = resource.status ?? {};
      if (readyCondition(resource)?.status === "True") at.ready++;
      else if (status.pendingOrder) {
        const commonName =
          status.pendingOrder.commonName ?? `${resource.spec.name}.${resource.spec.domain}`;
        if (bought.has(commonName)) at.orderAnswerLost++;
        else at.orderIntentOpen++;
      } else if (status.certificateId !== undefined) {
        const state = states.get(status.certificateId);
        if (state === "new") at.ordered++;
        else if (state === "issued") at.issued++;
        else at.requesting++;
      } else at.untouched++;
    }
    return at;
  };

  let operator: OperatorProcess | undefined;
  try {
    operator = await startOperator();
    progress(`${label}: operator running (pid ${operator.pid}); creating ${n} resources`);
    const createStartedAt = Date.now();
    await mapLimit(names, 32, (name, i) =>
      ctx.kube.createCertificate(namespace, name, specFor(simulator, name, i)),
    );
    const atKills = emptyAtKill();
    const killAtSeconds: number[] = [];
    let killsWithOrderInFlight = 0;
    for (let k = 0; k < kills; k++) {
      const delay = plan.killDelayMinMs + random() * (plan.killDelayMaxMs - plan.killDelayMinMs);
      await sleep(delay);
      // A kill after the last resource turned Ready would not be one during issuance.
      if (allReady()) {
        progress(`${label}: all Ready before kill ${k + 1} of ${kills}: no more kills`);
        break;
      }
      await operator.kill();
      killAtSeconds.push(seconds(Date.now() - createStartedAt));
      const at = await classify();
      addAtKill(atKills, at);
      if (at.orderIntentOpen + at.orderAnswerLost > 0) killsWithOrderInFlight++;
      progress(`${label}: kill ${k + 1} at ${killAtSeconds.at(-1)}s: ${JSON.stringify(at)}`);
      operator = await startOperator();
    }
    const allReadyAt = await waitAllReady(watcher, names, plan.timeoutMs, label, createStartedAt);
    // Let the last reconciles finish before counting.
    await waitQuiet(simulator, 3_000, 30_000);
    const endReady = (await ctx.kube.listCertificates(namespace)).filter(
      (r) => readyCondition(r)?.status === "True",
    ).length;
    const calls = summarizeCalls(simulator.calls());
    const reconciles: Record<string, number> = {};
    const warnings: Record<string, number> = {};
    let warningCount = 0;
    let errorCount = 0;
    for (const life of lives) {
      for (const [action, count] of life.actions) add(reconciles, action, count);
      for (const [key, count] of life.warnings) add(warnings, key, count);
      warningCount += life.counts.warnings;
      errorCount += life.counts.errors;
    }
    const purchases = simulator.purchases().length;
    return {
      resources: n,
      kills: killAtSeconds.length,
      killAtSeconds,
      ready: watcher.readyAt.size,
      endReady,
      secondsToAllReady: allReadyAt !== undefined ? seconds(allReadyAt - createStartedAt) : null,
      purchases,
      duplicatePurchases: purchases - n,
      dnsimpleCalls: calls.total,
      callsByOperation: calls.byOperation,
      callsPerCertificate: round(calls.total / n, 3),
      callsPerCertificateByOperation: perCertificate(calls, n),
      status429: calls.status429,
      otherErrorAnswers: calls.errors,
      atKills,
      killsWithOrderInFlight,
      operatorStarts: lives.length,
      events,
      reconciles,
      warnings,
      warningCount,
      errorCount,
      ...(watcher.readyAt.size < n ? { notReady: watcher.notReadyReasons(names) } : {}),
    };
  } finally {
    await operator?.stop();
    await watcher.stop();
    await simulator.close();
    await ctx.kube.deleteNamespace(namespace);
  }
}

function top(counts: Record<string, number>, n = 5): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n),
  );
}

export const chaos: Scenario = {
  name: "chaos",
  async run(ctx) {
    const plan = planFor(ctx);
    const seed = seedFromEnv();
    const random = seededRandom(seed);
    progress(`chaos: seed ${seed} (BENCH_CHAOS_SEED=${seed} repeats the kill schedule)`);

    const faultFree = await runRound(ctx, plan, 0, 0, random);
    const rounds: RoundResult[] = [];
    for (let r = 1; r <= plan.rounds; r++) {
      const kills = plan.killsMin + Math.floor(random() * (plan.killsMax - plan.killsMin + 1));
      rounds.push(await runRound(ctx, plan, r, kills, random));
    }

    const resources = plan.resources * plan.rounds;
    const sum = (f: (r: RoundResult) => number) => rounds.reduce((s, r) => s + f(r), 0);
    const callsByOperation: Record<string, number> = {};
    const events: Record<string, number> = {};
    const reconciles: Record<string, number> = {};
    const warnings: Record<string, number> = {};
    const atKills = emptyAtKill();
    for (const r of rounds) {
      for (const [op, count] of Object.entries(r.callsByOperation))
        add(callsByOperation, op, count);
      for (const [reason, count] of Object.entries(r.events)) add(events, reason, count);
      for (const [action, count] of Object.entries(r.reconciles)) add(reconciles, action, count);
      for (const [key, count] of Object.entries(r.warnings)) add(warnings, key, count);
      addAtKill(atKills, r.atKills);
    }
    const calls = sum((r) => r.dnsimpleCalls);
    const purchases = sum((r) => r.purchases);
    const callsPerCertificate = round(calls / resources, 3);
    const ratio = round(callsPerCertificate / faultFree.callsPerCertificate, 2);
    const allReady = [faultFree, ...rounds].every(
      (r) => r.secondsToAllReady !== null && r.endReady === r.resources,
    );
    const figures = {
      seed,
      resources: plan.resources,
      rounds: plan.rounds,
      resourcesTotal: resources,
      kills: sum((r) => r.kills),
      killsPerRound: rounds.map((r) => r.kills),
      killDelayMs: `${plan.killDelayMinMs}..${plan.killDelayMaxMs} after "operator running"`,
      issueDelayMs: ISSUE_DELAY_MS,
      latencyMsPerCall: LATENCY_MS,
      operatorFlags: "defaults (--poll-interval=2s, --concurrency=4), --log-level=debug",
      allReady,
      secondsToAllReadyPerRound: rounds.map((r) => r.secondsToAllReady),
      purchases,
      duplicatePurchases: purchases - resources,
      duplicatePurchasesPerRound: rounds.map((r) => r.duplicatePurchases),
      dnsimpleCalls: calls,
      callsPerCertificate,
      callsPerCertificateByOperation: Object.fromEntries(
        Object.entries(callsByOperation).map(([op, count]) => [op, round(count / resources, 3)]),
      ),
      callsPerCertificatePerRound: rounds.map((r) => r.callsPerCertificate),
      faultFree: {
        resources: faultFree.resources,
        secondsToAllReady: faultFree.secondsToAllReady,
        purchases: faultFree.purchases,
        dnsimpleCalls: faultFree.dnsimpleCalls,
        callsPerCertificate: faultFree.callsPerCertificate,
        callsPerCertificateByOperation: faultFree.callsPerCertificateByOperation,
      },
      callsRatio: ratio,
      boundRatio: BOUND_RATIO,
      withinBound: ratio <= BOUND_RATIO,
      atKills,
      killsWithOrderInFlight: sum((r) => r.killsWithOrderInFlight),
      killAtSecondsPerRound: rounds.map((r) => r.killAtSeconds),
      status429: sum((r) => r.status429),
      otherErrorAnswers: sum((r) => r.otherErrorAnswers),
      operatorStarts: sum((r) => r.operatorStarts),
      events,
      reconciles,
      warnings: sum((r) => r.warningCount),
      errors: sum((r) => r.errorCount),
      ...(Object.keys(warnings).length > 0 ? { topWarnings: top(warnings) } : {}),
      ...(rounds.some((r) => r.notReady) ? { notReady: rounds.map((r) => r.notReady ?? {}) } : {}),
    };
    progress(
      `chaos: ${figures.kills} kills, all Ready ${allReady}, ${purchases} purchases for ${resources} resources, ${callsPerCertificate} calls per certificate (fault-free ${faultFree.callsPerCertificate}, ratio ${ratio})`,
    );
    return figures;
  },
};
