// The Secret as the decision sees it, and the labels and annotations the operator wants on it.
import type { V1OwnerReference, V1Secret } from "@kubernetes/client-node";
import {
  API_VERSION,
  type DnsimpleCertificate,
  KIND,
  MANAGED_SECRET_LABEL,
  SECRET_ANNOTATIONS,
  type SignatureAlgorithm,
  TAKEOVER_ANNOTATION,
} from "../api/v1alpha1.ts";
import { inspectTlsSecret, type TlsSecretInspection } from "../certs/inspect.ts";
import { FIELD_MANAGER, tlsDataOf } from "../kube/secrets.ts";
import type { SecretObservation } from "./observation.ts";
import { otherTlsWriters } from "./secret-cache.ts";
import { EXTRA_KEYS } from "./secret-outputs.ts";
import { type CertificateFacts, recordedFacts } from "./verified-secret.ts";

/** The labels, annotations and owner the operator puts on a Secret. */
export interface SecretMetadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** With secretDeletionPolicy Delete: the resource owns the Secret (garbage collection). */
  ownerReferences?: V1OwnerReference[];
}

/** What the operator writes besides the data: template first, its own keys last (they win). */
export function desiredSecretMetadata(
  resource: DnsimpleCertificate,
  certificate: { certificateId: number; commonName?: string; dnsNames?: string[]; notAfter?: Date },
): SecretMetadata {
  const template = resource.spec.secretTemplate ?? {};
  const annotations: Record<string, string> = {
    ...template.annotations,
    [SECRET_ANNOTATIONS.owner]: resource.metadata.name,
    [SECRET_ANNOTATIONS.certificateId]: String(certificate.certificateId),
  };
  if (certificate.commonName) annotations[SECRET_ANNOTATIONS.commonName] = certificate.commonName;
  if (certificate.dnsNames) {
    annotations[SECRET_ANNOTATIONS.alternateNames] = certificate.dnsNames.join(",");
  }
  if (certificate.notAfter)
    annotations[SECRET_ANNOTATIONS.expiry] = certificate.notAfter.toISOString();
  const labels = { ...template.labels, [MANAGED_SECRET_LABEL]: "true" };
  if (resource.spec.secretDeletionPolicy !== "Delete") return { labels, annotations };
  const owner: V1OwnerReference = {
    apiVersion: API_VERSION,
    kind: KIND,
    name: resource.metadata.name,
    uid: resource.metadata.uid,
    controller: true,
    // false: blocking would need permission on the resource's finalizers, and nothing here
    // must outlive the resource's deletion.
    blockOwnerDeletion: false,
  };
  return { labels, annotations, ownerReferences: [owner] };
}

/** The spec's name for a certificate's key type (ECDSA or RSA), if it is one of those. */
export function signatureAlgorithmOf(
  keyAlgorithm: string | undefined,
): SignatureAlgorithm | undefined {
  return keyAlgorithm === "ECDSA" || keyAlgorithm === "RSA" ? keyAlgorithm : undefined;
}

function includes(
  actual: Record<string, string> | undefined,
  wanted: Record<string, string>,
): boolean {
  return Object.entries(wanted).every(([k, v]) => actual?.[k] === v);
}

/**
 * Whether the operator's last apply set a label or annotation it no longer wants (a key
 * removed from spec.secretTemplate): applying again removes it. Keys others set are theirs.
 */
function appliedBeyond(secret: V1Secret, wanted: SecretMetadata): boolean {
  const entry = secret.metadata?.managedFields?.find(
    (f) => f.manager === FIELD_MANAGER && f.operation === "Apply",
  );
  const metadata = (entry?.fieldsV1 as FieldsV1 | undefined)?.["f:metadata"];
  const stale = (fields: FieldsV1 | undefined, keep: Record<string, string>) =>
    Object.keys(fields ?? {}).some((f) => f.startsWith("f:") && !Object.hasOwn(keep, f.slice(2)));
  return (
    stale(metadata?.["f:labels"], wanted.labels) ||
    stale(metadata?.["f:annotations"], wanted.annotations)
  );
}

