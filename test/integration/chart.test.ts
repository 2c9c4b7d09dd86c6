// The Helm chart and the plain manifests rendered from it: lint, render with default and other
// values, the schema refusing wrong values, deploy/ in sync with the chart, NOTES, and the
// rendered objects accepted by the real API server (server-side dry run) in a namespace that
// enforces the restricted Pod Security Standard.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CustomResourceDefinition,
  V1Deployment,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1Secret,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  CHART_DIR,
  CRD_SOURCE,
  crdSources,
  crdTemplate,
  DEPLOY_CREDENTIALS_SECRET,
  DEPLOY_FILE,
  DEPLOY_NAMESPACE,
  generate,
  helm,
  helmTemplate,
  ROOT,
  stale,
} from "../../helm/render.ts";
import { parseConfig } from "../../src/config.ts";
import { startControlPlane, stopControlPlane } from "../../src/localcluster/controlplane.ts";
import {
  adminKubeconfigPath,
  deploymentOf,
  type Manifest,
  only,
  operatorEnv,
  parseManifests,
  podFromDeployment,
  render,
  resolveEnv,
  template,
  type Values,
  valuesFile,
} from "./support/chart.ts";
import { kubectl, useNamespace } from "./support/kube.ts";

const packageVersion = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
).version;
const chart = parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as {
  apiVersion: string;
  name: string;
  version: string;
  appVersion: string;
};

const GROUP = "dnsimple-cert-operator.dev";
/**
 * What the operator may do in every namespace it watches (see helm/README.md's RBAC section):
 * a Role there, or part of the ClusterRole.
 */
const OWN_RULES: V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: ["dnsimplecertificates"], verbs: ["list", "watch"] },
  { apiGroups: [GROUP], resources: ["dnsimplecertificates/status"], verbs: ["update"] },
  { apiGroups: [GROUP], resources: ["dnsimpleissuers"], verbs: ["list", "watch"] },
  { apiGroups: [GROUP], resources: ["dnsimpleissuers/status"], verbs: ["update"] },
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "patch"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];
/** The sources on: which of ingressShim.enabled and gatewayAPI.enabled. */
interface Sources {
  ingresses: boolean;
  gateways: boolean;
}
/** The chart's defaults: the Ingress shim on, Gateways off. */
const DEFAULT_SOURCES: Sources = { ingresses: true, gateways: false };
/**
 * What the sources add where the namespaced rules are: the DnsimpleCertificates they generate
 * written (with either on), each source read only (with it on).
 */
const sourceRules = ({ ingresses, gateways }: Sources): V1PolicyRule[] => [
  ...(ingresses || gateways
    ? [
        {
          apiGroups: [GROUP],
          resources: ["dnsimplecertificates"],
          verbs: ["create", "update", "delete"],
        },
      ]
    : []),
  ...(ingresses
    ? [
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["ingresses"],
          verbs: ["get", "list", "watch"],
        },
      ]
    : []),
  ...(gateways
    ? [
        {
          apiGroups: ["gateway.networking.k8s.io"],
          resources: ["gateways"],
          verbs: ["get", "list", "watch"],
        },
      ]
    : []),
];
/** The namespaced rules with these sources on. */
const namespacedRules = (sources: Sources = DEFAULT_SOURCES): V1PolicyRule[] => [
  ...OWN_RULES,
  ...sourceRules(sources),
];
const NAMESPACED_RULES = namespacedRules();
/** What it may do with cluster-scoped objects: always a ClusterRole. */
const CLUSTER_RULES: V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: ["clusterdnsimpleissuers"], verbs: ["list", "watch"] },
  { apiGroups: [GROUP], resources: ["clusterdnsimpleissuers/status"], verbs: ["update"] },
  {
    apiGroups: [GROUP],
    resources: ["dnsimplecertificateclaims"],
    verbs: ["create", "get", "list", "watch"],
  },
  { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
];
/** The ClusterDnsimpleIssuers' token Secrets, in the release namespace (namespace-confined). */
const ISSUER_SECRET_RULES: V1PolicyRule[] = [
  { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
];
/** The CRDs of crds/, by name. */
const CRD_SOURCES = new Map(
  crdSources().map((path) => {
    const crd = parse(readFileSync(path, "utf8")) as V1CustomResourceDefinition;
    return [crd.metadata?.name ?? path, crd] as const;
  }),
);
const CERTIFICATES_CRD = "dnsimplecertificates.dnsimple-cert-operator.dev";
/**
 * `helm template` as on a cluster whose API server serves the ClusterDnsimpleIssuer kind (any
 * install but the first on a cluster without the CRDs); plain `helm template` knows no
 * custom kinds, so it renders what that first install gets: no ClusterDnsimpleIssuer.
 */
const ISSUER_API = ["--api-versions", `${GROUP}/v1alpha1/ClusterDnsimpleIssuer`];
/** Renders as on a cluster that serves the ClusterDnsimpleIssuer kind. */
const renderServed = async (values: Values) =>
  parseManifests(
    await helmTemplate(CHART_DIR, "dnsimple-cert-operator", "operators", [
      ...ISSUER_API,
      "-f",
      valuesFile(values),
    ]),
  );
const leaseRules = (lease: string): V1PolicyRule[] => [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  {
    apiGroups: ["coordination.k8s.io"],
    resources: ["leases"],
    resourceNames: [lease],
    verbs: ["get", "update"],
  },
];

const TOKEN = "chart-test-token-7b1e";

/** Non-default values, each rendered, linted and checked below. */
const VARIANTS: Record<string, Values> = {
  default: {},
  "watchNamespace set": { watchNamespace: "web" },
  "watchNamespaces and the deprecated watchNamespace": {
    watchNamespaces: ["web", "shop"],
    watchNamespace: "web",
  },
  "a cluster issuer with a policy, the default issuer": {
    clusterIssuer: {
      name: "platform",
      policy: {
        namespaceSelector: { matchLabels: { certificates: "dnsimple" } },
        domains: ["example.com", "*.example.org"],
        dnsNames: ["*.apps.example.com"],
        allowWildcards: true,
        adoption: {
          namespaceSelector: {
            matchExpressions: [{ key: "team", operator: "In", values: ["platform"] }],
          },
        },
        budget: { ordersPerNamespacePerDay: 10, renewalFloor: "72h" },
      },
    },
    defaultClusterIssuer: "platform",
  },
  "no cluster issuer": { clusterIssuer: { create: false }, defaultClusterIssuer: "elsewhere" },
  "admission policies": { admissionPolicy: { enabled: true } },
  "admission policies, confined": {
    admissionPolicy: { enabled: true },
    watchNamespaces: ["web", "shop"],
  },
  "2 replicas, ServiceMonitor and PodDisruptionBudget": {
    replicas: 2,
    prometheus: { serviceMonitor: { enabled: true, labels: { release: "prometheus" } } },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
  },
  "an existing Secret": { dnsimple: { existingSecret: "my-dnsimple" } },
  "a chart-created Secret": { dnsimple: { token: TOKEN, accountId: 4242 } },
  "no leader election, no CRD": { leaderElection: { enabled: false }, crds: { enabled: false } },
  "no Ingress shim": { ingressShim: { enabled: false } },
  "Gateways and Ingresses, confined": {
    gatewayAPI: { enabled: true },
    watchNamespaces: ["web", "shop"],
  },
  "Gateways only": { ingressShim: { enabled: false }, gatewayAPI: { enabled: true } },
  "every other value": {
    fullnameOverride: "certs",
    image: { repository: "registry.example/certs", tag: "0.1.0-rc1", pullPolicy: "Always" },
    imagePullSecrets: [{ name: "regcred" }],
    crds: { keep: false },
    dnsimple: { baseUrl: "https://api.sandbox.dnsimple.com" },
    pollInterval: "5s",
    resyncInterval: "1h",
    issuerReverifyInterval: "6h",
    autoRenewal: { window: "1080h", interval: "30m" },
    logLevel: "debug",
    concurrency: 8,
    leaderElection: { leaseDuration: "30s", renewDeadline: "20s", retryPeriod: "4s" },
    metrics: { port: 9090 },
    health: { port: 9091 },
    podDisruptionBudget: { enabled: true, maxUnavailable: "50%" },
    // Maps merge with the defaults; null removes a default (here the CPU limit).
    resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: null, memory: "1Gi" } },
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
            },
          ],
        },
      },
    },
    podAnnotations: { "example.com/team": "platform" },
    podLabels: { team: "platform" },
    priorityClassName: "operators",
  },
};

