// When to look again: polling while DNSimple issues, and the renewal time of a certificate.
import type { DnsimpleCertificateSpec } from "../api/v1alpha1.ts";
import { parseDuration } from "../time/duration.ts";

/** The longest wait between two polls of one issuing certificate. */
export const MAX_POLL_INTERVAL_MS = 5 * 60_000;

/**
 * Polling starts at `intervalMs` and backs off as the issuance takes longer (a quarter of the
 * time waited so far), up to five minutes: fast for the common seconds-long issuance, cheap on
 * the rate limit for a slow one.
 */
export function pollDelay(intervalMs: number, since: Date, now: Date): number {
  const waited = Math.max(0, now.getTime() - since.getTime());
  return Math.min(MAX_POLL_INTERVAL_MS, Math.max(intervalMs, Math.round(waited / 4)));
}

/**
 * notAfter - renewBefore; without renewBefore, two thirds into the lifetime (as cert-manager).
 * A renewBefore longer than the lifetime falls back to the default (the status says so). Never
 * before `floorAt` (the issuer's renewal floor), nor after expiry because of it.
 */
export function renewalTime(
  spec: DnsimpleCertificateSpec,
  notBefore: Date | undefined,
  notAfter: Date | undefined,
  floorAt?: Date,
): Date | undefined {
  if (!notBefore || !notAfter) return undefined;
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const before = spec.renewBefore ? parseDuration(spec.renewBefore) : lifetime / 3;
  const effective = before > 0 && before < lifetime ? before : lifetime / 3;
  const at = notAfter.getTime() - effective;
  const floor = Math.min(floorAt?.getTime() ?? at, notAfter.getTime());
  return new Date(Math.max(at, floor));
}

/** Backoff after failures: transient ones retry soon, permanent ones (401, 404, 412, 400) rarely. */
export function failureBackoffMs(permanent: boolean, attempts: number): number {
  const n = Math.max(1, attempts);
  return permanent
    ? Math.min(12 * 3_600_000, 15 * 60_000 * 2 ** (n - 1))
    : Math.min(5 * 60_000, 5_000 * 2 ** (n - 1));
}

/**
 * From when a certificate that has not been renewed counts as Expiring (Ready=False): when two
 * thirds of the time between renewal time and expiry have passed.
 */
export function expiringTime(renewAt: Date, notAfter: Date): Date {
  return new Date(notAfter.getTime() - (notAfter.getTime() - renewAt.getTime()) / 3);
}