/** The extra keys (secret-outputs.ts) the operator's last apply set: those it may rewrite or drop. */
function ownedExtraKeys(secret: V1Secret): string[] {
  const entry = secret.metadata?.managedFields?.find(
    (f) => f.manager === FIELD_MANAGER && f.operation === "Apply",
  );
  const data = (entry?.fieldsV1 as FieldsV1 | undefined)?.["f:data"];
  return EXTRA_KEYS.filter((key) => Object.hasOwn(data ?? {}, `f:${key}`));
}

/** The shape of managedFields' fieldsV1: `f:<name>` keys nesting further sets. */
interface FieldsV1 {
  [field: string]: FieldsV1 | undefined;
}

function ownedAsWanted(secret: V1Secret, resource: DnsimpleCertificate, owned: boolean): boolean {
  const has = (secret.metadata?.ownerReferences ?? []).some((r) => r.uid === resource.metadata.uid);
  return has === owned;
}

/**
 * Inspects the Secret. `usable` covers parsing, key match, chain and validity, except that the
 * server certificate itself may have expired (notAfter says so): an expired certificate is the
 * one to renew, not a broken Secret to repair. Whether its names fit the spec is the decision's
 * business (it knows the spec and the domain). A version of the Secret that status records as
 * checked is not checked again (verified-secret.ts); its labels and annotations always are.
 */
export function observeSecret(
  resource: DnsimpleCertificate,
  secret: V1Secret | undefined,
  now: Date,
): SecretObservation {
  if (!secret) return { exists: false, usable: false, metadataCurrent: false };
  const facts = recordedFacts(resource, secret, now) ?? inspectedFacts(secret, now);
  const annotations = secret.metadata?.annotations;
  const idText = annotations?.[SECRET_ANNOTATIONS.certificateId];
  // Only a Secret the operator never wrote: its own Secret edited since is drift, repaired.
  const written = secret.metadata?.managedFields?.some((f) => f.manager === FIELD_MANAGER);
  const otherWriters = written ? [] : otherTlsWriters(secret);
  const certificateId = idText && /^\d+$/.test(idText) ? Number(idText) : undefined;
  const extraKeys = ownedExtraKeys(secret);
  const wanted =
    certificateId === undefined
      ? undefined
      : desiredSecretMetadata(resource, {
          certificateId,
          commonName: facts.commonName,
          dnsNames: facts.dnsNames,
          notAfter: facts.notAfter,
        });
  const version = secret.metadata?.resourceVersion;
  return {
    exists: true,
    ...(version !== undefined ? { resourceVersion: version } : {}),
    ...facts,
    ...(certificateId !== undefined ? { certificateId } : {}),
    ...(otherWriters.length > 0 ? { otherWriters } : {}),
    ...(annotations?.[TAKEOVER_ANNOTATION] === resource.metadata.name
      ? { takeoverAllowed: true }
      : {}),
    ...(extraKeys.length > 0 ? { ownedExtraKeys: extraKeys } : {}),
    metadataCurrent:
      wanted !== undefined &&
      secret.type === "kubernetes.io/tls" &&
      includes(secret.metadata?.labels, wanted.labels) &&
      includes(secret.metadata?.annotations, wanted.annotations) &&
      !appliedBeyond(secret, wanted) &&
      ownedAsWanted(secret, resource, wanted.ownerReferences !== undefined),
  };
}

/** The Secret's data checked in full (without names: decide() compares them with the spec). */
function inspectedFacts(secret: V1Secret, now: Date): CertificateFacts {
  const inspection = inspectTlsSecret(tlsDataOf(secret), { now });
  const version = secret.metadata?.resourceVersion;
  return {
    usable: inspection.present && (inspection.valid || expiredOnly(inspection, now)),
    ...(inspection.message ? { problem: inspection.message } : {}),
    commonName: inspection.commonName,
    dnsNames: inspection.dnsNames,
    keyAlgorithm: signatureAlgorithmOf(inspection.keyAlgorithm),
    notBefore: inspection.notBefore,
    notAfter: inspection.notAfter,
    serialNumber: inspection.serialNumber,
    ...(inspection.valid && inspection.validity && version !== undefined
      ? { verified: { resourceVersion: version, validity: inspection.validity } }
      : {}),
  };
}

/** Nothing was wrong but the server certificate's own expiry (checked after key and chain). */
function expiredOnly(inspection: TlsSecretInspection, now: Date): boolean {
  const { problem, notAfter } = inspection;
  return problem === "Expired" && notAfter !== undefined && notAfter <= now;
}
