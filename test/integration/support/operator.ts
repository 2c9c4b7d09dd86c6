// The operator in-process against the shared control plane and a test's simulator, watching
// only the test file's namespace (test files run in parallel, each with its own operator).
// Its JSON log lines are kept so tests can assert on them (and grep them for secrets).
import { Writable } from "node:stream";
import {
  CoreV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  type V1Secret,
} from "@kubernetes/client-node";
import { inject } from "vitest";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateSpec,
  GROUP,
  PLURAL,
  VERSION,
} from "../../../src/api/v1alpha1.ts";
import { parseConfig } from "../../../src/config.ts";
import { type RunningOperatorProcess, runOperator } from "../../../src/main.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import { adminKubeConfig, waitFor } from "./kube.ts";

export interface RunningOperator extends RunningOperatorProcess {
  logs: string[];
}

/**
 * Starts the operator in-process. `flags` override the defaults below (later flags win);
 * pass `--kubeconfig=...` to run it as someone else (e.g. a ServiceAccount, to test RBAC).
 */
export async function startOperator(
  namespace: string,
  simulator: Simulator,
  flags: string[] = [],
): Promise<RunningOperator> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const config = parseConfig(
    [
      `--kubeconfig=${inject("kubeconfig")}`,
      `--dnsimple-base-url=${simulator.url}`,
      `--watch-namespace=${namespace}`,
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      "--poll-interval=200ms",
      "--log-level=debug",
      ...flags,
    ],
    {},
  );
  const running = await runOperator(config, createLogger(config.logLevel, sink));
  return { ...running, logs };
}

const api = () => adminKubeConfig().makeApiClient(CustomObjectsApi);
const core = () => adminKubeConfig().makeApiClient(CoreV1Api);

export async function createCredentials(
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await core().createNamespacedSecret({
    namespace,
    body: { metadata: { name }, stringData: data },
  });
}

export async function createCertificate(
  namespace: string,
  name: string,
  spec: Partial<DnsimpleCertificateSpec> & { domain: string; secretName: string },
): Promise<void> {
  await api().createNamespacedCustomObject({
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
  });
}

export async function getCertificate(
  namespace: string,
  name: string,
): Promise<DnsimpleCertificate> {
  return (await api().getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    name,
  })) as DnsimpleCertificate;
}

export async function getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await core().readNamespacedSecret({ namespace, name });
  } catch {
    return undefined;
  }
}

/** Waits until the Ready condition has `status` (and `reason`, when given). */
export async function waitForReady(
  namespace: string,
  name: string,
  status: "True" | "False",
  reason?: string,
  timeoutMs = 60_000,
): Promise<DnsimpleCertificate> {
  return waitFor(
    `${namespace}/${name} Ready=${status}${reason ? ` (${reason})` : ""}`,
    async () => {
      const resource = await getCertificate(namespace, name);
      const ready = resource.status?.conditions?.find((c) => c.type === "Ready");
      return ready?.status === status && (!reason || ready.reason === reason)
        ? resource
        : undefined;
    },
    timeoutMs,
  );
}

export async function eventsFor(namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await core().listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

export function decoded(secret: V1Secret | undefined, key: string): string {
  const value = secret?.data?.[key];
  return value ? Buffer.from(value, "base64").toString("utf8") : "";
}
