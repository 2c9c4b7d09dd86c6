// steady: DNSimple calls per hour for N issued resources on 5 domains, measured over a window
// with a short --resync-interval (10 s) and extrapolated to an hour, in four cases: autoRenew
// false; autoRenew true with 90-day certificates (outside DNSimple's 30-day renewal window);
// autoRenew true with 20-day certificates (inside it), polling at --auto-renewal-interval=10s
// (so the window shows it; the default is 1h); and the same with the webhook receiver on and
// --auto-renewal-polling=false. Targets: 0, 0, one list per domain per interval, 0. Kubernetes
// writes in the window (Secrets, statuses) are counted too (target zero in every case).
import { randomBytes } from "node:crypto";
import { freePort } from "../../src/localcluster/processes.ts";
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
const INTERVAL_MS = 10_000;
const DOMAINS = 5;
const DAY_MS = 86_400_000;

interface Case {
  name: string;
  autoRenew: boolean;
  validityMs: number;
  /** Inside the window: looks by polling each interval, or only on webhook events. */
  pickup?: "polling" | "webhook";
  /** Calls per hour wanted, at the measured flags. */
  targetPerHour: number;
}

const CASES: readonly Case[] = [
  { name: "autoRenewFalse", autoRenew: false, validityMs: 90 * DAY_MS, targetPerHour: 0 },
  {
    name: "autoRenewTrueOutsideWindow",
    autoRenew: true,
    validityMs: 90 * DAY_MS,
    targetPerHour: 0,
  },
  {
    name: "autoRenewTrueInsideWindowPolling",
    autoRenew: true,
    validityMs: 20 * DAY_MS,
    pickup: "polling",
    targetPerHour: (DOMAINS * 3_600_000) / INTERVAL_MS,
  },
  {
    name: "autoRenewTrueInsideWindowWebhook",
    autoRenew: true,
    validityMs: 20 * DAY_MS,
    pickup: "webhook",
    targetPerHour: 0,
  },
];

async function phase(
  ctx: BenchContext,
  c: Case,
  n: number,
  windowMs: number,
): Promise<Record<string, unknown>> {
  const slug = c.name.replace(/[A-Z]/g, (l) => `-${l.toLowerCase()}`);
  const namespace = `bench-steady${slug}`;
  const simulator = await startSimulator({
    token: `bench-steady${slug}-token`,
    domains: benchDomains(DOMAINS),
    issueDelayMs: 50,
    validityMs: c.validityMs,
    rateLimit: 1_000_000,
    log: () => {},
  });
  await ctx.kube.createNamespace(namespace);
  const label = `steady/${c.name}`;
  const hookToken = randomBytes(16).toString("hex");
  const hookPort = c.pickup === "webhook" ? await freePort() : undefined;
  const flags = [
    `--resync-interval=${RESYNC_MS / 1000}s`,
    ...(c.pickup ? [`--auto-renewal-interval=${INTERVAL_MS / 1000}s`] : []),
    ...(hookPort
      ? [
          `--webhook-addr=127.0.0.1:${hookPort}`,
          `--webhook-token=${hookToken}`,
          "--auto-renewal-polling=false",
        ]
      : []),
  ];
  if (hookPort) {
    simulator.updateSettings({ webhookUrl: `http://127.0.0.1:${hookPort}/webhook/${hookToken}` });
  }
  const run = await issueMany(ctx, {
    label,
    namespace,
    n,
    simulator,
    spec: { autoRenew: c.autoRenew },
    operatorFlags: flags,
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
    certificateValidityDays: c.validityMs / DAY_MS,
    operatorFlags: flags.join(" ").replace(hookToken, "<token>"),
    resyncSeconds: RESYNC_MS / 1000,
    windowSeconds: windowMs / 1000,
    calls: calls.total,
    callsByOperation: calls.byOperation,
    callsPerHour: perHour(calls.total),
    targetPerHour: c.targetPerHour,
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
    const figures: Record<string, unknown> = {
      note: `calls in a ${windowMs / 1000}s window with --resync-interval=${RESYNC_MS / 1000}s, times ${3600 / (windowMs / 1000)} for an hour; inside the renewal window at the default --auto-renewal-interval=1h the polling target is ${DOMAINS}/h`,
    };
    for (const c of CASES) figures[c.name] = await phase(ctx, c, n, windowMs);
    return figures;
  },
};
