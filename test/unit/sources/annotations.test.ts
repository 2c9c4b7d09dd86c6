// readSourceAnnotations by table: which annotations make an Ingress or Gateway a source, what
// the generated resources take from them, and that every wrong annotation is named (a BadConfig
// lists them all, not the first). The CRD's own rules are the yardstick: what it would refuse
// is refused here, before anything is created. No I/O.
import { describe, expect, it } from "vitest";
import { CLUSTER_ISSUER_KIND, ISSUER_KIND } from "../../../src/api/issuers.ts";
import {
  readSourceAnnotations,
  SOURCE_ANNOTATIONS,
  type SourceSettings,
} from "../../../src/sources/annotations.ts";

const A = SOURCE_ANNOTATIONS;

/** The annotations of a source of ClusterDnsimpleIssuer `dnsimple`, plus `extra`. */
function clusterSource(extra: Record<string, string> = {}): Record<string, string> {
  return { [A.clusterIssuer]: "dnsimple", ...extra };
}

/** What a ClusterDnsimpleIssuer `dnsimple` source with no other annotation gets, plus overrides. */
function settings(overrides: Partial<SourceSettings> = {}): SourceSettings {
  return {
    issuerRef: { kind: CLUSTER_ISSUER_KIND, name: "dnsimple" },
    signatureAlgorithm: "ECDSA",
    autoRenew: false,
    secretDeletionPolicy: "Retain",
    ...overrides,
  };
}

type Expected =
  | { none: true }
  | { settings: SourceSettings }
  /** One substring per problem, in any order; exactly that many problems. */
  | { problems: string[] };

const none: Expected = { none: true };
const ok = (overrides: Partial<SourceSettings> = {}): Expected => ({
  settings: settings(overrides),
});
const problems = (...parts: string[]): Expected => ({ problems: parts });

