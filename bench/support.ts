// What every benchmark scenario needs: progress on stderr, bounded concurrency, Kubernetes
// clients (namespaces, resources, Secrets), a watch that records when each resource turns
// Ready, the operator as a child process (its JSON logs parsed, its memory sampled from /proc,
// its /metrics read), summaries of the simulator's call log, and small statistics.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  makeInformer,
} from "@kubernetes/client-node";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateSpec,
  GROUP,
  MANAGED_SECRET_SELECTOR,
  PLURAL,
  VERSION,
} from "../src/api/v1alpha1.ts";
import type { ApiCall } from "../src/simulator/call-log.ts";
import type { Simulator } from "../src/simulator/simulator.ts";

export const ROOT = join(import.meta.dirname, "..");

// --- Progress ----------------------------------------------------------------------

const started = Date.now();

/** A progress line on stderr (stdout carries only the JSON results). */
export function progress(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(7);
  process.stderr.write(`[bench ${t}s] ${line}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const seconds = (ms: number): number => Math.round(ms) / 1000;

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Retries `fn` a few times on any error (the API server answers 429/500 under load). */
export async function withRetries<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(200 * 2 ** i);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s: ${what}`);
    await sleep(everyMs);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// --- Statistics --------------------------------------------------------------------

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export const mib = (bytes: number): number => round(bytes / 1024 / 1024, 1);

// --- Kubernetes --------------------------------------------------------------------

export type CertificateSpecInput = Partial<DnsimpleCertificateSpec> & {
  domain: string;
  secretName: string;
};

export class Kube {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  async createNamespace(name: string): Promise<void> {
    await withRetries(`create namespace ${name}`, () =>
      this.core.createNamespace({
        body: { metadata: { name, labels: { "bench.dnsimple": "1" } } },
      }),
    );
  }

  /** Starts deleting the namespace; does not wait for it to be gone. */
  async deleteNamespace(name: string): Promise<void> {
    try {
      await this.core.deleteNamespace({ name });
    } catch {
      // Already gone.
    }
  }

  async createCertificate(
    namespace: string,
    name: string,
    spec: CertificateSpecInput,
  ): Promise<void> {
    await withRetries(`create ${namespace}/${name}`, () =>
      this.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: "DnsimpleCertificate",
          metadata: { name },
          spec,
        },
      }),
    );
  }

  async listCertificates(namespace?: string): Promise<DnsimpleCertificate[]> {
    const list = (await (namespace
      ? this.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
        })
      : this.custom.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
        }))) as KubernetesListObject<DnsimpleCertificate>;
    return list.items;
  }

  /** resourceVersion of every managed Secret and of every resource in the namespace. */
  async resourceVersions(
    namespace: string,
  ): Promise<{ secrets: Map<string, string>; certificates: Map<string, string> }> {
    const secrets = await this.core.listNamespacedSecret({
      namespace,
      labelSelector: MANAGED_SECRET_SELECTOR,
    });
    const certificates = await this.listCertificates(namespace);
    return {
      secrets: new Map(
        secrets.items.map((s) => [s.metadata?.name ?? "", s.metadata?.resourceVersion ?? ""]),
      ),
      certificates: new Map(
        certificates.map((c) => [c.metadata.name, c.metadata.resourceVersion ?? ""]),
      ),
    };
  }
}

/** How many entries of `after` have a different (or no) value in `before`. */
export function changed(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [key, value] of after) if (before.get(key) !== value) n++;
  return n;
}

export function readyCondition(resource: DnsimpleCertificate) {
  return resource.status?.conditions?.find((c) => c.type === "Ready");
}

/**
 * Watches the resources of one namespace and records, with this process's clock, the first
 * time each is seen with Ready=True (and its latest Ready reason otherwise).
 */
export class ReadyWatcher {
  readonly readyAt = new Map<string, number>();
  readonly reasons = new Map<string, string>();
  readonly #informer: ReturnType<typeof makeInformer<DnsimpleCertificate>>;
  #stopped = false;
  #waiters: (() => void)[] = [];

