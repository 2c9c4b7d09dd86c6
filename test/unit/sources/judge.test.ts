// judgeSource by table: from what was gathered about a source (annotations, entries, the domain
// found for each entry, the issuer's plan, the namespace's resources) to the spec wanted per
// Secret, "hold" where an entry cannot be judged now, and the warnings (BadConfig Events).
// Each warning is checked for its key part, as the user reads it. No I/O.
import { describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND, ISSUER_KIND } from "../../../src/api/issuers.ts";
import type { DnsimpleCertificate, DnsimpleCertificateSpec } from "../../../src/api/v1alpha1.ts";
import type { SourceAnnotations, SourceSettings } from "../../../src/sources/annotations.ts";
import {
  GENERATED_BY_LABEL,
  INFERRED_DOMAIN_ANNOTATION,
  type SourceRef,
} from "../../../src/sources/generated.ts";
import { type DomainVerdict, judgeSource, type SourceFacts } from "../../../src/sources/judge.ts";
import type { TlsEntry } from "../../../src/sources/tls-entries.ts";

const source: SourceRef = {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  name: "shop",
  namespace: "web",
  uid: "ing-shop",
};

const settings: SourceSettings = {
  issuerRef: { kind: CLUSTER_ISSUER_KIND, name: "dnsimple" },
  signatureAlgorithm: "ECDSA",
  autoRenew: false,
  secretDeletionPolicy: "Retain",
};

const asSource = (overrides: Partial<SourceSettings> = {}): SourceAnnotations => ({
  kind: "source",
  settings: { ...settings, ...overrides },
});

const entry = (secretName: string, ...hosts: string[]): TlsEntry => ({ secretName, hosts });
const inExample: DomainVerdict = { kind: "domain", domain: "example.com" };

/** A DnsimpleCertificate of Secret `name`, controlled by `owner` (a uid) or by none. */
function existing(name: string, owner: string | undefined): DnsimpleCertificate {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: {
      name,
      namespace: "web",
      uid: `uid-${name}`,
      generation: 1,
      labels: { [GENERATED_BY_LABEL]: "Ingress" },
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: "networking.k8s.io/v1",
                kind: "Ingress",
                name: "x",
                uid: owner,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      domain: "example.com",
      name: "www",
      signatureAlgorithm: "ECDSA",
      autoRenew: false,
      secretName: name,
      secretDeletionPolicy: "Retain",
    },
  };
}

/** The facts of Ingress web/shop: by default a source with one entry www-tls in example.com. */
function facts(overrides: Partial<SourceFacts> = {}): SourceFacts {
  return {
    source,
    annotations: asSource(),
    entries: { entries: [entry("www-tls", "www.example.com")], problems: [] },
    domains: new Map([["www-tls", inExample]]),
    plan: undefined,
    existing: [],
    ...overrides,
  };
}

/** The spec generated for Secret `secretName` with the default settings, plus overrides. */
function spec(
  secretName: string,
  overrides: Partial<DnsimpleCertificateSpec> = {},
): DnsimpleCertificateSpec {
  return {
    domain: "example.com",
    name: "www",
    signatureAlgorithm: "ECDSA",
    autoRenew: false,
    secretName,
    issuerRef: { kind: CLUSTER_ISSUER_KIND, name: "dnsimple" },
    secretDeletionPolicy: "Retain",
    ...overrides,
  };
}

interface Expected {
  wanted: [string, DnsimpleCertificateSpec | "hold"][];
  /** One substring per warning, in order. */
  warnings: string[];
}

