// What a scenario is and what most of them do: the context they share, resource specs spread
// over the simulator's domains, issuing n resources at once through a fresh operator, and the
// operator-side and per-certificate figures every scenario reports the same way.
import type { DnsimpleCertificateSpec } from "../../src/api/v1alpha1.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { type CertificateSpecInput, type Kube, ReadyWatcher } from "./kubernetes.ts";
import { metricSum, OperatorProcess } from "./operator-process.ts";
import { mapLimit, progress } from "./progress.ts";
import type { CallSummary } from "./simulator-view.ts";
import { mib, round, seconds } from "./statistics.ts";

/** Resources issued by one scenario that later ones may reuse (burst -> restart, memory). */
export interface Fleet {
  namespace: string;
  simulator: Simulator;
  names: string[];
}

export interface BenchContext {
  quick: boolean;
  kubeconfig: string;
  kube: Kube;
  fleet?: Fleet;
  /** Run at the very end (simulators kept for later scenarios). */
  atExit: (() => Promise<void>)[];
}

export interface Scenario {
  name: string;
  run: (ctx: BenchContext) => Promise<Record<string, unknown>>;
}

/** The simulator's account domains used by the benchmark (ids 1..n). */
export function benchDomains(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `bench${i}.example`);
}

/** A resource spec: its own DNSimple certificate name, spread over the simulator's domains. */
export function specFor(
  simulator: Simulator,
  name: string,
  index: number,
  extra: Partial<DnsimpleCertificateSpec> = {},
): CertificateSpecInput {
  const domain = simulator.domains[index % simulator.domains.length]?.name ?? "example.com";
  return { domain, name, secretName: `${name}-tls`, ...extra };
}

export interface IssueOptions {
  label: string;
  namespace: string;
  n: number;
  simulator: Simulator;
  operatorFlags?: string[];
  spec?: Partial<DnsimpleCertificateSpec>;
  /** Resource creations in flight. */
  createConcurrency?: number;
  timeoutMs: number;
  /** Watch every namespace (default: only `namespace`). */
  clusterWide?: boolean;
  /** Resources the operator will hold in the run, for the scrape interval (default `n`). */
  scale?: number;
}

/**
 * How often the harness reads the operator's /metrics: every second in small runs; from 1,000
 * resources every 15 s, as a Prometheus would. Each scrape renders every resource's series
 * (O(n)); at 10,000 resources a scrape a second (two, with a scenario's own sampler) took
 * most of the operator's CPU and the bench measured its own load (the first full budget run,
 * 2026-12-03).
 */
export function scrapeIntervalMs(resources: number): number {
  return resources >= 1_000 ? 15_000 : 1_000;
}

export interface IssueRun {
  names: string[];
  operator: OperatorProcess;
  watcher: ReadyWatcher;
  createStartedAt: number;
  createdAllAt: number;
  /** When the watcher saw the last one Ready; undefined on timeout. */
  allReadyAt: number | undefined;
}

/**
 * Starts an operator (child process) and a watcher, creates `n` resources at once, and waits
 * until all are Ready. The operator and the watcher are left running for the caller.
 */
export async function issueMany(ctx: BenchContext, options: IssueOptions): Promise<IssueRun> {
  const { namespace, simulator, n, label } = options;
  const names = Array.from({ length: n }, (_, i) => `c${String(i).padStart(5, "0")}`);
  const watcher = new ReadyWatcher(ctx.kube, namespace);
  await watcher.start();
  const operator = await OperatorProcess.start({
    kubeconfig: ctx.kubeconfig,
    simulator,
    ...(options.clusterWide ? {} : { namespace }),
    flags: options.operatorFlags ?? [],
    label,
  });
  operator.watchMetrics(scrapeIntervalMs(options.scale ?? options.n));
  progress(`${label}: operator running (pid ${operator.pid}); creating ${n} resources`);
  const createStartedAt = Date.now();
  await mapLimit(names, options.createConcurrency ?? 32, (name, i) =>
    ctx.kube.createCertificate(namespace, name, specFor(simulator, name, i, options.spec)),
  );
  const createdAllAt = Date.now();
  progress(`${label}: created ${n} in ${seconds(createdAllAt - createStartedAt)}s`);
  const allReadyAt = await waitAllReady(watcher, names, options.timeoutMs, label, createStartedAt);
  return { names, operator, watcher, createStartedAt, createdAllAt, allReadyAt };
}

/** Operator-side figures every scenario reports the same way. */
/**
 * Waits until every one of `names` is Ready (or the time-out) and says so; the epoch ms the last
 * became Ready, or undefined on a time-out.
 */
export async function waitAllReady(
  watcher: ReadyWatcher,
  names: string[],
  timeoutMs: number,
  label: string,
  startedAt: number,
): Promise<number | undefined> {
  const ok = await watcher.waitAll(names, timeoutMs, label);
  const allReadyAt = ok
    ? Math.max(...names.map((name) => watcher.readyAt.get(name) ?? 0))
    : undefined;
  const n = names.length;
  progress(
    `${label}: ${ok ? `all ${n} Ready after ${seconds((allReadyAt ?? 0) - startedAt)}s` : `timed out; ${watcher.readyAt.size}/${n} Ready`}`,
  );
  return allReadyAt;
}

export async function operatorFigures(operator: OperatorProcess): Promise<Record<string, unknown>> {
  let heapUsed: number | undefined;
  try {
    const metrics = await operator.metrics();
    heapUsed = metricSum(metrics, "dnsimple_cert_operator_nodejs_heap_size_used_bytes");
  } catch {
    heapUsed = undefined;
  }
  const peaks = operator.metricPeaks;
  const peak = (gauge: string) => peaks.get(gauge) ?? 0;
  return {
    peakRssMiB: mib(operator.peakRssBytes),
    ...(heapUsed !== undefined ? { heapUsedMiB: mib(heapUsed) } : {}),
    ...(peaks.size > 0
      ? {
          peakHeapTotalMiB: mib(peak("nodejs_heap_size_total_bytes")),
          peakHeapUsedMiB: mib(peak("nodejs_heap_size_used_bytes")),
          peakExternalMiB: mib(peak("nodejs_external_memory_bytes")),
          peakOpenFds: peak("process_open_fds"),
          peakActiveHandles: peak("nodejs_active_handles_total"),
          peakQueueDepth: peak("workqueue_depth"),
        }
      : {}),
    reconciles: Object.fromEntries(operator.actions),
    warnings: operator.counts.warnings,
    errors: operator.counts.errors,
    ...(operator.warnings.size > 0 ? { topWarnings: operator.topWarnings() } : {}),
  };
}

/** Per certificate, rounded: calls by operation divided by n. */
export function perCertificate(summary: CallSummary, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary.byOperation).map(([op, count]) => [op, round(count / n, 3)]),
  );
}
