// The chart's RBAC, installed for real with `helm install`: what its ServiceAccount may and may
// not do (kubectl auth can-i), cluster-wide and confined to a list of two namespaces, and the
// operator itself running under exactly that RBAC (the ServiceAccount's own token, the
// Deployment's environment) until DnsimpleCertificates in both namespaces are Ready with their
// Secrets and Events, through the chart's ClusterDnsimpleIssuer (the default issuer), a
// DnsimpleIssuer, a ClusterDnsimpleIssuer with a token Secret in the release namespace, and a
// credentialsRef; then, with both sources on, DnsimpleCertificates generated from an Ingress and
// a Gateway (created, put back, deleted) while neither source is ever written.
import { randomBytes } from "node:crypto";
import {
  CoordinationV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1Secret,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helm } from "../../helm/render.ts";
import { GATEWAY_GROUP, GATEWAY_PLURAL, GATEWAY_VERSION } from "../../src/api/gateway.ts";
import {
  CLUSTER_ISSUER_KIND,
  CLUSTER_ISSUER_PLURAL,
  type DnsimpleIssuer,
  ISSUER_KIND,
  ISSUER_PLURAL,
} from "../../src/api/issuers.ts";
import { GROUP, PLURAL, VERSION } from "../../src/api/v1alpha1.ts";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.ts";
import { GENERATED_BY_LABEL } from "../../src/sources/generated.ts";
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
import {
  adminKubeConfig,
  objects,
  tokenKubeconfig,
  useNamespace,
  waitFor,
} from "./support/kube.ts";
import {
  applyClusterIssuer,
  createCertificate,
  createCredentials,
  decoded,
  eventsFor,
  getCertificate,
  getSecret,
  waitForReady,
} from "./support/operator.ts";

const clusterWideNs = useNamespace("chart-cluster");
const releaseNs = useNamespace("chart-release");
const watchedNs = useNamespace("chart-watched");
const secondNs = useNamespace("chart-second");
/** A namespace the operator has nothing to do with (need not exist for can-i). */
const OTHER_NS = "chart-unrelated";
const TOKEN = "chart-rbac-token-41aa";
const suffix = randomBytes(3).toString("hex");
/** ClusterDnsimpleIssuers are cluster-scoped: each release's gets a name of its own. */
const issuerName = (release: string) => `chart-rbac-${release}`;
/** The namespace-confined release's, named before the install (it is the default issuer). */
const CONFINED_ISSUER = `chart-rbac-confined-${suffix}`;
/** One the test makes, with its token Secret in the release namespace. */
const SECRET_ISSUER = `chart-rbac-secret-${suffix}`;

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
  const clusterIssuer = { name: issuerName(name), ...(values.clusterIssuer as object) };
  const output = await helmInstall(name, namespace, { ...values, clusterIssuer });
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
const ISSUERS = "dnsimpleissuers.dnsimple-cert-operator.dev";
const CLUSTER_ISSUERS = "clusterdnsimpleissuers.dnsimple-cert-operator.dev";
const CLAIMS = "dnsimplecertificateclaims.dnsimple-cert-operator.dev";
const LEASES = "leases.coordination.k8s.io";
const INGRESSES = "ingresses.networking.k8s.io";
const GATEWAYS = "gateways.gateway.networking.k8s.io";
/** Cluster-scoped objects are asked about cluster-wide. */
const CLUSTER = "*";

/** The sources a release has on (ingressShim.enabled, gatewayAPI.enabled). */
interface Sources {
  ingresses: boolean;
  gateways: boolean;
}
/** The chart's defaults. */
const DEFAULT_SOURCES: Sources = { ingresses: true, gateways: false };
const READ = ["get", "list", "watch"];
/** Every write on a source: the operator reads Ingresses and Gateways, never changes one. */
const WRITES = ["create", "update", "patch", "delete", "deletecollection"];

