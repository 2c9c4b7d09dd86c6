// `kubectl dnscert check` against an operator that elects a leader: the real operator (a child
// process, --leader-elect, its Lease in this file's namespace) and a Pod object labelled as the
// chart labels the operator's Pods, named after this machine's hostname (the operator's Lease
// identity is `<hostname>_<random>`, as a Pod's hostname is its name), its Ready condition set
// through the status subresource (no kubelet here). check names that Pod as the leader, fails
// for a Pod not Ready, an issuer not Ready and a Lease released, and says which.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RbacAuthorizationV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, VERSION } from "../../src/api/v1alpha1.ts";
import type { CheckReport } from "../../src/plugin/check-report.ts";
import {
  adminKubeConfig,
  core,
  type KubectlResult,
  objects,
  serviceAccountKubeconfig,
  useNamespace,
  waitFor,
} from "./support/kube.ts";
import { ensureTestIssuer, spawnOperator } from "./support/operator.ts";
import { runPlugin } from "./support/plugin.ts";
import { useSimulator } from "./support/simulator.ts";

const ns = useNamespace("plugin-check");
const TOKEN = "plugin-check-token-4e2b";
const LEASE = "dnsimple-cert-operator-plugin-check";
const sim = useSimulator({
  token: TOKEN,
  accountId: 7272,
  domains: ["example.com"],
  issueDelayMs: 100,
});
// A child process, not in-process: an operator that loses its Lease exits (as it must), and
// that must not take the test worker with it on a busy machine.
let operator: ChildProcess | undefined;
beforeAll(async () => {
  await ensureTestIssuer(ns.name);
  operator = spawnOperator(ns.name, sim.simulator, [
    `--dnsimple-token=${TOKEN}`,
    "--health-addr=127.0.0.1:0",
    "--metrics-addr=127.0.0.1:0",
    "--leader-elect=true",
    `--leader-election-namespace=${ns.name}`,
    `--leader-election-id=${LEASE}`,
  ]);
});
afterAll(() => {
  operator?.kill("SIGKILL");
});

const VERSION_OF_PLUGIN = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;
// What the operator's Lease identity begins with (kube/leader-election.ts).
const POD = hostname();

function plugin(...args: string[]): Promise<KubectlResult> {
  return runPlugin(args);
}

async function check(): Promise<{ code: number; report: CheckReport }> {
  const run = await plugin("check", "--operator-namespace", ns.name, "-n", ns.name, "-o", "json");
  expect(run.stderr).toBe("");
  return { code: run.code, report: JSON.parse(run.stdout) as CheckReport };
}

/** Problems about this file's objects (other files' ClusterDnsimpleIssuers share the cluster). */
function ownProblems(report: CheckReport): string[] {
  return report.problems.filter((p) => p.includes(ns.name));
}

async function createOperatorPod(): Promise<void> {
  // The ServiceAccount admission needs the namespace's default ServiceAccount first.
  await waitFor("the default ServiceAccount", async () =>
    (await core().listNamespacedServiceAccount({ namespace: ns.name })).items.some(
      (sa) => sa.metadata?.name === "default",
    )
      ? true
      : undefined,
  );
  const body: V1Pod = {
    metadata: {
      name: POD,
      labels: {
        "app.kubernetes.io/name": "dnsimple-cert-operator",
        "app.kubernetes.io/instance": "plugin-check",
        "app.kubernetes.io/version": VERSION_OF_PLUGIN,
        "app.kubernetes.io/component": "operator",
        "app.kubernetes.io/part-of": "dnsimple-cert-operator",
      },
    },
    spec: {
      containers: [
        {
          name: "operator",
          image: `dnsimple-cert-operator:${VERSION_OF_PLUGIN}`,
          env: [
            { name: "LEADER_ELECT", value: "true" },
            { name: "LEADER_ELECTION_ID", value: LEASE },
          ],
        },
      ],
    },
  };
  await core().createNamespacedPod({ namespace: ns.name, body });
}

async function setPodReady(ready: boolean): Promise<void> {
  const pod = await core().readNamespacedPod({ namespace: ns.name, name: POD });
  pod.status = {
    phase: "Running",
    conditions: [
      { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: new Date() },
    ],
  };
  await core().replaceNamespacedPodStatus({ namespace: ns.name, name: POD, body: pod });
}

