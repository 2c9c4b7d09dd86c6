// The DnsimpleIssuer, ClusterDnsimpleIssuer and DnsimpleCertificateClaim CRDs at `kubectl
// apply`: defaults filled in (policy and budget omitted), bad policies refused with the rule's
// message, and a claim's spec immutable. Cluster-scoped objects are shared with every other
// test file: their names carry this file's namespace, and they are deleted after it.
import { afterAll, describe, expect, it } from "vitest";
import { kubectl, useNamespace } from "./support/kube.ts";

const ns = useNamespace("issuer-crds");

const API_VERSION = "dnsimple-cert-operator.dev/v1alpha1";

/** Every cluster-scoped object a test may have created, as kubectl names it. */
const clusterObjects = new Set<string>();

afterAll(async () => {
  if (clusterObjects.size === 0) return;
  const deleted = await kubectl([
    "delete",
    "--ignore-not-found",
    "--wait=false",
    ...clusterObjects,
  ]);
  if (deleted.code !== 0) throw new Error(`deleting ${[...clusterObjects]}: ${deleted.stderr}`);
});

/** A name unique to this file and `suffix` (the namespace's name is random). */
const unique = (suffix: string) => `${ns.name}-${suffix}`;

const apply = (manifest: unknown) =>
  kubectl(["apply", "-f", "-"], undefined, JSON.stringify(manifest));

const issuer = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: API_VERSION,
  kind: "DnsimpleIssuer",
  metadata: { name, namespace: ns.name },
  spec,
});

const clusterIssuer = (suffix: string, spec: Record<string, unknown>) => {
  const name = unique(suffix);
  clusterObjects.add(`clusterdnsimpleissuer/${name}`);
  return { apiVersion: API_VERSION, kind: "ClusterDnsimpleIssuer", metadata: { name }, spec };
};

const claim = (suffix: string, spec: Record<string, unknown>) => {
  const name = unique(suffix);
  clusterObjects.add(`dnsimplecertificateclaim/${name}`);
  return { apiVersion: API_VERSION, kind: "DnsimpleCertificateClaim", metadata: { name }, spec };
};

/** The spec as stored, defaults applied. */
async function specOf(resource: string, name: string, namespace?: string): Promise<unknown> {
  const where = namespace ? ["-n", namespace] : [];
  const got = await kubectl(["get", resource, name, ...where, "-o", "jsonpath={.spec}"]);
  expect(got.stderr).toBe("");
  return JSON.parse(got.stdout);
}

const DEFAULT_POLICY = {
  allowWildcards: false,
  budget: { ordersPerNamespacePerDay: 50, renewalFloor: "24h" },
};

const credentialsRef = { name: "dnsimple-token" };

const invalidPolicies: [string, Record<string, unknown>, RegExp][] = [
  [
    "a domain with capitals",
    { domains: ["Example.com"] },
    /every entry of domains must be a lower-case domain name/,
  ],
  [
    "a domain without a dot",
    { domains: ["localhost"] },
    /every entry of domains must be a lower-case domain name/,
  ],
  ["a bare * domain", { domains: ["*"] }, /every entry of domains must be a lower-case domain/],
  ["a repeated domain", { domains: ["example.com", "example.com"] }, /Duplicate value/],
  ["a * dnsNames pattern", { dnsNames: ["*"] }, /every entry of dnsNames must be a lower-case/],
  [
    "a wildcard inside a dnsNames pattern",
    { dnsNames: ["api.*.example.com"] },
    /every entry of dnsNames must be a lower-case/,
  ],
  [
    "a renewalFloor without a unit",
    { budget: { renewalFloor: "24" } },
    /renewalFloor must be a duration made of numbers and the units/,
  ],
  [
    "a renewalFloor in days",
    { budget: { renewalFloor: "1 day" } },
    /renewalFloor must be a duration made of numbers and the units/,
  ],
  [
    "a negative budget",
    { budget: { ordersPerNamespacePerDay: -1 } },
    /spec\.policy\.budget\.ordersPerNamespacePerDay: Invalid value: -1: .*greater than or equal to 0/,
  ],
  [
    "an adoption selector with an unknown operator",
    { adoption: { namespaceSelector: { matchExpressions: [{ key: "a", operator: "Is" }] } } },
    /Unsupported value: "Is"/,
  ],
  [
    "a namespaceSelector (a DnsimpleIssuer serves its own namespace only)",
    { namespaceSelector: {} },
    /unknown field "spec\.policy\.namespaceSelector"/,
  ],
];

