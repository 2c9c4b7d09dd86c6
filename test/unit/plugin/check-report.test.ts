// check's verdict, by table: what is a problem (exit 1) and what only a warning, for CRDs, the
// operator's Pods, the leader-election Lease, versions and issuers.
import type { V1CustomResourceDefinition, V1Lease, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { DnsimpleIssuer } from "../../../src/api/issuers.ts";
import {
  type CheckInput,
  imageTag,
  leaderElectionOf,
  reportCheck,
} from "../../../src/plugin/check-report.ts";

const NOW = new Date("2026-12-01T12:00:00Z");
const CRD = "dnsimplecertificates.dnsimple-cert-operator.dev";

function crd(established = true, versions = [{ name: "v1alpha1", served: true, storage: true }]) {
  return {
    spec: { versions },
    status: { conditions: [{ type: "Established", status: established ? "True" : "False" }] },
  } as unknown as V1CustomResourceDefinition;
}

function pod(
  name: string,
  ready = true,
  env: Record<string, string> = { LEADER_ELECT: "true", LEADER_ELECTION_ID: "op" },
  version = "0.1.0",
): V1Pod {
  return {
    metadata: { name, namespace: "ops", labels: { "app.kubernetes.io/version": version } },
    spec: {
      containers: [
        {
          name: "operator",
          image: `ghcr.io/x/op:${version}`,
          env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
        },
      ],
    },
    status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

function lease(holder: string, renewedSecondsAgo = 2): V1Lease {
  return {
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      renewTime: new Date(NOW.getTime() - renewedSecondsAgo * 1000),
    },
  };
}

function issuer(name: string, status?: string): DnsimpleIssuer {
  return {
    kind: "ClusterDnsimpleIssuer",
    metadata: { name },
    ...(status
      ? {
          status: {
            conditions: [
              {
                type: "Ready",
                status,
                reason: status === "True" ? "Ready" : "Unauthorized",
                message: "m",
              },
            ],
          },
        }
      : {}),
  } as DnsimpleIssuer;
}

function input(overrides: Partial<CheckInput> = {}): CheckInput {
  return {
    pluginVersion: "0.1.0",
    apiVersion: "v1alpha1",
    crds: [{ name: CRD, object: crd() }],
    podNamespace: "ops",
    pods: [pod("op-a"), pod("op-b")],
    leases: [{ namespace: "ops", name: "op", lease: lease("op-a_1f2e3d4c") }],
    issuers: [issuer("prod", "True")],
    unreadable: [],
    now: NOW,
    ...overrides,
  };
}

describe("reportCheck", () => {
  it("passes a healthy installation and names the leader", () => {
    const report = reportCheck(input());
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.pods.map((p) => [p.name, p.leader])).toEqual([
      ["op-a", true],
      ["op-b", false],
    ]);
    expect(report.leases[0]).toMatchObject({
      holder: "op-a_1f2e3d4c",
      leaderPod: "ops/op-a",
      held: true,
    });
  });

  it.each<[string, Partial<CheckInput>, RegExp]>([
    ["a CRD missing", { crds: [{ name: CRD, object: undefined }] }, /CRD .* is not installed/],
    ["a CRD not Established", { crds: [{ name: CRD, object: crd(false) }] }, /is not Established/],
    [
      "a CRD without the plugin's version",
      { crds: [{ name: CRD, object: crd(true, [{ name: "v1", served: true, storage: true }]) }] },
      /does not serve v1alpha1, the version this plugin reads \(it serves v1\)/,
    ],
    [
      "no operator Pods",
      { pods: [], leases: [] },
      /no operator Pods in namespace ops \(labels app.kubernetes.io\/part-of=dnsimple-cert-operator/,
    ],
    [
      "a Pod not Ready",
      { pods: [pod("op-a"), pod("op-b", false)] },
      /Pod ops\/op-b is not Ready \(phase Running\)/,
    ],
    [
      "no Lease",
      { leases: [{ namespace: "ops", name: "op", lease: undefined }] },
      /no leader: Lease ops\/op does not exist/,
    ],
    [
      "an expired Lease",
      { leases: [{ namespace: "ops", name: "op", lease: lease("op-a_1", 60) }] },
      /no leader: Lease ops\/op expired at .* \(held by op-a_1\)/,
    ],
    [
      "a released Lease",
      { leases: [{ namespace: "ops", name: "op", lease: lease("") }] },
      /no leader: Lease ops\/op has no holder/,
    ],
    [
      "a Lease held by a stranger",
      { leases: [{ namespace: "ops", name: "op", lease: lease("laptop_9") }] },
      /held by laptop_9, which is none of the operator Pods found \(op-a, op-b\)/,
    ],
    [
      "two Pods without election",
      { pods: [pod("a", true, {}), pod("b", true, {})], leases: [] },
      /2 operator Pods run without leader election/,
    ],
    [
      "an issuer not Ready",
      { issuers: [issuer("prod", "False")] },
      /ClusterDnsimpleIssuer prod is not Ready \(Unauthorized: m\)/,
    ],
    [
      "a part RBAC hides",
      { unreadable: ["cannot check: list Pods failed (HTTP 403): forbidden"] },
      /HTTP 403/,
    ],
  ])("fails for %s", (_, overrides, problem) => {
    const report = reportCheck(input(overrides));
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(problem);
  });

  it.each<[string, Partial<CheckInput>, RegExp]>([
    [
      "a Pod of another version",
      {
        pods: [
          pod("op-a"),
          pod("op-b", true, { LEADER_ELECT: "true", LEADER_ELECTION_ID: "op" }, "0.2.0"),
        ],
      },
      /Pod ops\/op-b runs 0.2.0 .*; this plugin is 0.1.0/,
    ],
    [
      "an issuer no operator looked at",
      { issuers: [issuer("new")] },
      /ClusterDnsimpleIssuer new has no Ready condition yet/,
    ],
    [
      "a CRD storing another version",
      {
        crds: [
          {
            name: CRD,
            object: crd(true, [
              { name: "v1alpha1", served: true, storage: false },
              { name: "v1", served: true, storage: true },
            ]),
          },
        ],
      },
      /stores v1; this plugin reads v1alpha1/,
    ],
  ])("only warns for %s", (_, overrides, warning) => {
    const report = reportCheck(input(overrides));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.warnings.join("\n")).toMatch(warning);
  });

  it("one Pod without election is the only operator: no problem", () => {
    expect(reportCheck(input({ pods: [pod("solo", true, {})], leases: [] })).problems).toEqual([]);
  });
});

describe("leaderElectionOf", () => {
  it.each<[string, V1Pod, ReturnType<typeof leaderElectionOf>]>([
    [
      "the chart's environment",
      pod("p"),
      { enabled: true, lease: { namespace: "ops", name: "op" } },
    ],
    ["off", pod("p", true, { LEADER_ELECT: "false" }), { enabled: false }],
    [
      "flags, the default Lease name",
      {
        metadata: { name: "p", namespace: "ns" },
        spec: {
          containers: [
            { name: "c", args: ["--leader-elect", "--leader-election-namespace=elsewhere"] },
          ],
        },
      },
      { enabled: true, lease: { namespace: "elsewhere", name: "dnsimple-cert-operator" } },
    ],
  ])("%s", (_, p, expected) => {
    expect(leaderElectionOf(p)).toEqual(expected);
  });
});

describe("imageTag", () => {
  it.each<[string | null, string | null]>([
    ["ghcr.io/x/op:0.1.0", "0.1.0"],
    ["localhost:5000/op:v0.1.0", "v0.1.0"],
    ["localhost:5000/op", null],
    ["op@sha256:abc", null],
    [null, null],
  ])("%s -> %s", (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});
