// What the spec asks for, compared with what DNSimple and the Secret hold: the pure rules that
// the decision, the status and the steps share.
import type { DnsimpleCertificate, DnsimpleCertificateSpec } from "../api/v1alpha1.ts";
import { RENEW_AT_ANNOTATION } from "../api/v1alpha1.ts";
import { expectedDnsNames, sameDnsNames } from "../certs/dns-names.ts";
import type { RemoteCertificate, SecretObservation } from "./observation.ts";

/** The DNSimple domain name, when the spec names the domain by id: from a certificate name. */
export function domainNameOf(
  spec: DnsimpleCertificateSpec,
  commonName?: string,
): string | undefined {
  if (!/^\d+$/.test(spec.domain)) return spec.domain;
  if (!commonName) return undefined;
  const prefix = `${spec.name}.`;
  return commonName.startsWith(prefix) ? commonName.slice(prefix.length) : undefined;
}

/** Whether DNSimple's certificate was ordered for what the spec asks (names and domain). */
export function remoteMatchesSpec(
  spec: DnsimpleCertificateSpec,
  remote: RemoteCertificate,
): boolean {
  const domain = domainNameOf(spec, remote.commonName);
  return (
    remote.name === spec.name &&
    domain !== undefined &&
    remote.commonName === `${spec.name}.${domain}` &&
    sameDnsNames(remote.alternateNames, spec.alternateNames ?? [])
  );
}

/** A certificate's names on one line, for messages. */
export function describeRemote(remote: RemoteCertificate): string {
  return [remote.commonName, ...remote.alternateNames].join(", ");
}

/**
 * Why the Secret does not serve the current spec, or undefined when it does. With a
 * `certificateId`, it must also hold that certificate.
 */
export function secretShortfall(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
  certificateId: number | undefined,
  now: Date,
): string | undefined {
  return secretMismatch(spec, secret, certificateId) ?? expiryShortfall(secret, now);
}

/**
 * Why the Secret does not hold a certificate for the current spec (`certificateId`'s, when
 * given), expired or not: an expired one is still the one to renew, not one to download again.
 */
export function secretMismatch(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
  certificateId: number | undefined,
): string | undefined {
  if (!secret.exists) return "the Secret does not exist";
  if (!secret.usable) return `the Secret's certificate is unusable: ${secret.problem ?? "unknown"}`;
  if (certificateId !== undefined && secret.certificateId !== certificateId) {
    return `the Secret holds certificate ${secret.certificateId ?? "(unknown)"}, not ${certificateId}`;
  }
  return namesShortfall(spec, secret) ?? keyShortfall(spec, secret);
}

/** Why the Secret's certificate does not cover the spec's names, if it does not. */
function namesShortfall(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
): string | undefined {
  const domain = domainNameOf(spec, secret.commonName);
  const wanted = domain
    ? expectedDnsNames({ domain, name: spec.name, alternateNames: spec.alternateNames })
    : [];
  if (domain && sameDnsNames(wanted, secret.dnsNames ?? [])) return undefined;
  return `the Secret's certificate covers ${(secret.dnsNames ?? []).join(", ")}, the spec asks for ${wanted.join(", ") || spec.name}`;
}

/** Why the Secret's key type does not serve the spec, if it does not. */
function keyShortfall(
  spec: DnsimpleCertificateSpec,
  secret: SecretObservation,
): string | undefined {
  if (secret.keyAlgorithm === spec.signatureAlgorithm) return undefined;
  return `the Secret's key is ${secret.keyAlgorithm ?? "unknown"}, the spec asks for ${spec.signatureAlgorithm}`;
}

function expiryShortfall(secret: SecretObservation, now: Date): string | undefined {
  return !secret.notAfter || secret.notAfter <= now
    ? "the Secret's certificate has expired"
    : undefined;
}

/**
 * spec.certificateId adopts a certificate once; after that (status.adoptedCertificateId) the
 * operator renews it like one it ordered, so status.certificateId moves on.
 */
export function isAdopting(resource: DnsimpleCertificate): boolean {
  const { spec, status } = resource;
  return spec.certificateId !== undefined && spec.certificateId !== status?.adoptedCertificateId;
}

/** The certificate the operator works on: being adopted, else the one in status. */
export function targetCertificateId(resource: DnsimpleCertificate): number | undefined {
  return isAdopting(resource) ? resource.spec.certificateId : resource.status?.certificateId;
}

/** A renew-at annotation value not yet acted on, once its time has come. */
export function renewRequest(resource: DnsimpleCertificate, now: Date): string | undefined {
  const at = pendingRenewRequestTime(resource);
  if (!at || at > now) return undefined;
  return resource.metadata.annotations?.[RENEW_AT_ANNOTATION];
}

/** A renew-at annotation not yet acted on, whatever its time (for the next look). */
export function pendingRenewRequestTime(resource: DnsimpleCertificate): Date | undefined {
  const value = resource.metadata.annotations?.[RENEW_AT_ANNOTATION];
  if (!value || value === resource.status?.renewRequestHandled) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at);
}