describe("kubectl dnscert check", () => {
  it("names the Pod whose hostname holds the operator's Lease as the leader", async () => {
    await createOperatorPod();
    await setPodReady(true);
    const { code, report } = await waitFor("the operator to hold its Lease", async () => {
      const result = await check();
      return result.report.leases[0]?.held ? result : undefined;
    });
    expect(report.pods).toEqual([
      {
        namespace: ns.name,
        name: POD,
        ready: true,
        phase: "Running",
        version: VERSION_OF_PLUGIN,
        image: `dnsimple-cert-operator:${VERSION_OF_PLUGIN}`,
        leaderElection: true,
        leader: true,
      },
    ]);
    expect(report.leases).toHaveLength(1);
    expect(report.leases[0]).toMatchObject({
      namespace: ns.name,
      name: LEASE,
      found: true,
      leaderPod: `${ns.name}/${POD}`,
      held: true,
    });
    expect(report.leases[0]?.holder).toMatch(new RegExp(`^${POD}_[0-9a-f]+$`));
    expect(
      report.crds.every((c) => c.found && c.established && c.servedVersions.includes(VERSION)),
    ).toBe(true);
    expect(ownProblems(report)).toEqual([]);
    expect(report.warnings.filter((w) => w.includes(ns.name))).toEqual([]);
    // The exit code is the verdict (other files' issuers on the shared cluster may fail it).
    expect(code).toBe(report.ok ? 0 : 1);

    const human = await plugin("check", "--operator-namespace", ns.name, "-n", ns.name);
    expect(human.stdout).toMatch(
      new RegExp(
        `^ {2}${ns.name} +${POD} +True +yes +${VERSION_OF_PLUGIN.replace(/\./g, "\\.")} +dnsimple-cert-operator:`,
        "m",
      ),
    );
    expect(human.stdout).toMatch(
      new RegExp(`^Lease ${ns.name}/${LEASE}: held by ${ns.name}/${POD} until \\S+$`, "m"),
    );
    expect(human.stdout).toMatch(
      /^ {2}dnsimplecertificates\.dnsimple-cert-operator\.dev +True +v1alpha1 +v1alpha1$/m,
    );
    expect(human.code).toBe(code);
  });

  it("fails for an operator Pod that is not Ready", async () => {
    await setPodReady(false);
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(ownProblems(report)).toEqual([`Pod ${ns.name}/${POD} is not Ready (phase Running)`]);
    await setPodReady(true);
  });

  it("fails for a DnsimpleIssuer in the namespace that is not Ready, with its reason", async () => {
    await objects().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: "dnsimpleissuers",
      namespace: ns.name,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: "DnsimpleIssuer",
        metadata: { name: "no-token" },
        spec: { credentialsRef: { name: "missing" }, policy: {} },
      },
    });
    const { code, report } = await waitFor("the issuer's Ready=False in check", async () => {
      const result = await check();
      return result.report.issuers.some((i) => i.name === "no-token" && i.ready?.status === "False")
        ? result
        : undefined;
    });
    expect(code).toBe(1);
    expect(ownProblems(report)).toEqual([
      expect.stringMatching(
        new RegExp(`^DnsimpleIssuer ${ns.name}/no-token is not Ready \\(\\w+: .*missing`),
      ),
    ]);
    const human = await plugin("check", "--operator-namespace", ns.name, "-n", ns.name);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      new RegExp(`^ {2}DnsimpleIssuer +${ns.name} +no-token +False +\\w+$`, "m"),
    );
    expect(human.stdout).toMatch(/^Problems \(\d+\):$/m);
    await objects().deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: "dnsimpleissuers",
      namespace: ns.name,
      name: "no-token",
    });
  });

  it("reports what RBAC hides as a problem and checks the rest; --operator-namespace narrows it", async () => {
    // A user who may read the CRDs and issuers cluster-wide, but Pods and Leases only here.
    const user = `plugin-check-${ns.name}`;
    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: {
        metadata: { name: user },
        rules: [
          {
            apiGroups: ["apiextensions.k8s.io"],
            resources: ["customresourcedefinitions"],
            verbs: ["get"],
          },
          {
            apiGroups: [GROUP],
            resources: ["dnsimpleissuers", "clusterdnsimpleissuers"],
            verbs: ["list"],
          },
        ],
      },
    });
    const subjects = [{ kind: "ServiceAccount", name: "checker", namespace: ns.name }];
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: user },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: user },
        subjects,
      },
    });
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: "checker" },
        rules: [
          { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
          { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get"] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: "checker" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "checker" },
        subjects,
      },
    });
    try {
      const kubeconfig = await serviceAccountKubeconfig(ns.name, "checker");
      // RBAC takes effect once the API server's cache has the new bindings.
      const everywhere = await waitFor("the checker's ClusterRole to take effect", async () => {
        const run = await plugin(
          "check",
          `--kubeconfig=${kubeconfig}`,
          "-n",
          ns.name,
          "-o",
          "json",
        );
        return run.code === 4 ? undefined : run;
      });
      expect(everywhere.code).toBe(1);
      const hidden = JSON.parse(everywhere.stdout) as CheckReport;
      expect(hidden.problems).toContainEqual(
        expect.stringMatching(/^cannot check: list Pods in all namespaces failed \(HTTP 403\)/),
      );
      expect(hidden.crds.every((c) => c.established)).toBe(true);
      const here = await waitFor("the checker's Role to take effect", async () => {
        const run = await plugin(
          "check",
          `--kubeconfig=${kubeconfig}`,
          "--operator-namespace",
          ns.name,
          "-n",
          ns.name,
          "-o",
          "json",
        );
        const report = JSON.parse(run.stdout) as CheckReport;
        return report.pods.length === 1 ? report : undefined;
      });
      expect(here.problems.filter((p) => p.startsWith("cannot check"))).toEqual([]);
      expect(here.pods[0]).toMatchObject({ name: POD, leader: true });
    } finally {
      await rbac.deleteClusterRoleBinding({ name: user });
      await rbac.deleteClusterRole({ name: user });
    }
  });

  it("fails with no leader once the operator has released its Lease", async () => {
    // SIGTERM: the operator shuts down and releases its Lease (an empty holder).
    const exited = once(operator as ChildProcess, "exit");
    operator?.kill("SIGTERM");
    await exited;
    operator = undefined;
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(report.leases[0]).toMatchObject({ holder: null, held: false, leaderPod: null });
    expect(report.pods[0]?.leader).toBe(false);
    expect(ownProblems(report)).toEqual([`no leader: Lease ${ns.name}/${LEASE} has no holder`]);
  });
});
