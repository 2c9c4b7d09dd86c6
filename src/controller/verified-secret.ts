// The record in status of the Secret's last full check (status.verifiedSecret): the version of
// the Secret that passed it and the time in which that result holds. A pass that finds the
// Secret at that version, inside that time, takes what the Secret holds from status instead of
// checking it again. The API server gives a Secret a new version at every write, so one version
// is one content, and the check depends only on the content and the time. After a restart over
// 10,000 Secrets, checking them again was most of the work (docs/benchmarks.md).
//
// A tenant who may write the resource's status (nothing stops one unless the chart's
// ValidatingAdmissionPolicy is on: admissionPolicy.enabled, off by default) can forge the record,
// but gains nothing beyond its own namespace: the record only spares the check of a Secret the
// tenant can write anyway (a chain it made itself passes that check too), and which certificate
// the operator fetches is judged from the claims, never from the record. Editing the Secret gives
// it a new version, and that version is checked in full; a version the operator wrote is recorded
// only when the API server's answer holds exactly the bytes checked (steps/secret-apply.ts).
import type { V1Secret } from "@kubernetes/client-node";
import type {
  DnsimpleCertificate,
  DnsimpleCertificateStatus,
  VerifiedSecretRecord,
} from "../api/v1alpha1.ts";
import type { SecretObservation } from "./observation.ts";

/** What a Secret's certificate is, as the decision reads it. */
export type CertificateFacts = Pick<
  SecretObservation,
  | "usable"
  | "problem"
  | "commonName"
  | "dnsNames"
  | "keyAlgorithm"
  | "notBefore"
  | "notAfter"
  | "serialNumber"
  | "verified"
>;

/**
 * The facts status holds about `secret`, when its record says this version passed the check
 * and `now` lies inside the time that result holds; otherwise undefined (check it in full).
 */
export function recordedFacts(
  resource: DnsimpleCertificate,
  secret: V1Secret,
  now: Date,
): CertificateFacts | undefined {
  const status = resource.status;
  const record = status?.verifiedSecret;
  const version = secret.metadata?.resourceVersion;
  if (!status || !record || version === undefined) return undefined;
  if (record.name !== secret.metadata?.name || record.resourceVersion !== version) return undefined;
  const from = dateOf(record.validFrom);
  const until = dateOf(record.validUntil);
  if (!from || !until || now < from || now > until) return undefined;
  const facts = factsOf(status);
  if (!facts) return undefined;
  return {
    ...facts,
    ...(record.keyAlgorithm ? { keyAlgorithm: record.keyAlgorithm } : {}),
    verified: { resourceVersion: version, validity: { from, until } },
  };
}

/** The record of a Secret observed as having passed the full check; else undefined. */
export function recordOf(
  secretName: string,
  secret: SecretObservation,
): VerifiedSecretRecord | undefined {
  const { verified } = secret;
  if (!secret.usable || !verified) return undefined;
  return {
    name: secretName,
    resourceVersion: verified.resourceVersion,
    validFrom: verified.validity.from.toISOString(),
    validUntil: verified.validity.until.toISOString(),
    ...(secret.keyAlgorithm ? { keyAlgorithm: secret.keyAlgorithm } : {}),
  };
}

/** The facts secretFacts (status.ts) wrote beside the record; undefined when one is missing. */
function factsOf(status: DnsimpleCertificateStatus): CertificateFacts | undefined {
  const notBefore = dateOf(status.notBefore);
  const notAfter = dateOf(status.notAfter);
  const { serialNumber, alternateNames, commonName } = status;
  if (!notBefore || !notAfter || serialNumber === undefined || alternateNames === undefined) {
    return undefined;
  }
  return {
    usable: true,
    ...(commonName === undefined ? {} : { commonName }),
    dnsNames: [...alternateNames],
    notBefore,
    notAfter,
    serialNumber,
  };
}

function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
