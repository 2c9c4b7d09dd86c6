// kube-apiserver restarted mid-run: the operator's watches break, its informers restart with
// backoff, and it carries on: resources created after the restart become Ready, a Secret
// deleted after it is restored, and nothing is bought twice. On a control plane of its own
// (restarting the shared one would disturb the other test files).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND } from "../../src/api/issuers.ts";
import { GROUP, VERSION } from "../../src/api/v1alpha1.ts";
import {
  restartProcess,
  startControlPlane,
  stopControlPlane,
} from "../../src/localcluster/controlplane.ts";
import { kubectl, waitFor } from "./support/kube.ts";
import {
  certificateManifest,
  testIssuerName,
  testIssuerSpec,
  useOperator,
} from "./support/operator.ts";
import { purchasedNames } from "./support/simulator.ts";

const TOKEN = "restart-test-token-3c";
const NS = "restart";
const dir = join(mkdtempSync(join(tmpdir(), "apiserver-restart-")), "cluster");
let kubeconfig: string;

const k = (args: string[], input?: string) => kubectl(args, kubeconfig, input);

beforeAll(async () => {
  kubeconfig = (await startControlPlane(dir, () => {})).kubeconfig;
  const crds = join(import.meta.dirname, "..", "..", "crds");
  await k(["apply", "--server-side", "-f", crds]);
  await k(["wait", "--for=condition=Established", "--timeout=60s", "-f", crds]);
  await k(["create", "namespace", NS]);
  // This control plane's own copy of the ClusterDnsimpleIssuer the operator is started with.
  const issuer = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: CLUSTER_ISSUER_KIND,
    metadata: { name: testIssuerName(NS) },
    spec: testIssuerSpec([NS]),
  };
  await k(["apply", "-f", "-"], JSON.stringify(issuer));
}, 180_000);

afterAll(async () => {
  await stopControlPlane(dir);
});

// Registered after the control plane's hooks: started on it, and stopped before it.
const env = useOperator({
  namespace: { name: NS },
  simulator: { token: TOKEN, accountId: 21, domains: ["example.com"], issueDelayMs: 200 },
  flags: () => [
    `--kubeconfig=${kubeconfig}`,
    `--dnsimple-token=${TOKEN}`,
    "--dnsimple-account-id=21",
  ],
});

async function create(name: string): Promise<void> {
  const applied = await k(
    ["apply", "-f", "-"],
    certificateManifest(
      { name, namespace: NS },
      { domain: "example.com", name, secretName: `${name}-tls` },
    ),
  );
  expect(applied.stderr).toBe("");
}

async function ready(name: string): Promise<void> {
  const waited = await k([
    "wait",
    "--for=condition=Ready",
    "-n",
    NS,
    `dnscert/${name}`,
    "--timeout=90s",
  ]);
  expect(waited.code, waited.stderr).toBe(0);
}

describe("a kube-apiserver restart", () => {
  it("is lived through: new resources issued, drift repaired, nothing bought twice", async () => {
    for (const name of ["before1", "before2"]) await create(name);
    for (const name of ["before1", "before2"]) await ready(name);

    const logsBefore = env.operator.logs.length;
    await restartProcess(dir, "kube-apiserver");
    // The broken watches were noticed and restarted.
    await waitFor(
      "a watch restart",
      async () =>
        env.operator.logs.slice(logsBefore).some((l) => l.includes("watch failed; restarting"))
          ? true
          : undefined,
      60_000,
    );

    for (const name of ["after1", "after2"]) await create(name);
    for (const name of ["after1", "after2"]) await ready(name);
    const deleted = await k(["delete", "secret", "-n", NS, "before1-tls"]);
    expect(deleted.code).toBe(0);
    await waitFor(
      "before1-tls restored",
      async () => {
        const got = await k(["get", "secret", "-n", NS, "before1-tls", "-o", "jsonpath={.type}"]);
        return got.stdout === "kubernetes.io/tls" ? true : undefined;
      },
      60_000,
    );

    expect(purchasedNames(env.simulator)).toEqual(["after1", "after2", "before1", "before2"]);
  });
});
