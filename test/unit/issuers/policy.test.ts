// judgeAccess and nameMatches by table: whether an issuer (DnsimpleIssuer or
// ClusterDnsimpleIssuer) serves a DnsimpleCertificate, which check refuses it first, what a
// grant carries (token Secret, budget scope, adoption, renewal floor), and that a refusal names
// only the issuer and the resource's own namespace and names, never another tenant's. This is
// the gate before any DNSimple call or purchase, so each policy field gets a row. No I/O.
import { describe, expect, it } from "vitest";
import {
  CLUSTER_ISSUER_KIND,
  type DnsimpleIssuer,
  ISSUER_KIND,
  type IssuerPolicy,
  type IssuerRef,
} from "../../../src/api/issuers.ts";
import type { DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import type { FailureReason } from "../../../src/controller/observation.ts";
import {
  type AccessRequest,
  type IssuerGrant,
  judgeAccess,
  judgeTokenUse,
  nameMatches,
} from "../../../src/issuers/policy.ts";
import { resource } from "../controller/fixtures.ts";

type Spec = Partial<DnsimpleCertificate["spec"]>;

const CLUSTER_NAMESPACE = "dnsimple-system";

function policy(overrides: Partial<IssuerPolicy> = {}): IssuerPolicy {
  return {
    allowWildcards: false,
    budget: { ordersPerNamespacePerDay: 5, renewalFloor: "24h" },
    ...overrides,
  };
}

/** ClusterDnsimpleIssuer `dnsimple`, serving every namespace unless the policy says otherwise (credentialsRef null: none). */
function clusterIssuer(
  overrides: Partial<IssuerPolicy> = {},
  credentialsRef: string | null = "platform-token",
  name = "dnsimple",
): DnsimpleIssuer {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: CLUSTER_ISSUER_KIND,
    metadata: { name, uid: `uid-cluster-${name}`, generation: 1 },
    spec: {
      ...(credentialsRef ? { credentialsRef: { name: credentialsRef } } : {}),
      policy: policy({ namespaceSelector: {}, ...overrides }),
    },
  };
}

/** DnsimpleIssuer `web/team`, its token in Secret `team-token` (credentialsRef null: none). */
function namespacedIssuer(
  overrides: Partial<IssuerPolicy> = {},
  credentialsRef: string | null = "team-token",
  name = "team",
): DnsimpleIssuer {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: ISSUER_KIND,
    metadata: { name, namespace: "web", uid: `uid-ns-${name}`, generation: 1 },
    spec: {
      ...(credentialsRef ? { credentialsRef: { name: credentialsRef } } : {}),
      policy: policy(overrides),
    },
  };
}

/** The resource (web/www, `www.example.com` by default) asking `issuer`, found in the cache. */
function via(
  issuer: DnsimpleIssuer,
  spec: Spec = {},
  extra: Partial<AccessRequest> = {},
): AccessRequest {
  const ref: IssuerRef = { kind: issuer.kind, name: issuer.metadata.name };
  return {
    resource: resource({ issuerRef: ref, ...spec }),
    ref,
    defaulted: false,
    issuer,
    namespaceLabels: { team: "web", env: "prod" },
    clusterResourceNamespace: CLUSTER_NAMESPACE,
    ...extra,
  };
}

/** The same request from a resource in another namespace. */
function inNamespace(request: AccessRequest, namespace: string): AccessRequest {
  const r = request.resource;
  return { ...request, resource: { ...r, metadata: { ...r.metadata, namespace } } };
}

function grantOf(request: AccessRequest): IssuerGrant {
  const verdict = judgeAccess(request);
  if (verdict.kind !== "granted") {
    throw new Error(`expected a grant, got ${verdict.failure.reason}: ${verdict.failure.message}`);
  }
  return verdict.grant;
}

type Expected =
  | { granted: true }
  | { refused: FailureReason; mentions?: string[]; omits?: string[] };

const granted: Expected = { granted: true };
const notPermitted = (...mentions: string[]): Expected => ({ refused: "NotPermitted", mentions });