const rows: [string, SourceFacts, Expected][] = [
  // Not a source: nothing wanted, so the sync deletes what it made.
  [
    "no issuer annotation: nothing wanted, no warning, whatever it made",
    facts({
      annotations: { kind: "none" },
      existing: [existing("www-tls", "ing-shop")],
    }),
    { wanted: [], warnings: [] },
  ],
  // Wrong annotations: nothing changes.
  [
    "invalid annotations: every resource it controls held, the problems the warnings",
    facts({
      annotations: { kind: "invalid", problems: ["problem one", "problem two"] },
      entries: {
        entries: [entry("www-tls", "www.example.com"), entry("new-tls", "new.example.com")],
        problems: ["an entry problem"],
      },
      existing: [
        existing("www-tls", "ing-shop"),
        existing("old-tls", "ing-shop"),
        existing("hand-tls", undefined),
        existing("blog-tls", "ing-blog"),
      ],
    }),
    {
      wanted: [
        ["www-tls", "hold"],
        ["old-tls", "hold"],
      ],
      warnings: ["problem one", "problem two"],
    },
  ],
  [
    "invalid annotations, nothing made yet: nothing wanted (no create)",
    facts({ annotations: { kind: "invalid", problems: ["bad"] } }),
    { wanted: [], warnings: ["bad"] },
  ],
  // A source.
  [
    "one entry whose domain is found: its spec",
    facts(),
    { wanted: [["www-tls", spec("www-tls")]], warnings: [] },
  ],
  [
    "the settings carried into the spec",
    facts({
      annotations: asSource({
        issuerRef: { kind: ISSUER_KIND, name: "team" },
        signatureAlgorithm: "RSA",
        autoRenew: true,
        renewBefore: "720h",
        secretTemplate: { labels: { team: "web" } },
        secretDeletionPolicy: "Delete",
      }),
    }),
    {
      wanted: [
        [
          "www-tls",
          spec("www-tls", {
            issuerRef: { kind: ISSUER_KIND, name: "team" },
            signatureAlgorithm: "RSA",
            autoRenew: true,
            renewBefore: "720h",
            secretTemplate: { labels: { team: "web" } },
            secretDeletionPolicy: "Delete",
          }),
        ],
      ],
      warnings: [],
    },
  ],
  [
    "the names from the hosts within the domain found",
    facts({
      entries: {
        entries: [entry("api-tls", "api.shop.example.com", "docs.shop.example.com")],
        problems: [],
      },
      domains: new Map([["api-tls", { kind: "domain", domain: "shop.example.com" }]]),
    }),
    {
      wanted: [
        [
          "api-tls",
          spec("api-tls", {
            domain: "shop.example.com",
            name: "api",
            alternateNames: ["docs.shop.example.com"],
          }),
        ],
      ],
      warnings: [],
    },
  ],
  // Held entries.
  [
    "a domain verdict unserviceable: held, the warning prefixed with the Secret",
    facts({
      domains: new Map([["www-tls", { kind: "unserviceable", message: "two domains here" }]]),
    }),
    { wanted: [["www-tls", "hold"]], warnings: ["Secret www-tls: two domains here"] },
  ],
  [
    "a domain verdict unknown: held, the warning prefixed with the Secret",
    facts({
      domains: new Map([["www-tls", { kind: "unknown", message: "DNSimple did not answer" }]]),
    }),
    { wanted: [["www-tls", "hold"]], warnings: ["Secret www-tls: DNSimple did not answer"] },
  ],
  [
    "no domain verdict for the entry: held",
    facts({ domains: new Map() }),
    {
      wanted: [["www-tls", "hold"]],
      warnings: ["Secret www-tls: the DNSimple domain of its hosts is not known"],
    },
  ],
  [
    "hosts that are not DNS names: held, the hosts named",
    facts({
      entries: {
        entries: [entry("bad-tls", "www.example.com", "foo_bar.example.com", "localhost")],
        problems: [],
      },
      domains: new Map(),
    }),
    {
      wanted: [["bad-tls", "hold"]],
      warnings: ["Secret bad-tls: foo_bar.example.com, localhost are not a DNS host name"],
    },
  ],
  [
    "a host outside the domain found: held with the names' reason",
    facts({
      entries: { entries: [entry("www-tls", "www.example.com", "www.other.org")], problems: [] },
    }),
    {
      wanted: [["www-tls", "hold"]],
      warnings: ["Secret www-tls: www.other.org is not in the DNSimple domain example.com"],
    },
  ],
  // The plan.
  [
    "Personal plan and a custom name: held, the plan named",
    facts({
      entries: { entries: [entry("api-tls", "api.example.com")], problems: [] },
      domains: new Map([["api-tls", inExample]]),
      plan: "dnsimple-personal",
    }),
    {
      wanted: [["api-tls", "hold"]],
      warnings: ["Secret api-tls: the DNSimple account's plan (dnsimple-personal)"],
    },
  ],
  [
    "Personal plan and the basic names: the spec",
    facts({
      entries: { entries: [entry("www-tls", "example.com", "www.example.com")], problems: [] },
      plan: "dnsimple-personal",
    }),
    { wanted: [["www-tls", spec("www-tls")]], warnings: [] },
  ],
  [
    "Professional plan and a custom name: the spec",
    facts({
      entries: { entries: [entry("api-tls", "api.example.com")], problems: [] },
      domains: new Map([["api-tls", inExample]]),
      plan: "dnsimple-professional",
    }),
    { wanted: [["api-tls", spec("api-tls", { name: "api" })]], warnings: [] },
  ],
  // The entries' problems.
  [
    "the entries' problems passed through, before the entries' own warnings",
    facts({
      entries: {
        entries: [entry("www-tls", "www.example.com"), entry("gone-tls", "gone.example.com")],
        problems: ["spec.tls[2] names no secretName"],
      },
      domains: new Map<string, DomainVerdict>([
        ["www-tls", inExample],
        ["gone-tls", { kind: "unknown", message: "later" }],
      ]),
    }),
    {
      wanted: [
        ["www-tls", spec("www-tls")],
        ["gone-tls", "hold"],
      ],
      warnings: ["spec.tls[2] names no secretName", "Secret gone-tls: later"],
    },
  ],
  [
    "no entries, only problems: nothing wanted, the problems warned",
    facts({
      entries: { entries: [], problems: ["listener any has no hostname"] },
      existing: [existing("www-tls", "ing-shop")],
    }),
    { wanted: [], warnings: ["listener any has no hostname"] },
  ],
];

