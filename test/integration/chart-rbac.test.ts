// The chart's RBAC, installed for real with `helm install`: what its ServiceAccount may and may
// not do (kubectl auth can-i), cluster-wide and for one namespace, and the operator itself
// running under exactly that RBAC (the ServiceAccount's own token, the Deployment's
// environment) until a DnsimpleCertificate is Ready with its Secret and Events.
import { randomBytes } from "node:crypto";
import { CoordinationV1Api, RbacAuthorizationV1Api, type V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helm } from "../../helm/render.ts";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import {
  type Access,
  adminKubeconfigPath,
  canI,
  deploymentOf,
  describeAccess,
  helmInstall,
  helmUninstall,
  type Manifest,
  only,
  operatorEnv,
  parseManifests,
  type RunningOperator,
  resolveEnv,
  startOperatorFromEnv,
  type Values,
} from "./support/chart.ts";
import { adminKubeConfig, tokenKubeconfig, useNamespace, waitFor } from "./support/kube.ts";
import {
  createCertificate,
  createCredentials,
  decoded,
  eventsFor,
  getSecret,
  waitForReady,
} from "./support/operator.ts";

const clusterWideNs = useNamespace("chart-cluster");
const releaseNs = useNamespace("chart-release");
const watchedNs = useNamespace("chart-watched");
/** A namespace the operator has nothing to do with (need not exist for can-i). */
const OTHER_NS = "chart-unrelated";
const TOKEN = "chart-rbac-token-41aa";

interface Release {
  name: string;
  namespace: string;
  /** The chart's fullname: names the ServiceAccount, the (Cluster)Role and the Lease. */
  fullname: string;
  serviceAccount: string;
  manifests: Manifest[];
  notes: string;
  uninstalled: boolean;
}

const releases: Release[] = [];

async function install(namespace: string, values: Values): Promise<Release> {
  const name = `rbac-${randomBytes(3).toString("hex")}`;
  const output = await helmInstall(name, namespace, values);
  const kubeconfig = ["--kubeconfig", adminKubeconfigPath()];
  const manifest = await helm(["get", "manifest", name, "--namespace", namespace, ...kubeconfig]);
  expect(manifest.code, manifest.stderr).toBe(0);
  const fullname = `${name}-dnsimple-cert-operator`;
  const release: Release = {
    name,
    namespace,
    fullname,
    serviceAccount: `system:serviceaccount:${namespace}:${fullname}`,
    manifests: parseManifests(manifest.stdout),
    notes: output.slice(output.indexOf("NOTES:")),
    uninstalled: false,
  };
  releases.push(release);
  return release;
}

async function uninstall(release: Release): Promise<void> {
  if (release.uninstalled) return;
  await helmUninstall(release.name, release.namespace);
  release.uninstalled = true;
}

/** Asks every question at once; fails listing each answer that differs from `expected`. */
async function expectAccess(
  serviceAccount: string,
  questions: Access[],
  expected: boolean,
): Promise<void> {
  const answers = await Promise.all(questions.map((q) => canI(serviceAccount, q)));
  const wrong = questions.filter((_, i) => answers[i] !== expected).map(describeAccess);
  expect(wrong.join("; "), `${expected ? "denied" : "allowed"} to ${serviceAccount}`).toBe("");
}

const CERTS = "dnsimplecertificates.dnsimple-cert-operator.dev";
const LEASES = "leases.coordination.k8s.io";

/** Everything the operator does where it watches resources. */
function neededIn(namespace: string): Access[] {
  return [
    ...["list", "watch"].map((verb) => ({ verb, resource: CERTS, namespace })),
    { verb: "update", resource: CERTS, subresource: "status", namespace },
    ...["get", "list", "watch", "create", "patch"].map((verb) => ({
      verb,
      resource: "secrets",
      namespace,
    })),
    { verb: "create", resource: "events", namespace },
    { verb: "patch", resource: "events", namespace },
  ];
}

/** Leader election: its own Lease in its own namespace. */
function leaseNeeded(namespace: string, lease: string): Access[] {
  return [
    { verb: "create", resource: LEASES, namespace },
    { verb: "get", resource: `${LEASES}/${lease}`, namespace },
    { verb: "update", resource: `${LEASES}/${lease}`, namespace },
  ];
}