describe("judgeAccess: the verdict", () => {
  const rows: [string, AccessRequest, Expected][] = [
    // No issuer, or one that is not there.
    [
      "no ref: IssuerNotSet",
      { ...via(clusterIssuer()), ref: undefined, issuer: undefined },
      { refused: "IssuerNotSet", mentions: ["spec.issuerRef", "--default-cluster-issuer"] },
    ],
    [
      "a ClusterDnsimpleIssuer that does not exist: IssuerNotFound",
      { ...via(clusterIssuer()), issuer: undefined },
      {
        refused: "IssuerNotFound",
        mentions: ["ClusterDnsimpleIssuer dnsimple does not exist", "namespaceSelector"],
        omits: ["--default-cluster-issuer"],
      },
    ],
    [
      "the default ClusterDnsimpleIssuer does not exist: the message says it is the default",
      { ...via(clusterIssuer()), issuer: undefined, defaulted: true },
      {
        refused: "IssuerNotFound",
        mentions: ["ClusterDnsimpleIssuer dnsimple", "--default-cluster-issuer", "does not exist"],
      },
    ],
    [
      "a DnsimpleIssuer that does not exist: IssuerNotFound in the resource's namespace",
      { ...via(namespacedIssuer()), issuer: undefined },
      {
        refused: "IssuerNotFound",
        mentions: ["DnsimpleIssuer web/team does not exist", "spec.credentialsRef"],
      },
    ],
    // Credentials.
    [
      "a DnsimpleIssuer without credentialsRef: CredentialsNotFound",
      via(namespacedIssuer({}, null)),
      {
        refused: "CredentialsNotFound",
        mentions: ["DnsimpleIssuer web/team", "spec.credentialsRef"],
      },
    ],
    [
      "a ClusterDnsimpleIssuer without credentialsRef: granted (the operator's own token)",
      via(clusterIssuer({}, null)),
      granted,
    ],
    // Which namespaces a ClusterDnsimpleIssuer serves.
    [
      "a ClusterDnsimpleIssuer without namespaceSelector serves no namespace",
      via(clusterIssuer({ namespaceSelector: undefined })),
      notPermitted("ClusterDnsimpleIssuer dnsimple", "web", "spec.policy.namespaceSelector"),
    ],
    [
      "a ClusterDnsimpleIssuer with namespaceSelector {} serves every namespace",
      via(clusterIssuer({ namespaceSelector: {} })),
      granted,
    ],
    [
      "a namespaceSelector that does not select the namespace's labels",
      via(clusterIssuer({ namespaceSelector: { matchLabels: { team: "shop" } } })),
      notPermitted(
        "ClusterDnsimpleIssuer dnsimple",
        "namespace web",
        "spec.policy.namespaceSelector",
      ),
    ],
    [
      "a namespaceSelector that selects the namespace's labels",
      via(clusterIssuer({ namespaceSelector: { matchLabels: { team: "web" } } })),
      granted,
    ],
    [
      "a namespaceSelector by expression that selects the namespace",
      via(
        clusterIssuer({
          namespaceSelector: {
            matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }],
          },
        }),
      ),
      granted,
    ],
    [
      "a DnsimpleIssuer ignores namespaceSelector (it serves its own namespace)",
      via(namespacedIssuer({ namespaceSelector: { matchLabels: { team: "shop" } } })),
      granted,
    ],
    [
      "a DnsimpleIssuer without namespaceSelector serves its namespace",
      via(namespacedIssuer()),
      granted,
    ],
    // Domains.
    [
      "the domain is listed exactly",
      via(clusterIssuer({ domains: ["example.net", "example.com"] })),
      granted,
    ],
    [
      "the domain is listed in another case and with a final dot",
      via(clusterIssuer({ domains: ["Example.COM."] })),
      granted,
    ],
    [
      "*.example.com allows eu.example.com",
      via(clusterIssuer({ domains: ["*.example.com"] }), { domain: "eu.example.com" }),
      granted,
    ],
    [
      "*.example.com does not allow example.com itself",
      via(clusterIssuer({ domains: ["*.example.com"] })),
      notPermitted("ClusterDnsimpleIssuer dnsimple", "example.com", "spec.policy.domains"),
    ],
    [
      "a domain outside the list",
      via(clusterIssuer({ domains: ["example.com"] }), { domain: "example.net" }),
      notPermitted("does not allow the domain example.net", "spec.policy.domains"),
    ],
    [
      "an empty domain list allows none",
      via(clusterIssuer({ domains: [] })),
      notPermitted("spec.policy.domains"),
    ],
    [
      "a DnsimpleIssuer's domains are checked too",
      via(namespacedIssuer({ domains: ["example.net"] })),
      notPermitted("DnsimpleIssuer web/team", "spec.policy.domains"),
    ],
    [
      "a numeric spec.domain when the policy lists domains: by name",
      via(clusterIssuer({ domains: ["example.com"] }), { domain: "12345" }),
      notPermitted("by name", "numeric id"),
    ],
    [
      "a numeric spec.domain when the policy lists dnsNames: by name",
      via(clusterIssuer({ dnsNames: ["*.example.com"] }), { domain: "12345" }),
      notPermitted("by name", "numeric id"),
    ],
    [
      "a numeric spec.domain without domains or dnsNames: granted",
      via(clusterIssuer(), { domain: "12345" }),
      granted,
    ],
    // Wildcards.
    [
      'name "*" without allowWildcards',
      via(clusterIssuer(), { name: "*" }),
      notPermitted("wildcard", "spec.policy.allowWildcards"),
    ],
    [
      'name "*" with allowWildcards',
      via(clusterIssuer({ allowWildcards: true }), { name: "*" }),
      granted,
    ],
    [
      'name "*" on a numeric domain without allowWildcards',
      via(clusterIssuer(), { domain: "12345", name: "*" }),
      notPermitted("spec.policy.allowWildcards"),
    ],
    [
      "a wildcard alternate name on a numeric domain without allowWildcards",
      via(clusterIssuer(), { domain: "12345", alternateNames: ["*.example.com"] }),
      notPermitted("spec.policy.allowWildcards"),
    ],
    [
      "a numeric domain with a final dot: judged, not thrown",
      via(clusterIssuer(), { domain: "123." }),
      granted,
    ],
    [
      "an alternate name *.example.com without allowWildcards",
      via(clusterIssuer(), { alternateNames: ["*.example.com"] }),
      notPermitted("wildcard", "spec.policy.allowWildcards"),
    ],
    [
      "an alternate name *.example.com with allowWildcards",
      via(clusterIssuer({ allowWildcards: true }), { alternateNames: ["*.example.com"] }),
      granted,
    ],
    [
      "a DnsimpleIssuer refuses wildcards too",
      via(namespacedIssuer(), { name: "*" }),
      notPermitted("DnsimpleIssuer web/team", "spec.policy.allowWildcards"),
    ],
    // DNS name patterns: every expected name must match one.
    [
      'the default name "www" is example.com and www.example.com: both listed',
      via(clusterIssuer({ dnsNames: ["example.com", "www.example.com"] })),
      granted,
    ],
    [
      'the default name "www": a pattern for www.example.com alone leaves example.com outside',
      via(clusterIssuer({ dnsNames: ["www.example.com"] })),
      {
        refused: "NotPermitted",
        mentions: ["does not allow the name example.com", "spec.policy.dnsNames"],
        omits: ["www.example.com", "names"],
      },
    ],
    [
      'the default name "www": *.example.com leaves example.com outside',
      via(clusterIssuer({ dnsNames: ["*.example.com"] })),
      notPermitted("the name example.com", "spec.policy.dnsNames"),
    ],
    [
      "name api under *.example.com",
      via(clusterIssuer({ dnsNames: ["*.example.com"] }), { name: "api" }),
      granted,
    ],
    [
      "an alternate name outside the patterns is listed",
      via(clusterIssuer({ dnsNames: ["*.example.com"] }), {
        name: "api",
        alternateNames: ["docs.example.com", "docs.example.net"],
      }),
      {
        refused: "NotPermitted",
        mentions: ["the name docs.example.net", "spec.policy.dnsNames"],
        omits: ["api.example.com", "docs.example.com,"],
      },
    ],
    [
      "two names outside: both listed",
      via(clusterIssuer({ dnsNames: ["api.example.com"] }), {
        name: "api",
        alternateNames: ["a.example.com", "b.example.com"],
      }),
      notPermitted("the names a.example.com, b.example.com", "spec.policy.dnsNames"),
    ],
    [
      "a deeper pattern: *.apps.example.com allows x.apps.example.com, not api.example.com",
      via(clusterIssuer({ dnsNames: ["*.apps.example.com"] }), {
        name: "x.apps",
        alternateNames: ["api.example.com"],
      }),
      notPermitted("the name api.example.com"),
    ],
    [
      "the wildcard name under a pattern with allowWildcards",
      via(clusterIssuer({ allowWildcards: true, dnsNames: ["*.example.com"] }), { name: "*" }),
      granted,
    ],
    // Precedence: the first refusal wins.
    [
      "not served and a domain outside: the namespace is named first",
      via(clusterIssuer({ namespaceSelector: undefined, domains: ["example.net"] })),
      {
        refused: "NotPermitted",
        mentions: ["spec.policy.namespaceSelector"],
        omits: ["spec.policy.domains"],
      },
    ],
    [
      "a domain outside and a wildcard: the domain is named first",
      via(clusterIssuer({ domains: ["example.net"] }), { name: "*" }),
      { refused: "NotPermitted", mentions: ["spec.policy.domains"], omits: ["allowWildcards"] },
    ],
    [
      "a wildcard and a name outside: the wildcard is named first",
      via(clusterIssuer({ dnsNames: ["api.example.com"] }), { name: "*" }),
      { refused: "NotPermitted", mentions: ["allowWildcards"], omits: ["spec.policy.dnsNames"] },
    ],
    [
      "a DnsimpleIssuer without credentials and a domain outside: credentials first",
      via(namespacedIssuer({ domains: ["example.net"] }, null)),
      { refused: "CredentialsNotFound", mentions: ["spec.credentialsRef"], omits: ["domains"] },
    ],
  ];
  it.each(rows)("%s", (_why, request, expected) => {
    const verdict = judgeAccess(request);
    if ("granted" in expected) {
      expect(verdict.kind === "refused" ? verdict.failure : "granted").toBe("granted");
      return;
    }
    expect(verdict.kind).toBe("refused");
    if (verdict.kind !== "refused") return;
    expect(verdict.failure.reason).toBe(expected.refused);
    for (const text of expected.mentions ?? []) expect(verdict.failure.message).toContain(text);
    for (const text of expected.omits ?? []) expect(verdict.failure.message).not.toContain(text);
  });
});

