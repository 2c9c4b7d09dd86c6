// When the certificate will be renewed and why then, from the resource alone (and its issuer's
// renewal floor when the issuer is known), by the operator's own rule (controller/timing.ts
// renewalTime): renewBefore before expiry, else two thirds into the lifetime; never before the
// issuer's floor; a pending renew-at annotation first; with autoRenew DNSimple renews it itself
// and the operator picks the new certificate up. The time shown is the operator's
// (status.renewalTime); the rule only explains it. Pure.
import type { DnsimpleIssuer } from "../api/issuers.ts";
import { RENEW_AT_ANNOTATION } from "../api/v1alpha1.ts";
import { renewalTime } from "../controller/timing.ts";
import { formatDuration, parseDuration } from "../time/duration.ts";
import type { CertificateObject } from "./cluster.ts";

/** Why the renewal is when it is. */
export type RenewalBasis =
  | "requested"
  | "autoRenew"
  | "renewBefore"
  | "lifetime"
  | "renewalFloor"
  | "unknown";

export interface RenewalReport {
  /** The operator's renewal time (status.renewalTime), RFC 3339; null before a certificate. */
  renewalTime: string | null;
  basis: RenewalBasis;
  /** One sentence: why then. */
  explanation: string;
  /** A renew-at annotation the operator has not acted on yet (RFC 3339 as written). */
  requestedAt: string | null;
}

/** DNSimple renews an auto-renewing certificate about this long before it expires. */
const DNSIMPLE_AUTO_RENEW_BEFORE = "30 days";

export function reportRenewal(
  resource: CertificateObject,
  issuer: DnsimpleIssuer | undefined,
  now: Date,
): RenewalReport {
  const status = resource.status ?? {};
  const requestedAt = pendingRequest(resource);
  const operatorTime = status.renewalTime ?? null;
  if (requestedAt !== null) {
    return {
      renewalTime: operatorTime,
      basis: "requested",
      requestedAt,
      explanation: requested(requestedAt, now),
    };
  }
  const notBefore = dateOf(status.notBefore);
  const notAfter = dateOf(status.notAfter);
  if (notBefore === undefined || notAfter === undefined) {
    return {
      renewalTime: operatorTime,
      basis: "unknown",
      requestedAt,
      explanation: "no certificate in the Secret yet: the renewal time is set once there is one",
    };
  }
  if (resource.spec.autoRenew) {
    return {
      renewalTime: operatorTime,
      basis: "autoRenew",
      requestedAt,
      explanation: autoRenewal(operatorTime),
    };
  }
  const rule = byRule(resource, notBefore, notAfter);
  const unfloored = renewalTime(resource.spec, notBefore, notAfter);
  const at = dateOf(operatorTime ?? undefined);
  if (at !== undefined && unfloored !== undefined && at.getTime() - unfloored.getTime() > 1000) {
    return {
      renewalTime: operatorTime,
      basis: "renewalFloor",
      requestedAt,
      explanation: floorExplanation(issuer, unfloored, rule.explanation),
    };
  }
  return { renewalTime: operatorTime ?? unfloored?.toISOString() ?? null, requestedAt, ...rule };
}

/** The renew-at value not yet handled (each value renews once), or null. */
function pendingRequest(resource: CertificateObject): string | null {
  const value = resource.metadata.annotations?.[RENEW_AT_ANNOTATION];
  if (value === undefined || value === "" || value === resource.status?.renewRequestHandled) {
    return null;
  }
  return value;
}

function requested(at: string, now: Date): string {
  const time = dateOf(at);
  if (time === undefined) {
    return `the ${RENEW_AT_ANNOTATION} annotation holds "${at}", which is not an RFC 3339 time: the operator ignores it`;
  }
  return time <= now
    ? `a renewal was requested (${RENEW_AT_ANNOTATION}: ${at}); the operator orders it on its next pass`
    : `a renewal is requested for ${at} (${RENEW_AT_ANNOTATION})`;
}

function autoRenewal(operatorTime: string | null): string {
  const from = operatorTime === null ? "" : ` from ${operatorTime} on`;
  return (
    `autoRenew: DNSimple renews the certificate itself, about ${DNSIMPLE_AUTO_RENEW_BEFORE} before it expires; ` +
    `the operator looks for the renewed certificate${from} and picks it up`
  );
}

function byRule(
  resource: CertificateObject,
  notBefore: Date,
  notAfter: Date,
): { basis: "renewBefore" | "lifetime"; explanation: string } {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const lifetimeText = `the certificate's lifetime (${formatDuration(lifetime)})`;
  const renewBefore = resource.spec.renewBefore;
  if (renewBefore === undefined || renewBefore === "") {
    return {
      basis: "lifetime",
      explanation: `two thirds into ${lifetimeText}: no renewBefore is set`,
    };
  }
  const before = durationOrUndefined(renewBefore);
  if (before !== undefined && before > 0 && before < lifetime) {
    return {
      basis: "renewBefore",
      explanation: `renewBefore ${renewBefore} before expiry (${notAfter.toISOString()})`,
    };
  }
  return {
    basis: "lifetime",
    explanation: `two thirds into ${lifetimeText}: renewBefore ${renewBefore} is not shorter than the lifetime`,
  };
}

function floorExplanation(
  issuer: DnsimpleIssuer | undefined,
  unfloored: Date,
  rule: string,
): string {
  const floor = issuer?.spec.policy?.budget?.renewalFloor;
  const named =
    issuer === undefined
      ? "the issuer's renewal floor"
      : `the renewal floor of ${issuer.kind} ${issuer.metadata.name}`;
  const amount =
    floor === undefined ? "" : ` (${floor} after the certificate's notBefore or the last purchase)`;
  return `${named}${amount} holds it back from ${unfloored.toISOString()} (${rule})`;
}

function durationOrUndefined(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}