/** What the operator never does, wherever it watches. */
function neverIn(namespace: string): Access[] {
  return [
    { verb: "delete", resource: "secrets", namespace },
    { verb: "update", resource: "secrets", namespace },
    { verb: "deletecollection", resource: "secrets", namespace },
    // It lists and watches; it never reads one resource alone.
    { verb: "get", resource: CERTS, namespace },
    { verb: "create", resource: CERTS, namespace },
    { verb: "update", resource: CERTS, namespace },
    { verb: "patch", resource: CERTS, namespace },
    { verb: "delete", resource: CERTS, namespace },
    { verb: "patch", resource: CERTS, subresource: "status", namespace },
    { verb: "get", resource: "pods", namespace },
    { verb: "list", resource: "pods", namespace },
    { verb: "create", resource: "pods", namespace },
    { verb: "get", resource: "configmaps", namespace },
    { verb: "list", resource: "configmaps", namespace },
    { verb: "delete", resource: "events", namespace },
    { verb: "update", resource: "events", namespace },
    { verb: "create", resource: "serviceaccounts", subresource: "token", namespace },
    { verb: "create", resource: LEASES, namespace: OTHER_NS },
    { verb: "get", resource: LEASES, namespace: OTHER_NS },
  ];
}

/** Beyond any namespace: cluster-wide Leases, anything cluster-scoped, everything. */
function neverAnywhere(releaseNamespace: string, lease: string): Access[] {
  return [
    { verb: "list", resource: LEASES, namespace: "*" },
    { verb: "watch", resource: LEASES, namespace: "*" },
    { verb: "create", resource: LEASES, namespace: "*" },
    { verb: "list", resource: LEASES, namespace: releaseNamespace },
    { verb: "get", resource: `${LEASES}/someone-elses`, namespace: releaseNamespace },
    { verb: "update", resource: `${LEASES}/someone-elses`, namespace: releaseNamespace },
    { verb: "delete", resource: `${LEASES}/${lease}`, namespace: releaseNamespace },
    { verb: "patch", resource: `${LEASES}/${lease}`, namespace: releaseNamespace },
    { verb: "get", resource: "customresourcedefinitions.apiextensions.k8s.io", namespace: "*" },
    { verb: "create", resource: "clusterroles.rbac.authorization.k8s.io", namespace: "*" },
    { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: "*" },
    { verb: "list", resource: "namespaces", namespace: "*" },
    { verb: "*", resource: "*", namespace: "*" },
  ];
}

let simulator: Simulator | undefined;
let operator: RunningOperator | undefined;

afterAll(async () => {
  await operator?.stop();
  await simulator?.close();
  // Cluster-scoped objects outlive the test namespaces: uninstall every release.
  for (const release of releases) await uninstall(release);
});

describe("chart RBAC, cluster-wide (default)", () => {
  let release: Release;
  beforeAll(async () => {
    release = await install(clusterWideNs.name, {});
  });

  it("installs a ServiceAccount, a ClusterRole and binding, and the Lease Role", () => {
    expect(release.manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        `ClusterRole/${release.fullname}`,
        `ClusterRoleBinding/${release.fullname}`,
        `Deployment/${release.fullname}`,
        `Role/${release.fullname}-leader-election`,
        `RoleBinding/${release.fullname}-leader-election`,
        `Service/${release.fullname}-metrics`,
        `ServiceAccount/${release.fullname}`,
      ].sort(),
    );
    expect(release.notes).toContain("kubectl get dnscert");
  });

  it("allows every call the operator makes, in every namespace", async () => {
    await expectAccess(
      release.serviceAccount,
      [
        ...neededIn(OTHER_NS),
        ...neededIn(release.namespace),
        { verb: "list", resource: CERTS, namespace: "*" },
        { verb: "watch", resource: CERTS, namespace: "*" },
        { verb: "list", resource: "secrets", namespace: "*" },
        { verb: "watch", resource: "secrets", namespace: "*" },
        ...leaseNeeded(release.namespace, release.fullname),
      ],
      true,
    );
  });

  it("denies everything else", async () => {
    await expectAccess(
      release.serviceAccount,
      [...neverIn(OTHER_NS), ...neverAnywhere(release.namespace, release.fullname)],
      false,
    );
  });

  it("is removed by helm uninstall, ClusterRole and binding included", async () => {
    await uninstall(release);
    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await expect(rbac.readClusterRole({ name: release.fullname })).rejects.toThrow();
    await expect(rbac.readClusterRoleBinding({ name: release.fullname })).rejects.toThrow();
    expect(await canI(release.serviceAccount, neededIn(OTHER_NS)[0] as Access)).toBe(false);
  });
});

