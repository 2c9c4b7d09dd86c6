// The operator under measurement, run as a child process the way the image runs it (so its
// memory is its own): its JSON logs parsed, its memory sampled from /proc, its /metrics read.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../src/localcluster/processes.ts";
import type { Simulator } from "../../src/simulator/simulator.ts";
import { waitFor } from "./progress.ts";
import { median } from "./statistics.ts";

/** The ClusterDnsimpleIssuer bench/run.ts makes for every benchmark namespace. */
export const BENCH_ISSUER_NAME = "bench";

/** The checkout's root (dist/, crds/, tsconfig.build.json). */
export const ROOT = join(import.meta.dirname, "..", "..");

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
 * The operator as the image runs it: compiled JavaScript (bench/run.ts builds it first), not
 * src/ through Node's type stripping, which costs ~30 MiB of RSS the image does not have.
 */
export const OPERATOR_ENTRY = join(ROOT, "dist", "main.js");

/**
 * The heap V8 gives a process in the chart's default pod (memory limit 768Mi): a quarter of
 * the memory, doubled without pointer compression, for the old generation, and 1 MiB
 * semi-spaces. On this 24 GiB machine Node would otherwise take a 4 GiB heap and collect
 * lazily, and RSS would say nothing about the limit. BENCH_OPERATOR_NODE_ARGS overrides it
 * ("" for Node's own sizing).
 */
export const POD_HEAP_ARGS = "--max-old-space-size=384 --max-semi-space-size=1";

/**
 * Extra Node.js arguments for the operator process, from BENCH_OPERATOR_NODE_ARGS (split on
 * spaces), for experiments such as `--max-old-space-size=256` or an `--import` preload.
 */
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
      // BENCH_OPERATOR_LOG=<file>: the operator's log kept too, for a look afterwards.
      const keep = process.env.BENCH_OPERATOR_LOG;
      const file = keep ? createWriteStream(`${keep}.${label}`, { flags: "a" }) : undefined;
      createInterface({ input: child.stdout }).on("line", (text) => {
        file?.write(`${text}\n`);
        this.#onLine(text);
      });
      if (file) child.once("exit", () => file.end());
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
        `--default-cluster-issuer=${BENCH_ISSUER_NAME}`,
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

  /** Samples memory one last time and stops sampling; false when the process is gone already. */
  #endSampling(): boolean {
    this.sampleMemory();
    clearInterval(this.#sampler);
    clearInterval(this.#metricsTimer);
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after 15 s; samples memory one last time first. */
  async stop(): Promise<void> {
    if (!this.#endSampling()) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** SIGKILL at once (kill -9: no shutdown of any kind); resolves when the process is gone. */
  async kill(): Promise<void> {
    if (!this.#endSampling()) return;
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

let webhookSupport: Promise<boolean> | undefined;

/** Does this operator build have the webhook receiver (`--webhook-addr`)? Asked once. */
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
