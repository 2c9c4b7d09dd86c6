// The DnsimpleCertificate API (group dnsimple-cert-operator.dev, version v1alpha1) as TypeScript
// types. crds/dnsimplecertificates.yaml is the schema the API server enforces; these types
// mirror it (with the CRD's defaults applied, which the API server does on every read).
import type { V1ManagedFieldsEntry, V1OwnerReference } from "@kubernetes/client-node";
import type { IssuerRef } from "./issuers.ts";

/** The API group. */
export const GROUP = "dnsimple-cert-operator.dev";
/** The API version. */
export const VERSION = "v1alpha1";
/** The resource's kind. */
export const KIND = "DnsimpleCertificate";
/** The resource's plural name, as in its URL path. */
export const PLURAL = "dnsimplecertificates";
/** `apiVersion` of a DnsimpleCertificate: group and version. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/** The key algorithm of the certificate ordered. */
export type SignatureAlgorithm = "ECDSA" | "RSA";

/** What the user asks for: the certificate and the Secret to hold it. */
export interface DnsimpleCertificateSpec {
  domain: string;
  name: string;
  alternateNames?: string[];
  signatureAlgorithm: SignatureAlgorithm;
  autoRenew: boolean;
  renewBefore?: string;
  secretName: string;
  secretTemplate?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** A token Secret in the resource's own namespace: the simple case, no issuer policy. */
  credentialsRef?: { name: string };
  /** The issuer whose token and policy the resource uses (not with credentialsRef). */
  issuerRef?: IssuerRef;
  certificateId?: number;
  secretDeletionPolicy: "Retain" | "Delete";
  /** Extra keys in the Secret: tls-combined.pem, key.der. */
  additionalOutputFormats?: { type: OutputFormat }[];
  /** PKCS#12 and JKS keystores in the Secret. */
  keystores?: Keystores;
}

/** cert-manager's additionalOutputFormats types. */
export type OutputFormat = "CombinedPEM" | "DER";

/** A key of a Secret in the resource's own namespace. */
export interface SecretKeyRef {
  name: string;
  key: string;
}

/** The PKCS#12 profiles: how the keystore is encrypted and its MAC computed. */
export type Pkcs12ProfileName = "Modern2023" | "LegacyDES";

export interface Keystores {
  pkcs12?: { create: boolean; profile?: Pkcs12ProfileName; passwordSecretRef: SecretKeyRef };
  jks?: { create: boolean; passwordSecretRef: SecretKeyRef };
}

/** metav1.ConditionStatus. */
export type ConditionStatus = "True" | "False" | "Unknown";

/** metav1.Condition. */
export interface Condition {
  type: "Ready" | "Issuing";
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * Written just before an order is sent to DNSimple and cleared once its id is in
 * certificateId, so a crash in between is recovered by finding that order instead of buying
 * a second certificate.
 */
export interface PendingOrder {
  startedAt: string;
  accountId?: string;
  domain?: string;
  commonName?: string;
  /** For a renewal order: the certificate being renewed. */
  renewalOf?: number;
}

/** What the operator observed and did: the status subresource. */
export interface DnsimpleCertificateStatus {
  certificateId?: number;
  renewalId?: number;
  /** While a renewal is in flight: the certificate it replaces (the one the Secret holds). */
  renewedCertificateId?: number;
  /** spec.certificateId once adopted; after that renewals move certificateId on. */
  adoptedCertificateId?: number;
  /** The renew-at annotation value last acted on (each value renews once). */
  renewRequestHandled?: string;
  pendingOrder?: PendingOrder;
  /** While an order waits for DNSimple request budget (the Issuing condition says Queued). */
  queue?: { lane: "renewal" | "new"; since: string; estimatedAt: string };
  state?: string;
  /** DNSimple's record of the certificate in certificateId, as last read. */
  dnsimple?: { certificateId: number; autoRenew: boolean; expiresAt?: string };
  commonName?: string;
  alternateNames?: string[];
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  serialNumber?: string;
  /** The last full check the Secret passed (controller/verified-secret.ts). */
  verifiedSecret?: VerifiedSecretRecord;
  observedGeneration?: number;
  lastFailureTime?: string;
  failedAttempts?: number;
  conditions?: Condition[];
}

/**
 * The version of the Secret that last passed the full check, and the time in which that result
 * holds (every certificate in it valid). The facts beside it in status were read from it.
 */
export interface VerifiedSecretRecord {
  name: string;
  resourceVersion: string;
  validFrom: string;
  validUntil: string;
  /** The key type, when it is one the spec can ask for. */
  keyAlgorithm?: SignatureAlgorithm;
}

/** A DnsimpleCertificate as the API server returns it (with the CRD's defaults applied). */
export interface DnsimpleCertificate {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    finalizers?: string[];
    /** A generated resource's source (an Ingress or a Gateway) is its controller. */
    ownerReferences?: V1OwnerReference[];
    /** The raw JSON holds a string; compare with new Date(...). */
    creationTimestamp?: Date;
    /** Set when deletion has begun (the raw JSON holds a string; only its presence matters). */
    deletionTimestamp?: Date;
    /** Server-side apply bookkeeping; the operator drops it from its cache unread. */
    managedFields?: V1ManagedFieldsEntry[];
  };
  spec: DnsimpleCertificateSpec;
  status?: DnsimpleCertificateStatus;
}

/** Set to an RFC 3339 time to renew at that time (once per value), like `cmctl renew`. */
export const RENEW_AT_ANNOTATION = `${GROUP}/renew-at`;

/** The operator's Secret cache holds only Secrets with this label (never every Secret). */
export const MANAGED_SECRET_LABEL = `${GROUP}/managed`;
/** The label selector of the operator's Secret cache. */
export const MANAGED_SECRET_SELECTOR = `${MANAGED_SECRET_LABEL}=true`;
/**
 * Set on an existing Secret the operator did not make, by whoever owns it, to the name of the
 * DnsimpleCertificate (same namespace) that may take it over. Without it such a Secret is never
 * written (Ready=False SecretConflict).
 */
export const TAKEOVER_ANNOTATION = `${GROUP}/allow-takeover`;

/** The annotations the operator puts on the Secrets it manages. */
export const SECRET_ANNOTATIONS = {
  certificateId: `${GROUP}/certificate-id`,
  commonName: `${GROUP}/common-name`,
  alternateNames: `${GROUP}/alt-names`,
  expiry: `${GROUP}/expiry`,
  owner: `${GROUP}/certificate-name`,
} as const;