  constructor(kube: Kube, namespace: string) {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
    this.#informer = makeInformer<DnsimpleCertificate>(
      kube.kc,
      path,
      async () =>
        (await kube.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
        })) as KubernetesListObject<DnsimpleCertificate>,
    );
    const seen = (obj: DnsimpleCertificate) => {
      const now = Date.now();
      const ready = readyCondition(obj);
      const name = obj.metadata.name;
      if (ready) this.reasons.set(name, ready.status === "True" ? "Ready" : ready.reason);
      if (ready?.status === "True" && !this.readyAt.has(name)) {
        this.readyAt.set(name, now);
        for (const wake of this.#waiters.splice(0)) wake();
      }
    };
    this.#informer.on("add", seen);
    this.#informer.on("update", seen);
    this.#informer.on("error", () => {
      if (this.#stopped) return;
      setTimeout(() => {
        if (!this.#stopped) this.#informer.start().catch(() => {});
      }, 1000);
    });
  }

  start(): Promise<void> {
    return this.#informer.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.stop();
  }

  /** Waits until every name is Ready; returns false on timeout. Logs progress. */
  async waitAll(names: readonly string[], timeoutMs: number, label: string): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let lastLog = Date.now();
    for (;;) {
      const ready = names.filter((n) => this.readyAt.has(n)).length;
      if (ready === names.length) return true;
      if (Date.now() > deadline) return false;
      if (Date.now() - lastLog > 10_000) {
        progress(`${label}: ${ready}/${names.length} Ready`);
        lastLog = Date.now();
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  /** Ready=False reasons of the names not Ready, counted. */
  notReadyReasons(names: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of names) {
      if (this.readyAt.has(name)) continue;
      const reason = this.reasons.get(name) ?? "(no condition yet)";
      out[reason] = (out[reason] ?? 0) + 1;
    }
    return out;
  }
}

// --- The operator as a child process -----------------------------------------------

export interface LogLine {
  time?: string;
  level?: string;
  msg?: string;
  resource?: string;
  action?: string;
  event?: string;
  reason?: string;
  [key: string]: unknown;
}

export interface MemorySample {
  at: number;
  rssBytes: number;
}

export interface OperatorOptions {
  kubeconfig: string;
  simulator: Simulator;
  /** Watch only this namespace; all namespaces when absent. */
  namespace?: string;
  /** More flags (later ones win). */
  flags?: string[];
  label: string;
}

/**
 * Extra Node.js arguments for the operator process, from BENCH_OPERATOR_NODE_ARGS (split on
 * spaces), for experiments such as `--max-old-space-size=256` or an `--import` preload.
 */
/**
 * The operator as the image runs it: compiled JavaScript (bench/run.ts builds it first), not
 * src/ through Node's type stripping, which costs ~30 MiB of RSS the image does not have.
 */
export const OPERATOR_ENTRY = join(ROOT, "dist", "main.js");

/**
 * The heap V8 gives a process in the chart's default pod (memory limit 384Mi): a quarter of
 * the memory, doubled without pointer compression, for the old generation, and 1 MiB
 * semi-spaces. On this 24 GiB machine Node would otherwise take a 4 GiB heap and collect
 * lazily, and RSS would say nothing about the limit. BENCH_OPERATOR_NODE_ARGS overrides it
 * ("" for Node's own sizing).
 */
export const POD_HEAP_ARGS = "--max-old-space-size=192 --max-semi-space-size=1";

export function operatorNodeArgs(): string[] {
  return (process.env.BENCH_OPERATOR_NODE_ARGS ?? POD_HEAP_ARGS).split(" ").filter(Boolean);
}

/** Reads VmRSS and VmHWM (bytes) of a live process from /proc. */
export function procMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const rss = kb("VmRSS");
    const hwm = kb("VmHWM");
    return Number.isFinite(rss) && Number.isFinite(hwm)
      ? { rss: rss * 1024, hwm: hwm * 1024 }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `node dist/main.js …` as a child process (so its memory is its own), with debug logs parsed
 * from stdout: when each resource was first reconciled to `ready`, Events, warnings and errors.
 */
