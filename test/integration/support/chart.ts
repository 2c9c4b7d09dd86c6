// What the chart tests need: rendering the chart with given values, reading the rendered
// objects, a kubeconfig for an existing ServiceAccount (the chart's), `kubectl auth can-i` as a
// ServiceAccount, and the operator started in-process from a rendered Deployment's environment.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { CoreV1Api, type V1Deployment, type V1EnvVar, type V1Pod } from "@kubernetes/client-node";
import { expect, inject } from "vitest";
import { parseAllDocuments } from "yaml";
import { CHART_DIR, type HelmResult, helm } from "../../../helm/render.ts";
import { parseConfig } from "../../../src/config.ts";
import { runOperator } from "../../../src/main.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { adminKubeConfig, kubectl } from "./kube.ts";

/** A rendered Kubernetes object; the fields beyond metadata are read through typed casts. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Values for the chart, as a values file would hold them. */
export type Values = Record<string, unknown>;

let valuesDir: string | undefined;
let valuesCount = 0;

/** Writes values to a file for `-f` (JSON is YAML), so types survive as written. */
export function valuesFile(values: Values): string {
  valuesDir ??= mkdtempSync(join(tmpdir(), "chart-values-"));
  const path = join(valuesDir, `values-${valuesCount++}.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === "object");
}

/** `helm template` of the chart in helm/ with these values; never throws (tests assert). */
export function template(
  values: Values,
  options: { release?: string; namespace?: string; chart?: string } = {},
): Promise<HelmResult> {
  return helm([
    "template",
    options.release ?? "dnsimple-cert-operator",
    options.chart ?? CHART_DIR,
    "--namespace",
    options.namespace ?? "operators",
    "-f",
    valuesFile(values),
  ]);
}

/** Renders and parses; fails with Helm's message when rendering fails or warns. */
export async function render(
  values: Values,
  options: { release?: string; namespace?: string } = {},
): Promise<Manifest[]> {
  const result = await template(values, options);
  if (result.code !== 0 || result.stderr.trim() !== "") {
    throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

/** The one object of a kind (and name), failing when there is not exactly one. */
export function only<T = Manifest>(manifests: Manifest[], kind: string, name?: string): T {
  const found = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  }
  return found[0] as T;
}

export function deploymentOf(manifests: Manifest[]): V1Deployment {
  return only<V1Deployment>(manifests, "Deployment");
}

export function operatorEnv(deployment: V1Deployment): V1EnvVar[] {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "operator");
  if (!container) throw new Error("the Deployment has no container named operator");
  return container.env ?? [];
}

/**
 * The environment the container would get, resolved the way the kubelet resolves it: fieldRef
 * metadata.namespace is the Pod's namespace, secretKeyRef is read from the cluster (or from
 * `secrets`), and a missing optional key is left out.
 */
export async function resolveEnv(
  env: V1EnvVar[],
  namespace: string,
  secrets: (name: string) => Promise<Record<string, string> | undefined> = readSecretData(
    namespace,
  ),
): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const variable of env) {
    if (variable.value !== undefined) {
      resolved[variable.name] = variable.value;
    } else if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") {
      resolved[variable.name] = namespace;
    } else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      const value = (await secrets(ref.name ?? ""))?.[ref.key];
      if (value !== undefined) resolved[variable.name] = value;
      else if (!ref.optional) throw new Error(`Secret ${ref.name} key ${ref.key} is missing`);
    } else {
      throw new Error(`cannot resolve the environment variable ${variable.name}`);
    }
  }
  return resolved;
}

function readSecretData(
  namespace: string,
): (name: string) => Promise<Record<string, string> | undefined> {
  return async (name) => {
    const core = adminKubeConfig().makeApiClient(CoreV1Api);
    try {
      const secret = await core.readNamespacedSecret({ namespace, name });
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
      );
    } catch {
      return undefined;
    }
  };
}

/** A Pod built from a Deployment's template, as the ReplicaSet controller would create it. */
export function podFromDeployment(deployment: V1Deployment, name: string): V1Pod {
  const template = deployment.spec?.template;
  if (!template?.spec) throw new Error("the Deployment has no pod template");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: deployment.metadata?.namespace,
      labels: template.metadata?.labels,
      annotations: template.metadata?.annotations,
    },
    spec: template.spec,
  };
}

/** One `kubectl auth can-i` question. */
export interface Access {
  verb: string;
  /** e.g. secrets, leases.coordination.k8s.io/NAME, dnsimplecertificates.dnsimple-cert-operator.dev */
  resource: string;
  /** A namespace, or "*" for all namespaces. */
  namespace: string;
  subresource?: string;
}

export function describeAccess(a: Access): string {
  return `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ""} in ${
    a.namespace === "*" ? "all namespaces" : a.namespace
  }`;
}

/** Asks the API server, impersonating the ServiceAccount, whether it may do `access`. */
export async function canI(serviceAccount: string, access: Access): Promise<boolean> {
  const result = await kubectl([
    "auth",
    "can-i",
    access.verb,
    access.resource,
    ...(access.subresource ? [`--subresource=${access.subresource}`] : []),
    ...(access.namespace === "*" ? ["--all-namespaces"] : ["--namespace", access.namespace]),
    `--as=${serviceAccount}`,
  ]);
  const answer = result.stdout.trim();
  if (answer !== "yes" && answer !== "no") {
    throw new Error(`kubectl auth can-i ${describeAccess(access)}: ${result.stderr}`);
  }
  return answer === "yes";
}

export interface RunningOperator {
  logs: string[];
  /** Where the operator serves /metrics (the port is chosen by the test's flags). */
  metricsPort: number;
  lostLeadership: () => boolean;
  stop: () => Promise<void>;
}

/**
 * Starts the operator in-process configured by `env` (a Deployment's resolved environment),
 * with `flags` on top (flags win over the environment, as in the container).
 */
export async function startOperatorFromEnv(
  env: Record<string, string>,
  flags: string[],
): Promise<RunningOperator> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const config = parseConfig(flags, env);
  let lost = false;
  const running = await runOperator(config, createLogger(config.logLevel, sink), {
    // In a test process: record it (the test fails on it) instead of exiting.
    onLostLeadership: () => {
      lost = true;
    },
  });
  return {
    logs,
    metricsPort: running.metricsPort,
    lostLeadership: () => lost,
    stop: running.stop,
  };
}

/** The admin kubeconfig path (for helm and kubectl). */
export function adminKubeconfigPath(): string {
  return inject("kubeconfig");
}

/**
 * `helm install` of the chart as release `name` (as the admin). The CRD is the test setup's,
 * not Helm's, so the chart leaves it. Returns helm's output (the NOTES); fails on an error.
 */
export async function helmInstall(
  name: string,
  namespace: string,
  values: Values,
): Promise<string> {
  const result = await helm([
    "install",
    name,
    CHART_DIR,
    "--namespace",
    namespace,
    "--kubeconfig",
    adminKubeconfigPath(),
    "-f",
    valuesFile({ ...values, crds: { enabled: false } }),
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** `helm uninstall` of release `name`; fails on an error. */
export async function helmUninstall(name: string, namespace: string): Promise<void> {
  const result = await helm([
    "uninstall",
    name,
    "--namespace",
    namespace,
    "--kubeconfig",
    adminKubeconfigPath(),
  ]);
  expect(result.code, result.stderr).toBe(0);
}