/** What the sources on need where the operator watches: read them, write what they generate. */
function sourcesNeededIn(namespace: string, { ingresses, gateways }: Sources): Access[] {
  return [
    ...(ingresses || gateways
      ? ["create", "update", "delete"].map((verb) => ({ verb, resource: CERTS, namespace }))
      : []),
    ...(ingresses ? READ.map((verb) => ({ verb, resource: INGRESSES, namespace })) : []),
    ...(gateways ? READ.map((verb) => ({ verb, resource: GATEWAYS, namespace })) : []),
  ];
}

/** What it never does with sources, on or off: write one, or its status; read one that is off. */
function sourcesNeverIn(namespace: string, { ingresses, gateways }: Sources): Access[] {
  return [
    ...[INGRESSES, GATEWAYS].flatMap((resource) => [
      ...WRITES.map((verb) => ({ verb, resource, namespace })),
      ...["update", "patch"].map((verb) => ({ verb, resource, subresource: "status", namespace })),
    ]),
    ...(ingresses ? [] : READ.map((verb) => ({ verb, resource: INGRESSES, namespace }))),
    ...(gateways ? [] : READ.map((verb) => ({ verb, resource: GATEWAYS, namespace }))),
    ...(ingresses || gateways
      ? []
      : ["create", "update", "delete"].map((verb) => ({ verb, resource: CERTS, namespace }))),
  ];
}

/** Everything the operator does where it watches resources. */
function neededIn(namespace: string, sources: Sources = DEFAULT_SOURCES): Access[] {
  return [
    ...sourcesNeededIn(namespace, sources),
    ...["list", "watch"].map((verb) => ({ verb, resource: CERTS, namespace })),
    { verb: "update", resource: CERTS, subresource: "status", namespace },
    ...["list", "watch"].map((verb) => ({ verb, resource: ISSUERS, namespace })),
    { verb: "update", resource: ISSUERS, subresource: "status", namespace },
    ...["get", "list", "watch", "create", "patch"].map((verb) => ({
      verb,
      resource: "secrets",
      namespace,
    })),
    { verb: "create", resource: "events", namespace },
    { verb: "patch", resource: "events", namespace },
  ];
}

/** The cluster-scoped objects: ClusterDnsimpleIssuers, ownership claims, namespaces. */
const CLUSTER_NEEDED: Access[] = [
  ...["list", "watch"].map((verb) => ({ verb, resource: CLUSTER_ISSUERS, namespace: CLUSTER })),
  { verb: "update", resource: CLUSTER_ISSUERS, subresource: "status", namespace: CLUSTER },
  ...["create", "get", "list", "watch"].map((verb) => ({
    verb,
    resource: CLAIMS,
    namespace: CLUSTER,
  })),
  ...["list", "watch"].map((verb) => ({ verb, resource: "namespaces", namespace: CLUSTER })),
];

/** What it never does with them: claims are created once and never changed or deleted. */
const CLUSTER_NEVER: Access[] = [
  ...["update", "patch", "delete", "deletecollection"].map((verb) => ({
    verb,
    resource: CLAIMS,
    namespace: CLUSTER,
  })),
  ...["get", "create", "update", "patch", "delete"].map((verb) => ({
    verb,
    resource: CLUSTER_ISSUERS,
    namespace: CLUSTER,
  })),
  { verb: "patch", resource: CLUSTER_ISSUERS, subresource: "status", namespace: CLUSTER },
  ...["get", "create", "update", "patch", "delete"].map((verb) => ({
    verb,
    resource: "namespaces",
    namespace: CLUSTER,
  })),
];

/** Leader election: its own Lease in its own namespace. */
function leaseNeeded(namespace: string, lease: string): Access[] {
  return [
    { verb: "create", resource: LEASES, namespace },
    { verb: "get", resource: `${LEASES}/${lease}`, namespace },
    { verb: "update", resource: `${LEASES}/${lease}`, namespace },
  ];
}

