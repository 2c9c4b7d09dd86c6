// A DnsimpleCertificate as the API server returns it (CRD defaults applied), for the
// controller's unit tests: `www.example.com` into Secret `web/www-tls`, unless overridden.
import type { DnsimpleCertificate } from "../../../src/api/v1alpha1.ts";
import type { RemoteCertificate, SecretObservation } from "../../../src/controller/observation.ts";

export const now = new Date("2026-11-26T12:00:00Z");

const day = 86_400_000;

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

/** The Secret holds certificate 10 for the default names, valid, 10 days into 90. */
export const goodSecret: SecretObservation = {
  exists: true,
  usable: true,
  certificateId: 10,
  commonName: "www.example.com",
  dnsNames: ["example.com", "www.example.com"],
  keyAlgorithm: "ECDSA",
  notBefore: new Date(now.getTime() - 10 * day),
  notAfter: new Date(now.getTime() + 80 * day),
  serialNumber: "01",
  metadataCurrent: true,
};

/** The same, two thirds into its life: at its default renewal time. */
export const dueSecret: SecretObservation = {
  ...goodSecret,
  notBefore: new Date(now.getTime() - 61 * day),
  notAfter: new Date(now.getTime() + 29 * day),
};

/** No Secret of that name in the cache. */
export const noSecret: SecretObservation = {
  exists: false,
  usable: false,
  metadataCurrent: false,
};
