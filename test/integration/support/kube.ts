// What integration tests need from the shared control plane: clients, a fresh namespace per
// test file, kubectl, and credentials of a ServiceAccount (to test RBAC as the operator sees it).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";

export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject("kubeconfig"));
  return kc;
}

/** The admin's CoreV1Api: namespaces, Secrets, Events, ServiceAccounts. */
export function core(): CoreV1Api {
  return adminKubeConfig().makeApiClient(CoreV1Api);
}

/** The admin's CustomObjectsApi: DnsimpleCertificates (see certificateRef) and other kinds. */
export function objects(): CustomObjectsApi {
  return adminKubeConfig().makeApiClient(CustomObjectsApi);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the control plane's kubectl; never throws on a non-zero exit (tests assert on it). */
export function kubectl(
  args: string[],
  kubeconfig = inject("kubeconfig"),
  input?: string,
): Promise<KubectlResult> {
  return runCommand(inject("kubectl"), args, { KUBECONFIG: kubeconfig }, input);
}

/** Runs a command to its end with `env` over the test's environment; its exit code and output. */
export function runCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** A fresh namespace for the calling test file, deleted after it. */
export function useNamespace(prefix = "test"): { readonly name: string } {
  const ns = { name: `${prefix}-${randomBytes(4).toString("hex")}` };
  beforeAll(async () => {
    await core().createNamespace({ body: { metadata: { name: ns.name } } });
  });
  afterAll(async () => {
    await core().deleteNamespace({ name: ns.name });
  });
  return ns;
}

/**
 * A kubeconfig that authenticates as an existing ServiceAccount with a real signed token
 * (TokenRequest), so a client sees exactly what RBAC grants it.
 */
export async function tokenKubeconfig(namespace: string, name: string): Promise<string> {
  const tokenRequest = await core().createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`no token issued for ${namespace}/${name}`);
  const cluster = adminKubeConfig().getCurrentCluster();
  if (!cluster) throw new Error("admin kubeconfig has no current cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  const path = join(mkdtempSync(join(tmpdir(), "sa-kubeconfig-")), "kubeconfig");
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}

/** Creates a ServiceAccount and returns a kubeconfig that acts as it (see tokenKubeconfig). */
export async function serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
  await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  return tokenKubeconfig(namespace, name);
}

/** A free TCP port, for a child process that must listen on a known port. */
export { freePort } from "../../../src/localcluster/processes.ts";

/** Polls until a condition holds (shared with the e2e suite). */
export { waitFor } from "../../support/wait-for.ts";