/** What the operator never does, wherever it watches. */
function neverIn(namespace: string, sources: Sources = DEFAULT_SOURCES): Access[] {
  return [
    { verb: "delete", resource: "secrets", namespace },
    { verb: "update", resource: "secrets", namespace },
    { verb: "deletecollection", resource: "secrets", namespace },
    // It lists and watches; it never reads one resource alone. It creates, replaces and
    // deletes generated ones (with a source on), one at a time, never by patch.
    { verb: "get", resource: CERTS, namespace },
    { verb: "patch", resource: CERTS, namespace },
    { verb: "deletecollection", resource: CERTS, namespace },
    { verb: "patch", resource: CERTS, subresource: "status", namespace },
    ...sourcesNeverIn(namespace, sources),
    ...["get", "create", "update", "patch", "delete"].map((verb) => ({
      verb,
      resource: ISSUERS,
      namespace,
    })),
    { verb: "patch", resource: ISSUERS, subresource: "status", namespace },
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
    ...CLUSTER_NEVER,
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
  await objects()
    .deleteClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: CLUSTER_ISSUER_PLURAL,
      name: SECRET_ISSUER,
    })
    .catch(() => {});
});

describe("chart RBAC, cluster-wide (default)", () => {
  let release: Release;
  beforeAll(async () => {
    release = await install(clusterWideNs.name, {});
  });

  it("installs a ServiceAccount, a ClusterRole and binding, the Lease Role, and the ClusterDnsimpleIssuer", () => {
    expect(release.manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        `ClusterDnsimpleIssuer/${issuerName(release.name)}`,
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
        { verb: "list", resource: ISSUERS, namespace: "*" },
        // The Ingress shim (on by default): Ingresses read in every namespace.
        { verb: "list", resource: INGRESSES, namespace: "*" },
        { verb: "watch", resource: INGRESSES, namespace: "*" },
        ...CLUSTER_NEEDED,
        ...leaseNeeded(release.namespace, release.fullname),
      ],
      true,
    );
  });

  it("denies everything else: any write on an Ingress, Gateways at all (off by default)", async () => {
    await expectAccess(
      release.serviceAccount,
      [
        ...neverIn(OTHER_NS),
        ...neverIn(release.namespace),
        ...WRITES.map((verb) => ({ verb, resource: INGRESSES, namespace: "*" })),
        ...READ.map((verb) => ({ verb, resource: GATEWAYS, namespace: "*" })),
        ...neverAnywhere(release.namespace, release.fullname),
      ],
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

describe("chart RBAC, a list of namespaces (watchNamespaces), Ingresses and Gateways", () => {
  let release: Release;
  const watched = () => [watchedNs.name, secondNs.name];
  /** Both sources on: the Ingress shim by default, Gateways asked for. */
  const both: Sources = { ingresses: true, gateways: true };
  beforeAll(async () => {
    release = await install(releaseNs.name, {
      watchNamespaces: watched(),
      gatewayAPI: { enabled: true },
      dnsimple: { token: TOKEN, accountId: "4242" },
      // The chart's ClusterDnsimpleIssuer serves the two namespaces and is the default.
      clusterIssuer: {
        name: CONFINED_ISSUER,
        policy: {
          namespaceSelector: {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "In", values: watched() },
            ],
          },
        },
      },
      defaultClusterIssuer: CONFINED_ISSUER,
      pollInterval: "200ms",
      logLevel: "debug",
    });
  });

  it("installs a Role and binding in each watched namespace, the cluster-scoped rest in a ClusterRole, Secrets get at home", () => {
    const where = (kind: string, name: string) =>
      release.manifests
        .filter((m) => m.kind === kind && m.metadata.name === name)
        .map((m) => m.metadata.namespace)
        .sort();
    expect(where("Role", release.fullname)).toEqual([...watched()].sort());
    expect(where("RoleBinding", release.fullname)).toEqual([...watched()].sort());
    expect(where("ClusterRole", release.fullname)).toEqual([undefined]);
    expect(where("ClusterRoleBinding", release.fullname)).toEqual([undefined]);
    expect(where("Role", `${release.fullname}-cluster-issuer-secrets`)).toEqual([releaseNs.name]);
    expect(where("Role", `${release.fullname}-leader-election`)).toEqual([releaseNs.name]);
    expect(only(release.manifests, "ClusterDnsimpleIssuer").metadata.name).toBe(CONFINED_ISSUER);
    expect(release.notes).toContain(`watching the namespaces ${watched().join(", ")} only`);
    expect(release.notes).not.toContain(TOKEN);
  });

  it("allows every call the operator makes in the watched namespaces, the cluster-scoped ones, its Lease and issuer Secrets at home", async () => {
    await expectAccess(
      release.serviceAccount,
      [
        ...neededIn(watchedNs.name, both),
        ...neededIn(secondNs.name, both),
        ...CLUSTER_NEEDED,
        ...leaseNeeded(releaseNs.name, release.fullname),
        // The ClusterDnsimpleIssuers' token Secrets (--cluster-resource-namespace).
        { verb: "get", resource: "secrets", namespace: releaseNs.name },
      ],
      true,
    );
  });

  it("denies everything else: a third namespace, all namespaces, more than get on Secrets at home, claims changed or deleted", async () => {
    await expectAccess(
      release.serviceAccount,
      [
        ...neverIn(watchedNs.name, both),
        ...neverIn(secondNs.name, both),
        // A third namespace: nothing at all.
        ...neededIn(OTHER_NS, both),
        // At home: get a Secret by name, nothing more.
        ...["list", "watch", "create", "patch", "update", "delete"].map((verb) => ({
          verb,
          resource: "secrets",
          namespace: releaseNs.name,
        })),
        { verb: "list", resource: CERTS, namespace: releaseNs.name },
        { verb: "list", resource: CERTS, namespace: "*" },
        { verb: "list", resource: ISSUERS, namespace: "*" },
        { verb: "list", resource: "secrets", namespace: "*" },
        { verb: "watch", resource: "secrets", namespace: "*" },
        { verb: "get", resource: "secrets", namespace: "*" },
        { verb: "create", resource: "events", namespace: "*" },
        { verb: "create", resource: LEASES, namespace: watchedNs.name },
        // The sources: in the watched namespaces only, not at home or cluster-wide.
        ...[INGRESSES, GATEWAYS].flatMap((resource) =>
          ["*", releaseNs.name].map((namespace) => ({ verb: "list", resource, namespace })),
        ),
        { verb: "create", resource: CERTS, namespace: releaseNs.name },
        { verb: "delete", resource: CERTS, namespace: "*" },
        ...neverAnywhere(releaseNs.name, release.fullname),
      ],
      false,
    );
  });

  it("runs the operator under exactly this RBAC: certificates in both namespaces become Ready", async () => {
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
      WATCH_NAMESPACE: watched().join(","),
      DEFAULT_CLUSTER_ISSUER: CONFINED_ISSUER,
      LEADER_ELECT: "true",
      LEADER_ELECTION_ID: release.fullname,
      DNSIMPLE_TOKEN: TOKEN,
      DNSIMPLE_ACCOUNT_ID: "4242",
      // Its informers list Ingresses and Gateways at start: it becomes ready only if it may.
      INGRESS_SHIM: "true",
      ENABLE_GATEWAY_API: "true",
    });
    // A ClusterDnsimpleIssuer with its token Secret in the release namespace, serving both.
    await createCredentials(releaseNs.name, SECRET_ISSUER, { token: TOKEN });
    await applyClusterIssuer(SECRET_ISSUER, {
      credentialsRef: { name: SECRET_ISSUER },
      policy: (only(release.manifests, "ClusterDnsimpleIssuer").spec as { policy: object }).policy,
    });
    // A DnsimpleIssuer in the second namespace, on a token Secret there.
    await createCredentials(secondNs.name, "team-token", { token: TOKEN });
    await objects().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: ISSUER_PLURAL,
      namespace: secondNs.name,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: ISSUER_KIND,
        metadata: { name: "team" },
        spec: { credentialsRef: { name: "team-token" } },
      },
    });
    await createCredentials(secondNs.name, "dnsimple", { token: TOKEN });

    operator = await startOperatorFromEnv(env, [
      // The ServiceAccount's own token: nothing but what the chart's RBAC grants.
      `--kubeconfig=${await tokenKubeconfig(releaseNs.name, release.fullname)}`,
      // What differs from a cluster: the simulator instead of DNSimple, no fixed ports.
      `--dnsimple-base-url=${simulator.url}`,
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
    ]);

    const certificates = [
      // The default issuer: the chart's ClusterDnsimpleIssuer, the operator's own token.
      { namespace: watchedNs.name, name: "by-default", spec: {} },
      // A ClusterDnsimpleIssuer whose token Secret is in the release namespace.
      {
        namespace: watchedNs.name,
        name: "cluster-secret",
        spec: { issuerRef: { kind: CLUSTER_ISSUER_KIND, name: SECRET_ISSUER } },
      },
      // A DnsimpleIssuer of the namespace.
      {
        namespace: secondNs.name,
        name: "team-issuer",
        spec: { issuerRef: { kind: ISSUER_KIND, name: "team" } },
      },
      // A Secret of the namespace, no issuer.
      {
        namespace: secondNs.name,
        name: "own-creds",
        spec: { credentialsRef: { name: "dnsimple" } },
      },
    ] as const;
    for (const { namespace, name, spec } of certificates) {
      await createCertificate(namespace, name, {
        domain: "example.com",
        name,
        secretName: `${name}-tls`,
        ...spec,
      });
    }
    for (const { namespace, name } of certificates) {
      const resource = await waitForReady(namespace, name, "True");
      expect(resource.status?.state, name).toBe("issued");
      const secret: V1Secret | undefined = await getSecret(namespace, `${name}-tls`);
      expect(secret?.type).toBe("kubernetes.io/tls");
      expect(decoded(secret, "tls.crt")).toContain("BEGIN CERTIFICATE");
      expect(decoded(secret, "tls.key")).toContain("PRIVATE KEY");
      const reasons = await waitFor(`Events of ${name}`, async () => {
        const seen = (await eventsFor(namespace, name)).map((e) => e.reason);
        return seen.includes("SecretWritten") ? seen : undefined;
      });
      expect(reasons).toEqual(
        expect.arrayContaining(["Ordered", "IssueRequested", "Issued", "SecretWritten"]),
      );
    }
    expect(simulator.purchases()).toHaveLength(certificates.length);

    // The DnsimpleIssuer's Ready condition, written through its status subresource. (The
    // ClusterDnsimpleIssuers' are written too, but every test file's operator checks those
    // against its own simulator: see issuer-ready.test.ts.)
    const team = await waitFor("the DnsimpleIssuer Verified", async () => {
      const found = (await objects().getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: ISSUER_PLURAL,
        namespace: secondNs.name,
        name: "team",
      })) as DnsimpleIssuer;
      const ready = found.status?.conditions?.find((c) => c.type === "Ready");
      return ready?.status === "True" ? found : undefined;
    });
    expect(team.status?.accountId).toBe("4242");

    // Ownership claims, created through the cluster-wide rule, one per purchase of this run.
    const claims = (await objects().listClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: "dnsimplecertificateclaims",
    })) as { items: { spec: { owner: { namespace: string; name: string } } }[] };
    const mine = claims.items
      .map((c) => `${c.spec.owner.namespace}/${c.spec.owner.name}`)
      .filter((owner) => watched().some((ns) => owner.startsWith(`${ns}/`)))
      .sort();
    expect(mine).toEqual(
      certificates
        .filter((c) => !("credentialsRef" in c.spec))
        .map((c) => `${c.namespace}/${c.name}`)
        .sort(),
    );

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

  it("generates DnsimpleCertificates from an Ingress and a Gateway under this RBAC, and never writes either", async () => {
    // The operator of the test above, still running.
    if (!operator) throw new Error("the operator is not running");
    const clusterIssuer = `${GROUP}/cluster-issuer`;
    const networking = adminKubeConfig().makeApiClient(NetworkingV1Api);
    const ingressNs = watchedNs.name;
    const gatewayNs = secondNs.name;
    const ingress = await networking.createNamespacedIngress({
      namespace: ingressNs,
      body: {
        metadata: { name: "shop", annotations: { [clusterIssuer]: CONFINED_ISSUER } },
        spec: {
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
          rules: [
            {
              host: "shop.example.com",
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "shop", port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    const gateway = (await objects().createNamespacedCustomObject({
      group: GATEWAY_GROUP,
      version: GATEWAY_VERSION,
      plural: GATEWAY_PLURAL,
      namespace: gatewayNs,
      body: {
        apiVersion: `${GATEWAY_GROUP}/${GATEWAY_VERSION}`,
        kind: "Gateway",
        metadata: { name: "edge", annotations: { [clusterIssuer]: CONFINED_ISSUER } },
        spec: {
          gatewayClassName: "example",
          listeners: [
            {
              name: "https",
              protocol: "HTTPS",
              port: 443,
              hostname: "edge.example.com",
              tls: { mode: "Terminate", certificateRefs: [{ name: "edge-tls" }] },
            },
          ],
        },
      },
    })) as Manifest & { metadata: { resourceVersion: string } };

    // create: one resource per Secret, controlled by its source, issued through the issuer.
    const generated = [
      { namespace: ingressNs, name: "shop-tls", kind: "Ingress", source: "shop", host: "shop" },
      { namespace: gatewayNs, name: "edge-tls", kind: "Gateway", source: "edge", host: "edge" },
    ];
    for (const { namespace, name, kind, source, host } of generated) {
      const resource = await waitForReady(namespace, name, "True");
      expect(resource.spec, name).toMatchObject({
        domain: "example.com",
        name: host,
        secretName: name,
        issuerRef: { kind: CLUSTER_ISSUER_KIND, name: CONFINED_ISSUER },
      });
      expect(resource.metadata.labels?.[GENERATED_BY_LABEL], name).toBe(kind);
      expect(resource.metadata.ownerReferences, name).toEqual([
        expect.objectContaining({ kind, name: source, controller: true }),
      ]);
      expect((await getSecret(namespace, name))?.type, name).toBe("kubernetes.io/tls");
    }

    // update: a generated resource changed by hand is put back (PUT).
    await objects().patchNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: ingressNs,
      name: "shop-tls",
      body: [{ op: "remove", path: `/metadata/labels/${GENERATED_BY_LABEL.replace("/", "~1")}` }],
    });
    await waitFor("shop-tls labelled again", async () =>
      (await getCertificate(ingressNs, "shop-tls")).metadata.labels?.[GENERATED_BY_LABEL] ===
      "Ingress"
        ? true
        : undefined,
    );

    // delete: the tls entry goes, and so does its resource.
    const edited = await networking.replaceNamespacedIngress({
      namespace: ingressNs,
      name: "shop",
      body: { ...ingress, spec: { ...ingress.spec, tls: [] } },
    });
    await waitFor("shop-tls deleted", async () =>
      (await getCertificate(ingressNs, "shop-tls").then(
        () => false,
        () => true,
      ))
        ? true
        : undefined,
    );
    const reasons = (await eventsFor(ingressNs, "shop")).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(["CreateCertificate", "UpdateCertificate", "DeleteCertificate"]),
    );

    // The sources as the test left them: the operator wrote neither (nor may it).
    const ingressNow = await networking.readNamespacedIngress({
      namespace: ingressNs,
      name: "shop",
    });
    expect(ingressNow.metadata?.resourceVersion).toBe(edited.metadata?.resourceVersion);
    const gatewayNow = (await objects().getNamespacedCustomObject({
      group: GATEWAY_GROUP,
      version: GATEWAY_VERSION,
      plural: GATEWAY_PLURAL,
      namespace: gatewayNs,
      name: "edge",
    })) as Manifest & { metadata: { resourceVersion: string } };
    expect(gatewayNow.metadata.resourceVersion).toBe(gateway.metadata.resourceVersion);
    expect(operator.logs.filter((line) => /HTTP 403|forbidden/i.test(line))).toEqual([]);
  });
});
