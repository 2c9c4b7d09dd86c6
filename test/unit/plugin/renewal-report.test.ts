// "Next renewal, and why then": each basis of the operator's rule (controller/timing.ts), the
// issuer's floor holding it back, autoRenew, and a pending renew-at annotation.
import { describe, expect, it } from "vitest";
import type { DnsimpleIssuer } from "../../../src/api/issuers.ts";
import { RENEW_AT_ANNOTATION } from "../../../src/api/v1alpha1.ts";
import type { CertificateObject } from "../../../src/plugin/cluster.ts";
import { reportRenewal } from "../../../src/plugin/renewal-report.ts";

const NOT_BEFORE = "2026-10-01T00:00:00.000Z";
const NOT_AFTER = "2026-12-30T00:00:00.000Z"; // 90 days
const TWO_THIRDS = "2026-11-30T00:00:00.000Z";
const NOW = new Date("2026-11-01T00:00:00Z");

function resource(
  spec: Partial<CertificateObject["spec"]> = {},
  status: CertificateObject["status"] = {},
  annotations: Record<string, string> = {},
): CertificateObject {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: { name: "www", namespace: "web", uid: "u", generation: 1, annotations },
    spec: {
      domain: "example.com",
      name: "www",
      signatureAlgorithm: "ECDSA",
      autoRenew: false,
      secretName: "www-tls",
      secretDeletionPolicy: "Retain",
      ...spec,
    },
    status: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER, ...status },
  };
}

const issuer = {
  kind: "ClusterDnsimpleIssuer",
  metadata: { name: "prod", uid: "i", generation: 1 },
  spec: {
    policy: { allowWildcards: false, budget: { ordersPerNamespacePerDay: 5, renewalFloor: "75d" } },
  },
} as DnsimpleIssuer;

describe("reportRenewal", () => {
  it.each<[string, CertificateObject, Partial<ReturnType<typeof reportRenewal>>, RegExp]>([
    [
      "two thirds into the lifetime without renewBefore",
      resource({}, { renewalTime: TWO_THIRDS }),
      { basis: "lifetime", renewalTime: TWO_THIRDS },
      /two thirds into the certificate's lifetime \(90d\): no renewBefore is set/,
    ],
    [
      "renewBefore before expiry",
      resource({ renewBefore: "720h" }, { renewalTime: TWO_THIRDS }),
      { basis: "renewBefore" },
      /renewBefore 720h before expiry \(2026-12-30T00:00:00.000Z\)/,
    ],
    [
      "a renewBefore as long as the lifetime falls back to two thirds",
      resource({ renewBefore: "2400h" }, { renewalTime: TWO_THIRDS }),
      { basis: "lifetime" },
      /renewBefore 2400h is not shorter than the lifetime/,
    ],
    [
      "the operator's time later than the rule's: the issuer's floor",
      resource({}, { renewalTime: "2026-12-15T00:00:00.000Z" }),
      { basis: "renewalFloor", renewalTime: "2026-12-15T00:00:00.000Z" },
      /the issuer's renewal floor holds it back from 2026-11-30T00:00:00.000Z/,
    ],
    [
      "autoRenew: DNSimple renews, the operator picks it up",
      resource({ autoRenew: true }, { renewalTime: TWO_THIRDS }),
      { basis: "autoRenew" },
      /DNSimple renews the certificate itself, about 30 days before it expires; the operator looks for the renewed certificate from 2026-11-30/,
    ],
    [
      "a pending renew-at annotation comes first",
      resource({}, { renewalTime: TWO_THIRDS }, { [RENEW_AT_ANNOTATION]: "2026-10-31T00:00:00Z" }),
      { basis: "requested", requestedAt: "2026-10-31T00:00:00Z" },
      /a renewal was requested .*; the operator orders it on its next pass/,
    ],
    [
      "a renew-at for later",
      resource({}, {}, { [RENEW_AT_ANNOTATION]: "2026-11-20T00:00:00Z" }),
      { basis: "requested" },
      /a renewal is requested for 2026-11-20T00:00:00Z/,
    ],
    [
      "a renew-at already handled is not pending",
      resource(
        {},
        { renewalTime: TWO_THIRDS, renewRequestHandled: "2026-10-31T00:00:00Z" },
        { [RENEW_AT_ANNOTATION]: "2026-10-31T00:00:00Z" },
      ),
      { basis: "lifetime", requestedAt: null },
      /two thirds/,
    ],
    [
      "a renew-at that is not a time",
      resource({}, {}, { [RENEW_AT_ANNOTATION]: "tomorrow" }),
      { basis: "requested" },
      /"tomorrow", which is not an RFC 3339 time: the operator ignores it/,
    ],
    [
      "no certificate yet",
      resource({}, { notBefore: undefined, notAfter: undefined }),
      { basis: "unknown", renewalTime: null },
      /no certificate in the Secret yet/,
    ],
  ])("%s", (_, input, expected, explanation) => {
    const report = reportRenewal(input, undefined, NOW);
    expect(report).toMatchObject(expected);
    expect(report.explanation).toMatch(explanation);
  });

  it("names the issuer and its floor when the issuer is known", () => {
    const report = reportRenewal(
      resource({}, { renewalTime: "2026-12-15T00:00:00.000Z" }),
      issuer,
      NOW,
    );
    expect(report.explanation).toMatch(
      /^the renewal floor of ClusterDnsimpleIssuer prod \(75d after the certificate's notBefore or the last purchase\) holds it back/,
    );
  });
});
