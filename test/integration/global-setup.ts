// One real control plane per test run (etcd + kube-apiserver + kube-controller-manager),
// shared by every integration test file; each file works in a fresh namespace of its own.
// USE_EXISTING_CLUSTER=true uses $KUBECONFIG instead (the envtest convention), which
// saves the start-up when iterating on a test. Either way it installs the project's CRDs and the
// Gateway API's standard channel (pinned in src/localcluster/tools/gateway-api), so tests can
// create Gateways and HTTPRoutes as a cluster with a Gateway controller has them.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { binary } from "../../src/localcluster/binaries.ts";
import { startControlPlane, stopControlPlane } from "../../src/localcluster/controlplane.ts";
import { applyGatewayApiCrds } from "../../src/localcluster/gateway-api.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    kubectl: string;
  }
}

/** Applies crds/ (server-side) and waits until every CRD is Established. */
async function installOwnCrds(kubectl: string, kubeconfig: string): Promise<void> {
  const crds = join(import.meta.dirname, "..", "..", "crds");
  const run = promisify(execFile);
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(kubectl, ["apply", "--server-side", "--force-conflicts", "-f", crds], { env });
  await run(kubectl, ["wait", "--for=condition=Established", "--timeout=60s", "-f", crds], { env });
}

/** The project's CRDs and the Gateway API's, side by side (neither waits for the other). */
async function installCrds(kubeconfig: string, log: (line: string) => void): Promise<void> {
  const kubectl = await binary("kubectl", log);
  await Promise.all([
    installOwnCrds(kubectl, kubeconfig),
    applyGatewayApiCrds(kubectl, kubeconfig, log),
  ]);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[control plane] ${line}\n`);
  project.provide("kubectl", await binary("kubectl", log));
  if (process.env.USE_EXISTING_CLUSTER === "true" && process.env.KUBECONFIG) {
    project.provide("kubeconfig", process.env.KUBECONFIG);
    await installCrds(process.env.KUBECONFIG, log);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), "dnsimple-cert-operator-test-"));
  const started = Date.now();
  const state = await startControlPlane(dir, log);
  log(`ready at ${state.server} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  project.provide("kubeconfig", state.kubeconfig);
  await installCrds(state.kubeconfig, log);
  return async () => {
    await stopControlPlane(dir);
  };
}
