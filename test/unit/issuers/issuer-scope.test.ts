// checkedBy by table: which issuers an operator confined to namespaces checks.
import { describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND, type DnsimpleIssuer, ISSUER_KIND } from "../../../src/api/issuers.ts";
import { checkedBy } from "../../../src/issuers/issuer-scope.ts";

function issuer(kind: DnsimpleIssuer["kind"], namespaceSelector?: object): DnsimpleIssuer {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind,
    metadata: { name: "x", uid: "u", generation: 1 },
    spec: {
      policy: {
        allowWildcards: false,
        budget: { ordersPerNamespacePerDay: 50, renewalFloor: "24h" },
        ...(namespaceSelector ? { namespaceSelector } : {}),
      },
    },
  };
}

const labels: Record<string, Record<string, string>> = {
  web: { "kubernetes.io/metadata.name": "web", team: "web" },
  shop: { "kubernetes.io/metadata.name": "shop", team: "shop" },
};
const labelsOf = (ns: string) => labels[ns] ?? {};

describe("checkedBy: an operator confined to web", () => {
  const rows: [string, DnsimpleIssuer, boolean][] = [
    ["its namespace's DnsimpleIssuer", issuer(ISSUER_KIND), true],
    [
      "a cluster issuer serving web",
      issuer(CLUSTER_ISSUER_KIND, { matchLabels: { team: "web" } }),
      true,
    ],
    ["a cluster issuer serving every namespace ({})", issuer(CLUSTER_ISSUER_KIND, {}), true],
    ["a cluster issuer serving none yet (no selector)", issuer(CLUSTER_ISSUER_KIND), true],
    [
      "a cluster issuer serving only shop: another operator's",
      issuer(CLUSTER_ISSUER_KIND, { matchLabels: { team: "shop" } }),
      false,
    ],
    [
      "a cluster issuer serving an unknown namespace",
      issuer(CLUSTER_ISSUER_KIND, {
        matchExpressions: [{ key: "team", operator: "In", values: ["ops"] }],
      }),
      false,
    ],
  ];
  it.each(rows)("%s", (_why, i, expected) => {
    expect(checkedBy(i, ["web"], labelsOf)).toBe(expected);
  });
  it("a cluster issuer serving one of several watched namespaces", () => {
    expect(
      checkedBy(
        issuer(CLUSTER_ISSUER_KIND, { matchLabels: { team: "shop" } }),
        ["web", "shop"],
        labelsOf,
      ),
    ).toBe(true);
  });
});