const container = (deployment: V1Deployment) => {
  const found = deployment.spec?.template.spec?.containers[0];
  if (!found) throw new Error("no container");
  return found;
};
const envValue = (deployment: V1Deployment, name: string) =>
  operatorEnv(deployment).find((e) => e.name === name);
const kinds = (manifests: Manifest[]) => manifests.map((m) => m.kind).sort();

describe("helm chart", () => {
  it("is version 0.1.0 of the operator, Helm apiVersion v2", () => {
    expect(chart).toMatchObject({
      apiVersion: "v2",
      name: "dnsimple-cert-operator",
      version: packageVersion,
      appVersion: packageVersion,
    });
  });

  it("passes helm lint --strict with default and non-default values", async () => {
    for (const [name, values] of Object.entries(VARIANTS)) {
      const result = await helm(["lint", "--strict", CHART_DIR, "-f", valuesFile(values)]);
      expect(result.code, `${name}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout, name).toContain("1 chart(s) linted, 0 chart(s) failed");
      expect(result.stdout, name).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it("renders every variant without an error or a warning", async () => {
    for (const [name, values] of Object.entries(VARIANTS)) {
      const result = await template(values);
      expect(result.stderr, name).toBe("");
      expect(result.code, name).toBe(0);
      for (const manifest of parseManifests(result.stdout)) {
        expect(manifest.metadata.labels, `${name}: ${manifest.kind}`).toMatchObject({
          "app.kubernetes.io/name": "dnsimple-cert-operator",
          "app.kubernetes.io/instance": "dnsimple-cert-operator",
          "app.kubernetes.io/version": packageVersion,
          "app.kubernetes.io/managed-by": "Helm",
          "helm.sh/chart": `dnsimple-cert-operator-${chart.version}`,
        });
      }
    }
  });

  it("renders default values: CRDs, ServiceAccount, least-privilege RBAC, Deployment, metrics Service", async () => {
    const manifests = await render({});
    expect(kinds(manifests)).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
      "CustomResourceDefinition",
      "CustomResourceDefinition",
      "CustomResourceDefinition",
      "CustomResourceDefinition",
      "Deployment",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    for (const m of manifests) {
      const clusterScoped = ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"];
      expect(m.metadata.namespace, m.kind).toBe(
        clusterScoped.includes(m.kind) ? undefined : "operators",
      );
    }

    // The CRDs are the four in crds/, each kept on uninstall.
    const crds = manifests.filter(
      (m) => m.kind === "CustomResourceDefinition",
    ) as unknown as V1CustomResourceDefinition[];
    expect(crds.map((crd) => crd.metadata?.name).sort()).toEqual([
      "clusterdnsimpleissuers.dnsimple-cert-operator.dev",
      "dnsimplecertificateclaims.dnsimple-cert-operator.dev",
      "dnsimplecertificates.dnsimple-cert-operator.dev",
      "dnsimpleissuers.dnsimple-cert-operator.dev",
    ]);
    expect(crds.map((crd) => crd.metadata?.name).sort()).toEqual([...CRD_SOURCES.keys()].sort());
    for (const crd of crds) {
      const source = CRD_SOURCES.get(crd.metadata?.name ?? "");
      expect(crd.spec, crd.metadata?.name).toEqual(source?.spec);
      expect(crd.metadata?.annotations, crd.metadata?.name).toEqual({
        "helm.sh/resource-policy": "keep",
      });
    }
    // Helm creates CRDs before the other kinds of a release.
    const order = manifests.map((m) => m.kind);
    expect(order.lastIndexOf("CustomResourceDefinition")).toBeLessThan(
      order.indexOf("ClusterRole"),
    );

    // The operator's own token as a ClusterDnsimpleIssuer (no credentialsRef, the CRD's
    // default policy: no namespace served), wherever the API server serves its kind; the rest
    // of the objects are the same.
    const served = await renderServed({});
    const issuer = only(served, "ClusterDnsimpleIssuer");
    expect(issuer.apiVersion).toBe(`${GROUP}/v1alpha1`);
    expect(issuer.metadata.name).toBe("dnsimple");
    expect(issuer.metadata.namespace).toBeUndefined();
    expect(issuer.metadata.annotations).toBeUndefined();
    expect(issuer.spec).toEqual({ policy: {} });
    expect(served.filter((m) => m.kind !== "ClusterDnsimpleIssuer")).toEqual(manifests);

    const sa = only<V1ServiceAccount>(manifests, "ServiceAccount");
    expect(sa.metadata?.name).toBe("dnsimple-cert-operator");
    expect(sa.automountServiceAccountToken).toBe(false);

    // RBAC: exactly the operator's calls, cluster-wide; its Lease only, in its own namespace.
    expect(only<V1ClusterRole>(manifests, "ClusterRole").rules).toEqual([
      ...NAMESPACED_RULES,
      ...CLUSTER_RULES,
    ]);
    const binding = only<V1ClusterRoleBinding>(manifests, "ClusterRoleBinding");
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "dnsimple-cert-operator",
    });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "dnsimple-cert-operator", namespace: "operators" },
    ]);
    const leaseRole = only<V1Role>(manifests, "Role");
    expect(leaseRole.metadata?.name).toBe("dnsimple-cert-operator-leader-election");
    expect(leaseRole.rules).toEqual(leaseRules("dnsimple-cert-operator"));
    expect(only<V1RoleBinding>(manifests, "RoleBinding").roleRef.name).toBe(
      leaseRole.metadata?.name,
    );

    // The Deployment.
    const deployment = deploymentOf(manifests);
    const pod = deployment.spec?.template.spec;
    const c = container(deployment);
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toBeUndefined(); // RollingUpdate: the Lease guards overlap
    expect(deployment.spec?.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "dnsimple-cert-operator",
      "app.kubernetes.io/instance": "dnsimple-cert-operator",
    });
    expect(c.image).toBe(
      `ghcr.io/dnsimple-cert-operator/dnsimple-cert-operator:${chart.appVersion}`,
    );
    expect(c.imagePullPolicy).toBe("IfNotPresent");
    // The image's own command (node dist/main.js) stays: configuration is all environment.
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
    expect(pod?.serviceAccountName).toBe("dnsimple-cert-operator");
    expect(pod?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.ports).toEqual([
      { name: "metrics", containerPort: 8080, protocol: "TCP" },
      { name: "health", containerPort: 8081, protocol: "TCP" },
    ]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "health" });
    expect(c.resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "768Mi" },
    });
    // The token: not automounted; one projected, expiring token at the usual path, read-only.
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(c.volumeMounts).toEqual([
      {
        name: "kube-api-access",
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
        readOnly: true,
      },
    ]);
    const sources = pod?.volumes?.[0]?.projected?.sources ?? [];
    expect(sources.map((s) => Object.keys(s)[0])).toEqual([
      "serviceAccountToken",
      "configMap",
      "downwardAPI",
    ]);
    expect(sources[0]?.serviceAccountToken).toEqual({ path: "token", expirationSeconds: 3607 });
    // Configuration: the namespace from the downward API, the token from a Secret only.
    expect(envValue(deployment, "POD_NAMESPACE")?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.namespace",
    );
    expect(envValue(deployment, "DNSIMPLE_TOKEN")).toEqual({
      name: "DNSIMPLE_TOKEN",
      valueFrom: {
        secretKeyRef: { name: DEPLOY_CREDENTIALS_SECRET, key: "token", optional: true },
      },
    });
    expect(envValue(deployment, "DNSIMPLE_ACCOUNT_ID")?.valueFrom?.secretKeyRef).toEqual({
      name: DEPLOY_CREDENTIALS_SECRET,
      key: "accountId",
      optional: true,
    });

    const service = only<V1Service>(manifests, "Service");
    expect(service.metadata?.name).toBe("dnsimple-cert-operator-metrics");
    expect(service.spec?.ports).toEqual([
      { name: "metrics", port: 8080, targetPort: "metrics", protocol: "TCP" },
    ]);
    expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
  });

  it("renders non-default values as asked", async () => {
    const sa = [{ kind: "ServiceAccount", name: "dnsimple-cert-operator", namespace: "operators" }];
    /** The Roles and RoleBindings named `name`, by namespace. */
    const rolesNamed = (manifests: Manifest[], kind: "Role" | "RoleBinding", name: string) =>
      manifests
        .filter((m) => m.kind === kind && m.metadata.name === name)
        .map((m) => m.metadata.namespace)
        .sort();
    /** What a namespace-confined render grants: Roles where it watches, the rest cluster-wide. */
    const expectConfined = (manifests: Manifest[], namespaces: string[]) => {
      expect(rolesNamed(manifests, "Role", "dnsimple-cert-operator")).toEqual(namespaces);
      expect(rolesNamed(manifests, "RoleBinding", "dnsimple-cert-operator")).toEqual(namespaces);
      for (const m of manifests.filter((m) => m.metadata.name === "dnsimple-cert-operator")) {
        if (m.kind === "Role")
          expect((m as unknown as V1Role).rules, m.kind).toEqual(NAMESPACED_RULES);
        if (m.kind === "RoleBinding") {
          expect((m as unknown as V1RoleBinding).roleRef).toMatchObject({
            kind: "Role",
            name: m.metadata.name,
          });
          expect((m as unknown as V1RoleBinding).subjects).toEqual(sa);
        }
      }
      // The cluster-scoped kinds only, cluster-wide: no Secrets, resources or Events there.
      expect(only<V1ClusterRole>(manifests, "ClusterRole").rules).toEqual(CLUSTER_RULES);
      expect(only<V1ClusterRoleBinding>(manifests, "ClusterRoleBinding").subjects).toEqual(sa);
      // The ClusterDnsimpleIssuers' token Secrets: get, in the release namespace only.
      const secrets = "dnsimple-cert-operator-cluster-issuer-secrets";
      expect(only<V1Role>(manifests, "Role", secrets).metadata?.namespace).toBe("operators");
      expect(only<V1Role>(manifests, "Role", secrets).rules).toEqual(ISSUER_SECRET_RULES);
      expect(only<V1RoleBinding>(manifests, "RoleBinding", secrets).roleRef.name).toBe(secrets);
      expect(only<V1RoleBinding>(manifests, "RoleBinding", secrets).subjects).toEqual(sa);
      const lease = only<V1Role>(manifests, "Role", "dnsimple-cert-operator-leader-election");
      expect(lease.metadata?.namespace).toBe("operators");
    };

    // watchNamespace (deprecated): a Role and RoleBinding there, the cluster-scoped rest in
    // the ClusterRole.
    const one = await render(VARIANTS["watchNamespace set"] ?? {});
    expectConfined(one, ["web"]);
    expect(envValue(deploymentOf(one), "WATCH_NAMESPACE")?.value).toBe("web");
    expect(
      only<V1CustomResourceDefinition>(one, "CustomResourceDefinition", CERTIFICATES_CRD).spec
        .scope,
    ).toBe("Namespaced");

    // watchNamespaces: a Role in each, the deprecated watchNamespace merged in once.
    const two = await render(VARIANTS["watchNamespaces and the deprecated watchNamespace"] ?? {});
    expectConfined(two, ["shop", "web"]);
    expect(envValue(deploymentOf(two), "WATCH_NAMESPACE")?.value).toBe("web,shop");
    const three = await render({ watchNamespaces: ["a", "b"], watchNamespace: "c" });
    expectConfined(three, ["a", "b", "c"]);
    expect(envValue(deploymentOf(three), "WATCH_NAMESPACE")?.value).toBe("a,b,c");

    // The ClusterDnsimpleIssuer with the policy as given, and the default issuer flag.
    const policy = await renderServed(
      VARIANTS["a cluster issuer with a policy, the default issuer"] ?? {},
    );
    const issuer = only(policy, "ClusterDnsimpleIssuer", "platform");
    const clusterIssuer = VARIANTS["a cluster issuer with a policy, the default issuer"]
      ?.clusterIssuer as { policy: object };
    expect(issuer.spec).toEqual({ policy: clusterIssuer.policy });
    expect(envValue(deploymentOf(policy), "DEFAULT_CLUSTER_ISSUER")?.value).toBe("platform");
    expect(envValue(deploymentOf(await render({})), "DEFAULT_CLUSTER_ISSUER")).toBeUndefined();
    // No ClusterDnsimpleIssuer; the default names someone else's.
    const none = await renderServed(VARIANTS["no cluster issuer"] ?? {});
    expect(kinds(none)).not.toContain("ClusterDnsimpleIssuer");
    expect(envValue(deploymentOf(none), "DEFAULT_CLUSTER_ISSUER")?.value).toBe("elsewhere");
    // Admission policies: cluster-wide, every claim and ClusterDnsimpleIssuer status too;
    // confined, the watched namespaces (the selector left at {}) and their resources' claims.
    type Policy = Manifest & {
      spec: {
        policyName?: string;
        matchResources?: { namespaceSelector?: unknown };
        variables?: { name: string; expression: string }[];
      };
    };
    const policies = (manifests: Manifest[], kind: string) =>
      manifests
        .filter((m) => m.kind === kind)
        .map((m) => m.metadata.name)
        .sort();
    const clusterWide = await render(VARIANTS["admission policies"] ?? {});
    const names = ["claims", "cluster-issuer-status", "generated", "managed-label", "status"].map(
      (n) => `dnsimple-cert-operator-${n}`,
    );
    expect(policies(clusterWide, "ValidatingAdmissionPolicy")).toEqual(names);
    expect(policies(clusterWide, "ValidatingAdmissionPolicyBinding")).toEqual(names);
    const claimsOf = (manifests: Manifest[]) =>
      only<Policy>(manifests, "ValidatingAdmissionPolicy", "dnsimple-cert-operator-claims");
    expect(claimsOf(clusterWide).spec.variables?.find((v) => v.name === "ours")?.expression).toBe(
      "true",
    );
    const confined = await render(VARIANTS["admission policies, confined"] ?? {});
    expect(policies(confined, "ValidatingAdmissionPolicy")).toEqual(
      names.filter((n) => !n.endsWith("cluster-issuer-status")),
    );
    expect(claimsOf(confined).spec.variables?.find((v) => v.name === "watched")?.expression).toBe(
      "['web', 'shop']",
    );
    for (const binding of ["generated", "managed-label", "status"]) {
      const found = only<Policy>(
        confined,
        "ValidatingAdmissionPolicyBinding",
        `dnsimple-cert-operator-${binding}`,
      );
      expect(found.spec.matchResources?.namespaceSelector, binding).toEqual({
        matchExpressions: [
          { key: "kubernetes.io/metadata.name", operator: "In", values: ["web", "shop"] },
        ],
      });
    }

    // Two replicas with leader election, a ServiceMonitor and a PodDisruptionBudget.
    const ha = await render(VARIANTS["2 replicas, ServiceMonitor and PodDisruptionBudget"] ?? {});
    expect(deploymentOf(ha).spec?.replicas).toBe(2);
    expect(envValue(deploymentOf(ha), "LEADER_ELECT")?.value).toBe("true");
    const monitor = only(ha, "ServiceMonitor") as Manifest & {
      spec: { selector: unknown; endpoints: unknown[]; namespaceSelector: unknown };
    };
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.metadata.labels?.release).toBe("prometheus");
    expect(monitor.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "60s", scrapeTimeout: "30s" },
    ]);
    expect(monitor.spec.selector).toEqual({
      matchLabels: only<V1Service>(ha, "Service").spec?.selector,
    });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ["operators"] });
    const pdb = only<V1PodDisruptionBudget>(ha, "PodDisruptionBudget");
    expect(pdb.spec).toEqual({
      selector: { matchLabels: deploymentOf(ha).spec?.selector.matchLabels },
      minAvailable: 1,
    });

    // An existing Secret: referenced, not created.
    const existing = await render(VARIANTS["an existing Secret"] ?? {});
    expect(kinds(existing)).not.toContain("Secret");
    expect(envValue(deploymentOf(existing), "DNSIMPLE_TOKEN")?.valueFrom?.secretKeyRef?.name).toBe(
      "my-dnsimple",
    );

    // A chart-created Secret: created from the values and referenced; a change restarts the Pod.
    const created = await render(VARIANTS["a chart-created Secret"] ?? {});
    const secret = only<V1Secret>(created, "Secret");
    expect(secret.metadata?.name).toBe(DEPLOY_CREDENTIALS_SECRET);
    expect(secret.data).toEqual({
      token: Buffer.from(TOKEN).toString("base64"),
      accountId: Buffer.from("4242").toString("base64"),
    });
    const createdDeployment = deploymentOf(created);
    expect(envValue(createdDeployment, "DNSIMPLE_TOKEN")?.valueFrom?.secretKeyRef?.name).toBe(
      DEPLOY_CREDENTIALS_SECRET,
    );
    expect(JSON.stringify(createdDeployment)).not.toContain(TOKEN);
    const checksum =
      createdDeployment.spec?.template.metadata?.annotations?.["checksum/credentials"];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    const otherToken = await render({ dnsimple: { token: `${TOKEN}-2` } });
    expect(
      deploymentOf(otherToken).spec?.template.metadata?.annotations?.["checksum/credentials"],
    ).not.toBe(checksum);

    // Without leader election: one replica, replaced (never two at once), no Lease access.
    const single = await render(VARIANTS["no leader election, no CRD"] ?? {});
    expect(kinds(single)).not.toContain("CustomResourceDefinition");
    expect(kinds(single)).not.toContain("Role");
    // Without the chart's CRDs the ClusterDnsimpleIssuer still needs its kind served.
    expect(kinds(single)).not.toContain("ClusterDnsimpleIssuer");
    expect(kinds(await renderServed(VARIANTS["no leader election, no CRD"] ?? {}))).toContain(
      "ClusterDnsimpleIssuer",
    );
    expect(deploymentOf(single).spec?.strategy).toEqual({ type: "Recreate" });
    expect(envValue(deploymentOf(single), "LEADER_ELECT")?.value).toBe("false");

    // Everything else.
    const other = await render(VARIANTS["every other value"] ?? {});
    const d = deploymentOf(other);
    const pod = d.spec?.template;
    expect(d.metadata?.name).toBe("certs");
    expect(container(d).image).toBe("registry.example/certs:0.1.0-rc1");
    expect(container(d).imagePullPolicy).toBe("Always");
    expect(pod?.spec?.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(pod?.spec?.priorityClassName).toBe("operators");
    expect(pod?.spec?.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(pod?.spec?.tolerations).toEqual([
      { key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" },
    ]);
    expect(pod?.spec?.affinity?.nodeAffinity).toBeDefined();
    expect(pod?.metadata?.annotations).toEqual({ "example.com/team": "platform" });
    expect(pod?.metadata?.labels).toMatchObject({ team: "platform" });
    expect(container(d).resources).toEqual({
      requests: { cpu: "100m", memory: "200Mi" },
      limits: { memory: "1Gi" },
    });
    expect(container(d).ports?.map((p) => p.containerPort)).toEqual([9090, 9091]);
    expect(only<V1Service>(other, "Service").spec?.ports?.[0]?.port).toBe(9090);
    expect(only<V1PodDisruptionBudget>(other, "PodDisruptionBudget").spec).toMatchObject({
      maxUnavailable: "50%",
    });
    for (const crd of other.filter((m) => m.kind === "CustomResourceDefinition")) {
      expect(crd.metadata.annotations, crd.metadata.name).toBeUndefined();
    }
    expect(only<V1Role>(other, "Role").rules).toEqual(leaseRules("certs"));
  });

  it("configures the operator with settings its command line accepts", async () => {
    const expected: Record<string, Record<string, unknown>> = {
      default: {
        // In-cluster config: the Pod's ServiceAccount.
        kubeconfig: undefined,
        dnsimpleBaseUrl: "https://api.dnsimple.com",
        watchNamespaces: undefined,
        defaultClusterIssuer: undefined,
        // The ClusterDnsimpleIssuers' token Secrets: POD_NAMESPACE, the release namespace.
        clusterResourceNamespace: "operators",
        pollIntervalMs: 2_000,
        resyncIntervalMs: 600_000,
        issuerReverifyIntervalMs: 86_400_000,
        metricsAddr: { host: "0.0.0.0", port: 8080 },
        healthAddr: { host: "0.0.0.0", port: 8081 },
        leaderElect: true,
        leaderElection: {
          namespace: "operators",
          id: "dnsimple-cert-operator",
          leaseDurationMs: 15_000,
          renewDeadlineMs: 10_000,
          retryPeriodMs: 2_000,
        },
        logLevel: "info",
        concurrency: 4,
        dnsimpleToken: undefined,
        dnsimpleAccountId: undefined,
        ingressShim: true,
        gatewayApi: false,
      },
      "watchNamespace set": { watchNamespaces: ["web"] },
      "watchNamespaces and the deprecated watchNamespace": { watchNamespaces: ["web", "shop"] },
      "a cluster issuer with a policy, the default issuer": { defaultClusterIssuer: "platform" },
      "no cluster issuer": { defaultClusterIssuer: "elsewhere" },
      "2 replicas, ServiceMonitor and PodDisruptionBudget": { leaderElect: true },
      "an existing Secret": { dnsimpleToken: "from-my-dnsimple", dnsimpleAccountId: "4242" },
      "a chart-created Secret": { dnsimpleToken: TOKEN, dnsimpleAccountId: "4242" },
      "no leader election, no CRD": { leaderElect: false },
      "no Ingress shim": { ingressShim: false, gatewayApi: false },
      "Gateways and Ingresses, confined": {
        ingressShim: true,
        gatewayApi: true,
        watchNamespaces: ["web", "shop"],
      },
      "Gateways only": { ingressShim: false, gatewayApi: true },
      "every other value": {
        dnsimpleBaseUrl: "https://api.sandbox.dnsimple.com",
        pollIntervalMs: 5_000,
        resyncIntervalMs: 3_600_000,
        issuerReverifyIntervalMs: 21_600_000,
        autoRenewalWindowMs: 45 * 86_400_000,
        autoRenewalIntervalMs: 1_800_000,
        metricsAddr: { host: "0.0.0.0", port: 9090 },
        healthAddr: { host: "0.0.0.0", port: 9091 },
        leaderElection: {
          namespace: "operators",
          id: "certs",
          leaseDurationMs: 30_000,
          renewDeadlineMs: 20_000,
          retryPeriodMs: 4_000,
        },
        logLevel: "debug",
        concurrency: 8,
      },
    };
    for (const [name, values] of Object.entries(VARIANTS)) {
      const manifests = await render(values);
      // The kubelet's part: Secrets from the render, or the user's (here made up).
      const secrets = async (secretName: string) => {
        const rendered = manifests.find((m) => m.kind === "Secret") as V1Secret | undefined;
        if (rendered?.metadata?.name === secretName) {
          return Object.fromEntries(
            Object.entries(rendered.data ?? {}).map(([k, v]) => [
              k,
              Buffer.from(v, "base64").toString(),
            ]),
          );
        }
        return secretName === "my-dnsimple"
          ? { token: "from-my-dnsimple", accountId: "4242" }
          : undefined;
      };
      const env = await resolveEnv(operatorEnv(deploymentOf(manifests)), "operators", secrets);
      const config = parseConfig([], env);
      expect(config, name).toMatchObject(expected[name] ?? {});
      // Every other setting is the operator's own default (a flag the chart does not set).
      if (name === "default") {
        expect(config).toEqual({
          ...parseConfig([], { POD_NAMESPACE: "operators" }),
          ...expected.default,
        });
      }
    }
  });

  it("refuses wrong values with the schema's message", async () => {
    const cases: [string, Values, RegExp][] = [
      ["replicas below 1", { replicas: 0 }, /at '\/replicas': minimum: got 0, want 1/],
      ["replicas not a number", { replicas: "two" }, /at '\/replicas': got string, want integer/],
      ["an unknown top-level key", { replica: 2 }, /additional properties 'replica' not allowed/],
      [
        "an unknown nested key",
        { leaderElection: { enable: true } },
        /at '\/leaderElection': additional properties 'enable' not allowed/,
      ],
      [
        "a bad duration",
        { pollInterval: "5 minutes" },
        /at '\/pollInterval': '5 minutes' does not match pattern/,
      ],
      [
        "a duration without a unit",
        { leaderElection: { leaseDuration: "15" } },
        /at '\/leaderElection\/leaseDuration': '15' does not match pattern/,
      ],
      [
        "an unknown log level",
        { logLevel: "verbose" },
        /at '\/logLevel': value must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal'/,
      ],
      [
        "a string for a boolean",
        { leaderElection: { enabled: "yes" } },
        /at '\/leaderElection\/enabled': got string, want boolean/,
      ],
      [
        "concurrency over 64",
        { concurrency: 100 },
        /at '\/concurrency': maximum: got 100, want 64/,
      ],
      [
        "a base URL without a scheme",
        { dnsimple: { baseUrl: "api.dnsimple.com" } },
        /at '\/dnsimple\/baseUrl': 'api.dnsimple.com' does not match pattern/,
      ],
      [
        "a non-numeric account id",
        { dnsimple: { accountId: "acme" } },
        /at '\/dnsimple\/accountId': 'anyOf' failed/,
      ],
      [
        "an invalid namespace name",
        { watchNamespace: "Web_Apps" },
        /at '\/watchNamespace': 'Web_Apps' does not match pattern/,
      ],
      [
        "a namespace list that is not a list",
        { watchNamespaces: "web,shop" },
        /at '\/watchNamespaces': got string, want array/,
      ],
      [
        "an invalid namespace name in the list",
        { watchNamespaces: ["web", "Shop"] },
        /at '\/watchNamespaces\/1': 'Shop' does not match pattern/,
      ],
      [
        "an unknown key in the cluster issuer's policy",
        { clusterIssuer: { policy: { namespaceSelectors: {} } } },
        /at '\/clusterIssuer\/policy': additional properties 'namespaceSelectors' not allowed/,
      ],
      [
        "an unknown key in a namespace selector",
        { clusterIssuer: { policy: { namespaceSelector: { matchLabel: { a: "b" } } } } },
        /at '\/clusterIssuer\/policy\/namespaceSelector': additional properties 'matchLabel' not allowed/,
      ],
      [
        "an unknown selector operator",
        {
          clusterIssuer: {
            policy: { namespaceSelector: { matchExpressions: [{ key: "a", operator: "Is" }] } },
          },
        },
        /at '\/clusterIssuer\/policy\/namespaceSelector\/matchExpressions\/0\/operator'/,
      ],
      [
        "a renewal floor without a unit",
        { clusterIssuer: { policy: { budget: { renewalFloor: "24" } } } },
        /at '\/clusterIssuer\/policy\/budget\/renewalFloor': '24' does not match pattern/,
      ],
      [
        "an empty cluster issuer name",
        { clusterIssuer: { name: "" } },
        /at '\/clusterIssuer\/name'/,
      ],
      [
        "an invalid default cluster issuer name",
        { defaultClusterIssuer: "My Issuer" },
        /at '\/defaultClusterIssuer': 'My Issuer' does not match pattern/,
      ],
      [
        "an unknown pull policy",
        { image: { pullPolicy: "Sometimes" } },
        /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/,
      ],
      [
        "a port out of range",
        { metrics: { port: 70000 } },
        /at '\/metrics\/port': maximum: got 70,?000, want 65,?535/,
      ],
      [
        "a list where a map belongs",
        { nodeSelector: ["linux"] },
        /at '\/nodeSelector': got array, want object/,
      ],
      [
        "a string for the Ingress shim switch",
        { ingressShim: { enabled: "yes" } },
        /at '\/ingressShim\/enabled': got string, want boolean/,
      ],
      [
        "the Gateway switch as a boolean, not a map",
        { gatewayAPI: true },
        /at '\/gatewayAPI': got boolean, want object/,
      ],
      [
        "an unknown key beside the Gateway switch",
        { gatewayAPI: { enable: true } },
        /at '\/gatewayAPI': additional properties 'enable' not allowed/,
      ],
      [
        "a PodDisruptionBudget share that is not a percentage",
        { podDisruptionBudget: { maxUnavailable: "half" } },
        /at '\/podDisruptionBudget\/maxUnavailable'/,
      ],
    ];
    for (const [name, values, message] of cases) {
      const result = await template(values);
      expect(result.code, name).not.toBe(0);
      expect(result.stdout, name).toBe("");
      expect(result.stderr, name).toContain("values don't meet the specifications of the schema");
      expect(result.stderr, name).toMatch(message);
    }
  });

  it("refuses contradictory values with a message that says what to change", async () => {
    const cases: [string, Values, string][] = [
      [
        "a token and an existing Secret",
        { dnsimple: { token: TOKEN, existingSecret: "mine" } },
        "set either token (the chart creates a Secret from it) or existingSecret, not both",
      ],
      [
        "an account id with an existing Secret",
        { dnsimple: { existingSecret: "mine", accountId: "4242" } },
        "dnsimple.accountId goes with dnsimple.token; with existingSecret, put accountId in that Secret",
      ],
      [
        "replicas without leader election",
        { replicas: 2, leaderElection: { enabled: false } },
        "replicas > 1 needs leaderElection.enabled: true",
      ],
      [
        "one port for metrics and health",
        { metrics: { port: 9000 }, health: { port: 9000 } },
        "metrics.port and health.port must differ",
      ],
      [
        "the webhook without its Secret",
        { webhook: { enabled: true } },
        "webhook.enabled needs webhook.existingSecret",
      ],
      [
        "auto-renewal pickup without polling and without the webhook",
        { autoRenewal: { polling: false } },
        "autoRenewal.polling=false needs webhook.enabled",
      ],
    ];
    for (const [name, values, message] of cases) {
      const result = await template(values);
      expect(result.code, name).not.toBe(0);
      expect(result.stderr, name).toContain(message);
      expect(result.stderr, name).not.toContain(TOKEN);
    }
  });

  it("wires the DNSimple webhook receiver when asked: port, token from a Secret, Service", async () => {
    const manifests = await render({
      webhook: { enabled: true, port: 9443, existingSecret: "hook" },
      autoRenewal: { polling: false },
    });
    const env = operatorEnv(deploymentOf(manifests));
    expect(env.find((e) => e.name === "WEBHOOK_ADDR")?.value).toBe(":9443");
    // With the webhook, auto-renewals may be picked up from its events alone.
    expect(env.find((e) => e.name === "AUTO_RENEWAL_POLLING")?.value).toBe("false");
    expect(env.find((e) => e.name === "WEBHOOK_TOKEN")?.valueFrom?.secretKeyRef).toMatchObject({
      name: "hook",
      key: "token",
    });
    const ports = deploymentOf(manifests).spec?.template.spec?.containers[0]?.ports ?? [];
    expect(ports.map((p) => p.name)).toContain("webhook");
    const service = only<V1Service>(manifests, "Service", "dnsimple-cert-operator-webhook");
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 9443, targetPort: "webhook" });
    const off = await render({});
    expect(operatorEnv(deploymentOf(off)).some((e) => e.name.startsWith("WEBHOOK_"))).toBe(false);
    expect(off.filter((m) => m.metadata.name === "dnsimple-cert-operator-webhook")).toEqual([]);
  });

  it("grants each source's rules only while it is on, where the namespaced rules are, and passes its flag", async () => {
    const cases: [string, Values, Sources][] = [
      ["default", {}, DEFAULT_SOURCES],
      [
        "no Ingress shim",
        { ingressShim: { enabled: false } },
        { ingresses: false, gateways: false },
      ],
      ["Gateways too", { gatewayAPI: { enabled: true } }, { ingresses: true, gateways: true }],
      [
        "Gateways only",
        { ingressShim: { enabled: false }, gatewayAPI: { enabled: true } },
        { ingresses: false, gateways: true },
      ],
    ];
    const readOnly = new Set(["get", "list", "watch"]);
    for (const [name, values, sources] of cases) {
      // Cluster-wide: in the ClusterRole, with the other namespaced rules.
      const wide = await render(values);
      expect(only<V1ClusterRole>(wide, "ClusterRole").rules, name).toEqual([
        ...namespacedRules(sources),
        ...CLUSTER_RULES,
      ]);
      // Confined: in the Role of each watched namespace; the ClusterRole keeps the
      // cluster-scoped rules only.
      const confined = await render({ ...values, watchNamespaces: ["web", "shop"] });
      const roles = confined.filter(
        (m) => m.kind === "Role" && m.metadata.name === "dnsimple-cert-operator",
      ) as unknown as V1Role[];
      expect(roles.map((r) => r.metadata?.namespace).sort(), name).toEqual(["shop", "web"]);
      for (const role of roles) {
        expect(role.rules, `${name}: ${role.metadata?.namespace}`).toEqual(
          namespacedRules(sources),
        );
      }
      expect(only<V1ClusterRole>(confined, "ClusterRole").rules, name).toEqual(CLUSTER_RULES);
      for (const manifests of [wide, confined]) {
        // The flags say what the rules allow, passed even where they are the operator's defaults.
        const deployment = deploymentOf(manifests);
        expect(envValue(deployment, "INGRESS_SHIM")?.value, name).toBe(String(sources.ingresses));
        expect(envValue(deployment, "ENABLE_GATEWAY_API")?.value, name).toBe(
          String(sources.gateways),
        );
        const env = await resolveEnv(operatorEnv(deployment), "operators", async () => undefined);
        const config = parseConfig([], env);
        expect({ ingresses: config.ingressShim, gateways: config.gatewayApi }, name).toEqual(
          sources,
        );
        // The sources are read only: no rule anywhere writes an Ingress or a Gateway.
        const rules = manifests
          .filter((m) => m.kind === "Role" || m.kind === "ClusterRole")
          .flatMap((m) => (m as unknown as V1Role).rules ?? []);
        for (const rule of rules) {
          const groups = rule.apiGroups ?? [];
          if (
            !groups.includes("networking.k8s.io") &&
            !groups.includes("gateway.networking.k8s.io")
          )
            continue;
          expect(rule.resources, name).toEqual([
            groups.includes("networking.k8s.io") ? "ingresses" : "gateways",
          ]);
          expect(
            rule.verbs.filter((verb) => !readOnly.has(verb)),
            name,
          ).toEqual([]);
        }
      }
    }
  });

  it("tells the user what to apply next (NOTES)", async () => {
    // A dry run against the test cluster, which serves the issuer kinds (its CRDs are the test
    // setup's); NOTES where they are not served yet: the fresh cluster's test below.
    const notes = async (values: Values) => {
      const result = await helm([
        "install",
        "dnsimple-cert-operator",
        CHART_DIR,
        "--dry-run=client",
        "--namespace",
        "operators",
        "--kubeconfig",
        adminKubeconfigPath(),
        "-f",
        valuesFile({ ...values, crds: { enabled: false } }),
      ]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.slice(result.stdout.indexOf("NOTES:"));
    };
    const byDefault = await notes({});
    expect(byDefault).toContain("watching every namespace");
    expect(byDefault).toContain(
      `kubectl create secret generic ${DEPLOY_CREDENTIALS_SECRET} --namespace operators`,
    );
    expect(byDefault).toContain("kubectl rollout restart deployment/dnsimple-cert-operator");
    expect(byDefault).toContain("kind: DnsimpleCertificate");
    expect(byDefault).toContain("kubectl get dnscert --namespace default");
    expect(byDefault).toContain("kubectl wait --for=condition=Ready dnscert/www-example-com");
    expect(byDefault).toContain("did not install the CRDs");
    expect(byDefault).not.toContain("NOT created");
    // The ClusterDnsimpleIssuer serves no namespace yet, and resources must name an issuer.
    expect(byDefault).toContain("The ClusterDnsimpleIssuer dnsimple serves NO namespace");
    expect(byDefault).toContain(
      "--set clusterIssuer.policy.namespaceSelector.matchLabels.certificates=dnsimple",
    );
    expect(byDefault).toContain("refused (Ready=False, IssuerNotSet)");
    expect(byDefault).toContain("unless you set\n   defaultClusterIssuer=dnsimple");
    expect(byDefault).toContain("issuerRef: { kind: ClusterDnsimpleIssuer, name: dnsimple }");
    expect(byDefault).not.toContain("deprecated");
    // The Ingress shim is on by default, Gateways are not.
    expect(byDefault).toContain(
      "kubectl annotate ingress <name> --namespace default dnsimple-cert-operator.dev/cluster-issuer=dnsimple",
    );
    expect(byDefault).not.toContain("kubectl annotate gateway");
    const noSources = await notes({ ingressShim: { enabled: false } });
    expect(noSources).not.toContain("kubectl annotate");
    const gatewaysOnly = await notes({
      ingressShim: { enabled: false },
      gatewayAPI: { enabled: true },
      clusterIssuer: { create: false },
    });
    expect(gatewaysOnly).not.toContain("kubectl annotate ingress");
    expect(gatewaysOnly).toContain(
      "kubectl annotate gateway <name> --namespace default dnsimple-cert-operator.dev/cluster-issuer=<issuer>",
    );

    const withToken = await notes({ watchNamespace: "web", dnsimple: { token: TOKEN } });
    expect(withToken).toContain("watching the namespace web only");
    expect(withToken).toContain("watchNamespace is deprecated");
    expect(withToken).toContain(`the Secret ${DEPLOY_CREDENTIALS_SECRET} (created from`);
    expect(withToken).not.toContain("kubectl create secret");
    expect(withToken).toContain("kubectl get dnscert --namespace web");
    expect(withToken).not.toContain(TOKEN);

    // Where the kind is served (the test cluster has the CRDs), with a policy and the default.
    const name = `notes-${randomBytes(3).toString("hex")}`;
    const served = await notes({
      watchNamespaces: ["web", "shop"],
      clusterIssuer: {
        name,
        policy: { namespaceSelector: { matchLabels: { certificates: "dnsimple" } } },
      },
      defaultClusterIssuer: name,
      gatewayAPI: { enabled: true },
    });
    expect(served).toContain("watching the namespaces web, shop only");
    for (const kind of ["ingress", "gateway"]) {
      expect(served).toContain(
        `kubectl annotate ${kind} <name> --namespace web dnsimple-cert-operator.dev/cluster-issuer=${name}`,
      );
    }
    expect(served).not.toContain("NOT created");
    expect(served).toContain(
      `The ClusterDnsimpleIssuer ${name} serves the namespaces its policy.namespaceSelector`,
    );
    expect(served).not.toContain("NO namespace");
    expect(served).toContain(
      `use the\n   ClusterDnsimpleIssuer ${name} (defaultClusterIssuer), under its policy`,
    );
    expect(served).not.toContain("issuerRef: { kind: ClusterDnsimpleIssuer");
    expect(served).toContain("kubectl get dnscert --namespace web");
  });
});

describe("deploy/", () => {
  it("equals a fresh render of the chart, and the chart's CRDs equal crds/ (npm run manifests)", async () => {
    const files = await generate();
    expect([...files.keys()].map((p) => relative(ROOT, p)).sort()).toEqual([
      "deploy/dnsimple-cert-operator.yaml",
      "helm/dnsimple-cert-operator/templates/crd-clusterdnsimpleissuers.yaml",
      "helm/dnsimple-cert-operator/templates/crd-dnsimplecertificateclaims.yaml",
      "helm/dnsimple-cert-operator/templates/crd-dnsimplecertificates.yaml",
      "helm/dnsimple-cert-operator/templates/crd-dnsimpleissuers.yaml",
    ]);
    for (const [path, content] of files) {
      expect(
        readFileSync(path, "utf8"),
        `${relative(ROOT, path)} is out of date: run npm run manifests`,
      ).toBe(content);
    }
    expect(stale(files)).toEqual([]);
    // The comparison notices any difference.
    const edited = new Map(files);
    edited.set(DEPLOY_FILE, `${files.get(DEPLOY_FILE)}# edited\n`);
    expect(stale(edited)).toEqual(["deploy/dnsimple-cert-operator.yaml"]);
  });

  it("copies the CRD verbatim, even text that looks like a template action", async () => {
    const source = readFileSync(CRD_SOURCE, "utf8").replace(
      "description: Name of the Secret in this namespace.",
      'description: "Name of the Secret in this namespace, not {{ .Values.token }}."',
    );
    expect(source).toContain("{{ .Values.token }}");
    const dir = join(mkdtempSync(join(tmpdir(), "chart-crd-")), "dnsimple-cert-operator");
    cpSync(CHART_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "templates", "crd-dnsimplecertificates.yaml"), crdTemplate(source));
    const result = await template({}, { chart: dir });
    expect(result.code, result.stderr).toBe(0);
    const crd = only<V1CustomResourceDefinition>(
      parseManifests(result.stdout),
      "CustomResourceDefinition",
      CERTIFICATES_CRD,
    );
    expect(crd.spec).toEqual((parse(source) as V1CustomResourceDefinition).spec);
  });

  it("holds the default render plus its Namespace, and no DNSimple token", async () => {
    const text = readFileSync(DEPLOY_FILE, "utf8");
    const manifests = parseManifests(text);
    const namespace = only(manifests, "Namespace");
    expect(namespace.metadata.name).toBe(DEPLOY_NAMESPACE);
    expect(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const rendered = await render({}, { namespace: DEPLOY_NAMESPACE });
    expect(manifests.filter((m) => m.kind !== "Namespace")).toEqual(rendered);
    expect(kinds(manifests)).not.toContain("Secret");
    expect(envValue(deploymentOf(manifests), "DNSIMPLE_TOKEN")?.valueFrom?.secretKeyRef).toEqual({
      name: DEPLOY_CREDENTIALS_SECRET,
      key: "token",
      optional: true,
    });
    // The header says where the token comes from.
    const header = text.slice(0, text.indexOf("\n---\n"));
    expect(header).toContain("contains no DNSimple token");
    expect(header).toContain(
      `kubectl create secret generic ${DEPLOY_CREDENTIALS_SECRET} -n ${DEPLOY_NAMESPACE}`,
    );
    expect(header).toContain("kubectl apply --server-side -f deploy/");
    // No ClusterDnsimpleIssuer (its kind is new where deploy/ creates the CRDs): the header
    // says how to make one.
    expect(kinds(manifests)).not.toContain("ClusterDnsimpleIssuer");
    expect(header).toContain("kind: ClusterDnsimpleIssuer");
    expect(header).toContain("namespaceSelector");
  });
});

describe("the rendered chart on a real API server (restricted Pod Security)", () => {
  const ns = useNamespace("chart-psa");

  beforeAll(async () => {
    const labelled = await kubectl([
      "label",
      "namespace",
      ns.name,
      "pod-security.kubernetes.io/enforce=restricted",
      "pod-security.kubernetes.io/enforce-version=latest",
    ]);
    expect(labelled.code, labelled.stderr).toBe(0);
  });

  /** deploy/ moved into the test namespace (its Namespace object left out), or a render. */
  const deployIn = (namespace: string): Manifest[] =>
    parseManifests(readFileSync(DEPLOY_FILE, "utf8"))
      .filter((m) => m.kind !== "Namespace")
      .map((m) => {
        const moved = structuredClone(m);
        if (moved.metadata.namespace) moved.metadata.namespace = namespace;
        for (const subject of (moved.subjects as { namespace?: string }[] | undefined) ?? []) {
          subject.namespace = namespace;
        }
        return moved;
      });
  const yamlOf = (manifests: object[]) => manifests.map((m) => stringify(m)).join("---\n");
  const podSecurityWarnings = (stderr: string) =>
    stderr.split("\n").filter((line) => /PodSecurity/.test(line));

  /** kubectl apply --dry-run=server: every object accepted, no Pod Security warning. */
  async function dryRunApply(manifests: Manifest[]): Promise<void> {
    const result = await kubectl(
      ["apply", "--dry-run=server", "-f", "-"],
      undefined,
      yamlOf(manifests),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(podSecurityWarnings(result.stderr)).toEqual([]);
    expect(result.stdout.trim().split("\n")).toHaveLength(manifests.length);
    expect(result.stdout).not.toMatch(/^(?!.*\(server dry run\)).+$/m);
  }

  /** The Pod its Deployment would create, created with --dry-run=server: enforced, not warned. */
  async function dryRunPod(manifests: Manifest[], name: string) {
    const sa = only(manifests, "ServiceAccount");
    // The ServiceAccount admission plugin needs the account to exist.
    const created = await kubectl(["apply", "-f", "-"], undefined, yamlOf([sa]));
    expect(created.code, created.stderr).toBe(0);
    const pod = podFromDeployment(deploymentOf(manifests), name);
    return {
      pod,
      result: await kubectl(["create", "--dry-run=server", "-f", "-"], undefined, yamlOf([pod])),
    };
  }

  it("accepts deploy/ (the default render) and its Pod under enforce=restricted", async () => {
    const manifests = deployIn(ns.name);
    await dryRunApply(manifests);
    const { result } = await dryRunPod(manifests, "operator-default");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("pod/operator-default created (server dry run)");
    expect(podSecurityWarnings(result.stderr)).toEqual([]);
  });

  it("accepts non-default values (2 replicas, PDB, chart-created Secret, scheduling) too", async () => {
    const { priorityClassName: _unused, ...values } = VARIANTS["every other value"] ?? {};
    const manifests = await render(
      {
        ...values,
        replicas: 2,
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        dnsimple: { token: TOKEN, accountId: "4242" },
        watchNamespace: ns.name,
        // The Roles' rules on both sources too.
        gatewayAPI: { enabled: true },
      },
      { namespace: ns.name },
    );
    expect(kinds(manifests)).toEqual(
      expect.arrayContaining(["PodDisruptionBudget", "Secret", "Role", "RoleBinding"]),
    );
    await dryRunApply(manifests);
    const { result } = await dryRunPod(manifests, "operator-custom");
    expect(result.code, result.stderr).toBe(0);
  });

  it("accepts the ClusterDnsimpleIssuer with every policy field the values allow (its CRD's validation)", async () => {
    const values = VARIANTS["a cluster issuer with a policy, the default issuer"] ?? {};
    const manifests = await renderServed({
      ...values,
      clusterIssuer: { ...(values.clusterIssuer as object), name: `dry-${ns.name}` },
    });
    const issuer = only(manifests, "ClusterDnsimpleIssuer");
    await dryRunApply([issuer]);
    // And the CRD's own checks still run behind the schema's: a wildcard where none belongs.
    const wrong = structuredClone(issuer);
    (wrong.spec as { policy: { domains: string[] } }).policy.domains = ["*"];
    const refused = await kubectl(
      ["apply", "--dry-run=server", "-f", "-"],
      undefined,
      yamlOf([wrong]),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("every entry of domains must be a lower-case domain name");
  });

  it("is a namespace that really enforces: a weaker Pod is refused, a weaker Deployment warned", async () => {
    const manifests = deployIn(ns.name);
    const deployment = deploymentOf(manifests);
    const weaker = structuredClone(deployment);
    const weakerContainer = container(weaker);
    weakerContainer.securityContext = { allowPrivilegeEscalation: true };
    const { result } = await dryRunPod(
      manifests.map((m) => (m.kind === "Deployment" ? (weaker as unknown as Manifest) : m)),
      "operator-weaker",
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('violates PodSecurity "restricted:latest"');
    const warned = await kubectl(
      ["apply", "--dry-run=server", "-f", "-"],
      undefined,
      yamlOf([weaker]),
    );
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('would violate PodSecurity "restricted:latest"');
  });
});

describe("helm install on a cluster that has never had the CRDs (a control plane of its own)", () => {
  // The shared control plane has the CRDs from the test setup; this one has none, as a new
  // cluster. Helm builds every object of a release before creating any, so a
  // ClusterDnsimpleIssuer among them would fail the install ("ensure CRDs are installed
  // first"): the first install leaves it out, the next upgrade creates it.
  const dir = mkdtempSync(join(tmpdir(), "chart-fresh-"));
  let kubeconfig = "";
  const release = "fresh";
  const namespace = "operators";
  const run = (args: string[]) =>
    helm([...args, "--namespace", namespace, "--kubeconfig", kubeconfig]);
  type Issuer = Manifest & { metadata: { uid: string } };
  const issuer = async (): Promise<Issuer | undefined> => {
    const got = await kubectl(
      ["get", "clusterdnsimpleissuer", "dnsimple", "-o", "json"],
      kubeconfig,
    );
    return got.code === 0 ? (JSON.parse(got.stdout) as Issuer) : undefined;
  };
  const crdNames = async () =>
    (await kubectl(["get", "crd", "-o", "name"], kubeconfig)).stdout.trim().split("\n").sort();
  const selector = { matchLabels: { certificates: "dnsimple" } };

  beforeAll(async () => {
    kubeconfig = (await startControlPlane(dir, () => {})).kubeconfig;
  });
  afterAll(async () => {
    await stopControlPlane(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("installs the CRDs first; the ClusterDnsimpleIssuer comes with the next upgrade, as an ordinary object that uninstall deletes (the CRDs stay)", async () => {
    expect(await crdNames()).toEqual([""]);
    // No --wait: the Deployment never gets Ready on a control plane without a node.
    const installed = await run([
      "install",
      release,
      CHART_DIR,
      "--create-namespace",
      "-f",
      valuesFile({ clusterIssuer: { policy: { namespaceSelector: selector } } }),
    ]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(
      "The ClusterDnsimpleIssuer dnsimple (the operator's own token) was NOT created",
    );
    expect(installed.stdout).toContain(
      `helm upgrade ${release} <chart> --namespace ${namespace} --reuse-values`,
    );
    const crds = [...CRD_SOURCES.keys()]
      .map((name) => `customresourcedefinition.apiextensions.k8s.io/${name}`)
      .sort();
    expect(await crdNames()).toEqual(crds);
    expect(await issuer()).toBeUndefined();

    // The next upgrade, with the same values: the kind is served now.
    const upgraded = await run(["upgrade", release, CHART_DIR, "--reuse-values"]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).not.toContain("NOT created");
    const created = await issuer();
    expect(created?.spec).toEqual({
      policy: {
        namespaceSelector: selector,
        // The CRD's defaults.
        allowWildcards: false,
        budget: { ordersPerNamespacePerDay: 50, renewalFloor: "24h" },
      },
    });
    expect(created?.metadata.annotations).toMatchObject({
      "meta.helm.sh/release-name": release,
      "meta.helm.sh/release-namespace": namespace,
    });
    const manifest = parseManifests((await run(["get", "manifest", release])).stdout);
    expect(only(manifest, "ClusterDnsimpleIssuer", "dnsimple").spec).toEqual({
      policy: { namespaceSelector: selector },
    });

    // A later upgrade changes it in place.
    const changed = { matchLabels: { certificates: "platform" } };
    const again = await run([
      "upgrade",
      release,
      CHART_DIR,
      "--reuse-values",
      "-f",
      valuesFile({ clusterIssuer: { policy: { namespaceSelector: changed } } }),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect((await issuer())?.spec).toMatchObject({ policy: { namespaceSelector: changed } });
    expect((await issuer())?.metadata).toMatchObject({ uid: created?.metadata.uid });

    const uninstalled = await run(["uninstall", release]);
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
    expect(await issuer()).toBeUndefined();
    expect(await crdNames()).toEqual(crds);
  });
});
