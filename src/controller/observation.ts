// What the reconciler knows about one DnsimpleCertificate when it decides what to do next: the
// resource, its Secret, its credentials, and whatever it has already learned from DNSimple in
// this pass. Plain, immutable data, so the decision is a pure function of it (see decide.ts).
// A step never edits an observation: the reconciler makes the next one from the facts the step
// learned (see gather.ts). Facts about one certificate carry its id, so a fact about another
// certificate (the one before an order or an adoption) is simply not read, never cleared.
import type { ClaimOwner } from "../api/claims.ts";
import type { DnsimpleCertificate, SignatureAlgorithm } from "../api/v1alpha1.ts";
import type { ValidityWindow } from "../certs/verify.ts";
import type { IssuerGrant } from "../issuers/policy.ts";
import type { BudgetUsage } from "../issuers/purchase-ledger.ts";
import type { AutoRenewalPickup } from "./decide/auto-renewal-pickup.ts";
import type { CommittedView } from "./request-commitments.ts";

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
  | "SecretConflict"
  | "ApiUnavailable"
  | "IssuerNotSet"
  | "IssuerNotFound"
  | "NotPermitted"
  | "BudgetExhausted"
  | "KeystorePasswordNotFound";

/** A failure: its Ready-condition reason and a message a person can act on. */
export interface Failure {
  reason: FailureReason;
  message: string;
  /** For RateLimited: when DNSimple's budget resets. */
  retryAt?: Date;
}

/** The Secret as found in the cache, with its certificate inspected (never thrown on). */
export interface SecretObservation {
  exists: boolean;
  /** The version of the Secret this describes: a write of data read from it is made over it. */
  resourceVersion?: string;
  /** The certificate id the operator annotated on it when it wrote it. */
  certificateId?: number;
  /** True when tls.crt and tls.key parse, the key matches, and the chain links up. */
  usable: boolean;
  /** Why it is not usable, when it is not. */
  problem?: string;
  commonName?: string;
  dnsNames?: string[];
  /** The key type, when it is one the spec can ask for (ECDSA or RSA). */
  keyAlgorithm?: SignatureAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  /**
   * When it passed the full check (not only usable): the version of the Secret that did and
   * the time in which that result holds (recorded in status: verified-secret.ts).
   */
  verified?: SecretVerification;
  /** True when labels, annotations and type are what the operator would write now. */
  metadataCurrent: boolean;
  /**
   * For a labelled Secret the operator never wrote: the field managers that write its tls.crt
   * or tls.key. It is someone else's, and written only when handed over (TAKEOVER_ANNOTATION).
   * (The operator's own Secret edited since is drift: repaired, not refused.)
   */
  otherWriters?: readonly string[];
  /** The Secret carries TAKEOVER_ANNOTATION naming this resource. */
  takeoverAllowed?: boolean;
  /** The extra keys (tls-combined.pem, keystores, ...) the operator's last apply wrote. */
  ownedExtraKeys?: readonly string[];
}

/** A version of the Secret that passed the full check, and when that result holds. */
export interface SecretVerification {
  resourceVersion: string;
  validity: ValidityWindow;
}

/**
 * The Secret's extra keys (secret-outputs.ts) as looked at in this pass: the keystore passwords
 * could not be read, or they were (they travel in the pass's handles) and the extra keys the
 * Secret holds are right for the certificate it holds, or `stale` says why not.
 */
export type OutputsObservation =
  | { kind: "checked"; stale?: string }
  | { kind: "failed"; failure: Failure };

/** The account the resolved credentials act on, or why they could not be resolved. */
export type CredentialsObservation =
  | { kind: "ok"; accountId: string }
  | { kind: "failed"; failure: Failure };

/** DNSimple's record of a certificate, reduced to what decisions need. */
export interface RemoteCertificate {
  id: number;
  /** DNSimple's state of the certificate, e.g. new, issued, failed. */
  state: string;
  /** The spec's name part of the common name (`name.domain`). */
  name: string;
  commonName: string;
  alternateNames: string[];
  /** Whether DNSimple renews it on its own. */
  autoRenew: boolean;
  createdAt: Date;
  /** Not set until it is issued. */
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
      /** The time in which every certificate of the bundle is valid. */
      validity: ValidityWindow;
    }
  | { kind: "failed"; certificateId: number; failure: Failure };

/**
 * The Secret name looked up past the cache (which holds only the operator's labelled Secrets):
 * free, or held by a Secret the operator did not make, which it may take over only when that
 * Secret's owner said so (TAKEOVER_ANNOTATION naming this resource).
 */