describe("chart RBAC, one namespace (watchNamespace)", () => {
  let release: Release;
  beforeAll(async () => {
    release = await install(releaseNs.name, {
      watchNamespace: watchedNs.name,
      dnsimple: { token: TOKEN, accountId: "4242" },
      pollInterval: "200ms",
      logLevel: "debug",
    });
  });

  it("installs a Role and binding in the watched namespace, no cluster-wide grant", () => {
    const kinds = release.manifests.map((m) => `${m.kind}/${m.metadata.namespace}`);
    expect(kinds).not.toContain("ClusterRole/undefined");
    expect(kinds).not.toContain("ClusterRoleBinding/undefined");
    expect(only(release.manifests, "Role", release.fullname).metadata.namespace).toBe(
      watchedNs.name,
    );
    expect(
      only(release.manifests, "Role", `${release.fullname}-leader-election`).metadata.namespace,
    ).toBe(releaseNs.name);
    expect(release.notes).toContain(`kubectl get dnscert --namespace ${watchedNs.name}`);
    expect(release.notes).not.toContain(TOKEN);
  });

  it("allows every call the operator makes in the watched namespace, its Lease at home", async () => {
    await expectAccess(
      release.serviceAccount,
      [...neededIn(watchedNs.name), ...leaseNeeded(releaseNs.name, release.fullname)],
      true,
    );
  });

  it("denies everything else: other namespaces, its own namespace's Secrets, all namespaces", async () => {
    await expectAccess(
      release.serviceAccount,
      [
        ...neverIn(watchedNs.name),
        ...neededIn(OTHER_NS),
        // Its default credentials reach it through the kubelet, not the API.
        { verb: "get", resource: "secrets", namespace: releaseNs.name },
        { verb: "list", resource: CERTS, namespace: "*" },
        { verb: "list", resource: "secrets", namespace: "*" },
        { verb: "watch", resource: "secrets", namespace: "*" },
        { verb: "create", resource: LEASES, namespace: watchedNs.name },
        ...neverAnywhere(releaseNs.name, release.fullname),
      ],
      false,
    );
  });

  it("runs the operator under exactly this RBAC: a certificate becomes Ready", async () => {
    simulator = await startSimulator({
      token: TOKEN,
      accountId: 4242,
      domains: ["example.com"],
      issueDelayMs: 300,
      log: () => {},
    });
    // The container's environment as the kubelet would give it (the Secret the chart made).
    const env = await resolveEnv(operatorEnv(deploymentOf(release.manifests)), releaseNs.name);
    expect(env).toMatchObject({
      POD_NAMESPACE: releaseNs.name,
      WATCH_NAMESPACE: watchedNs.name,
      LEADER_ELECT: "true",
      LEADER_ELECTION_ID: release.fullname,
      DNSIMPLE_TOKEN: TOKEN,
      DNSIMPLE_ACCOUNT_ID: "4242",
    });
    operator = await startOperatorFromEnv(env, [
      // The ServiceAccount's own token: nothing but what the chart's RBAC grants.
      `--kubeconfig=${await tokenKubeconfig(releaseNs.name, release.fullname)}`,
      // What differs from a cluster: the simulator instead of DNSimple, no fixed ports.
      `--dnsimple-base-url=${simulator.url}`,
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
    ]);

    // One certificate on the default credentials, one on a Secret of its namespace.
    await createCertificate(watchedNs.name, "default-creds", {
      domain: "example.com",
      secretName: "default-creds-tls",
    });
    await createCredentials(watchedNs.name, "dnsimple", { token: TOKEN });
    await createCertificate(watchedNs.name, "own-creds", {
      domain: "example.com",
      name: "shop",
      secretName: "own-creds-tls",
      credentialsRef: { name: "dnsimple" },
    });
    for (const [name, secretName] of [
      ["default-creds", "default-creds-tls"],
      ["own-creds", "own-creds-tls"],
    ] as const) {
      const resource = await waitForReady(watchedNs.name, name, "True");
      expect(resource.status?.state).toBe("issued");
      const secret: V1Secret | undefined = await getSecret(watchedNs.name, secretName);
      expect(secret?.type).toBe("kubernetes.io/tls");
      expect(decoded(secret, "tls.crt")).toContain("BEGIN CERTIFICATE");
      expect(decoded(secret, "tls.key")).toContain("PRIVATE KEY");
      const reasons = await waitFor(`Events of ${name}`, async () => {
        const seen = (await eventsFor(watchedNs.name, name)).map((e) => e.reason);
        return seen.includes("SecretWritten") ? seen : undefined;
      });
      expect(reasons).toEqual(
        expect.arrayContaining(["Ordered", "IssueRequested", "Issued", "SecretWritten"]),
      );
    }
    expect(simulator.purchases()).toHaveLength(2);

    // It led through the Lease the chart allows, in the release namespace.
    const lease = await adminKubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: releaseNs.name, name: release.fullname });
    expect(lease.spec?.holderIdentity).toBeTruthy();
    expect(operator.lostLeadership()).toBe(false);

    // /metrics answers where the chart's Service and ServiceMonitor look for it.
    const metrics = await fetch(`http://127.0.0.1:${operator.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);

    // Nothing was refused along the way.
    expect(operator.logs.filter((line) => /HTTP 403|forbidden/i.test(line))).toEqual([]);
  });
});
