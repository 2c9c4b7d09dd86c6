// DnsimpleCertificateClaim (cluster-scoped): the record that a DNSimple certificate belongs to
// the DnsimpleCertificate that ordered, renewed or adopted it through an issuer. It is written
// where only the operator writes (a cluster-scoped object; tenants are granted nothing on it),
// never in a tenant's Secret annotations or in a status a tenant may be allowed to write, so a
// tenant cannot forge it. Its name is derived from the DNSimple API, account and certificate
// id, so creating it is the atomic "first one wins"; its spec is immutable
// (crds/dnsimplecertificateclaims.yaml).
import { createHash } from "node:crypto";
import type { IssuerKind } from "./issuers.ts";
import type { API_VERSION } from "./v1alpha1.ts";

/** The claim's kind. */
export const CLAIM_KIND = "DnsimpleCertificateClaim";
/** The claim's plural name, as in its URL path. */
export const CLAIM_PLURAL = "dnsimplecertificateclaims";

/** How the resource came to own the certificate. */
export type ClaimVia = "Order" | "Renewal" | "AutoRenewal" | "Adoption";

/** The DnsimpleCertificate a certificate belongs to. */
export interface ClaimOwner {
  namespace: string;
  name: string;
  uid: string;
}

export interface ClaimSpec {
  accountId: string;
  certificateId: number;
  owner: ClaimOwner;
  issuer: { kind: IssuerKind; name: string; namespace?: string };
  via: ClaimVia;
  /** RFC 3339: when the claim was made (for an Order or Renewal, when it was bought). */
  claimedAt: string;
}

export interface DnsimpleCertificateClaim {
  apiVersion: typeof API_VERSION;
  kind: typeof CLAIM_KIND;
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec: ClaimSpec;
}

/**
 * The claim's name: account and certificate id, and a digest of the API base URL (so two
 * DNSimple endpoints, e.g. production and a simulator, never collide on one id).
 */
export function claimName(apiBaseUrl: string, accountId: string, certificateId: number): string {
  const api = createHash("sha256").update(apiBaseUrl).digest("hex").slice(0, 8);
  return `${accountId}-${certificateId}-${api}`;
}