export type SecretNameLookup =
  | { kind: "free" }
  | { kind: "managed" }
  | { kind: "foreign"; takeoverAllowed: boolean };

/**
 * How the resource reaches DNSimple, judged from the caches before any call: its namespace's own
 * token (spec.credentialsRef: no issuer policy, the tenant holds the token already), an issuer
 * that grants it (with the ownership claims of the certificates it names and its purchase
 * budget's use), or an issuer that refuses it.
 */
export type AccessObservation =
  | { kind: "ownToken" }
  | {
      kind: "issuer";
      grant: IssuerGrant;
      /** The claims of the certificates the resource, its status and its Secret name. */
      owners: ReadonlyMap<number, ClaimOwner>;
      budget: BudgetUsage;
      /**
       * When this resource's last certificate was bought (ordered or renewed), as its claims
       * record it: the renewal floor counts from it, not only from the Secret's notBefore, which
       * the tenant can write.
       */
      lastPurchaseAt?: Date;
    }
  | { kind: "refused"; failure: Failure };

/** DNSimple's answer about one certificate: its record, or why it could not be read. */
export type RemoteObservation =
  | { kind: "found"; certificate: RemoteCertificate }
  | { kind: "failed"; certificateId: number; failure: Failure };

/**
 * The token's DNSimple request budget in its current window, less the reserve, and what the
 * operator has promised of it (request-commitments.ts). Absent while no window is known (before
 * the first answer, after a reset): then nothing is held back.
 */
export interface RequestBudgetView extends CommittedView {
  readonly limit: number;
  readonly remaining: number;
  readonly reserve: number;
  readonly resetAt: Date;
  readonly windowMs: number;
  /** windowMs was measured, not DNSimple's hour taken for it (rate-limit.ts). */
  readonly windowMeasured: boolean;
  /** The window is assumed after a reset: the first answer, moments away, tells the real one. */
  readonly assumed: boolean;
}

/**
 * Everything one decision reads. `readonly` throughout: the reconciler replaces an observation
 * with the next one (gather.ts), it never edits one.
 */
export interface Observation {
  /** The time of the pass: the one clock the decision reads. */
  readonly now: Date;
  /** The resource as last read or written in this pass. */
  readonly resource: DnsimpleCertificate;
  /** The Secret spec.secretName names. */
  readonly secret: SecretObservation;
  /** How the resource reaches DNSimple (its issuer's verdict). */
  readonly access: AccessObservation;
  /** The credentials, once resolved in this pass. */
  readonly credentials?: CredentialsObservation;
  /** The certificate in flight as DNSimple reports it, once fetched in this reconcile. */
  readonly remote?: RemoteObservation;
  /** Result of looking for an order whose answer was lost (status.pendingOrder). */
  readonly pendingOrderSearch?: { found?: RemoteCertificate };
  /** Result of looking for a certificate DNSimple renewed on its own (autoRenew). */
  readonly autoRenewalSearch?: { found?: RemoteCertificate };
  /** When this resource last looked for an auto-renewal in this process (memory.ts). */
  readonly lastAutoRenewCheck?: Date;
  /** When the process started (a first look for an auto-renewal waits from it); else the epoch. */
  readonly startedAt?: Date;
  /** Another DnsimpleCertificate in the namespace that owns the same secretName. */
  readonly secretNameOwner?: string;
  /** The resync interval: auto-renewals are looked for this often. */
  readonly resyncIntervalMs: number;
  /** When auto-renewing certificates look for DNSimple's renewal (its window, the interval). */
  readonly autoRenewalPickup: AutoRenewalPickup;
  /** The last webhook hint that DNSimple may have renewed this resource's certificate. */
  readonly autoRenewalHintAt?: Date;
  /** The download of a certificate in this pass, verified or failed. */
  readonly download?: DownloadObservation;
  /** The Secret name looked up outside the cache, before buying or writing (see SecretNameLookup). */
  readonly secretName?: SecretNameLookup;
  /** The Secret's extra keys, once looked at in this pass. */
  readonly outputs?: OutputsObservation;
  /** The token's request budget and what it has promised, once the credentials are resolved. */
  readonly requestBudget?: RequestBudgetView;
  /** A DNSimple call of this reconcile (order, issue) that failed. */
  readonly failure?: Failure;
  /** Start of the polling backoff while a certificate is being issued. */
  readonly pollIntervalMs: number;
}