describe("judgeAccess: a refusal names no other tenant's data", () => {
  // A policy full of other tenants' namespaces, labels, domains and names: none may leak.
  const others = [
    "tenant-b",
    "shop-secret",
    "acme-corp.io",
    "payroll.internal.example.org",
    "finance",
  ];
  const leaky: Partial<IssuerPolicy> = {
    namespaceSelector: { matchLabels: { team: "tenant-b", cost: "finance" } },
    domains: ["acme-corp.io", "*.payroll.internal.example.org"],
    dnsNames: ["*.acme-corp.io", "shop-secret.example.org"],
  };
  const served: Partial<IssuerPolicy> = { ...leaky, namespaceSelector: {} };
  const rows: [string, AccessRequest, string[]][] = [
    [
      "namespace not served",
      via(clusterIssuer(leaky)),
      ["ClusterDnsimpleIssuer dnsimple", "web", "spec.policy.namespaceSelector"],
    ],
    [
      "domain not allowed",
      via(clusterIssuer(served)),
      ["ClusterDnsimpleIssuer dnsimple", "example.com", "spec.policy.domains"],
    ],
    [
      "name not allowed",
      via(clusterIssuer({ ...served, domains: ["example.com"] }), { name: "api" }),
      ["ClusterDnsimpleIssuer dnsimple", "api.example.com", "spec.policy.dnsNames"],
    ],
    [
      "wildcard not allowed",
      via(clusterIssuer({ ...served, domains: ["example.com"] }), { name: "*" }),
      ["ClusterDnsimpleIssuer dnsimple", "spec.policy.allowWildcards"],
    ],
    [
      "numeric domain",
      via(clusterIssuer(served), { domain: "12345" }),
      ["ClusterDnsimpleIssuer dnsimple", "numeric id"],
    ],
  ];
  it.each(rows)("%s", (_why, request, own) => {
    const verdict = judgeAccess(request);
    expect(verdict.kind).toBe("refused");
    if (verdict.kind !== "refused") return;
    const { message } = verdict.failure;
    expect(verdict.failure.reason).toBe("NotPermitted");
    for (const text of own) expect(message).toContain(text);
    for (const text of others) expect(message).not.toContain(text);
    // Every DNS-name-like word is the issuer's name, the namespace or one of the resource's names.
    const allowed = new Set(["dnsimple", "web", "example.com", "api.example.com", "12345"]);
    const names = message.match(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\b/g) ?? [];
    for (const name of names.filter((n) => !n.startsWith("spec."))) {
      expect(allowed.has(name), name).toBe(true);
    }
  });
});

