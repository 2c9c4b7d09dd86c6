// The Helm chart and the plain manifests rendered from it: lint, render with default and other
// values, the schema refusing wrong values, deploy/ in sync with the chart, NOTES, and the
// rendered objects accepted by the real API server (server-side dry run) in a namespace that
// enforces the restricted Pod Security Standard.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  CHART_DIR,
  CRD_SOURCE,
  crdTemplate,
  DEPLOY_CREDENTIALS_SECRET,
  DEPLOY_FILE,
  DEPLOY_NAMESPACE,
  generate,
  helm,
  ROOT,
  stale,
} from "../../helm/render.ts";
import { parseConfig } from "../../src/config.ts";
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

/** What the operator may do wherever it watches (see helm/README.md's RBAC section). */
const OPERATOR_RULES: V1PolicyRule[] = [
  {
    apiGroups: ["dnsimple-cert-operator.dev"],
    resources: ["dnsimplecertificates"],
    verbs: ["list", "watch"],
  },
  {
    apiGroups: ["dnsimple-cert-operator.dev"],
    resources: ["dnsimplecertificates/status"],
    verbs: ["update"],
  },
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "patch"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];
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
  "2 replicas, ServiceMonitor and PodDisruptionBudget": {
    replicas: 2,
    prometheus: { serviceMonitor: { enabled: true, labels: { release: "prometheus" } } },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
  },
  "an existing Secret": { dnsimple: { existingSecret: "my-dnsimple" } },
  "a chart-created Secret": { dnsimple: { token: TOKEN, accountId: 4242 } },
  "no leader election, no CRD": { leaderElection: { enabled: false }, crds: { enabled: false } },
  "every other value": {
    fullnameOverride: "certs",
    image: { repository: "registry.example/certs", tag: "0.1.0-rc1", pullPolicy: "Always" },
    imagePullSecrets: [{ name: "regcred" }],
    crds: { keep: false },
    dnsimple: { baseUrl: "https://api.sandbox.dnsimple.com" },
    pollInterval: "5s",
    resyncInterval: "1h",
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

  it("renders default values: CRD, ServiceAccount, least-privilege RBAC, Deployment, metrics Service", async () => {
    const manifests = await render({});
    expect(kinds(manifests)).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
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

    // The CRD is the one in crds/, kept on uninstall.
    const crd = only<V1CustomResourceDefinition>(manifests, "CustomResourceDefinition");
    const source = parse(readFileSync(CRD_SOURCE, "utf8")) as V1CustomResourceDefinition;
    expect(crd.spec).toEqual(source.spec);
    expect(crd.metadata?.name).toBe(source.metadata?.name);
    expect(crd.metadata?.annotations).toEqual({ "helm.sh/resource-policy": "keep" });

    const sa = only<V1ServiceAccount>(manifests, "ServiceAccount");
    expect(sa.metadata?.name).toBe("dnsimple-cert-operator");
    expect(sa.automountServiceAccountToken).toBe(false);

    // RBAC: exactly the operator's calls, cluster-wide; its Lease only, in its own namespace.
    expect(only<V1ClusterRole>(manifests, "ClusterRole").rules).toEqual(OPERATOR_RULES);
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
      limits: { cpu: "500m", memory: "384Mi" },
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
    // watchNamespace: a Role and RoleBinding there, no cluster-wide grant.
    const one = await render(VARIANTS["watchNamespace set"] ?? {});
    expect(kinds(one)).not.toContain("ClusterRole");
    expect(kinds(one)).not.toContain("ClusterRoleBinding");
    const watchRole = only<V1Role>(one, "Role", "dnsimple-cert-operator");
    expect(watchRole.metadata?.namespace).toBe("web");
    expect(watchRole.rules).toEqual(OPERATOR_RULES);
    const watchBinding = only<V1RoleBinding>(one, "RoleBinding", "dnsimple-cert-operator");
    expect(watchBinding.metadata?.namespace).toBe("web");
    expect(watchBinding.roleRef).toMatchObject({ kind: "Role", name: "dnsimple-cert-operator" });
    expect(watchBinding.subjects).toEqual([
      { kind: "ServiceAccount", name: "dnsimple-cert-operator", namespace: "operators" },
    ]);
    const lease = only<V1Role>(one, "Role", "dnsimple-cert-operator-leader-election");
    expect(lease.metadata?.namespace).toBe("operators");
    expect(envValue(deploymentOf(one), "WATCH_NAMESPACE")?.value).toBe("web");
    expect(only<V1CustomResourceDefinition>(one, "CustomResourceDefinition").spec.scope).toBe(
      "Namespaced",
    );

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
    expect(
      only<V1CustomResourceDefinition>(other, "CustomResourceDefinition").metadata?.annotations,
    ).toBeUndefined();
    expect(only<V1Role>(other, "Role").rules).toEqual(leaseRules("certs"));
  });

  it("configures the operator with settings its command line accepts", async () => {
    const expected: Record<string, Record<string, unknown>> = {
      default: {
        dnsimpleBaseUrl: "https://api.dnsimple.com",
        watchNamespace: undefined,
        pollIntervalMs: 2_000,
        resyncIntervalMs: 600_000,
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
      },
      "watchNamespace set": { watchNamespace: "web" },
      "2 replicas, ServiceMonitor and PodDisruptionBudget": { leaderElect: true },
      "an existing Secret": { dnsimpleToken: "from-my-dnsimple", dnsimpleAccountId: "4242" },
      "a chart-created Secret": { dnsimpleToken: TOKEN, dnsimpleAccountId: "4242" },
      "no leader election, no CRD": { leaderElect: false },
      "every other value": {
        dnsimpleBaseUrl: "https://api.sandbox.dnsimple.com",
        pollIntervalMs: 5_000,
        resyncIntervalMs: 3_600_000,
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
      if (name === "default") expect(config).toEqual(expected.default);
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
    });
    const env = operatorEnv(deploymentOf(manifests));
    expect(env.find((e) => e.name === "WEBHOOK_ADDR")?.value).toBe(":9443");
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

  it("tells the user what to apply next (NOTES)", async () => {
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
    expect(byDefault).toContain("did not install the DnsimpleCertificate CRD");

    const withToken = await notes({ watchNamespace: "web", dnsimple: { token: TOKEN } });
    expect(withToken).toContain("watching the namespace web only");
    expect(withToken).toContain(`the Secret ${DEPLOY_CREDENTIALS_SECRET} (created from`);
    expect(withToken).not.toContain("kubectl create secret");
    expect(withToken).toContain("kubectl get dnscert --namespace web");
    expect(withToken).not.toContain(TOKEN);
  });
});

describe("deploy/", () => {
  it("equals a fresh render of the chart, and the chart's CRD equals crds/ (npm run manifests)", async () => {
    const files = await generate();
    expect([...files.keys()].map((p) => relative(ROOT, p)).sort()).toEqual([
      "deploy/dnsimple-cert-operator.yaml",
      "helm/dnsimple-cert-operator/templates/crd-dnsimplecertificates.yaml",
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
    expect(header).toContain("kubectl apply -f deploy/");
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