export class OperatorProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  readonly metricsPort: number;
  readonly webhookPort: number | undefined;
  /** Resource key -> epoch ms of the first `"action":"ready"` line (the log's own clock). */
  readonly readyAt = new Map<string, number>();
  /** Epoch ms of the "operator running" line (caches synced, workers started). */
  runningAt: number | undefined;
  readonly memory: MemorySample[] = [];
  /** VmHWM as last read (peak RSS of the process so far). */
  peakRssBytes = 0;
  readonly counts = { lines: 0, reconciles: 0, warnings: 0, errors: 0, events: 0 };
  readonly warnings = new Map<string, number>();
  readonly actions = new Map<string, number>();
  /** Peaks of a few process gauges read from /metrics while `watchMetrics` runs. */
  readonly metricPeaks = new Map<string, number>();
  #metricsTimer: NodeJS.Timeout | undefined;
  readonly #stderr: string[] = [];
  readonly #exited: Promise<number | null>;
  readonly #sampler: NodeJS.Timeout;
  #lineListeners: ((line: LogLine) => void)[] = [];

  private constructor(
    label: string,
    child: ChildProcess,
    metricsPort: number,
    webhookPort: number | undefined,
  ) {
    this.label = label;
    this.child = child;
    this.spawnedAt = Date.now();
    this.metricsPort = metricsPort;
    this.webhookPort = webhookPort;
    this.#exited = once(child, "exit").then(([code]) => code as number | null);
    if (child.stdout) {
      createInterface({ input: child.stdout }).on("line", (text) => this.#onLine(text));
    }
    if (child.stderr) {
      createInterface({ input: child.stderr }).on("line", (text) => {
        this.#stderr.push(text);
        if (this.#stderr.length > 50) this.#stderr.shift();
      });
    }
    this.#sampler = setInterval(() => this.sampleMemory(), 250);
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const metricsPort = await freePort();
    const healthPort = await freePort();
    const flags = options.flags ?? [];
    const webhookFlag = flags.find((f) => f.startsWith("--webhook-addr="));
    const webhookPort = webhookFlag ? Number(webhookFlag.split(":").pop()) : undefined;
    const child = spawn(
      process.execPath,
      [
        ...operatorNodeArgs(),
        OPERATOR_ENTRY,
        `--kubeconfig=${options.kubeconfig}`,
        `--dnsimple-base-url=${options.simulator.url}`,
        `--dnsimple-token=${options.simulator.token}`,
        ...(options.namespace ? [`--watch-namespace=${options.namespace}`] : []),
        `--metrics-addr=127.0.0.1:${metricsPort}`,
        `--health-addr=127.0.0.1:${healthPort}`,
        "--log-level=debug",
        ...flags,
      ],
      { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT },
    );
    const operator = new OperatorProcess(options.label, child, metricsPort, webhookPort);
    await Promise.race([
      waitFor(`${options.label}: "operator running"`, () => operator.runningAt, 120_000, 50),
      operator.#exited.then((code) => {
        throw new Error(
          `${options.label} exited (${code}) before running:\n${operator.#stderr.join("\n")}`,
        );
      }),
    ]);
    return operator;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  onLine(listener: (line: LogLine) => void): void {
    this.#lineListeners.push(listener);
  }

  #onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    this.counts.lines++;
    const at = line.time ? Date.parse(line.time) : Date.now();
    if (line.msg === "operator running") this.runningAt = at;
    if (line.msg === "reconciled" && typeof line.action === "string") {
      this.counts.reconciles++;
      this.actions.set(line.action, (this.actions.get(line.action) ?? 0) + 1);
      if (line.action === "ready" && line.resource && !this.readyAt.has(line.resource)) {
        this.readyAt.set(line.resource, at);
      }
    }
    if (line.event) this.counts.events++;
    if (line.level === "warn" || line.level === "error" || line.level === "fatal") {
      if (line.level === "warn") this.counts.warnings++;
      else this.counts.errors++;
      // Paths, ids and counts vary per resource: keyed without them, so alike lines add up.
      const text = String(line.msg ?? "")
        .replace(/\/v2\/\S+/g, "<path>")
        .replace(/\d+/g, "#")
        .slice(0, 140);
      const key = `${line.level}${line.reason ? ` ${line.reason}` : ""}: ${text}`;
      this.warnings.set(key, (this.warnings.get(key) ?? 0) + 1);
    }
    for (const listener of this.#lineListeners) listener(line);
  }

  sampleMemory(): void {
    const m = procMemory(this.pid);
    if (!m) return;
    this.memory.push({ at: Date.now(), rssBytes: m.rss });
    this.peakRssBytes = Math.max(this.peakRssBytes, m.hwm);
  }

  /** Median RSS over the samples taken in the last `windowMs`. */
  settledRssBytes(windowMs: number): number {
    const since = Date.now() - windowMs;
    return median(this.memory.filter((s) => s.at >= since).map((s) => s.rssBytes));
  }

  /** Parsed /metrics: every sample with its labels. */
  async metrics(): Promise<MetricSample[]> {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    return parseMetrics(text);
  }

  /** Reads /metrics every `everyMs` and keeps the peak of the heap, external memory, fds. */
  watchMetrics(everyMs: number): void {
    const gauges = [
      "nodejs_heap_size_total_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_external_memory_bytes",
      "process_open_fds",
      "nodejs_active_handles_total",
      "workqueue_depth",
    ];
    let busy = false;
    this.#metricsTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.metrics()
        .then((samples) => {
          for (const gauge of gauges) {
            const value = metricSum(samples, `dnsimple_cert_operator_${gauge}`);
            this.metricPeaks.set(gauge, Math.max(this.metricPeaks.get(gauge) ?? 0, value));
          }
        })
        .catch(() => {})
        .finally(() => {
          busy = false;
        });
    }, everyMs);
  }

  /** Warnings and errors, most frequent first (for the report). */
  topWarnings(n = 5): Record<string, number> {
    return Object.fromEntries([...this.warnings].sort((a, b) => b[1] - a[1]).slice(0, n));
  }

  /** SIGTERM, then SIGKILL after 15 s; samples memory one last time first. */
  async stop(): Promise<void> {
    this.sampleMemory();
    clearInterval(this.#sampler);
    clearInterval(this.#metricsTimer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** SIGKILL at once (kill -9: no shutdown of any kind); resolves when the process is gone. */
  async kill(): Promise<void> {
    this.sampleMemory();
    clearInterval(this.#sampler);
    clearInterval(this.#metricsTimer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await this.#exited;
  }
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] as string] = l[2] as string;
    }
    out.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return out;
}

export function metricSum(
  samples: readonly MetricSample[],
  name: string,
  filter: (labels: Record<string, string>) => boolean = () => true,
): number {
  return samples
    .filter((s) => s.name === name && filter(s.labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Does this operator build have the webhook receiver (`--webhook-addr`)? */
let webhookSupport: Promise<boolean> | undefined;
export function operatorHasWebhook(): Promise<boolean> {
  webhookSupport ??= new Promise((resolve) => {
    const child = spawn(process.execPath, [OPERATOR_ENTRY, "--help"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("close", () => resolve(out.includes("--webhook-addr")));
    child.on("error", () => resolve(false));
  });
  return webhookSupport;
}

// --- The simulator's view ----------------------------------------------------------

export interface CallSummary {
  total: number;
  byOperation: Record<string, number>;
  status429: number;
  errors: number;
}

export function summarizeCalls(calls: readonly ApiCall[]): CallSummary {
  const byOperation: Record<string, number> = {};
  let status429 = 0;
  let errors = 0;
  for (const call of calls) {
    const op = call.operation ?? `${call.method} ${call.path}`;
    byOperation[op] = (byOperation[op] ?? 0) + 1;
    if (call.status === 429) status429++;
    else if (call.status === null || call.status >= 400) errors++;
  }
  return { total: calls.length, byOperation, status429, errors };
}

/** Waits until the simulator has received no API call for `quietMs` (or `timeoutMs` passed). */
export async function waitQuiet(
  simulator: Simulator,
  quietMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let count = simulator.calls().length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = simulator.calls().length;
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return true;
    }
  }
  return false;
}

/** Purchases per resource beyond the first: a double purchase is a bug. */
export function duplicatePurchases(simulator: Simulator): number {
  const perName = new Map<string, number>();
  for (const certificate of simulator.certificates()) {
    if (certificate.origin.kind !== "order") continue;
    const key = `${certificate.domain}/${certificate.commonName}`;
    perName.set(key, (perName.get(key) ?? 0) + 1);
  }
  let extra = 0;
  for (const n of perName.values()) extra += Math.max(0, n - 1);
  return extra;
}

// --- Scenarios ---------------------------------------------------------------------

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
  operator.watchMetrics(1_000);
  progress(`${label}: operator running (pid ${operator.pid}); creating ${n} resources`);
  const createStartedAt = Date.now();
  await mapLimit(names, options.createConcurrency ?? 32, (name, i) =>
    ctx.kube.createCertificate(namespace, name, specFor(simulator, name, i, options.spec)),
  );
  const createdAllAt = Date.now();
  progress(`${label}: created ${n} in ${seconds(createdAllAt - createStartedAt)}s`);
  const ok = await watcher.waitAll(names, options.timeoutMs, label);
  const allReadyAt = ok
    ? Math.max(...names.map((name) => watcher.readyAt.get(name) ?? 0))
    : undefined;
  progress(
    `${label}: ${ok ? `all ${n} Ready after ${seconds((allReadyAt ?? 0) - createStartedAt)}s` : `timed out; ${watcher.readyAt.size}/${n} Ready`}`,
  );
  return { names, operator, watcher, createStartedAt, createdAllAt, allReadyAt };
}

/** Operator-side figures every scenario reports the same way. */
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
