// What the reconciler knows about one DnsimpleCertificate when it decides what to do next: the
// resource, its Secret, its credentials, and whatever it has already learned from DNSimple in
// this reconcile. Plain data, so the decision is a pure function of it (see decide.ts).
import type { DnsimpleCertificate, SignatureAlgorithm } from "../api/v1alpha1.ts";

/** Why a step failed, in the vocabulary of the Ready condition's reasons. */
export type FailureReason =
  | "CredentialsNotFound"
  | "Unauthorized"
  | "DomainNotFound"
  | "CertificateNotFound"
  | "NotAllowed"
  | "Rejected"
  | "RateLimited"
  | "InvalidCertificateData"
  | "IssuanceFailed"
  | "CertificateMismatch"
  | "PrivateKeyUnavailable"
  | "RenewalFailed"
  | "OrderOutcomeUnknown"
  | "SecretWriteFailed"
  | "DuplicateSecretName"
  | "ApiUnavailable";

export interface Failure {
  reason: FailureReason;
  message: string;
  /** For RateLimited: when DNSimple's budget resets. */
  retryAt?: Date;
}

/** The Secret as found in the cache, with its certificate inspected (never thrown on). */
export interface SecretObservation {
  exists: boolean;
  /** The certificate id the operator annotated on it when it wrote it. */
  certificateId?: number;
  /** True when tls.crt and tls.key parse, the key matches, and the chain links up. */
  usable: boolean;
  problem?: string;
  commonName?: string;
  dnsNames?: string[];
  keyAlgorithm?: SignatureAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  /** True when labels, annotations and type are what the operator would write now. */
  metadataCurrent: boolean;
}

export type CredentialsObservation =
  | { kind: "ok"; accountId: string }
  | { kind: "failed"; failure: Failure };

/** DNSimple's record of a certificate, reduced to what decisions need. */
export interface RemoteCertificate {
  id: number;
  state: string;
  name: string;
  commonName: string;
  alternateNames: string[];
  autoRenew: boolean;
  createdAt: Date;
  expiresAt?: Date;
}

/** A downloaded bundle after verification: either fit to write, or why not. */
export type DownloadObservation =
  | {
      kind: "verified";
      certificateId: number;
      keyAlgorithm?: SignatureAlgorithm;
      commonName: string;
      dnsNames: string[];
      notBefore: Date;
      notAfter: Date;
      serialNumber: string;
    }
  | { kind: "failed"; certificateId: number; failure: Failure };

export interface Observation {
  now: Date;
  resource: DnsimpleCertificate;
  secret: SecretObservation;
  credentials?: CredentialsObservation;
  /** The certificate in flight as DNSimple reports it, once fetched in this reconcile. */
  remote?: { kind: "found"; certificate: RemoteCertificate } | { kind: "failed"; failure: Failure };
  /** Result of looking for an order whose answer was lost (status.pendingOrder). */
  pendingOrderSearch?: { found?: RemoteCertificate };
  /** Result of looking for a certificate DNSimple renewed on its own (autoRenew). */
  autoRenewalSearch?: { found?: RemoteCertificate };
  /** When this resource last looked for an auto-renewal (the operator's memory). */
  lastAutoRenewCheck?: Date;
  /** Another DnsimpleCertificate in the namespace that owns the same secretName. */
  secretNameOwner?: string;
  /** The resync interval: auto-renewals are looked for this often. */
  resyncIntervalMs: number;
  download?: DownloadObservation;
  /** A DNSimple call of this reconcile (order, issue) that failed. */
  failure?: Failure;
  /** Start of the polling backoff while a certificate is being issued. */
  pollIntervalMs: number;
}
