// The simulator's vocabulary: what DNSimple keeps about an account, its domains (hosted or
// registered), its certificates and renewals, and what the simulator records about
// purchases.
import type { KeyObject } from "node:crypto";

export type Plan = "personal" | "professional" | "enterprise";
export const PLANS: readonly Plan[] = ["personal", "professional", "enterprise"];

export type SignatureAlgorithm = "ECDSA" | "RSA";
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ["ECDSA", "RSA"];

/**
 * DNSimple documents more states (purchased, configured, submitted, rejected, refunded);
 * a Let's Encrypt certificate ordered through the API only passes through these.
 */
export type CertificateState = "new" | "requesting" | "issued" | "failed" | "cancelled";

/** How a `requesting` certificate ends. */
export type IssuanceOutcome = "issued" | "failed" | "cancelled";

export type RenewalState = "new" | "renewing" | "renewed" | "failed" | "cancelled";

/** "traditional" is what DNSimple serves: PKCS#1 for RSA, SEC1 for ECDSA. */
export type PrivateKeyFormat = "traditional" | "pkcs8";
export const PRIVATE_KEY_FORMATS: readonly PrivateKeyFormat[] = ["traditional", "pkcs8"];

export interface Account {
  id: number;
  email: string;
  contactId: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * DNSimple also has `expired` (and transient registration states); the simulator's
 * domains are either only hosted or registered through DNSimple.
 */
export type DomainState = "hosted" | "registered";

export interface Domain {
  id: number;
  /** Lowercase ASCII (an internationalized name in its xn-- form). */
  name: string;
  /** The registrant contact; null for a domain that is only hosted. */
  registrantId: number | null;
  state: DomainState;
  autoRenew: boolean;
  privateWhois: boolean;
  /** When the registration ends; null for a domain that is only hosted. */
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A domain of the account that is registered through DNSimple, with its registrant. */
export interface DomainRegistration {
  domain: string;
  registrantId: number;
  expiresAt: Date;
}

/**
 * Where a certificate record came from. Only the simulator's admin view shows this: in the
 * API, an auto-renewed certificate is not linked to its predecessor.
 */
export type CertificateOrigin =
  | { kind: "order" }
  | { kind: "renewal"; renewalId: number; oldCertificateId: number }
  | { kind: "auto_renewal"; oldCertificateId: number };

/** The material produced when a certificate becomes `issued`. */
export interface IssuedMaterial {
  certificatePem: string;
  csrPem: string;
  privateKey: KeyObject;
  serialNumber: string;
  issuedAt: Date;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateRecord {
  id: number;
  domainId: number;
  contactId: number;
  name: string;
  commonName: string;
  alternateNames: string[];
  signatureAlgorithm: SignatureAlgorithm;
  autoRenew: boolean;
  state: CertificateState;
  origin: CertificateOrigin;
  createdAt: Date;
  updatedAt: Date;
  issued: IssuedMaterial | undefined;
  privateKeyRemoved: boolean;
  /** Set by the admin operation that makes the API serve a key that does not match. */
  mismatchingPrivateKey: KeyObject | undefined;
}

export interface RenewalRecord {
  id: number;
  oldCertificateId: number;
  newCertificateId: number;
  state: RenewalState;
  autoRenew: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type PurchaseKind = "certificate" | "renewal" | "auto_renewal";

export interface Purchase {
  kind: PurchaseKind;
  certificateId: number;
  renewalId: number | null;
  oldCertificateId: number | null;
  domain: string;
  name: string;
  time: string;
}

export interface IssuanceRecord {
  certificateId: number;
  domain: string;
  name: string;
  outcome: IssuanceOutcome;
  time: string;
}