describe("judgeAccess: the grant", () => {
  const adopting = (namespaceSelector: IssuerPolicy["namespaceSelector"]) =>
    via(clusterIssuer({ adoption: namespaceSelector ? { namespaceSelector } : {} }));
  const rows: [string, AccessRequest, keyof IssuerGrant, unknown][] = [
    [
      "the label of a ClusterDnsimpleIssuer",
      via(clusterIssuer()),
      "label",
      "ClusterDnsimpleIssuer dnsimple",
    ],
    ["the label of a DnsimpleIssuer", via(namespacedIssuer()), "label", "DnsimpleIssuer web/team"],
    ["the kind", via(namespacedIssuer()), "kind", ISSUER_KIND],
    ["the name", via(clusterIssuer()), "name", "dnsimple"],
    ["a DnsimpleIssuer's namespace: the resource's", via(namespacedIssuer()), "namespace", "web"],
    ["a ClusterDnsimpleIssuer has no namespace", via(clusterIssuer()), "namespace", undefined],
    ["no adoption policy: no adoption", via(clusterIssuer()), "adoptionAllowed", false],
    [
      "adoption without a namespaceSelector: no adoption",
      adopting(undefined),
      "adoptionAllowed",
      false,
    ],
    ["adoption namespaceSelector {}: every namespace", adopting({}), "adoptionAllowed", true],
    [
      "adoption namespaceSelector selecting the namespace",
      adopting({ matchLabels: { team: "web" } }),
      "adoptionAllowed",
      true,
    ],
    [
      "adoption namespaceSelector not selecting the namespace",
      adopting({ matchLabels: { team: "shop" } }),
      "adoptionAllowed",
      false,
    ],
    [
      "adoption on a DnsimpleIssuer follows its selector too",
      via(namespacedIssuer({ adoption: { namespaceSelector: { matchLabels: { env: "prod" } } } })),
      "adoptionAllowed",
      true,
    ],
    ["renewalFloor 24h", via(clusterIssuer()), "renewalFloorMs", 86_400_000],
    [
      "renewalFloor 0s",
      via(clusterIssuer({ budget: { ordersPerNamespacePerDay: 5, renewalFloor: "0s" } })),
      "renewalFloorMs",
      0,
    ],
    [
      "renewalFloor 1h30m",
      via(clusterIssuer({ budget: { ordersPerNamespacePerDay: 5, renewalFloor: "1h30m" } })),
      "renewalFloorMs",
      5_400_000,
    ],
    [
      "ordersPerDay",
      via(clusterIssuer({ budget: { ordersPerNamespacePerDay: 7, renewalFloor: "24h" } })),
      "ordersPerDay",
      7,
    ],
    [
      "a DnsimpleIssuer's token: its namespace, its credentialsRef",
      via(namespacedIssuer()),
      "tokenSecret",
      { namespace: "web", name: "team-token" },
    ],
    [
      "a ClusterDnsimpleIssuer's token: the clusterResourceNamespace of the request",
      via(clusterIssuer(), {}, { clusterResourceNamespace: "operators" }),
      "tokenSecret",
      { namespace: "operators", name: "platform-token" },
    ],
    [
      "a ClusterDnsimpleIssuer without credentialsRef: no tokenSecret (the operator's own)",
      via(clusterIssuer({}, null)),
      "tokenSecret",
      undefined,
    ],
  ];
  it.each(rows)("%s", (_why, request, field, expected) => {
    expect(grantOf(request)[field]).toEqual(expected);
  });

  const scope = (request: AccessRequest) => grantOf(request).budgetScope;
  const scopeRows: [string, AccessRequest, AccessRequest, boolean][] = [
    [
      "the same issuer and namespace: the same scope",
      via(clusterIssuer()),
      via(clusterIssuer()),
      true,
    ],
    [
      "the same ClusterDnsimpleIssuer, two namespaces: two scopes",
      via(clusterIssuer()),
      inNamespace(via(clusterIssuer()), "shop"),
      false,
    ],
    [
      "two ClusterDnsimpleIssuers, one namespace: two scopes",
      via(clusterIssuer()),
      via(clusterIssuer({}, "platform-token", "other")),
      false,
    ],
    [
      "two DnsimpleIssuers, one namespace: two scopes",
      via(namespacedIssuer()),
      via(namespacedIssuer({}, "team-token", "other")),
      false,
    ],
    [
      "a DnsimpleIssuer and a ClusterDnsimpleIssuer of one name: two scopes",
      via(namespacedIssuer({}, "team-token", "dnsimple")),
      via(clusterIssuer()),
      false,
    ],
    [
      "DnsimpleIssuers of one name in two namespaces: two scopes",
      via(namespacedIssuer()),
      inNamespace(via(namespacedIssuer()), "shop"),
      false,
    ],
  ];
  it.each(scopeRows)("budgetScope: %s", (_why, a, b, same) => {
    expect(scope(a) === scope(b)).toBe(same);
  });
});