const rows: [string, Record<string, string> | undefined, Expected][] = [
  // Whether it is a source at all.
  ["no annotations at all: not a source", undefined, none],
  ["other annotations only: not a source", { "kubernetes.io/ingress.class": "nginx" }, none],
  [
    "only optional annotations, no issuer: not a source (they are not judged)",
    { [A.domain]: "not a domain", [A.autoRenew]: "maybe" },
    none,
  ],
  ["an issuer annotation of blanks: not a source", { [A.issuer]: "   " }, none],
  // Which issuer.
  [
    "issuer: a DnsimpleIssuer of the source's namespace",
    { [A.issuer]: "team" },
    ok({ issuerRef: { kind: ISSUER_KIND, name: "team" } }),
  ],
  [
    "cluster-issuer: a ClusterDnsimpleIssuer",
    clusterSource(),
    ok({ issuerRef: { kind: CLUSTER_ISSUER_KIND, name: "dnsimple" } }),
  ],
  [
    "an issuer name with blanks around it is trimmed",
    { [A.issuer]: "  team  " },
    ok({ issuerRef: { kind: ISSUER_KIND, name: "team" } }),
  ],
  [
    "an issuer name with dots is an object name",
    { [A.issuer]: "team.prod" },
    ok({ issuerRef: { kind: ISSUER_KIND, name: "team.prod" } }),
  ],
  [
    "issuer set and cluster-issuer left empty (a template's blank value): the issuer",
    { [A.issuer]: "team", [A.clusterIssuer]: "" },
    ok({ issuerRef: { kind: ISSUER_KIND, name: "team" } }),
  ],
  [
    "both issuer and cluster-issuer: a problem",
    { [A.issuer]: "team", [A.clusterIssuer]: "dnsimple" },
    problems("not both"),
  ],
  [
    "an upper-case issuer name is not an object name",
    { [A.issuer]: "Team" },
    problems(`${A.issuer} "Team" is not an issuer name`),
  ],
  [
    "an underscore in a cluster-issuer name",
    { [A.clusterIssuer]: "dns_simple" },
    problems(`${A.clusterIssuer} "dns_simple" is not an issuer name`),
  ],
  [
    "an issuer name ending in a hyphen",
    { [A.issuer]: "team-" },
    problems(`${A.issuer} "team-" is not an issuer name`),
  ],
  [
    "an issuer name longer than 253 characters",
    { [A.issuer]: "a".repeat(254) },
    problems(`${A.issuer} "${"a".repeat(254)}" is not an issuer name`),
  ],
  // The domain.
  ["no domain: inferred later", clusterSource(), ok()],
  ["a domain of blanks: inferred later", clusterSource({ [A.domain]: "  " }), ok()],
  ["a domain is kept", clusterSource({ [A.domain]: "example.com" }), ok({ domain: "example.com" })],
  [
    "a domain in upper case with a final dot is normalised",
    clusterSource({ [A.domain]: " Example.COM. " }),
    ok({ domain: "example.com" }),
  ],
  [
    "a domain of one label is refused",
    clusterSource({ [A.domain]: "localhost" }),
    problems(`${A.domain} "localhost" is not a domain name`),
  ],
  [
    "a wildcard is not a domain",
    clusterSource({ [A.domain]: "*.example.com" }),
    problems(`${A.domain} "*.example.com" is not a domain name`),
  ],
  [
    "a URL is not a domain",
    clusterSource({ [A.domain]: "https://example.com" }),
    problems(`${A.domain} "https://example.com"`),
  ],
  [
    "a numeric DNSimple domain id is not accepted here (the hosts need the name)",
    clusterSource({ [A.domain]: "12345" }),
    problems(`${A.domain} "12345"`),
  ],
  // The signature algorithm.
  [
    "signature-algorithm ecdsa, in any case",
    clusterSource({ [A.signatureAlgorithm]: "ecdsa" }),
    ok({ signatureAlgorithm: "ECDSA" }),
  ],
  [
    "signature-algorithm RSA",
    clusterSource({ [A.signatureAlgorithm]: "RSA" }),
    ok({ signatureAlgorithm: "RSA" }),
  ],
  [
    "signature-algorithm rsa in lower case with blanks",
    clusterSource({ [A.signatureAlgorithm]: " rsa " }),
    ok({ signatureAlgorithm: "RSA" }),
  ],
  [
    "signature-algorithm Ed25519 is refused",
    clusterSource({ [A.signatureAlgorithm]: "Ed25519" }),
    problems(`${A.signatureAlgorithm} "Ed25519": write ECDSA or RSA`),
  ],
  // Auto-renew.
  ["auto-renew true", clusterSource({ [A.autoRenew]: "true" }), ok({ autoRenew: true })],
  [
    "auto-renew TRUE, in any case",
    clusterSource({ [A.autoRenew]: "TRUE" }),
    ok({ autoRenew: true }),
  ],
  ["auto-renew false", clusterSource({ [A.autoRenew]: "false" }), ok({ autoRenew: false })],
  [
    "auto-renew yes is refused",
    clusterSource({ [A.autoRenew]: "yes" }),
    problems(`${A.autoRenew} "yes": write true or false`),
  ],
  // Renew-before: the CRD's Go units, positive.
  ["renew-before 720h", clusterSource({ [A.renewBefore]: "720h" }), ok({ renewBefore: "720h" })],
  ["renew-before 1h30m", clusterSource({ [A.renewBefore]: "1h30m" }), ok({ renewBefore: "1h30m" })],
  [
    "renew-before 30d is refused: the CRD accepts Go units only",
    clusterSource({ [A.renewBefore]: "30d" }),
    problems(`${A.renewBefore} "30d": write a positive duration`),
  ],
  [
    "renew-before 0s is refused: it must be positive",
    clusterSource({ [A.renewBefore]: "0s" }),
    problems(`${A.renewBefore} "0s": write a positive duration`),
  ],
  [
    "renew-before 0 is refused: no unit",
    clusterSource({ [A.renewBefore]: "0" }),
    problems(`${A.renewBefore} "0"`),
  ],
  [
    "renew-before -1h is refused",
    clusterSource({ [A.renewBefore]: "-1h" }),
    problems(`${A.renewBefore} "-1h"`),
  ],
  [
    "renew-before of words is refused",
    clusterSource({ [A.renewBefore]: "a month" }),
    problems(`${A.renewBefore} "a month"`),
  ],
  // The Secret template.
  [
    "secret-template with labels and annotations",
    clusterSource({
      [A.secretTemplate]: JSON.stringify({
        labels: { team: "web" },
        annotations: { "example.org/owner": "shop" },
      }),
    }),
    ok({
      secretTemplate: { labels: { team: "web" }, annotations: { "example.org/owner": "shop" } },
    }),
  ],
  [
    "secret-template with labels only",
    clusterSource({ [A.secretTemplate]: '{"labels": {"team": "web"}}' }),
    ok({ secretTemplate: { labels: { team: "web" } } }),
  ],
  ["secret-template {} gives no template", clusterSource({ [A.secretTemplate]: "{}" }), ok()],
  [
    "secret-template that is not JSON",
    clusterSource({ [A.secretTemplate]: "labels: {team: web}" }),
    problems(`${A.secretTemplate} is not JSON`),
  ],
  [
    "secret-template that is a JSON array",
    clusterSource({ [A.secretTemplate]: "[]" }),
    problems(`${A.secretTemplate} must be a JSON object with only "labels" and "annotations"`),
  ],
  [
    "secret-template with a key other than labels and annotations",
    clusterSource({ [A.secretTemplate]: '{"labels": {}, "type": "Opaque"}' }),
    problems(`${A.secretTemplate} must be a JSON object with only "labels" and "annotations"`),
  ],
  [
    "secret-template with a number as a label value",
    clusterSource({ [A.secretTemplate]: '{"labels": {"tier": 1}}' }),
    problems(`${A.secretTemplate}: "labels" must map names to strings`),
  ],
  [
    "secret-template with annotations that are a string, not a map",
    clusterSource({ [A.secretTemplate]: '{"annotations": "owner=shop"}' }),
    problems(`${A.secretTemplate}: "annotations" must map names to strings`),
  ],
  [
    "secret-template with a reserved label key",
    clusterSource({
      [A.secretTemplate]: '{"labels": {"dnsimple-cert-operator.dev/managed": "false"}}',
    }),
    problems(
      "labels under dnsimple-cert-operator.dev/ are reserved for the operator (dnsimple-cert-operator.dev/managed)",
    ),
  ],
  [
    "secret-template with a reserved annotation key",
    clusterSource({
      [A.secretTemplate]: '{"annotations": {"dnsimple-cert-operator.dev/certificate-id": "1"}}',
    }),
    problems(
      "annotations under dnsimple-cert-operator.dev/ are reserved for the operator (dnsimple-cert-operator.dev/certificate-id)",
    ),
  ],
  // The Secret deletion policy.
  [
    "secret-deletion-policy Delete",
    clusterSource({ [A.secretDeletionPolicy]: "Delete" }),
    ok({ secretDeletionPolicy: "Delete" }),
  ],
  [
    "secret-deletion-policy Retain",
    clusterSource({ [A.secretDeletionPolicy]: "Retain" }),
    ok({ secretDeletionPolicy: "Retain" }),
  ],
  [
    "secret-deletion-policy Orphan is refused",
    clusterSource({ [A.secretDeletionPolicy]: "Orphan" }),
    problems(`${A.secretDeletionPolicy} "Orphan": write Retain or Delete`),
  ],
  // Everything together.
  [
    "every optional annotation set and valid",
    {
      [A.issuer]: "team",
      [A.domain]: "shop.example.com",
      [A.signatureAlgorithm]: "RSA",
      [A.autoRenew]: "true",
      [A.renewBefore]: "360h",
      [A.secretTemplate]: '{"labels": {"team": "web"}}',
      [A.secretDeletionPolicy]: "Delete",
    },
    {
      settings: {
        issuerRef: { kind: ISSUER_KIND, name: "team" },
        domain: "shop.example.com",
        signatureAlgorithm: "RSA",
        autoRenew: true,
        renewBefore: "360h",
        secretTemplate: { labels: { team: "web" } },
        secretDeletionPolicy: "Delete",
      },
    },
  ],
  [
    "several wrong annotations: every one is listed",
    {
      [A.issuer]: "Team",
      [A.clusterIssuer]: "dnsimple",
      [A.domain]: "localhost",
      [A.signatureAlgorithm]: "DSA",
      [A.autoRenew]: "sometimes",
      [A.renewBefore]: "30d",
      [A.secretTemplate]: "{not json",
      [A.secretDeletionPolicy]: "Keep",
    },
    problems(
      "not both",
      `${A.domain} "localhost"`,
      `${A.signatureAlgorithm} "DSA"`,
      `${A.autoRenew} "sometimes"`,
      `${A.renewBefore} "30d"`,
      `${A.secretTemplate} is not JSON`,
      `${A.secretDeletionPolicy} "Keep"`,
    ),
  ],
  [
    "a bad issuer name and a bad domain: both listed",
    { [A.clusterIssuer]: "DNSimple", [A.domain]: "example" },
    problems(`${A.clusterIssuer} "DNSimple" is not an issuer name`, `${A.domain} "example"`),
  ],
];

describe("readSourceAnnotations", () => {
  it.each(rows)("%s", (_why, annotations, expected) => {
    const read = readSourceAnnotations(annotations);
    if ("none" in expected) {
      expect(read).toStrictEqual({ kind: "none" });
    } else if ("settings" in expected) {
      expect(read).toStrictEqual({ kind: "source", settings: expected.settings });
    } else {
      if (read.kind !== "invalid") throw new Error(`expected problems, got ${read.kind}`);
      expect(read.problems).toHaveLength(expected.problems.length);
      for (const part of expected.problems) {
        expect(
          read.problems.some((p) => p.includes(part)),
          `a problem with ${part}`,
        ).toBe(true);
      }
    }
  });
});