describe("judgeSource", () => {
  it.each(rows)("%s", (_why, given, expected) => {
    const judged = judgeSource(given);
    expect([...judged.wanted]).toStrictEqual(expected.wanted);
    expect(judged.warnings).toHaveLength(expected.warnings.length);
    expected.warnings.forEach((part, i) => {
      expect(judged.warnings[i]).toContain(part);
    });
  });
});

describe("judgeSource: held entries and the recorded domain", () => {
  const facts = (overrides: Partial<SourceFacts>): SourceFacts => ({
    source,
    annotations: asSource(),
    entries: { entries: [entry("www-tls", "www.example.com")], problems: [] },
    domains: new Map([["www-tls", inExample]]),
    plan: undefined,
    existing: [],
    ...overrides,
  });
  it("a Secret a part with a problem names (and no entry does) is held, not deleted", () => {
    const judged = judgeSource(
      facts({
        entries: { entries: [], problems: ["listener api has no hostname"], held: ["api-tls"] },
      }),
    );
    expect([...judged.wanted]).toEqual([["api-tls", "hold"]]);
    expect(judged.warnings).toEqual(["listener api has no hostname"]);
  });
  it("a domain found in the account's list is recorded on the resource", () => {
    const judged = judgeSource(
      facts({ domains: new Map([["www-tls", { ...inExample, inferred: true }]]) }),
    );
    expect([...judged.annotations]).toEqual([
      ["www-tls", { [INFERRED_DOMAIN_ANNOTATION]: "example.com" }],
    ]);
  });
  it("a domain from the annotation is not", () => {
    expect([...judgeSource(facts({})).annotations]).toEqual([]);
  });
});