describe("the DnsimpleIssuer CRD", () => {
  it("accepts a credentialsRef alone and fills in the policy's defaults", async () => {
    const applied = await apply(issuer("minimal", { credentialsRef }));
    expect(applied.stderr).toBe("");
    expect(await specOf("dnsissuer", "minimal", ns.name)).toEqual({
      credentialsRef,
      policy: DEFAULT_POLICY,
    });
  });

  it("keeps a full policy and defaults what it leaves out of the budget", async () => {
    const policy = {
      domains: ["example.com", "*.example.org"],
      dnsNames: ["www.example.com", "*.apps.example.com"],
      allowWildcards: true,
      adoption: {
        namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] },
      },
      budget: { renewalFloor: "720h" },
    };
    const applied = await apply(issuer("full", { credentialsRef, policy }));
    expect(applied.stderr).toBe("");
    expect(await specOf("dnsissuer", "full", ns.name)).toEqual({
      credentialsRef,
      policy: { ...policy, budget: { ordersPerNamespacePerDay: 50, renewalFloor: "720h" } },
    });
  });

  it("refuses an issuer without credentialsRef", async () => {
    const result = await apply(issuer("no-credentials", { policy: {} }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/spec\.credentialsRef: Required value/);
  });

  it("refuses a credentialsRef that is not a Secret name", async () => {
    const result = await apply(issuer("bad-secret", { credentialsRef: { name: "My_Token" } }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/credentialsRef\.name must be a valid Secret name/);
  });

  it.each(invalidPolicies)("refuses %s", async (_what, policy, message) => {
    const result = await apply(issuer("bad", { credentialsRef, policy }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it("shows Ready, Reason and Account, and documents the policy for kubectl explain", async () => {
    const listed = await kubectl(["get", "dnsissuer", "-n", ns.name]);
    expect(listed.stdout).toMatch(/^NAME\s+READY\s+REASON\s+ACCOUNT\s+AGE$/m);
    const explain = await kubectl(["explain", "dnsissuer.spec.policy", "--recursive=false"]);
    expect(explain.code).toBe(0);
    for (const field of ["domains", "dnsNames", "allowWildcards", "adoption", "budget"]) {
      expect(explain.stdout).toMatch(new RegExp(`^  ${field}\\s+<`, "m"));
    }
    expect(explain.stdout).not.toMatch(/^ {2}namespaceSelector\s+</m);
  });
});

describe("the ClusterDnsimpleIssuer CRD", () => {
  it("accepts an empty spec (the operator's token) and fills in the policy's defaults", async () => {
    const manifest = clusterIssuer("minimal", {});
    const applied = await apply(manifest);
    expect(applied.stderr).toBe("");
    expect(await specOf("dnsclusterissuer", manifest.metadata.name)).toEqual({
      policy: DEFAULT_POLICY,
    });
  });

  it("keeps a namespaceSelector, a credentialsRef and the rest of the policy", async () => {
    const policy = {
      namespaceSelector: {
        matchLabels: { tenant: "yes" },
        matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }],
      },
      domains: ["example.com"],
      adoption: { namespaceSelector: {} },
      budget: { ordersPerNamespacePerDay: 0, renewalFloor: "0s" },
    };
    const manifest = clusterIssuer("full", { credentialsRef, policy });
    const applied = await apply(manifest);
    expect(applied.stderr).toBe("");
    expect(await specOf("dnsclusterissuer", manifest.metadata.name)).toEqual({
      credentialsRef,
      policy: { ...policy, allowWildcards: false },
    });
    const listed = await kubectl(["get", "dnsclusterissuer", manifest.metadata.name]);
    expect(listed.stdout).toMatch(/^NAME\s+READY\s+REASON\s+ACCOUNT\s+AGE$/m);
  });

  it.each([
    ...invalidPolicies.filter(([what]) => !what.startsWith("a namespaceSelector")),
    [
      "an In requirement without values",
      { namespaceSelector: { matchExpressions: [{ key: "env", operator: "In" }] } },
      /values must be non-empty for the operators In and NotIn/,
    ],
    [
      "an Exists requirement with values",
      {
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "Exists", values: ["x"] }],
        },
      },
      /and empty for Exists and DoesNotExist/,
    ],
  ] as [string, Record<string, unknown>, RegExp][])(
    "refuses %s",
    async (_what, policy, message) => {
      const result = await apply(clusterIssuer("bad", { policy }));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    },
  );
});

