// The operator against the shared control plane and a test's simulator, watching only the
// test file's namespace (test files run in parallel, each with its own operator): in-process
// (useOperator, startOperator), its JSON log lines kept so tests can assert on them (and grep
// them for secrets), or as a child process to kill (spawnOperator). And the DnsimpleCertificate
// calls tests make.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  type CoreV1Event,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";
import { CLUSTER_ISSUER_KIND, CLUSTER_ISSUER_PLURAL } from "../../../src/api/issuers.ts";
import {
  type DnsimpleCertificate,
  type DnsimpleCertificateSpec,
  GROUP,
  PLURAL,
  SECRET_ANNOTATIONS,
  VERSION,
} from "../../../src/api/v1alpha1.ts";
import { parseConfig } from "../../../src/config.ts";
import { type RunningOperatorProcess, runOperator } from "../../../src/main.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { Simulator } from "../../../src/simulator/simulator.ts";
import { core, objects, waitFor } from "./kube.ts";
import { type SimulatorEnv, type SimulatorSetup, useSimulator } from "./simulator.ts";

export interface RunningOperator extends RunningOperatorProcess {
  logs: string[];
}

/**
 * The ClusterDnsimpleIssuer a test file's operator uses for resources that name neither issuer
 * nor credentials (--default-cluster-issuer): the operator's own token, serving only that
 * file's namespace, no budget to speak of, no renewal floor, adoption allowed. Tests of the
 * policy itself make issuers of their own.
 */
export function testIssuerName(namespace: string): string {
  return `test-${namespace}`;
}

/** The spec of the test file's ClusterDnsimpleIssuer for `namespaces`; see testIssuerName. */
export function testIssuerSpec(namespaces: readonly string[]): Record<string, unknown> {
  const selector = {
    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }],
  };
  return {
    policy: {
      namespaceSelector: selector,
      allowWildcards: true,
      adoption: { namespaceSelector: selector },
      budget: { ordersPerNamespacePerDay: 100_000, renewalFloor: "0s" },
    },
  };
}

/** Creates (or replaces) the test file's ClusterDnsimpleIssuer; see testIssuerName. */
export async function ensureTestIssuer(namespaces: string | readonly string[]): Promise<string> {
  const list = typeof namespaces === "string" ? [namespaces] : namespaces;
  const name = testIssuerName(list[0] ?? "none");
  await applyClusterIssuer(name, testIssuerSpec(list));
  return name;
}

/**
 * Creates or replaces a ClusterDnsimpleIssuer with this spec (server-side apply), on the shared
 * control plane unless `api` is another one's.
 */
export async function applyClusterIssuer(
  name: string,
  spec: Record<string, unknown>,
  api: CustomObjectsApi = objects(),
): Promise<void> {
  await api.patchClusterCustomObject(
    {
      group: GROUP,
      version: VERSION,
      plural: CLUSTER_ISSUER_PLURAL,
      name,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: CLUSTER_ISSUER_KIND,
        metadata: { name },
        spec,
      },
      fieldManager: "integration-tests",
      force: true,
    },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
}

/**
 * Starts the operator in-process, watching `namespace` (or a list of them). `flags` override
 * the defaults below (later flags win); pass `--kubeconfig=...` to run it as someone else (e.g.
 * a ServiceAccount, to test RBAC).
 */
