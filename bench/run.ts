// npm run bench [-- --quick] [-- --only=burst,restart]
//
// Starts a local control plane of its own (etcd + kube-apiserver + kube-controller-manager in
// a temp dir), applies crds/, runs the scenarios against it with in-process DNSimple
// simulators and the operator as a child process, prints one JSON object per scenario per
// line on stdout (progress goes to stderr), and stops the control plane.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { binary } from "../src/localcluster/binaries.ts";
import { startControlPlane, stopControlPlane } from "../src/localcluster/controlplane.ts";
import { budget } from "./scenarios/budget.ts";
import { burst } from "./scenarios/burst.ts";
import { chaos } from "./scenarios/chaos.ts";
import { latency } from "./scenarios/latency.ts";
import { lifetimes } from "./scenarios/lifetimes.ts";
import { memory } from "./scenarios/memory.ts";
import { paced } from "./scenarios/paced.ts";
import { restart } from "./scenarios/restart.ts";
import { steady } from "./scenarios/steady.ts";
import { Kube } from "./support/kubernetes.ts";
import { BENCH_ISSUER_NAME, ROOT } from "./support/operator-process.ts";
import { progress } from "./support/progress.ts";
import type { BenchContext, Scenario } from "./support/scenarios.ts";

// In this order: restart and memory reuse the resources burst leaves when they run after it.
const SCENARIOS: Scenario[] = [
  burst,
  restart,
  paced,
  budget,
  steady,
  lifetimes,
  latency,
  memory,
  chaos,
];

const USAGE = `usage: npm run bench [-- --quick] [-- --only=${SCENARIOS.map((s) => s.name).join(",")}]`;

function parseOptions(): { quick: boolean; only: Scenario[] } {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const wanted = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted) {
    const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
    if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(", ")}\n${USAGE}`);
  }
  return {
    quick: values.quick ?? false,
    only: wanted ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS,
  };
}

/**
 * The ClusterDnsimpleIssuer the benchmark's operators use (--default-cluster-issuer): every
 * benchmark namespace, no purchase budget to speak of, no renewal floor.
 */
const BENCH_ISSUER = JSON.stringify({
  apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
  kind: "ClusterDnsimpleIssuer",
  metadata: { name: BENCH_ISSUER_NAME },
  spec: {
    policy: {
      namespaceSelector: { matchLabels: { "bench.dnsimple": "1" } },
      allowWildcards: true,
      budget: { ordersPerNamespacePerDay: 1_000_000, renewalFloor: "0s" },
    },
  },
});

async function installCrds(kubeconfig: string): Promise<void> {
  const kubectl = await binary("kubectl", progress);
  const crds = join(ROOT, "crds");
  const run = promisify(execFile);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(kubectl, ["apply", "--server-side", "--force-conflicts", "-f", crds], { env });
  await run(kubectl, ["wait", "--for=condition=Established", "--timeout=60s", "-f", crds], { env });
  const applying = run(kubectl, ["apply", "--server-side", "-f", "-"], { env });
  applying.child.stdin?.end(BENCH_ISSUER);
  await applying;
}

async function main(): Promise<void> {
  let options: { quick: boolean; only: Scenario[] };
  try {
    options = parseOptions();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), "dnsimple-cert-operator-bench-"));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopControlPlane(dir).then(() => progress("control plane stopped"));
    return stopping;
  };
  process.once("SIGINT", () => {
    void stop().then(() => process.exit(130));
  });

  const began = Date.now();
  progress(
    `${options.quick ? "quick" : "full"} run: ${options.only.map((s) => s.name).join(", ")}`,
  );
  progress("building dist/ (the operator runs from it, as in the image)");
  await promisify(execFile)(process.execPath, [
    join(ROOT, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    join(ROOT, "tsconfig.build.json"),
  ]);
  const state = await startControlPlane(dir, (line) => progress(`[control plane] ${line}`));
  progress(`control plane ready at ${state.server}`);
  const ctx: BenchContext = {
    quick: options.quick,
    kubeconfig: state.kubeconfig,
    kube: new Kube(loadKubeConfig(state.kubeconfig)),
    atExit: [],
  };
  let failed = false;
  try {
    await installCrds(state.kubeconfig);
    for (const scenario of options.only) {
      const scenarioStarted = Date.now();
      progress(`--- ${scenario.name}`);
      let figures: Record<string, unknown>;
      try {
        figures = await scenario.run(ctx);
      } catch (err) {
        failed = true;
        progress(`${scenario.name} failed: ${err instanceof Error ? err.stack : String(err)}`);
        figures = { error: err instanceof Error ? err.message : String(err) };
      }
      const wallSeconds = Math.round((Date.now() - scenarioStarted) / 100) / 10;
      process.stdout.write(
        `${JSON.stringify({ scenario: scenario.name, quick: options.quick, ...figures, wallSeconds })}\n`,
      );
    }
  } finally {
    for (const fn of ctx.atExit) await fn().catch(() => {});
    await stop();
  }
  progress(`done in ${Math.round((Date.now() - began) / 1000)}s`);
  process.exit(failed ? 1 : 0);
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

await main();