describe("judgeTokenUse: may the namespace use the token at all (before the names are known)", () => {
  const rows: [string, AccessRequest, Expected][] = [
    ["a ClusterDnsimpleIssuer serving the namespace", via(clusterIssuer()), granted],
    [
      "a ClusterDnsimpleIssuer not serving it",
      via(clusterIssuer({ namespaceSelector: { matchLabels: { team: "shop" } } })),
      notPermitted("does not serve namespace web"),
    ],
    [
      "a ClusterDnsimpleIssuer without a selector serves none",
      via(clusterIssuer({ namespaceSelector: undefined })),
      notPermitted("spec.policy.namespaceSelector"),
    ],
    [
      "a DnsimpleIssuer without credentials",
      via(namespacedIssuer({}, null)),
      { refused: "CredentialsNotFound", mentions: ["spec.credentialsRef"] },
    ],
    [
      "names the policy would refuse are not judged yet (the generated resource is)",
      via(clusterIssuer({ domains: ["example.net"], dnsNames: ["api.example.net"] })),
      granted,
    ],
    [
      "a missing issuer",
      via(clusterIssuer(), {}, { issuer: undefined }),
      { refused: "IssuerNotFound", mentions: ["does not exist"] },
    ],
  ];
  it.each(rows)("%s", (_why, request, expected) => {
    const verdict = judgeTokenUse(request);
    if ("granted" in expected) {
      expect(verdict.kind === "refused" ? verdict.failure : "granted").toBe("granted");
      return;
    }
    expect(verdict.kind === "refused" ? verdict.failure.reason : "granted").toBe(expected.refused);
    if (verdict.kind !== "refused") return;
    for (const text of expected.mentions ?? []) expect(verdict.failure.message).toContain(text);
  });
});