describe("the DnsimpleCertificateClaim CRD", () => {
  const spec = {
    accountId: "1385",
    certificateId: 101967,
    owner: {
      namespace: "team-a",
      name: "www-example-com",
      uid: "6b1c7a52-4c11-4bd8-9a3e-0c0d4d1f3a10",
    },
    issuer: { kind: "ClusterDnsimpleIssuer", name: "dnsimple" },
    via: "Order",
    claimedAt: "2026-01-02T03:04:05Z",
  };

  it("accepts a claim, shows it, and refuses any change of its spec", async () => {
    const manifest = claim("claim", spec);
    const applied = await apply(manifest);
    expect(applied.stderr).toBe("");
    expect(await specOf("dnsclaim", manifest.metadata.name)).toEqual(spec);

    const listed = await kubectl(["get", "dnsclaim", manifest.metadata.name]);
    expect(listed.stdout).toMatch(
      /^NAME\s+ACCOUNT\s+CERTIFICATE\s+OWNER NAMESPACE\s+OWNER\s+VIA\s+AGE$/m,
    );
    expect(listed.stdout).toMatch(/\s1385\s+101967\s+team-a\s+www-example-com\s+Order\s/);

    for (const changed of [
      { ...spec, owner: { ...spec.owner, namespace: "team-b" } },
      { ...spec, via: "Adoption" },
      { ...spec, certificateId: 101968 },
    ]) {
      const updated = await apply({ ...manifest, spec: changed });
      expect(updated.code).not.toBe(0);
      expect(updated.stderr).toMatch(/a claim is immutable: delete it to release the certificate/);
    }
    expect(await specOf("dnsclaim", manifest.metadata.name)).toEqual(spec);

    // Only the spec is frozen: metadata such as labels can change.
    const labelled = await kubectl(["label", "dnsclaim", manifest.metadata.name, "audited=yes"]);
    expect(labelled.stderr).toBe("");
  });

  it("accepts a DnsimpleIssuer's claim, with its namespace", async () => {
    const manifest = claim("namespaced", {
      ...spec,
      certificateId: 7,
      issuer: { kind: "DnsimpleIssuer", name: "team", namespace: "team-a" },
      via: "Adoption",
    });
    const applied = await apply(manifest);
    expect(applied.stderr).toBe("");
  });

  it.each([
    ["no owner", { ...spec, owner: undefined }, /spec\.owner: Required value/],
    [
      "an owner without uid",
      { ...spec, owner: { namespace: "a", name: "b" } },
      /spec\.owner\.uid: Required value/,
    ],
    [
      "a non-numeric account id",
      { ...spec, accountId: "acme" },
      /accountId must be a numeric DNSimple account id/,
    ],
    [
      "a certificate id of zero",
      { ...spec, certificateId: 0 },
      /spec\.certificateId: Invalid value: 0: .*greater than or equal to 1/,
    ],
    ["an unknown via", { ...spec, via: "Stolen" }, /Unsupported value: "Stolen"/],
    [
      "an unknown issuer kind",
      { ...spec, issuer: { kind: "Issuer", name: "x" } },
      /Unsupported value: "Issuer"/,
    ],
    [
      "a ClusterDnsimpleIssuer with a namespace",
      { ...spec, issuer: { ...spec.issuer, namespace: "team-a" } },
      /issuer\.namespace is set for a DnsimpleIssuer, and only for one/,
    ],
    [
      "a DnsimpleIssuer without a namespace",
      { ...spec, issuer: { kind: "DnsimpleIssuer", name: "team" } },
      /issuer\.namespace is set for a DnsimpleIssuer, and only for one/,
    ],
    [
      "a claimedAt that is not a time",
      { ...spec, claimedAt: "yesterday" },
      /spec\.claimedAt: Invalid value: "yesterday"/,
    ],
  ] as [string, Record<string, unknown>, RegExp][])(
    "refuses %s",
    async (_what, claimSpec, message) => {
      const result = await apply(claim("bad", claimSpec));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    },
  );

  it("has no status", async () => {
    const result = await apply({ ...claim("with-status", spec), status: { owned: true } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "status"/);
  });
});