export async function startOperator(
  namespace: string | readonly string[],
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
  const issuer = await ensureTestIssuer(namespace);
  const config = parseConfig(
    [
      `--kubeconfig=${inject("kubeconfig")}`,
      `--dnsimple-base-url=${simulator.url}`,
      `--watch-namespace=${typeof namespace === "string" ? namespace : namespace.join(",")}`,
      `--default-cluster-issuer=${issuer}`,
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

export interface OperatorSetup {
  /** The namespace it watches: a test file's useNamespace, or one the file makes itself. */
  namespace: { readonly name: string };
  /** The test file's simulator (see useSimulator). */
  simulator: SimulatorSetup;
  /**
   * The data of a credentials Secret (keys token, accountId) made before the operator starts;
   * resources name it with `credentialsRef`. Without one, pass `--dnsimple-token` in `flags`.
   */
  credentials?: Record<string, string>;
  /** startOperator's flags; a function when they are known only once earlier hooks ran. */
  flags?: string[] | (() => string[]);
  /** false: the tests start the operator (startOperator); by default it starts before them. */
  start?: boolean;
}

export interface OperatorEnv extends SimulatorEnv {
  /** The running operator: read it inside hooks and tests. */
  readonly operator: RunningOperator;
  /** Names the credentials Secret (a plain value: it may be read at once). */
  readonly credentialsRef: { readonly name: string };
  /** Starts the operator with the set-up's flags (after stopOperator, a fresh one). */
  startOperator: () => Promise<RunningOperator>;
  /** Stops the running operator, if one is running. */
  stopOperator: () => Promise<void>;
}

/**
 * A test file's operator in-process, with its simulator and credentials: started before the
 * file's tests (after the hooks registered before this call: register the namespace first),
 * stopped after them.
 */
export function useOperator(setup: OperatorSetup): OperatorEnv {
  const dnsimple = useSimulator(setup.simulator);
  const credentialsRef = { name: "dnsimple" };
  let running: RunningOperator | undefined;
  const env: OperatorEnv = {
    get simulator() {
      return dnsimple.simulator;
    },
    get operator() {
      if (!running) throw new Error("the operator is not running");
      return running;
    },
    credentialsRef,
    async startOperator() {
      if (running) throw new Error("the operator is running already: stopOperator() first");
      const flags = typeof setup.flags === "function" ? setup.flags() : (setup.flags ?? []);
      running = await startOperator(setup.namespace.name, dnsimple.simulator, flags);
      return running;
    },
    async stopOperator() {
      const stopping = running;
      running = undefined;
      await stopping?.stop();
    },
  };
  beforeAll(async () => {
    await ensureTestIssuer(setup.namespace.name);
    if (setup.credentials) {
      await createCredentials(setup.namespace.name, credentialsRef.name, setup.credentials);
    }
    if (setup.start ?? true) await env.startOperator();
  });
  afterAll(async () => {
    await env.stopOperator();
  });
  return env;
}

/**
 * Starts the operator as a child process, to kill it (its output is ignored). Unlike
 * startOperator, no flag is set beyond the cluster, the simulator, the namespace and its
 * default issuer (made by ensureTestIssuer, which the caller awaits first).
 */
export function spawnOperator(
  namespace: string,
  simulator: Simulator,
  flags: string[],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      join(import.meta.dirname, "..", "..", "..", "src", "main.ts"),
      `--kubeconfig=${inject("kubeconfig")}`,
      `--dnsimple-base-url=${simulator.url}`,
      `--watch-namespace=${namespace}`,
      `--default-cluster-issuer=${testIssuerName(namespace)}`,
      ...flags,
    ],
    { stdio: "ignore" },
  );
}

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

/** Where a DnsimpleCertificate is, for the CustomObjectsApi (see objects()). */
export function certificateRef(
  namespace: string,
  name: string,
): { group: string; version: string; plural: string; namespace: string; name: string } {
  return { group: GROUP, version: VERSION, plural: PLURAL, namespace, name };
}

function certificateObject(
  metadata: { name: string; namespace?: string; labels?: Record<string, string> },
  spec: Record<string, unknown>,
) {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: "DnsimpleCertificate", metadata, spec };
}

/**
 * A DnsimpleCertificate as JSON for `kubectl apply -f -`; its spec is not checked, so tests
 * can send what the API server must refuse.
 */
export function certificateManifest(
  metadata: { name: string; namespace: string; labels?: Record<string, string> },
  spec: Record<string, unknown>,
): string {
  return JSON.stringify(certificateObject(metadata, spec));
}

export async function createCertificate(
  namespace: string,
  name: string,
  spec: Partial<DnsimpleCertificateSpec> & { domain: string; secretName: string },
): Promise<void> {
  await objects().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    body: certificateObject({ name }, spec),
  });
}

/**
 * Creates `name` under example.com (unless `spec` says otherwise) into the Secret
 * `<name>-tls`, and waits for Ready=True: the usual first step of a test.
 */
export async function createReady(
  namespace: string,
  name: string,
  spec: Partial<DnsimpleCertificateSpec> = {},
): Promise<DnsimpleCertificate> {
  await createCertificate(namespace, name, {
    domain: "example.com",
    name,
    secretName: `${name}-tls`,
    ...spec,
  });
  return waitForReady(namespace, name, "True");
}

/**
 * Creates one resource a name, one after the other: `name` under `domain`, into the Secret
 * `<name>-tls`, on the operator's default credentials.
 */
export async function createCertificates(
  namespace: string,
  names: readonly string[],
  domain = "example.com",
): Promise<void> {
  for (const name of names) {
    await createCertificate(namespace, name, { domain, name, secretName: `${name}-tls` });
  }
}

export async function getCertificate(
  namespace: string,
  name: string,
): Promise<DnsimpleCertificate> {
  return (await objects().getNamespacedCustomObject(
    certificateRef(namespace, name),
  )) as DnsimpleCertificate;
}

/** Replaces the resource's annotations with `annotations`. */
export async function setAnnotations(
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Promise<void> {
  await objects().patchNamespacedCustomObject({
    ...certificateRef(namespace, name),
    body: [{ op: "add", path: "/metadata/annotations", value: annotations }],
  });
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

/** Waits until the resource has a Warning Event with `reason`. */
export async function waitForWarning(
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    `a Warning ${reason} Event for ${namespace}/${name}`,
    async () =>
      (await eventsFor(namespace, name)).some((e) => e.type === "Warning" && e.reason === reason)
        ? true
        : undefined,
    timeoutMs,
  );
}

/** Whether the operator logged `action` for namespace/name, in its log lines from `since` on. */
export function loggedAction(
  operator: RunningOperator,
  namespace: string,
  name: string,
  action: string,
  since = 0,
): boolean {
  return operator.logs
    .slice(since)
    .some(
      (l) => l.includes(`"resource":"${namespace}/${name}"`) && l.includes(`"action":"${action}"`),
    );
}

export async function eventsFor(namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await core().listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

/** The certificate id a Secret's annotation says it holds (NaN for none). */
export function heldCertificateId(secret: V1Secret | undefined): number {
  return Number(secret?.metadata?.annotations?.[SECRET_ANNOTATIONS.certificateId]);
}

export function decoded(secret: V1Secret | undefined, key: string): string {
  const value = secret?.data?.[key];
  return value ? Buffer.from(value, "base64").toString("utf8") : "";
}
