// A DnsimpleCertificate as the API server returns it (CRD defaults applied), for the
// controller's unit tests: `www.example.com` into Secret `web/www-tls`, unless overridden.
import type { DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import type { RemoteCertificate } from "../../../src/controller/observation.ts";

export const now = new Date("2026-11-26T12:00:00Z");

export function resource(
  spec: Partial<DnsimpleCertificate["spec"]> = {},
  status: DnsimpleCertificate["status"] = {},
): DnsimpleCertificate {
  return {
    apiVersion: "dnsimple-cert-operator.dev/v1alpha1",
    kind: "DnsimpleCertificate",
    metadata: { name: "www", namespace: "web", uid: "u1", generation: 1 },
    spec: {
      domain: "example.com",
      name: "www",
      signatureAlgorithm: "ECDSA",
      autoRenew: false,
      secretName: "www-tls",
      secretDeletionPolicy: "Retain",
      ...spec,
    },
    status,
  };
}

/** DNSimple's record of `www.example.com` (certificate 10, issued), unless overridden. */
export function remoteCertificate(overrides: Partial<RemoteCertificate> = {}): RemoteCertificate {
  return {
    id: 10,
    state: "issued",
    name: "www",
    commonName: "www.example.com",
    alternateNames: [],
    autoRenew: false,
    createdAt: now,
    ...overrides,
  };
}