describe("nameMatches", () => {
  const rows: [string, string, string, boolean][] = [
    ["exact", "a.b", "a.b", true],
    ["exact, another name", "a.b", "c.b", false],
    ["case-insensitive", "WWW.Example.com", "www.EXAMPLE.COM", true],
    ["a trailing dot on the name", "a.b", "a.b.", true],
    ["a trailing dot on the pattern", "a.b.", "a.b", true],
    ["*.a.b matches x.a.b", "*.a.b", "x.a.b", true],
    ["*.a.b matches x.y.a.b (any depth)", "*.a.b", "x.y.a.b", true],
    ["*.a.b does not match a.b", "*.a.b", "a.b", false],
    ["*.a.b does not match xa.b", "*.a.b", "xa.b", false],
    ["*.a.b does not match .a.b", "*.a.b", ".a.b", false],
    ["*.a.b matches the wildcard *.a.b (allowWildcards decides)", "*.a.b", "*.a.b", true],
    ["*.a.b matches X.A.B. (case and dot)", "*.a.b", "X.A.B.", true],
    ["an exact pattern does not match a name under it", "a.b", "x.a.b", false],
  ];
  it.each(rows)("%s", (_why, pattern, name, expected) => {
    expect(nameMatches(pattern, name)).toBe(expected);
  });
});
